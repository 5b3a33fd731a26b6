"""Game data in the Aseprite JSON pages and ``.aseprite`` files, read back by readers this project did not write.

A small set (4 facings, W the mirror of E; two actions) gets a ``rig.json`` with two points, two boxes (one absent
on most frames) and root motion, one frame left without data; its sheets are written through the one sheet path
(``run.write_set_sheets``) with fixed cells and packed (trimmed), the packed ones with a palette variant. Every
expected value is worked out here from the sprite-pixel truth the rig file was made from, mirrored by hand.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aseprite_readers import missing, read_with_ase_parser
from helpers import file_digests, save_png
from phaser_reader import phaser_load, require_phaser

from pixel_sprites.engine.colour.palette import Palette
from pixel_sprites.engine.export.sheets import SheetOptions
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
from pixel_sprites.engine.sets.manifest import Action, SpriteSet

WIDTH, HEIGHT = 16, 20
PIVOT = (8, 19)
ACTIONS = {"walk": 3, "idle": 2}
FACINGS = facings(4, mirror=True)  # S, E, N, W: W is E mirrored
MIRRORS = {"W": "E"}
POINTS = ("hand.L", "muzzle")
BOXES = ("hurt", "hit")
MISSING = ("idle", "N", 1)  # the frame rig.json has no data for
HEX = ["c83228", "28a03c", "3246c8", "e6c828"]
BLUE = ["1e1eb4", "28a03c", "3246c8", "e6c828"]
SLICE_COLOURS = {"pivot": "#0000ffff", "hand.L": "#ff0000ff", "muzzle": "#ff0000ff", "hurt": "#00ff00ff"}
SLICE_COLOURS["hit"] = "#00ff00ff"

Truth = dict[str, Any]


def rendered_truth(action: str, facing: int, frame: int) -> Truth:
    """A rendered frame's game data in sprite pixels: points (x, y, front), boxes (x, y, w, h) or None, motion."""
    return {
        "points": {
            "hand.L": (3.25 + 2 * frame + facing, 9.5 + frame, frame % 2 == 0),
            "muzzle": (12.75 - frame, 4.0 + facing, False),
        },
        "boxes": {
            "hurt": (4 + frame, 2, 8, 17),
            "hit": (10, 6 + facing, 6, 3) if (action, frame) == ("walk", 1) else None,
        },
        "motion": (2.5 * frame if action == "walk" else 0.0, -0.5 * frame),
    }


def truth(action: str, facing: str, frame: int) -> Truth | None:
    """What a sprite's data must be: its rendered twin's mirrored by hand for W, None for the frame without data."""
    if (action, MIRRORS.get(facing, facing), frame) == MISSING:
        return None
    if facing not in MIRRORS:
        return rendered_truth(action, [f.name for f in FACINGS].index(facing), frame)
    twin = rendered_truth(action, 1, frame)
    return {
        "points": {name: (WIDTH - x, y, front) for name, (x, y, front) in twin["points"].items()},
        "boxes": {name: None if b is None else (WIDTH - b[0] - b[2], *b[1:]) for name, b in twin["boxes"].items()},
        "motion": (-twin["motion"][0], twin["motion"][1]),
    }


def expected_bounds(data: Truth | None, name: str) -> dict[str, int]:
    """The slice's bounds on a frame: a point's pixel, a box's rectangle, zero where absent or without data."""
    if data is not None and name in POINTS:
        x, y, _ = data["points"][name]
        return {"x": math.floor(x), "y": math.floor(y), "w": 1, "h": 1}
    box = None if data is None else data["boxes"][name]
    if box is None:
        return {"x": 0, "y": 0, "w": 0, "h": 0}
    return dict(zip("xywh", box, strict=True))


def view_frame(data: Truth) -> ViewFrameRig:
    """The frame as Blender writes it in rig.json: the camera's view, u from the left, v from the bottom."""
    points = {name: ViewPoint(x / WIDTH, 1 - y / HEIGHT, front) for name, (x, y, front) in data["points"].items()}
    boxes = {
        name: None
        if b is None
        else ViewBox(b[0] / WIDTH, 1 - (b[1] + b[3]) / HEIGHT, (b[0] + b[2]) / WIDTH, 1 - b[1] / HEIGHT)
        for name, b in data["boxes"].items()
    }
    x, y = data["motion"]
    return ViewFrameRig(points, boxes, ViewRootMotion(x * 0.01, 0.0, x / WIDTH, -y / HEIGHT))


