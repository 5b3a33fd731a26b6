"""The real Godot 4.6 engine loads every ``.tres`` the sheets write, holds what was meant, and draws every sprite.

A sprite set is made as a user makes it without Blender (``pixel-sprites process --sheets``), its manifest given
a frame step and an animation that does not loop, and its sheets are written again in every layout and option.
One Godot run (``tests/godot_runner.py``) then loads every ``.tres`` and draws each frame with an
``AnimatedSprite2D``; the tests compare what Godot holds with the JSON pages of the same sheets and what it drew
with the sprite files. Damaged files are loaded in a second run, which must fail.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from godot_expected import drawing_mismatches, expected_animations, godot_mismatches, sheet_groups
from godot_runner import SpriteFramesCheck, check_sprite_frames, require_godot
from helpers import write_set_renders

from pixel_sprites.cli import main

SIZE = (12, 16)
ACTIONS = {"walk": 3, "idle": 2, "die": 4}
FACINGS = ("S", "E", "N", "W")
COLOURS = np.array([[200, 40, 40], [40, 160, 60], [50, 60, 200], [230, 200, 40], [30, 30, 30], [240, 240, 240]])

# Sheet runs: name → the options of `pixel-sprites sheet`.
CASES = {
    "action": [],
    "action_pages": ["--max-size", "40"],  # each action on two pages, one .tres for both
    "atlas": ["--layout", "atlas"],
    "atlas_pages": ["--layout", "atlas", "--max-size", "40"],
    "rgba_margin": ["--rgba", "--padding", "0", "--margin", "2"],
}


def sprite(action: str, facing: int, frame: int) -> np.ndarray:
    """A sprite whose colours and shape say which action, facing and frame it is."""
    rgba = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
    top = 2 + list(ACTIONS).index(action)
    rgba[top:15, 3:9] = [*COLOURS[facing], 255]
    rgba[top + frame, 2 : 9 + frame % 3] = [*COLOURS[4], 255]
    rgba[14, 3 + frame] = [*COLOURS[5], 255]
    return rgba


@pytest.fixture(scope="module")
def sprite_sets(tmp_path_factory) -> dict[str, Path]:
    """Case name → the sprites folder of a set whose sheets were written with that case's options."""
    root = tmp_path_factory.mktemp("godot_sets")
    write_set_renders(root / "renders", ACTIONS.items(), FACINGS, sprite)
    base = root / "base"
    assert main(["process", str(root / "renders"), "--out", str(base), "--pixel", "1", "--colors", "6"]) == 0
    assert main(["sheet", str(base), "--formats", "godot"]) == 0  # writes the manifest
    manifest_path = base / "character.set.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for action in manifest["actions"]:
        if action["name"] == "walk":  # rendered every 2nd frame: plays at 12 fps, 83 ms a frame
            action["frame_step"] = 2
        if action["name"] == "die":
            action["loop"] = False
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(base / "sheets")
    sets = {}
    for case, options in CASES.items():
        sprites = root / case
        shutil.copytree(base, sprites)
        assert main(["sheet", str(sprites), "--formats", "json,godot", *options]) == 0, case
        sets[case] = sprites
    return sets


@pytest.fixture(scope="module")
def godot_check(sprite_sets) -> SpriteFramesCheck:
    require_godot()
    resources = [tres for sprites in sprite_sets.values() for tres in sheet_groups(sprites)]
    return check_sprite_frames(resources)


def test_the_cases_cover_several_pages_loops_and_frame_steps(sprite_sets):
    pages = {case: [len(group) for group in sheet_groups(sprites).values()] for case, sprites in sprite_sets.items()}
    assert pages["action"] == [1, 1, 1] and pages["atlas"] == [1]
    assert all(count > 1 for count in pages["action_pages"]) and pages["atlas_pages"][0] > 1
    manifest = json.loads((sprite_sets["action"] / "character.set.json").read_text())
    assert {a["name"]: (a["rate"], a["loop"]) for a in manifest["actions"]} == {
        "walk": (12.0, True), "idle": (24.0, True), "die": (24.0, False)
    }  # fmt: skip


