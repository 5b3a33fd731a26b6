"""The redesign by stage changed no byte: the commit before it, run from a git worktree in this same environment (PNG
bytes depend on library versions), writes exactly what this one writes, for every command and the main options.

Reports are compared without their timings and with the two output folders' paths made equal; every other file
(sprites, palettes, sheets, JSON, Godot, .aseprite, previews, manifests) byte for byte. What issue 27 added on
purpose is left out: the reports' ``palette_file`` and ``written`` fields, the record's kinds (its files are
compared), and the palette lock a fitting run now holds for the whole run (``.<name>.lock``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import save_png
from synthetic import write_truth_set

ROOT = Path(__file__).resolve().parents[2]
# The last commit before the engine was laid out by stage (issue 16).
BEFORE_REDESIGN = "89525e8e06f7480e9c4a18b8ec75adbe3febc22e"

# name → the command (SRC, OUT, PALETTE stand for the renders, the output folder and a palette file)
RUNS = {
    "process": ["process", "SRC", "--out", "OUT", "--pixel", "4"],
    "process_indexed_8": ["process", "SRC", "--out", "OUT", "--pixel", "4", "--indexed", "--colors", "8"],
    "process_target": ["process", "SRC", "--out", "OUT", "--size", "20x24", "--target-palette", "PALETTE"],
    "process_majority": ["process", "SRC", "--out", "OUT", "--pixel", "4", "--sampling", "majority"],
    "fit": ["fit", "SRC", "--pixel", "4", "--colors", "6", "--palette-out", "OUT/hero.gpl"],
    "apply": ["apply", "SRC", "--out", "OUT", "--pixel", "4", "--palette", "PALETTE", "--indexed"],
    "sheets": ["process", "SET", "--out", "OUT", "--pixel", "1", "--colors", "5", "--sheets"],
    "atlas_pages": "process SET --out OUT --pixel 1 --sheets --layout atlas --max-size 40 --rgba --padding 0 "
    "--margin 1",
}


def _commit_available() -> str | None:
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{BEFORE_REDESIGN}^{{commit}}"], capture_output=True
    )
    return None if found.returncode == 0 else f"commit {BEFORE_REDESIGN} is not in this clone's history"


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> Path:
    """A folder whose ``pixel_sprites`` is the add-on as it was before the redesign."""
    problem = _commit_available()
    if problem is not None:
        pytest.fail(f"{problem}: the comparison needs the full history (git clone without --depth)", pytrace=False)
    folder = tmp_path_factory.mktemp("before")
    worktree = folder / "worktree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), BEFORE_REDESIGN],
        check=True, capture_output=True,
    )  # fmt: skip
    (folder / "path").mkdir()
    shutil.copytree(worktree / "addon", folder / "path" / "pixel_sprites")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=True)
    return folder / "path"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    write_truth_set(root / "renders", 6, 5, seed=3)
    rng = np.random.default_rng(5)
    for action, count in (("walk", 3), ("idle", 2)):
        for facing_index, facing in enumerate(("S", "E", "N", "W")):
            for frame in range(count):
                rgba = np.zeros((16, 12, 4), np.uint8)
                rgba[2 + frame : 15, 3:9] = [*rng.integers(0, 256, 3), 255]
                rgba[4, 2 : 4 + facing_index] = [20, 20, 20, 255]
                save_png(root / "set" / action / facing / f"{frame + 1:04d}.png", rgba)
    palette = root / "game.gpl"
    palette.write_text(
        "GIMP Palette\nName: game\n#\n"
        + "".join(f"{r} {g} {b}\tc{i}\n" for i, (r, g, b) in enumerate(rng.integers(0, 256, (12, 3)).tolist())),
        encoding="utf-8",
    )
    return {"SRC": root / "renders", "SET": root / "set", "PALETTE": palette}


def _run(command: list[str] | str, inputs: dict[str, Path], out: Path, pythonpath: Path | None) -> None:
    command = command.split() if isinstance(command, str) else command
    arguments = [str(out) if part == "OUT" else part.replace("OUT/", f"{out}/") for part in command]
    arguments = [str(inputs[part]) if part in inputs else part for part in arguments]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    code = "import sys; from pixel_sprites.cli import main; sys.exit(main(sys.argv[1:]))"
    run = subprocess.run(
        [sys.executable, "-c", code, *arguments, "--workers", "2"], env=environment, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def _contents(folder: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(folder))
        if path.name.startswith(".") and path.suffix == ".lock":
            continue
        if path.name.endswith("_report.json") or (path.parent.name == "reports" and path.suffix == ".json"):
            report = json.loads(path.read_text(encoding="utf-8").replace(str(folder), "OUT"))
            for key in ("timings", "palette_file", "written"):
                report.pop(key, None)
            found[name] = report
        elif path.name == ".pixel_sprites_files.json":
            found[name] = sorted(json.loads(path.read_text(encoding="utf-8"))["files"])
        else:
            found[name] = path.read_bytes()
    return found


@pytest.mark.parametrize("name", RUNS)
def test_every_output_is_byte_identical_to_the_commit_before_the_redesign(before, inputs, tmp_path, name):
    _run(RUNS[name], inputs, tmp_path / "before", before)
    _run(RUNS[name], inputs, tmp_path / "now", None)
    earlier, now = _contents(tmp_path / "before"), _contents(tmp_path / "now")
    assert sorted(now) == sorted(earlier)
    assert len(now) >= 2
    differing = [file for file in earlier if earlier[file] != now[file]]
    assert differing == []