def sprite(facing: int, frame: int) -> np.ndarray:
    """A body, a line that moves with the frame, and on E an arm to the right (W shows it flipped)."""
    rgba = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
    colours = np.array([[int(code[i : i + 2], 16) for i in (0, 2, 4)] for code in HEX], np.uint8)
    rgba[3:20, 5:11] = [*colours[facing % 3], 255]
    rgba[3 + frame, 5:11] = [*colours[3], 255]
    if facing == 1:
        rgba[9, 11:15] = [*colours[3], 255]
    return rgba


def write_set(folder: Path, rig: RigFile | None) -> None:
    """The sprites, the manifest with mirrored W, the character's palette, and ``rig.json`` unless ``rig`` is None."""
    for action, count in ACTIONS.items():
        for frame in range(count):
            for facing in FACINGS:
                pixels = sprite(facing.mirror_of if facing.mirror_of is not None else facing.index, frame)
                flipped = pixels[:, ::-1] if facing.mirror_of is not None else pixels
                save_png(folder / action / facing.name / f"{frame + 1:04d}.png", np.ascontiguousarray(flipped))
    actions = [
        Action(name, [f"{frame + 1:04d}.png" for frame in range(count)], fps=8.0) for name, count in ACTIONS.items()
    ]
    SpriteSet("hero", FACINGS, actions, (WIDTH, HEIGHT), PIVOT, HEX).save(folder)
    write_palette(Palette.from_hex_codes(HEX), folder / "hero.gpl")
    if rig is not None:
        write_rig_file(folder, rig, merge=False)


def the_rig(*, points=POINTS, boxes=BOXES, in_place=True) -> RigFile:
    frames = {}
    for action, count in ACTIONS.items():
        for facing in FACINGS:
            for frame in range(count):
                data = truth(action, facing.name, frame)
                if facing.mirror_of is None and data is not None:
                    frames[f"{action}/{facing.name}/{frame + 1:04d}.png"] = view_frame(data)
    return RigFile(points, boxes, in_place, frames)


def sheets(folder: Path, options: SheetOptions, rig: bool = True) -> list[str]:
    wanted = SetSheets(options, character="hero", rig_file=folder / "rig.json" if rig else None)
    return write_set_sheets(folder, wanted).report.notes


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("rig_sheets")
    write_palette(Palette.from_hex_codes(BLUE), root / "blue.hex")
    folders = {"fixed": root / "fixed", "packed": root / "packed"}
    notes = {}
    for case, folder in folders.items():
        write_set(folder, the_rig())
        options = SheetOptions(packed=True, variants=(PaletteVariant("blue", root / "blue.hex"),))
        notes[case] = sheets(folder, options if case == "packed" else SheetOptions())
    return {"root": root, "notes": notes, **folders}


def page_sprites(page: Path) -> dict[int, tuple[str, str, int]]:
    """The page's frame index → (action, facing, frame) it shows, from its tags (``<action>_<facing>``)."""
    data = json.loads(page.read_text())
    shown = {}
    for tag in data["meta"]["frameTags"]:
        action, facing = tag["name"].rsplit("_", 1)
        for frame, index in enumerate(range(tag["from"], tag["to"] + 1)):
            shown[index] = (action, facing, frame)
    assert sorted(shown) == list(range(len(data["frames"])))
    return shown


def test_the_frame_without_data_is_named_in_a_note(made):
    for notes in made["notes"].values():
        assert [note for note in notes if "rig.json" in note] == [
            "idle/N/0002.png: no game data in rig.json for this frame"
        ]


