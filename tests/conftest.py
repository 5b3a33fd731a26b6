"""Shared fixtures. This folder is on ``sys.path``, so tests import ``helpers`` and ``synthetic``."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

# Test files that must not run at the same time as each other: both run mypy on the one .mypy_cache.
_SHARING_THE_MYPY_CACHE = {"test_project", "test_benchmark_package"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``scripts/test.sh`` runs ``-n 2 --dist loadgroup``), the tests of one file run in one
    process, so its module fixtures are made once; Debian's blender tests all run in one, one after another (each
    takes a virtual screen, and ``xvfb-run -a`` can hand two of them the same display); and the two files that
    run mypy run in one."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("debian_blender"):
            group = "debian_blender"
        elif item.path.stem in _SHARING_THE_MYPY_CACHE:
            group = "mypy"
        else:
            group = item.path.stem
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def node() -> str:
    """Node.js, which runs the Flamenco job-type harness and the npm readers."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):  # CI installs Node.js; without it the job type would go untested
            pytest.fail("node is not installed: the Flamenco job type cannot be compiled", pytrace=False)
        pytest.skip("node is not installed")
    return found
