"""Two redesigns changed no byte: the commit before each, run from a git worktree in this same environment (PNG
bytes depend on library versions), writes exactly what this one writes. The redesign by stage (issue 16) on every
command and the main options; settings as objects, one sheet path and the format registry (issue 28) on every
option that existed then: normal maps, inner lines, clean-up, outlines, majority sampling, target palettes,
paletted sprites, every sheet format, packed and atlas sheets, palette variants, palette-variant and grid.

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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from helpers import save_png
from PIL import Image
from synthetic import write_truth_set

# Byte identity, the benchmark, ruff, mypy and the package: the same under every Python and bpy (see pyproject).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]
# The last commit before the engine was laid out by stage (issue 16).
BEFORE_REDESIGN = "89525e8e06f7480e9c4a18b8ec75adbe3febc22e"
# The last commit before settings travelled as objects, with one sheet path and a registry of formats (issue 28).
BEFORE_SETTINGS = "345266ee76a0824944ffdc3843eb30b738a1bf96"

# name → the command (SRC, OUT, PALETTE stand for the renders, the output folder and a palette file; SET, NORMALS,
# DEPTH and RED for a sprite set's renders, its normal and depth frames, and a variant of 6 colours); commands
# joined by " ; " run one after another.
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
RUNS_SINCE_SETTINGS = {
    "everything": "process SET --out OUT --pixel 1 --colors 6 --sheets --formats json,godot,aseprite,preview "
    "--normals-from NORMALS --inner-lines --depth-from DEPTH --outline selout --cleanup --sampling majority "
    "--variant red=RED",
    "packed": "process SET --out OUT --pixel 1 --colors 6 --sheets --packed --extrude 1 --normals-from NORMALS "
    "--formats json,godot,aseprite --variant red=RED",
    "target_outline": "process SET --out OUT --pixel 1 --target-palette PALETTE --indexed --outline outer "
    "--outline-colour auto --outline-neighbours 8 --sheets --layout atlas --max-size 64 --fps 6",
    "apply_then_sheets": "fit SET --pixel 1 --colors 6 --palette-out OUT/hero.gpl ; apply SET --out OUT --pixel 1 "
    "--palette OUT/hero.gpl --outline inner ; sheet OUT --formats json,godot --variant red=RED ; sheet OUT "
    "--no-variants ; palette-variant OUT OUT/start.hex ; grid OUT --out OUT/grid.png --columns 4 --scale 2",
}


def _commit_available(commit: str) -> str | None:
    found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True)
    return None if found.returncode == 0 else f"commit {commit} is not in this clone's history"


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> Callable[[str], Path]:
    """Per commit compared against, a folder whose ``pixel_sprites`` is the add-on as it was then."""
    made: dict[str, Path] = {}

    def add_on_of(commit: str) -> Path:
        if commit in made:
            return made[commit]
        problem = _commit_available(commit)
        if problem is not None:
            pytest.fail(f"{problem}: the comparison needs the full history (git clone without --depth)", pytrace=False)
        folder = tmp_path_factory.mktemp("before")
        worktree = folder / "worktree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), commit],
            check=True, capture_output=True,
        )  # fmt: skip
        (folder / "path").mkdir()
        shutil.copytree(worktree / "addon", folder / "path" / "pixel_sprites")
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=True)
        made[commit] = folder / "path"
        return made[commit]

    return add_on_of


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
    _write_passes(root, rng)
    return {
        "SRC": root / "renders", "SET": root / "set", "PALETTE": palette, "NORMALS": root / "normals",
        "DEPTH": root / "depth", "RED": root / "red.gpl",
    }  # fmt: skip


def _write_passes(root: Path, rng: np.random.Generator) -> None:
    """The set's normal and depth frames (a slanted surface, a nearer arm), and a variant of 6 colours."""
    (root / "depth").mkdir()
    (root / "depth" / "depth.json").write_text('{"near": 1.0, "far": 3.0, "view_width": 2.0, "perspective": false}')
    for frame in sorted((root / "set").rglob("*.png")):
        relative = frame.relative_to(root / "set")
        normal = np.zeros((16, 12, 3), np.uint8)
        normal[:, :] = [128 + 8 * (relative.parts[1] == "E"), 128, 255]
        normal[:, 6:] = [200, 100, 180]
        save_png(root / "normals" / relative, normal)
        depth = np.full((16, 12), 40000, np.uint16)
        depth[4:12, 3:6] = 10000 + 1000 * len(relative.parts[0])
        (root / "depth" / relative).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(depth).save(root / "depth" / relative)
    (root / "red.gpl").write_text(
        "GIMP Palette\nName: red\n#\n"
        + "".join(f"{r} {g} {b}\tc{i}\n" for i, (r, g, b) in enumerate(rng.integers(0, 256, (6, 3)).tolist())),
        encoding="utf-8",
    )


def _given(part: str, inputs: dict[str, Path]) -> str:
    """An argument with the inputs' names (alone, or after ``NAME=`` as in ``--variant red=RED``) made paths."""
    if part in inputs:
        return str(inputs[part])
    name, equals, value = part.partition("=")
    return f"{name}={inputs[value]}" if equals and value in inputs else part


def _run(command: list[str] | str, inputs: dict[str, Path], out: Path, pythonpath: Path | None) -> None:
    if isinstance(command, str) and " ; " in command:
        for each in command.split(" ; "):
            _run(each, inputs, out, pythonpath)
        return
    command = command.split() if isinstance(command, str) else command
    arguments = [str(out) if part == "OUT" else part.replace("OUT/", f"{out}/") for part in command]
    arguments = [_given(part, inputs) for part in arguments]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    code = "import sys; from pixel_sprites.cli import main; sys.exit(main(sys.argv[1:]))"
    workers = ["--workers", "2"] if arguments[0] in ("process", "fit", "apply") else []
    run = subprocess.run(
        [sys.executable, "-c", code, *arguments, *workers], env=environment, capture_output=True, text=True
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


@pytest.mark.parametrize(
    ("commit", "name"),
    [(BEFORE_REDESIGN, name) for name in RUNS] + [(BEFORE_SETTINGS, name) for name in RUNS_SINCE_SETTINGS],
    ids=[f"redesign-{name}" for name in RUNS] + [f"settings-{name}" for name in RUNS_SINCE_SETTINGS],
)
def test_every_output_is_byte_identical_to_the_commit_before_the_redesign(before, inputs, tmp_path, commit, name):
    command = (RUNS_SINCE_SETTINGS if commit == BEFORE_SETTINGS else RUNS)[name]
    _run(command, inputs, tmp_path / "before", before(commit))
    _run(command, inputs, tmp_path / "now", None)
    earlier, now = _contents(tmp_path / "before"), _contents(tmp_path / "now")
    assert sorted(now) == sorted(earlier)
    assert len(now) >= 2
    differing = [file for file in earlier if earlier[file] != now[file]]
    assert differing == []
