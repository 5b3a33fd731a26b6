"""Project rules: the engine and the command line never need Blender; lint and types are clean."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_engine_and_cli_import_without_bpy():
    code = (
        "import sys; sys.modules['bpy'] = None\n"  # any 'import bpy' now raises ImportError
        "import pixel_sprites, pixel_sprites.engine, pixel_sprites.cli\n"
        "assert sys.modules['bpy'] is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_engine_sources_never_mention_bpy():
    for path in (ROOT / "addon" / "engine").glob("*.py"):
        text = path.read_text()
        assert "import bpy" not in text and "from bpy" not in text, path


def _tool(name):
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("CI"):  # CI installs the checks in every environment; missing, they would never run
            pytest.fail(f"{name} is not installed in {sys.prefix}: scripts/setup.sh installs it", pytrace=False)
        pytest.skip(f"{name} is not installed in this environment")
    return found


def test_ruff_is_clean():
    result = subprocess.run(
        [_tool("ruff"), "check", "addon", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", "addon", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_mypy_is_clean():
    result = subprocess.run([_tool("mypy"), "addon"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