@pytest.mark.parametrize("case", ["fixed", "packed"])
def test_json_pages_hold_a_slice_per_point_and_box_with_a_key_per_frame(made, case):
    for action in ACTIONS:
        page = made[case] / "sheets" / f"{action}.json"
        data = json.loads(page.read_text())
        slices = data["meta"]["slices"]
        assert [s["name"] for s in slices] == ["pivot", *POINTS, *BOXES]
        assert {s["name"]: s["color"] for s in slices} == SLICE_COLOURS
        assert slices[0]["keys"] == [
            {"frame": 0, "bounds": {"x": 0, "y": 0, "w": WIDTH, "h": HEIGHT}, "pivot": {"x": PIVOT[0], "y": PIVOT[1]}}
        ]
        shown = page_sprites(page)
        for piece in slices[1:]:
            assert [key["frame"] for key in piece["keys"]] == list(range(len(shown)))
            for key in piece["keys"]:
                expected = {
                    "frame": key["frame"],
                    "bounds": expected_bounds(truth(*shown[key["frame"]]), piece["name"]),
                }
                if piece["name"] in POINTS:
                    expected["pivot"] = {"x": 0, "y": 0}
                assert key == expected, (case, action, piece["name"], shown[key["frame"]])
        for index, frame in data["frames"].items():
            expected = truth(*shown[int(index)])
            motion = None if expected is None else dict(zip("xy", expected["motion"], strict=True))
            assert frame.get("rootMotion") == motion, (case, action, index)
            assert frame["trimmed"] is (case == "packed")


def test_packed_trimmed_frames_keep_the_untrimmed_sprites_coordinates(made):
    """Some packed frames start right of the sprite's left edge, and their slices are the fixed cells' still."""
    for action in ACTIONS:
        fixed, packed = (
            json.loads((made[case] / "sheets" / f"{action}.json").read_text()) for case in ("fixed", "packed")
        )
        assert any(frame["spriteSourceSize"]["x"] > 0 for frame in packed["frames"].values())
        by_sprite = {}
        for case, data, page in (("fixed", fixed, made["fixed"]), ("packed", packed, made["packed"])):
            shown = page_sprites(page / "sheets" / f"{action}.json")
            by_sprite[case] = {
                (s["name"], shown[key["frame"]]): key["bounds"] for s in data["meta"]["slices"][1:] for key in s["keys"]
            }
        assert by_sprite["fixed"] == by_sprite["packed"]


def test_palette_variants_keep_the_slices_and_root_motion(made):
    sheets_folder = made["packed"] / "sheets"
    for action in ACTIONS:
        base = json.loads((sheets_folder / f"{action}.json").read_text())
        variant = json.loads((sheets_folder / f"{action}.blue.json").read_text())
        assert variant["meta"]["image"] == f"{action}.blue.png"
        assert variant["meta"]["slices"] == base["meta"]["slices"]
        assert variant["frames"] == base["frames"]
    files = [sheets_folder / f"{action}{suffix}.aseprite" for action in ACTIONS for suffix in ("", ".blue")]
    parsed = read_with_ase_parser(files)
    assert parsed[1]["slices"] == parsed[0]["slices"] and parsed[3]["slices"] == parsed[2]["slices"]
    assert parsed[0]["slices"]


def aseprite_frames(parsed: dict[str, Any]) -> list[tuple[str, str, int]]:
    """Each frame of an ``.aseprite`` file → (action, facing, frame), from its tags."""
    shown = {}
    for tag in parsed["tags"]:
        action, facing = tag["name"].rsplit("_", 1)
        for frame, index in enumerate(range(tag["from"], tag["to"] + 1)):
            shown[index] = (action, facing, frame)
    return [shown[index] for index in range(parsed["numFrames"])]


def test_ase_parser_reads_the_slices_and_their_keys(made):
    files = [made[case] / "sheets" / f"{action}.aseprite" for case in ("fixed", "packed") for action in ACTIONS]
    for path, parsed in zip(files, read_with_ase_parser(files), strict=True):
        shown = aseprite_frames(parsed)
        slices = parsed["slices"]
        assert [s["name"] for s in slices] == ["pivot", *POINTS, *BOXES]
        assert [s["flags"] for s in slices] == [2, 2, 2, 0, 0]  # the pivot and the points have a pivot
        assert slices[0]["keys"] == [
            {
                "frameNumber": 0,
                "x": 0,
                "y": 0,
                "width": WIDTH,
                "height": HEIGHT,
                "pivot": {"x": PIVOT[0], "y": PIVOT[1]},
            }
        ]
        for piece in slices[1:]:
            assert [key["frameNumber"] for key in piece["keys"]] == list(range(len(shown)))
            for key in piece["keys"]:
                bounds = expected_bounds(truth(*shown[key["frameNumber"]]), piece["name"])
                assert (key["x"], key["y"], key["width"], key["height"]) == tuple(bounds.values()), (
                    path,
                    piece["name"],
                )
                assert key.get("pivot") == ({"x": 0, "y": 0} if piece["name"] in POINTS else None)


