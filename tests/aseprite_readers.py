"""ase-parser (npm), an Aseprite reader this project did not write, run by Node.js for the tests.

``tests/js/aseprite/read_aseprite.js`` prints what ase-parser reads; ``npm ci --prefix tests/js/aseprite``
(run by ``scripts/setup.sh``) installs the version locked in ``package-lock.json``. In CI (``CI`` set) a missing
reader fails the tests, so they can never pass by not running; elsewhere they skip and say what to install.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
READER_FOLDER = ROOT / "tests" / "js" / "aseprite"
READER_SCRIPT = READER_FOLDER / "read_aseprite.js"
INSTALL_COMMAND = "npm ci --prefix tests/js/aseprite"


def missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):  # CI installs the readers; missing, these tests would never check a byte
        pytest.fail(f"{reason}; scripts/setup.sh installs it", pytrace=False)
    pytest.skip(reason)


def read_with_ase_parser(paths: list[Path]) -> list[dict[str, Any]]:
    """What ase-parser reads from each file, in one run of Node.js."""
    node = shutil.which("node")
    if node is None:
        missing("Node.js (`node`) is not installed, so ase-parser cannot run")
    installed = READER_FOLDER / "node_modules" / "ase-parser" / "package.json"
    if not installed.is_file():
        missing(f"ase-parser is not installed: run `{INSTALL_COMMAND}`")
    locked = json.loads((READER_FOLDER / "package-lock.json").read_text())["packages"]["node_modules/ase-parser"]
    if json.loads(installed.read_text())["version"] != locked["version"]:
        missing(f"ase-parser is not the locked version {locked['version']}: run `{INSTALL_COMMAND}`")
    result = subprocess.run([node, str(READER_SCRIPT), *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def sprite_indices(parsed_frame: dict[str, Any], height: int, width: int) -> np.ndarray:
    """The frame's sprite indices (stored index - 1, so -1 is transparent) from the cels ase-parser decoded."""
    stored = np.zeros((height, width), np.int16)  # no cel: every pixel shows the transparent index 0
    for cel in parsed_frame["cels"]:
        x, y, w, h = cel["xpos"], cel["ypos"], cel["w"], cel["h"]
        assert 0 <= x <= width - w and 0 <= y <= height - h, cel
        pixels = np.frombuffer(base64.b64decode(cel["pixels"]), np.uint8)
        assert pixels.size == w * h, cel
        stored[y : y + h, x : x + w] = pixels.reshape(h, w)
    return stored - 1