def test_godot_runs_and_loads_every_tres_as_sprite_frames(godot_check, sprite_sets):
    run = godot_check.run
    assert run.version is not None and run.version.startswith("Godot Engine v4.6.stable.official")
    assert run.exit_code == 0, run.errors
    assert run.errors == []
    assert godot_check.refused == {}
    assert sorted(godot_check.loaded) == sorted(tres for s in sprite_sets.values() for tres in sheet_groups(s))


@pytest.mark.parametrize("case", CASES)
def test_what_godot_holds_equals_the_json_pages_and_the_manifest(godot_check, sprite_sets, case):
    sprites = sprite_sets[case]
    for tres in sheet_groups(sprites):
        expected = expected_animations(sprites, tres)
        assert sum(len(animation["frames"]) for animation in expected.values()) > 0
        assert godot_mismatches(godot_check.loaded[tres], expected) == [], tres.name


@pytest.mark.parametrize("case", CASES)
def test_every_frame_godot_draws_is_the_sprite_file_pixel_for_pixel(godot_check, sprite_sets, case):
    sprites = sprite_sets[case]
    drawn = 0
    for tres in sheet_groups(sprites):
        loaded = godot_check.loaded[tres]
        assert drawing_mismatches(sprites, loaded) == [], tres.name
        drawn += len(loaded.drawn)
    assert drawn == len(FACINGS) * sum(ACTIONS.values())


# --- Bad files must fail in Godot, and the check must see it -------------------------------------------------


@pytest.fixture(scope="module")
def damaged(sprite_sets, tmp_path_factory) -> tuple[dict[str, Path], SpriteFramesCheck]:
    require_godot()
    source = sprite_sets["action"] / "sheets"
    folders = {}
    for name in ("broken", "missing_sheet", "misspelled"):
        folders[name] = tmp_path_factory.mktemp(name)
        for file in source.iterdir():
            shutil.copy2(file, folders[name] / file.name)
    broken = folders["broken"] / "walk.tres"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text[: len(text) * 2 // 3], encoding="utf-8")  # cut off mid-file, as a failed copy leaves it
    (folders["missing_sheet"] / "walk.png").unlink()
    misspelled = folders["misspelled"] / "walk.tres"
    misspelled.write_text(misspelled.read_text(encoding="utf-8").replace("region = ", "regoin = "), encoding="utf-8")
    tres = {name: folder / "walk.tres" for name, folder in folders.items()}
    return tres, check_sprite_frames(list(tres.values()))


def test_a_damaged_tres_fails_to_load_in_godot(damaged):
    tres, check = damaged
    assert check.run.exit_code == 1
    assert set(check.refused) == {tres["broken"]}
    assert re.search(r"walk\.tres", "\n".join(check.run.errors)), check.run.errors


def test_a_missing_sheet_leaves_every_frame_without_its_page_and_undrawn(damaged, sprite_sets):
    tres, check = damaged
    # Godot's exported runtime still loads the SpriteFrames, with one error line per missing page.
    assert any("Failed loading resource" in line and "walk.png" in line for line in check.run.errors), check.run.errors
    loaded = check.loaded[tres["missing_sheet"]]
    expected = expected_animations(sprite_sets["action"], sprite_sets["action"] / "sheets" / "walk.tres")
    problems = godot_mismatches(loaded, expected)
    assert len(problems) == len(FACINGS) * ACTIONS["walk"]
    assert all("page None, expected walk.png" in problem for problem in problems)
    assert len(drawing_mismatches(sprite_sets["action"], loaded)) == len(FACINGS) * ACTIONS["walk"]


def test_a_misspelled_property_loads_silently_but_the_comparison_sees_it(damaged, sprite_sets):
    tres, check = damaged
    loaded = check.loaded[tres["misspelled"]]  # Godot dropped every `regoin` without a word
    expected = expected_animations(sprite_sets["action"], sprite_sets["action"] / "sheets" / "walk.tres")
    problems = godot_mismatches(loaded, expected)
    assert len(problems) == len(FACINGS) * ACTIONS["walk"]
    assert all("region [0.0, 0.0, 0.0, 0.0]" in problem for problem in problems)
