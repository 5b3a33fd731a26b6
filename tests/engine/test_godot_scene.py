"""The Godot 4 scene ``<stem>.tscn`` beside each base ``SpriteFrames``, for a set with game data, checked in the
real Godot 4.6 (``tests/godot_runner.py``): it loads without an error, and playing each animation of its
``AnimationPlayer``, at every frame ``Sprite`` shows that frame, every ``Marker2D`` lies in its point's pixel with
its ``z_index``, every ``CollisionShape2D`` covers its rectangle (to 0.01 px) or is disabled, and ``RootMotion`` is
at the running total.

The set has four facings, ``W`` the mirror of ``E`` (its data is ``E``'s, mirrored), two actions (one that does not
loop), two points and two boxes with names Godot must change or quote, one box absent on some frames, In Place,
and one frame without any data. Its sheets are written the one way (``jobs/run.write_set_sheets``) with fixed
cells, packed pages (an animation over several pages), an atlas, and palette variants; one Godot run checks every
scene.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from godot_runner import GodotRun, check_scenes, require_godot
from helpers import save_png

from pixel_sprites.engine.colour.palette import Palette
from pixel_sprites.engine.errors import SheetError
from pixel_sprites.engine.export.formats.godot import FORMAT
from pixel_sprites.engine.export.sheets import SheetOptions, write_sheets
from pixel_sprites.engine.export.variants import PaletteVariant
from pixel_sprites.engine.frames.rig_file import (
    RigFile,
    ViewBox,
    ViewFrameRig,
    ViewPoint,
    ViewRootMotion,
    write_rig_file,
)
from pixel_sprites.engine.jobs.run import write_set_sheets
from pixel_sprites.engine.jobs.spec import SetSheets
from pixel_sprites.engine.palette.files import write_palette
from pixel_sprites.engine.sets.facings import facings
from pixel_sprites.engine.sets.manifest import Action, SpriteSet, load_manifest
from pixel_sprites.engine.sets.rig import FrameRig, RigData
from pixel_sprites.engine.sets.rig_names import godot_node_name

WIDTH, HEIGHT = SIZE = (16, 20)
PIVOT = (8, 18)
ACTIONS = {"walk": (4, True), "attack": (5, False)}  # frames, loop
FACINGS = facings(4, mirror=True)  # S, E, N, W; W mirrors E
POINTS = ("Hand.L", "muzzle")
BOXES = ("hurt", "Hit Box")
WITHOUT_DATA = "walk/N/0002.png"
COLOURS = [(200, 40, 40), (40, 160, 60), (50, 60, 200), (240, 220, 40)]
RED = [(120, 0, 0), (0, 120, 0), (0, 0, 120), (90, 90, 90)]
CASES = {
    "cells": SheetOptions(formats=("json", "godot")),
    "packed": SheetOptions(formats=("json", "godot"), packed=True, max_size=32),
    "atlas": SheetOptions(formats=("json", "godot"), layout="atlas"),
    "variants": SheetOptions(formats=("json", "godot")),
}


def sprite(facing: int, frame: int) -> np.ndarray:
    """A sprite of a body and a moving mark: trimmed differently on each frame (for packed pages)."""
    rgba = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
    rgba[4 + frame % 3 : 19, 5:11] = [*COLOURS[facing], 255]
    rgba[6 + frame, 2 + frame : 5 + frame] = [*COLOURS[3], 255]
    return rgba


def view_frame(facing: int, frame: int) -> ViewFrameRig:
    """A rendered frame's data in the camera's view; each value is off whole pixels, so its pixel is clear."""
    points = {
        "Hand.L": ViewPoint((3.3 + 2.1 * frame + facing) / WIDTH, 1 - (6.45 + frame) / HEIGHT, frame % 2 == 0),
        "muzzle": ViewPoint((12.71 - 0.5 * frame) / WIDTH, 1 - 9.2 / HEIGHT, frame == 2),
    }
    boxes: dict[str, ViewBox | None] = {
        "hurt": ViewBox(4.2 / WIDTH, 1 - 19.0 / HEIGHT, (11.6 + facing) / WIDTH, 1 - (3.5 + frame) / HEIGHT),
        "Hit Box": ViewBox((9 + frame) / WIDTH, 0.5, (13.5 + frame) / WIDTH, 0.7) if frame % 2 == 0 else None,
    }
    motion = ViewRootMotion(0.1 * frame, 0.0, 1.5 * frame / WIDTH, -0.75 * frame / HEIGHT)
    return ViewFrameRig(points, boxes, motion)


def write_set(folder: Path) -> None:
    """The sprites and manifest of the set, as a render leaves them (the mirrored facing's sprites flipped)."""
    for action, (count, _) in ACTIONS.items():
        for facing in FACINGS:
            rendered = facing.mirror_of if facing.mirror_of is not None else facing.index
            for frame in range(count):
                pixels = sprite(rendered, frame)
                save_png(
                    folder / action / facing.name / f"{frame + 1:04d}.png",
                    pixels[:, ::-1] if facing.mirror_of else pixels,
                )
    actions = [
        Action(name, [f"{frame + 1:04d}.png" for frame in range(count)], 12.0, loop=loop)
        for name, (count, loop) in ACTIONS.items()
    ]
    SpriteSet("hero", FACINGS, actions, SIZE, PIVOT).save(folder)
    write_palette(Palette.from_colors(COLOURS), folder / "hero.gpl")


def write_rig(folder: Path) -> Path:
    frames = {
        f"{action}/{facing.name}/{frame + 1:04d}.png": view_frame(facing.index, frame)
        for action, (count, _) in ACTIONS.items()
        for facing in FACINGS
        if facing.mirror_of is None
        for frame in range(count)
    }
    del frames[WITHOUT_DATA]
    return write_rig_file(folder, RigFile(POINTS, BOXES, True, frames), merge=False)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """Case name → the sprites folder of the set, its sheets written with that case's options; ``plain``: the same
    set with no game data."""
    root = tmp_path_factory.mktemp("godot_scenes")
    write_set(root / "base")
    rig = write_rig(root / "renders")
    write_palette(Palette.from_colors(RED), root / "red.gpl")
    sets = {}
    for case, options in {**CASES, "plain": CASES["cells"]}.items():
        shutil.copytree(root / "base", root / case)
        if case == "variants":
            options = SheetOptions(formats=options.formats, variants=(PaletteVariant("red", root / "red.gpl"),))
        outcome = write_set_sheets(root / case, SetSheets(options, rig_file=None if case == "plain" else rig))
        assert outcome.report.skipped == [], case
        sets[case] = root / case
    return sets


def scenes_of(sprites: Path) -> list[Path]:
    return sorted((sprites / "sheets").glob("*.tscn"))


@pytest.fixture(scope="module")
def godot(made) -> tuple[GodotRun, dict[Path, dict[str, Any]]]:
    require_godot()
    return check_scenes([scene for case in CASES for scene in scenes_of(made[case])])


def test_a_scene_stands_beside_each_base_sprite_frames_only(made):
    assert [p.name for p in scenes_of(made["cells"])] == ["attack.tscn", "walk.tscn"]
    assert [p.name for p in scenes_of(made["atlas"])] == ["hero_atlas.tscn"]
    assert len(list((made["packed"] / "sheets").glob("walk_*.png"))) > 1  # an animation over several pages
    sheets = made["variants"] / "sheets"
    assert {p.name for p in sheets.glob("*.tres")} >= {"walk.red.tres", "walk_index.tres", "attack.red.tres"}
    assert [p.name for p in scenes_of(made["variants"])] == ["attack.tscn", "walk.tscn"]
    manifest = json.loads((made["cells"] / "hero.set.json").read_text(encoding="utf-8"))
    assert {sheet["godot"] for sheet in manifest["sheets"]} == {"sheets/walk.tres", "sheets/attack.tres"}


def test_without_game_data_no_scene_is_written_and_the_sprite_frames_are_the_same(made):
    assert scenes_of(made["plain"]) == []
    for name in ("walk.tres", "attack.tres"):
        assert (made["plain"] / "sheets" / name).read_bytes() == (made["cells"] / "sheets" / name).read_bytes()


def test_the_scene_is_the_same_bytes_on_every_run(made, tmp_path):
    shutil.copytree(made["cells"], tmp_path / "again")
    write_set_sheets(tmp_path / "again", SetSheets(CASES["cells"]))  # the manifest keeps the game data
    for scene in scenes_of(made["cells"]):
        assert (tmp_path / "again" / "sheets" / scene.name).read_bytes() == scene.read_bytes()


def test_an_action_name_godot_refuses_in_an_animation_is_refused_before_any_sheet(made, tmp_path):
    shutil.copytree(made["cells"], tmp_path / "set")
    (tmp_path / "set" / "walk").rename(tmp_path / "set" / "walk,left")
    sprite_set = load_manifest(tmp_path / "set" / "hero.set.json")
    assert FORMAT.check(sprite_set) is None
    sprite_set.actions[0].name = "walk,left"
    with pytest.raises(SheetError, match="walk,left"):
        write_sheets(tmp_path / "set", sprite_set, CASES["cells"])
    sprite_set.rig = RigData()
    assert FORMAT.check(sprite_set) is None  # no game data: no scene, nothing to refuse


def test_godot_loads_every_scene_without_an_error(godot, made):
    run, records = godot
    assert run.version is not None and run.version.startswith("Godot Engine v4.6.stable.official")
    assert run.exit_code == 0, run.errors
    assert run.errors == []
    expected = [scene for case in CASES for scene in scenes_of(made[case])]
    assert sorted(records) == sorted(expected)
    assert all("error" not in record for record in records.values())


@pytest.mark.parametrize("case", CASES)
def test_the_scene_has_its_nodes_and_the_sprite_at_the_pivot(godot, made, case):
    _, records = godot
    for scene in scenes_of(made[case]):
        record = records[scene]
        assert record["root"] == [scene.stem, "Node2D"]
        assert record["children"] == {
            "Sprite": "AnimatedSprite2D", "AnimationPlayer": "AnimationPlayer", "Hand_L": "Marker2D",
            "muzzle": "Marker2D", "hurt": "Area2D", "Hit Box": "Area2D", "RootMotion": "Marker2D",
        }  # fmt: skip
        sprite = record["sprite"]
        assert sprite["position"] == [-PIVOT[0], -PIVOT[1]] and sprite["centered"] is False
        assert sprite["frames"].endswith(f"/{scene.stem}.tres")
        assert record["player"] == ["..", [""]]
        assert record["own_shapes"] is True


def expected_frames(sprites: Path) -> dict[str, tuple[list[FrameRig | None], float, bool]]:
    """Animation name → each frame's data (None: none), the rate and whether it loops, from the manifest."""
    sprite_set = load_manifest(sprites / "hero.set.json")
    assert sprite_set.rig is not None
    result = {}
    for action in sprite_set.actions:
        for facing in sprite_set.facings:
            frames = [sprite_set.rig.frame(action.name, facing.name, file) for file in action.files]
            result[f"{action.name}_{facing.name}"] = (frames, action.rate, action.loop)
    return result


def frame_problems(frame: dict[str, Any], before: dict[str, Any] | None, data: FrameRig | None) -> list[str]:
    """How Godot's nodes at one frame differ from the frame's data (or, without data, from the frame before)."""
    problems = []
    for point in POINTS:
        name = godot_node_name(point)
        x, y, z = frame["markers"][name]
        held = data.points.get(point) if data is not None else None
        if held is None:
            if before is not None and before["markers"][name] != [x, y, z]:
                problems.append(f"{name} moved on a frame without its data")
            continue
        position = (x + PIVOT[0], y + PIVOT[1])
        if (math.floor(position[0]), math.floor(position[1])) != held.pixel():
            problems.append(f"{name} at {position}, not in pixel {held.pixel()}")
        if abs(position[0] - held.x) > 1e-3 or abs(position[1] - held.y) > 1e-3 or z != (1 if held.front else -1):
            problems.append(f"{name} at {position} z {z}, expected {held}")
    for box in BOXES:
        x, y, w, h, disabled = frame["shapes"][box]
        rectangle = data.boxes.get(box) if data is not None else None
        if rectangle is None:
            if not disabled:
                problems.append(f"{box} is enabled where it is absent")
            if before is not None and before["shapes"][box][:4] != [x, y, w, h]:
                problems.append(f"{box} changed its rectangle where it is absent")
            continue
        left, top = x - w / 2 + PIVOT[0], y - h / 2 + PIVOT[1]
        meant = (rectangle.x, rectangle.y, rectangle.w, rectangle.h)
        if disabled or max(abs(a - b) for a, b in zip((left, top, w, h), meant, strict=True)) > 0.01:
            problems.append(f"{box} at {(left, top, w, h)} disabled {disabled}, expected {meant}")
    motion = frame["markers"][ROOT_MOTION]
    if data is None or data.root_motion is None:
        if before is not None and before["markers"][ROOT_MOTION] != motion:
            problems.append("the root motion changed on a frame without data")
    elif abs(motion[0] - data.root_motion.x) > 1e-3 or abs(motion[1] - data.root_motion.y) > 1e-3:
        problems.append(f"root motion {motion[:2]}, expected {data.root_motion}")
    return problems


ROOT_MOTION = "RootMotion"


@pytest.mark.parametrize("case", CASES)
def test_playing_each_animation_every_frame_shows_its_sprite_points_boxes_and_motion(godot, made, case):
    _, records = godot
    expected = expected_frames(made[case])
    played = {}
    for scene in scenes_of(made[case]):
        sprite_animations = records[scene]["sprite"]["animations"]
        for name, animation in records[scene]["animations"].items():
            frames, rate, loop = expected[name]
            assert sprite_animations[name] == [len(frames), pytest.approx(rate), loop]
            assert animation["length"] == pytest.approx(len(frames) / rate, abs=1e-5)
            assert animation["loop_mode"] == (1 if loop else 0)
            assert [(f["animation"], f["frame"]) for f in animation["frames"]] == [
                (name, i) for i in range(len(frames))
            ]
            problems = []
            for index, (frame, data) in enumerate(zip(animation["frames"], frames, strict=True)):
                before = animation["frames"][index - 1] if index else None
                problems += [f"{name} frame {index}: {p}" for p in frame_problems(frame, before, data)]
            assert problems == [], scene.name
            played[name] = frames
    assert sorted(played) == sorted(expected)  # every animation of the set, in its scene
    # What the frames hold: mirrored data in W, a frame without data, an absent box.
    assert played["walk_N"][1] is None
    east, west = played["attack_E"][2], played["attack_W"][2]
    assert east is not None and west is not None
    assert west.points["Hand.L"].x == pytest.approx(WIDTH - east.points["Hand.L"].x)
    assert played["attack_S"][1] is not None and played["attack_S"][1].boxes["Hit Box"] is None
