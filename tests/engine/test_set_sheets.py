"""A sprite set's sheets and engine files, read by real consumers: Phaser in Chromium and ase-parser
(Godot 4.6 reads them in ``test_godot_engine.py``).

The set is made as a user makes it without Blender: renders laid out as ``<action>/<facing>/<frame>.png``, then
``pixel-sprites process --sheets``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from aseprite_readers import read_with_ase_parser, sprite_indices
from helpers import save_png, write_set_renders
from phaser_reader import phaser_load, require_phaser
from PIL import Image

from pixel_sprites.cli import main
from pixel_sprites.engine import read_palette

SIZE = (12, 16)  # sprite width, height
ACTIONS = {"walk": 3, "idle": 2}
FACINGS = ("S", "E", "N", "W")  # folder order on disk differs: the sheet orders them as the compass turns
COLOURS = np.array([[200, 40, 40], [40, 160, 60], [50, 60, 200], [230, 200, 40], [30, 30, 30]], np.uint8)


def sprite(action: str, facing: int, frame: int) -> np.ndarray:
    """A 12x16 sprite whose colours and shape say which action, facing and frame it is."""
    rgba = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
    rgba[2:15, 3:9, :3] = COLOURS[facing % len(COLOURS)]
    rgba[2 + frame, 3 : 9 + (action == "walk"), :3] = COLOURS[4]
    rgba[2:15, 3:9, 3] = 255
    rgba[2 + frame, 3 : 9 + (action == "walk"), 3] = 255
    return rgba


@pytest.fixture(scope="module")
def sprite_set(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("set")
    write_set_renders(root / "renders", ACTIONS.items(), FACINGS, sprite)
    out = root / "sprites"
    code = main(["process", str(root / "renders"), "--out", str(out), "--pixel", "1", "--colors", "5", "--sheets"])
    assert code == 0
    return out


def test_the_set_gets_one_sheet_and_its_files_per_action_and_a_manifest(sprite_set):
    sheets = sprite_set / "sheets"
    for action in ACTIONS:
        for suffix in (".png", ".json", ".tres", ".aseprite", "_preview.gif"):
            assert (sheets / f"{action}{suffix}").is_file(), f"{action}{suffix}"
    manifest = json.loads((sprite_set / "character.set.json").read_text())
    assert [facing["name"] for facing in manifest["facings"]] == ["S", "E", "N", "W"]
    assert {action["name"]: action["frames"] for action in manifest["actions"]} == {"idle": [1, 2], "walk": [1, 2, 3]}
    assert manifest["sprite_size"] == {"w": 12, "h": 16} and manifest["pivot"] == {"x": 6, "y": 15}
    palette = {tuple(colour) for colour in read_palette(sprite_set / "palette.gpl").colors.tolist()}
    sheet = Image.open(sheets / "walk.png")
    assert sheet.mode == "P"  # five colours and transparency: a paletted sheet
    colours = {tuple(c) for c in np.asarray(sheet.convert("RGBA")).reshape(-1, 4).tolist() if c[3] == 255}
    assert {colour[:3] for colour in colours} <= palette


def test_phaser_builds_every_animation_with_its_frames_and_durations(sprite_set):
    require_phaser()
    for action, count in ACTIONS.items():
        loaded = phaser_load(
            sprite_set / "sheets" / f"{action}.json", sprite_set / "sheets" / f"{action}.png", pixels=True
        )
        assert loaded.errors == [] and loaded.warnings == []
        assert list(loaded.animations) == [f"{action}_{facing}" for facing in ("S", "E", "N", "W")]
        for facing_index, facing in enumerate(("S", "E", "N", "W")):
            animation = loaded.animations[f"{action}_{facing}"]
            assert animation["durations"] == [42] * count  # 24 fps: 1000/24 ms, rounded
            for frame, name in enumerate(animation["frames"]):
                # The frame Phaser shows is exactly the sprite of this facing and frame.
                expected = sprite(action, FACINGS.index(facing), frame)
                assert np.array_equal(loaded.frames[name]["rgba"], expected), (action, facing, frame, facing_index)


def test_ase_parser_reads_each_action_as_frames_tags_and_the_palette(sprite_set):
    parsed = read_with_ase_parser([sprite_set / "sheets" / f"{action}.aseprite" for action in ACTIONS])
    palette = read_palette(sprite_set / "palette.gpl").colors
    for (action, count), file in zip(ACTIONS.items(), parsed, strict=True):
        assert (file["width"], file["height"], file["numFrames"]) == (12, 16, 4 * count)
        assert [(tag["name"], tag["from"], tag["to"]) for tag in file["tags"]] == [
            (f"{action}_{facing}", index * count, index * count + count - 1)
            for index, facing in enumerate(("S", "E", "N", "W"))
        ]
        assert [frame["duration"] for frame in file["frames"]] == [42] * (4 * count)
        colours = [(entry["red"], entry["green"], entry["blue"]) for entry in file["palette"]["colors"][1:]]
        assert colours == [tuple(colour) for colour in palette.tolist()]
        for index, frame in enumerate(file["frames"]):
            facing, step = divmod(index, count)
            indices = sprite_indices(frame, 16, 12)
            rgba = np.zeros((16, 12, 4), np.uint8)
            rgba[indices >= 0, :3] = palette[indices[indices >= 0]]
            rgba[indices >= 0, 3] = 255
            assert np.array_equal(rgba, sprite(action, FACINGS.index(("S", "E", "N", "W")[facing]), step))


def test_the_preview_shows_every_facing_side_by_side_enlarged(sprite_set):
    preview = Image.open(sprite_set / "sheets" / "walk_preview.gif")
    assert preview.size == ((4 * 13 - 1) * 4, 16 * 4) and preview.n_frames == 3
    assert preview.info["duration"] == 40 and preview.info["loop"] == 0  # a GIF counts in 1/100 s


def test_small_pages_keep_every_animation_on_one_page(sprite_set, tmp_path, capsys):
    code = main(["sheet", str(sprite_set), "--layout", "atlas", "--max-size", "40", "--formats", "json"])
    assert code == 0
    pages = sorted((sprite_set / "sheets").glob("character_atlas_*.json"))
    assert len(pages) > 1
    seen = []
    for page in pages:
        data = json.loads(page.read_text())
        assert data["meta"]["size"]["w"] <= 40 and data["meta"]["size"]["h"] <= 40
        for tag in data["meta"]["frameTags"]:
            assert 0 <= tag["from"] <= tag["to"] < len(data["frames"])
            seen.append(tag["name"])
    assert sorted(seen) == sorted(f"{action}_{facing}" for action in ACTIONS for facing in FACINGS)


def test_a_sheet_that_cannot_fit_is_refused_naming_the_setting(sprite_set, capsys):
    assert main(["sheet", str(sprite_set), "--max-size", "16", "--padding", "0", "--margin", "1"]) == 2
    assert (
        "pixel-sprites: error: --max-size 16: a 12x16 sprite with a margin of 1 does not fit" in capsys.readouterr().err
    )


def test_bad_sprites_are_skipped_and_reported(tmp_path, capsys):
    folder = tmp_path / "sprites"
    for frame in range(2):
        save_png(folder / "run" / "S" / f"{frame + 1:04d}.png", sprite("run", 0, frame))
    save_png(folder / "run" / "E" / "0001.png", sprite("run", 1, 0))  # E lacks frame 2
    save_png(folder / "run" / "S" / "cover.png", sprite("run", 0, 0))  # not a frame number
    save_png(folder / "run" / "E" / "0003.png", np.zeros((20, 20, 4), np.uint8))  # another size
    assert main(["sheet", str(folder), "--formats", "json"]) == 0
    err = capsys.readouterr().err
    assert f"skipped {folder / 'run' / 'E' / '0002.png'}: missing" in err
    assert f"skipped {folder / 'run' / 'S' / 'cover.png'}: the file name ends in no frame number" in err
    assert "0003.png: size 20x20 differs from the set's 12x16" in err
    data = json.loads((folder / "sheets" / "run.json").read_text())
    assert {tag["name"]: tag["to"] - tag["from"] + 1 for tag in data["meta"]["frameTags"]} == {"run_S": 2, "run_E": 1}
