"""Shared fixtures. This folder is on ``sys.path``, so tests import ``helpers`` and ``synthetic``."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest


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
