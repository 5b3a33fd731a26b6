"""Game data from the rig, in the engine: ``rig.json`` read and merged, turned into sprite pixels with the set's
mirroring, kept in the set manifest, and the names the options may give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixel_sprites.engine.errors import FrameError, OptionError, SetupError
from pixel_sprites.engine.frames.rig_file import (
    RIG_FILE,
    RigFile,
    ViewBox,
    ViewFrameRig,
    ViewPoint,
    ViewRootMotion,
    read_rig_file,
    write_rig_file,
)
from pixel_sprites.engine.sets.facings import facings
from pixel_sprites.engine.sets.manifest import Action, SpriteSet, load_manifest
from pixel_sprites.engine.sets.rig import BoxAt, PointAt, RigData, RootMotionAt, SetFrames, set_rig, sprite_frame_rig
from pixel_sprites.engine.sets.rig_names import (
    RigRequest,
    RigSource,
    check_names,
    godot_node_name,
    parse_box,
    parse_list,
    parse_point,
)

SIZE = (64, 90)
HAND = ViewPoint(0.25, 0.75, True)
HURT = ViewBox(0.1, 0.2, 0.3, 0.5)


def view_frame(step: int = 0) -> ViewFrameRig:
    return ViewFrameRig(
        {"hand": ViewPoint(HAND.u + step / 64, HAND.v, HAND.front)},
        {"hurt": HURT, "gone": None},
        ViewRootMotion(0.5 * step, 0.0, 0.1 * step, 0.0),
    )


def test_a_point_box_and_root_motion_become_sprite_pixels():
    data = sprite_frame_rig(view_frame(1), SIZE)
    # x = u · width, y = (1 − v) · height; pixel (i, j) covers [i, i+1) × [j, j+1).
    assert data.points["hand"] == PointAt(0.25 * 64 + 1, 0.25 * 90, True)
    assert data.points["hand"].pixel() == (17, 22)
    # The smallest whole-pixel rectangle holding u 0.1..0.3 (6.4..19.2 px) and v 0.2..0.5 (y 45..72 px).
    assert data.boxes["hurt"] == BoxAt(6, 45, 14, 27)
    assert data.boxes["gone"] is None
    assert data.root_motion == RootMotionAt(6.4, 0.0, 0.5, 0.0)


def test_a_box_is_clipped_to_the_sprite_and_absent_wholly_outside_it():
    frame = ViewFrameRig(boxes={"half": ViewBox(-0.5, 0.5, 0.25, 1.5), "outside": ViewBox(1.1, 0.2, 1.4, 0.4)})
    data = sprite_frame_rig(frame, SIZE)
    assert data.boxes["half"] == BoxAt(0, 0, 16, 45)
    assert data.boxes["outside"] is None


def test_a_mirrored_facing_mirrors_its_twins_data_as_its_sprites():
    rig_file = RigFile(("hand",), ("hurt", "gone"), True, {"walk/E/0001.png": view_frame(1)})
    eight = facings(8, mirror=True)
    rig, _ = set_rig(rig_file, SetFrames(eight, SIZE, {"walk": ["0001.png"]}))
    east, west = rig.frame("walk", "E", "0001.png"), rig.frame("walk", "W", "0001.png")
    assert east is not None and west is not None
    assert west.points["hand"] == PointAt(64 - east.points["hand"].x, east.points["hand"].y, True)
    box = east.boxes["hurt"]
    assert box is not None and west.boxes["hurt"] == BoxAt(64 - box.x - box.w, box.y, box.w, box.h)
    assert west.boxes["gone"] is None
    assert west.root_motion == RootMotionAt(-6.4, 0.0, -0.5, 0.0)


def test_frames_without_data_get_a_note_naming_them_and_frames_gone_are_dropped():
    rig_file = RigFile(("hand",), (), False, {"walk/S/0001.png": view_frame(), "walk/S/0009.png": view_frame()})
    rig, notes = set_rig(rig_file, SetFrames(facings(1), SIZE, {"walk": ["0001.png", "0002.png"]}))
    assert set(rig.frames["walk"]["S"]) == {"0001.png"}  # 0009 is no frame of the set any more
    assert notes == [f"walk/S/0002.png: no game data in {RIG_FILE} for this frame"]


def test_actions_not_rendered_again_keep_their_earlier_data():
    first, _ = set_rig(
        RigFile(("hand",), (), False, {"idle/S/0001.png": view_frame(), "walk/S/0001.png": view_frame()}),
        SetFrames(facings(1), SIZE, {"idle": ["0001.png"], "walk": ["0001.png"]}),
    )
    moved = RigFile(("hand",), (), False, {"walk/S/0001.png": view_frame(8)})
    second, _ = set_rig(
        moved, SetFrames(facings(1), SIZE, {"idle": ["0001.png"], "walk": ["0001.png"]}), earlier=first,
        replaced=["walk"],
    )  # fmt: skip
    assert second.frames["idle"] == first.frames["idle"]
    assert second.frame("walk", "S", "0001.png") != first.frame("walk", "S", "0001.png")


def test_the_manifest_keeps_the_data_and_a_set_without_it_has_no_rig_entry(tmp_path: Path):
    rig, _ = set_rig(
        RigFile(("hand",), ("hurt",), True, {"walk/S/0001.png": view_frame(1)}),
        SetFrames(facings(1), SIZE, {"walk": ["0001.png"]}),
    )
    plain = SpriteSet("hero", facings(1), [Action("walk", ["0001.png"])], SIZE)
    assert "rig" not in json.loads(plain.save(tmp_path).read_text())
    plain.rig = rig
    saved = json.loads(plain.save(tmp_path).read_text())
    frame = saved["rig"]["frames"]["walk"]["S"]["0001.png"]
    assert frame["points"]["hand"] == {"x": 17.0, "y": 22.5, "front": True}
    assert frame["boxes"] == {"hurt": {"x": 6, "y": 45, "w": 14, "h": 27}, "gone": None}
    assert saved["rig"]["in_place"] is True and saved["rig"]["points"] == ["hand"]
    assert load_manifest(tmp_path / "hero.set.json").rig == rig
    assert RigData.from_dict(rig.to_dict()) == rig


def test_rig_json_is_merged_under_its_lock_and_read_back(tmp_path: Path):
    write_rig_file(tmp_path, RigFile(("hand",), (), False, {"walk/S/0001.png": view_frame(1)}), merge=True)
    write_rig_file(tmp_path, RigFile(("hand",), (), False, {"walk/S/0002.png": view_frame(2)}), merge=True)
    read = read_rig_file(tmp_path / RIG_FILE)
    assert sorted(read.frames) == ["walk/S/0001.png", "walk/S/0002.png"]
    assert read.frames["walk/S/0002.png"] == view_frame(2)
    write_rig_file(tmp_path, RigFile(("hand",), (), False, {"walk/S/0003.png": view_frame(3)}), merge=False)
    assert sorted(read_rig_file(tmp_path / RIG_FILE).frames) == ["walk/S/0003.png"]


def test_a_rig_json_we_did_not_write_is_never_replaced(tmp_path: Path):
    foreign = tmp_path / RIG_FILE
    foreign.write_text('{"someone": "else"}')
    with pytest.raises(SetupError, match=r"rig\.json"):
        write_rig_file(tmp_path, RigFile(frames={"walk/S/0001.png": view_frame()}), merge=True)
    assert foreign.read_text() == '{"someone": "else"}'


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"format": "pixel-sprites rig", "frames": {"a/S/1.png": {"points": {"p": {"u": NaN}}}}}', "finite"),
        ('{"format": "pixel-sprites rig", "frames": {"a/S/1.png": {"boxes": {"b": {"u0": 0}}}}}', r"\.v0 is missing"),
        ('{"format": "something else", "frames": {}}', "format"),
        ("not json", "not a rig file"),
    ],
)  # fmt: skip
def test_a_damaged_rig_json_is_refused_naming_the_file_and_the_problem(tmp_path: Path, content: str, problem: str):
    path = tmp_path / RIG_FILE
    path.write_text(content)
    with pytest.raises(FrameError, match=problem) as refused:
        read_rig_file(path)
    assert str(path) in str(refused.value)


def test_sources_are_parsed_as_the_options_write_them():
    assert parse_point("Gun") == RigSource("Gun", "Gun")
    assert parse_point("Rig/mixamorig:RightHand") == RigSource("mixamorig:RightHand", "Rig", "mixamorig:RightHand")
    assert parse_point("Tip=Rig/hand.L/tail") == RigSource("Tip", "Rig", "hand.L", True)
    assert parse_box("hurt=Hurtboxes") == RigSource("hurt", "Hurtboxes")
    assert [source.name for source in parse_list("a=X, Y ,", "--points")] == ["a", "Y"]
    for bad in ("", "Rig/hand/head", "Rig//x", "=Rig", "name="):
        with pytest.raises(OptionError, match="--points"):
            parse_point(bad)


@pytest.mark.parametrize(
    ("points", "boxes", "refused"),
    [
        ("pivot=Gun", "", "'pivot'"),
        ("Sprite=Gun", "", "Sprite"),
        ("", "AnimationPlayer=Box", "AnimationPlayer"),
        ("Hand.L=Rig/a,Hand_L=Rig/b", "", "Hand_L"),
        ("hit=Gun", "hit=Box", "'hit'"),
    ],
)
def test_names_the_outputs_cannot_hold_are_refused_naming_them(points: str, boxes: str, refused: str):
    with pytest.raises(OptionError, match=refused):
        RigRequest(tuple(parse_list(points, "--points")), tuple(parse_list(boxes, "--boxes")))


def test_godot_node_names_replace_what_godot_forbids():
    assert godot_node_name('Hand.L:a@b/c"d%e') == "Hand_L_a_b_c_d_e"
    assert godot_node_name("mixamorig:RightHand") == "mixamorig_RightHand"


def test_a_request_with_nothing_wants_nothing():
    assert not RigRequest().wanted
    assert RigRequest(in_place=True).wanted
    check_names(parse_list("Root.Motion=Gun", "--points"), [])  # Root_Motion in Godot: no name of its own