@pytest.fixture(scope="module")
def aseprite_reader():
    if sys.version_info < (3, 12):
        pytest.skip("aseprite-reader needs Python 3.12 or newer (scripts/test.sh also runs these tests on 3.13)")
    try:
        import aseprite_reader
    except ImportError:
        missing(f"aseprite-reader is not installed in {sys.prefix}")
    return aseprite_reader


def test_aseprite_reader_reads_each_slice_and_its_colour_in_the_first_frame(made, aseprite_reader):
    file = aseprite_reader.AsepriteFile(made["fixed"] / "sheets" / "walk.aseprite")
    chunks = file.frame(1).chunks
    first = [type(chunk).__name__ for chunk in chunks]
    layer = first.index("LayerChunk")
    assert first[layer + 1 : layer + 11] == ["SliceChunk", "UserDataChunk"] * 5
    shown = [(action, facing, frame) for tag in file.tags for action, facing in [tag.name.rsplit("_", 1)]
             for frame in range(tag.to_frame - tag.from_frame + 1)]  # fmt: skip
    for slice_chunk, user_data in zip(
        chunks[layer + 1 : layer + 11 : 2], chunks[layer + 2 : layer + 11 : 2], strict=True
    ):
        colour = "#" + "".join(
            f"{part:02x}" for part in (user_data.red, user_data.green, user_data.blue, user_data.alpha)
        )
        assert colour == SLICE_COLOURS[slice_chunk.name]
        keys = slice_chunk.slice_keys
        if slice_chunk.name == "pivot":
            assert [(k.frame_number, k.x_origin, k.y_origin, k.slice_width, k.slice_height, k.pivot_x, k.pivot_y)
                    for k in keys] == [(0, 0, 0, WIDTH, HEIGHT, *PIVOT)]  # fmt: skip
            continue
        assert [key.frame_number for key in keys] == list(range(len(shown)))
        for key in keys:
            bounds = expected_bounds(truth(*shown[key.frame_number]), slice_chunk.name)
            assert (key.x_origin, key.y_origin, key.slice_width, key.slice_height) == tuple(bounds.values())


@pytest.mark.parametrize("case", ["fixed", "packed"])
def test_phaser_gets_the_slices_and_root_motion_with_the_sheet(made, case):
    require_phaser()
    page = made[case] / "sheets" / "walk.json"
    loaded = phaser_load(page, page.with_suffix(".png"))
    assert loaded.errors == [] and loaded.warnings == []
    game = loaded.game_data
    assert game is not None
    document = json.loads(page.read_text())
    assert game["slices"] == document["meta"]["slices"]
    shown = page_sprites(page)
    assert list(game["played"]) == [tag["name"] for tag in document["meta"]["frameTags"]]
    for animation, played in game["played"].items():
        for entry in played:
            expected = truth(*shown[int(entry["frame"])])
            motion = None if expected is None else dict(zip("xy", expected["motion"], strict=True))
            assert entry["rootMotion"] == motion
            for name in (*POINTS, *BOXES):
                bounds = expected_bounds(expected, name)
                got = entry["slices"][name]
                if bounds["w"] == 0:
                    assert got is None, (animation, entry["frame"], name)
                    continue
                assert got["bounds"] == bounds
                # A sprite at (100, 100) has its origin at the pivot pixel's centre (the JSON's pivot), trimmed or not.
                assert got["worldX"] == pytest.approx(100 - PIVOT[0] - 0.5 + bounds["x"])
                assert got["worldY"] == pytest.approx(100 - PIVOT[1] - 0.5 + bounds["y"])


def test_without_points_boxes_or_in_place_the_sheets_are_as_without_game_data(tmp_path):
    """An empty rig changes no byte of the sheets' files; nor does no rig at all, with only the pivot slice."""
    plain, empty = tmp_path / "plain", tmp_path / "empty"
    write_set(plain, None)
    write_set(empty, the_rig(points=(), boxes=(), in_place=False))
    sheets(plain, SheetOptions(), rig=False)
    sheets(empty, SheetOptions())
    assert file_digests(plain / "sheets") == file_digests(empty / "sheets")
    data = json.loads((plain / "sheets" / "walk.json").read_text())
    assert [s["name"] for s in data["meta"]["slices"]] == ["pivot"]
    assert not any("rootMotion" in frame for frame in data["frames"].values())
    (parsed,) = read_with_ase_parser([plain / "sheets" / "walk.aseprite"])
    assert parsed["slices"] == []
