"""Helpers shared by the tests."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def file_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, to show that nothing was changed or lost."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def save_png(path: Path, pixels: np.ndarray, mode: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode).save(path)
    return path


def write_set_renders(
    renders: Path,
    actions: Iterable[tuple[str, int]],
    facings: Sequence[str],
    sprite: Callable[[str, int, int], np.ndarray],
) -> Path:
    """A sprite set's renders, ``renders/<action>/<facing>/0001.png`` …, each frame drawn by
    ``sprite(action, facing index, frame index)``; returns ``renders``."""
    for action, count in actions:
        for facing_index, facing in enumerate(facings):
            for frame in range(count):
                save_png(renders / action / facing / f"{frame + 1:04d}.png", sprite(action, facing_index, frame))
    return renders


def dev_tool(name: str) -> str:
    """A developer tool (ruff, mypy) of this environment; missing, the test skips, or fails in CI, which installs
    the tools in every environment (missing there, the check would never run)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed in {sys.prefix}: scripts/setup.sh installs it", pytrace=False)
        pytest.skip(f"{name} is not installed in this environment")
    return found
