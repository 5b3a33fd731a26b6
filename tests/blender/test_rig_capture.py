"""Game data from the rig in real Blender: points, boxes and root motion measured against the rendered pixels.

The scene is ``character_scene.build_set_scene`` with, added here: a bone ``hand`` below the left arm with a green
marker sphere at its tail, a magenta ball around the right hand deformed by the armature (an Armature modifier,
not parenting), a box ``hurt`` hidden from renders, and a collection ``Legs`` of both legs. Workbench flat shading
renders it in milliseconds; full-size renders of 320x450 make sprites of 64x90 in blocks of 5 pixels.
"""

from __future__ import annotations

import json

import bpy
import numpy as np
import pytest
from character_scene import build_set_scene
from mathutils import Vector
from PIL import Image

from pixel_sprites.blender import render_session, rig_capture
from pixel_sprites.engine.errors import SetupError
from pixel_sprites.engine.sets.rig_names import RigRequest, RigSource

COMPASS_8 = ["S", "SE", "E", "NE", "N", "NW", "W", "SW"]
SPRITE = (64, 90)
UNITS_TO_PIXELS = SPRITE[1] / 2.6  # the orthographic camera frames 2.6 units over the sprite's height
STRIDE = 0.3  # how far the striding character goes per frame, in world units


@pytest.fixture(autouse=True)
def no_set_left_running():
    yield
    if render_session.current is not None:
        render_session.current.end()
    render_session.current = None
    render_session.set_renders.clear()


def _material(name, rgb):
    material = bpy.data.materials.new(name)
    material.diffuse_color = (*rgb, 1.0)
    return material


def _parent_keeping_place(obj, parent, bone=""):
    world = obj.matrix_world.copy()
    obj.parent = parent
    if bone:
        obj.parent_type, obj.parent_bone = "BONE", bone
    bpy.context.view_layer.update()
    obj.matrix_world = world


@pytest.fixture
def scene(tmp_path):
    scene = build_set_scene(output=tmp_path / "renders", resolution=(320, 450))
    bpy.data.objects.remove(bpy.data.objects["marker"])  # the face's marker: this file's marker is green too
    rig = bpy.data.objects["rig"]
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    hand = rig.data.edit_bones.new("hand")
    hand.head, hand.tail = (0.48, 0, 1.15), (0.48, 0, 0.55)
    hand.parent = rig.data.edit_bones["arm_left"]
    bpy.ops.object.mode_set(mode="OBJECT")
    for bone in rig.pose.bones:  # the pose the last action keyed: the marker and box go on at rest
        bone.location, bone.rotation_euler = (0, 0, 0), (0, 0, 0)
    bpy.context.view_layer.update()

    bpy.ops.mesh.primitive_uv_sphere_add(segments=16, ring_count=8, radius=0.1, location=(0.48, 0, 0.55))
    marker = bpy.context.active_object
    marker.name = "marker"
    marker.data.materials.append(_material("marker", (0.0, 1.0, 0.0)))
    _parent_keeping_place(marker, rig, "hand")

    bpy.ops.mesh.primitive_uv_sphere_add(segments=24, ring_count=12, radius=0.15, location=(-0.56, 0, 0.75))
    shield = bpy.context.active_object
    shield.name = "shield"
    shield.data.materials.append(_material("shield", (1.0, 0.0, 1.0)))
    group = shield.vertex_groups.new(name="arm_right")
    group.add(list(range(len(shield.data.vertices))), 1.0, "REPLACE")
    shield.modifiers.new("Armature", "ARMATURE").object = rig
    _parent_keeping_place(shield, rig)

    bpy.ops.mesh.primitive_cube_add(size=1.0, location=(0, 0, 1.1))
    hurt = bpy.context.active_object
    hurt.name = "hurt"
    hurt.hide_render = True
    _parent_keeping_place(hurt, bpy.data.objects["character"])

    legs = bpy.data.collections.new("Legs")
    scene.collection.children.link(legs)
    for name in ("leg_left", "leg_right"):
        legs.objects.link(bpy.data.objects[name])

    settings = scene.pixel_sprites
    settings.pixel = 5
    bpy.context.view_layer.objects.active = rig
    return scene


def add_action(scene, name, **settings):
    entry = scene.pixel_sprites.set_actions.add()
    entry.action = bpy.data.actions[name]
    for key, value in settings.items():
        setattr(entry, key, value)
    return entry


def rgba(path):
    return np.asarray(Image.open(path).convert("RGBA")).astype(int)


def pixels_of(path, colour):
    """(rows, columns) of the sprite's opaque pixels clearly of ``colour``: green or magenta."""
    pixels = rgba(path)
    red, green, blue = pixels[:, :, 0], pixels[:, :, 1], pixels[:, :, 2]
    opaque = pixels[:, :, 3] == 255
    if colour == "green":
        return np.nonzero(opaque & (green > red + 60) & (green > blue + 60))
    return np.nonzero(opaque & (red > green + 60) & (blue > green + 60))


def manifest_of(tmp_path, renders="renders"):
    return json.loads((tmp_path / renders / "sprites" / "character.set.json").read_text())


# 1. Points and boxes where the sprites show them.


@pytest.mark.parametrize("sampling", ["nearest", "majority"])
def test_points_and_boxes_are_where_the_sprites_show_them(scene, tmp_path, sampling):
    settings = scene.pixel_sprites
    settings.directions, settings.mirror, settings.sampling = 8, True, sampling
    settings.set_game_data(points="Hand=rig/hand/tail,marker,right=rig/arm_right/tail", boxes="shield,hurt,Legs")
    add_action(scene, "walk", use_action_range=False, frame_start=1, frame_end=3, frame_step=2)

    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}, settings.last_summary

    rig_file = json.loads((tmp_path / "renders" / "rig.json").read_text())
    assert sorted(rig_file["frames"]) == sorted(
        f"walk/{facing}/{frame:04d}.png" for facing in ("S", "SE", "E", "NE", "N") for frame in (1, 3)
    )
    rig = manifest_of(tmp_path)["rig"]
    assert (rig["points"], rig["boxes"], rig["in_place"]) == (
        ["Hand", "marker", "right"],
        ["shield", "hurt", "Legs"],
        False,
    )
    sprites = tmp_path / "renders" / "sprites" / "walk"
    marker_counts, shield_counts, checked_points, checked_boxes = [], [], 0, 0
    for facing in COMPASS_8:
        for frame in ("0001.png", "0003.png"):
            marker_counts.append(len(pixels_of(sprites / facing / frame, "green")[0]))
            shield_counts.append(len(pixels_of(sprites / facing / frame, "magenta")[0]))
    for facing in COMPASS_8:
        for frame in ("0001.png", "0003.png"):
            path = sprites / facing / frame
            data = rig["frames"]["walk"][facing][frame]
            hand, marker = data["points"]["Hand"], data["points"]["marker"]
            # The marker's origin is the hand bone's tail: two kinds of point, one place.
            assert (hand["x"], hand["y"]) == pytest.approx((marker["x"], marker["y"]), abs=1e-3)
            rows, columns = pixels_of(path, "green")
            if len(rows) >= 0.8 * max(marker_counts):  # not hidden behind the body, even in part
                assert abs(columns.mean() + 0.5 - hand["x"]) <= 0.75, (facing, frame, columns.mean(), hand)
                assert abs(rows.mean() + 0.5 - hand["y"]) <= 0.75, (facing, frame, rows.mean(), hand)
                checked_points += 1
            if len(rows) == 0:  # hidden: behind the character
                assert not hand["front"], (facing, frame)
            if facing in ("E", "W"):  # side on: the left hand is beyond the body, the right one before it
                assert not hand["front"] and data["points"]["right"]["front"]
            box = data["boxes"]["shield"]
            rows, columns = pixels_of(path, "magenta")
            if len(rows):
                assert box["x"] - 1 <= columns.min() and columns.max() < box["x"] + box["w"] + 1, (facing, frame)
                assert box["y"] - 1 <= rows.min() and rows.max() < box["y"] + box["h"] + 1, (facing, frame)
            if len(rows) >= 0.9 * max(shield_counts):  # not hidden behind the body, even in part
                inside = np.count_nonzero(
                    (columns >= box["x"]) & (columns < box["x"] + box["w"])
                    & (rows >= box["y"]) & (rows < box["y"] + box["h"])
                )  # fmt: skip
                union = box["w"] * box["h"] + len(rows) - inside
                assert inside / union >= 0.6, (facing, frame, inside, union, box)
                checked_boxes += 1
            hurt = data["boxes"]["hurt"]  # hidden from renders, reported all the same: it covers the body
            body = np.nonzero(rgba(path)[:, :, 3] == 255)
            assert hurt is not None and hurt["w"] * hurt["h"] > 0
            assert hurt["y"] <= body[0].mean() < hurt["y"] + hurt["h"]
            legs = data["boxes"]["Legs"]
            assert legs is not None and legs["y"] + legs["h"] >= body[0].max()  # down to the feet
    assert checked_points >= 8 and checked_boxes >= 8
    # Mirrored facings mirror the data with their sprites.
    east, west = rig["frames"]["walk"]["E"]["0001.png"], rig["frames"]["walk"]["W"]["0001.png"]
    assert west["points"]["Hand"]["x"] == pytest.approx(SPRITE[0] - east["points"]["Hand"]["x"])
    assert west["boxes"]["shield"]["x"] == SPRITE[0] - east["boxes"]["shield"]["x"] - east["boxes"]["shield"]["w"]
    # The engine files carry it.
    page = json.loads((tmp_path / "renders" / "sprites" / "sheets" / "walk.json").read_text())
    assert {"Hand", "marker", "shield", "hurt", "Legs"} <= {entry["name"] for entry in page["meta"]["slices"]}
    assert bpy.data.objects["rig"].animation_data.drivers.values() == []


# 2. Refused before anything is rendered, naming it.


def test_sources_the_scene_cannot_give_are_refused_naming_them(scene):
    bpy.data.collections.new("Empty")
    scene.collection.children.link(bpy.data.collections["Empty"])
    both = bpy.data.collections.new("shield")  # a collection of the box object's name
    scene.collection.children.link(both)
    refused = {
        "no object 'ghost'": RigRequest(points=(RigSource("ghost", "ghost"),)),
        "has no bone 'wing'": RigRequest(points=(RigSource("wing", "rig", "wing"),)),
        "'marker' is not an armature": RigRequest(points=(RigSource("tip", "marker", "tip"),)),
        "no object or collection 'nowhere'": RigRequest(boxes=(RigSource("nowhere", "nowhere"),)),
        "collection 'Empty' has no mesh": RigRequest(boxes=(RigSource("Empty", "Empty"),)),
        "both an object and a collection": RigRequest(boxes=(RigSource("shield", "shield"),)),
    }
    for message, request in refused.items():
        with pytest.raises(SetupError, match=message):
            rig_capture.check_sources(scene, request)
    rig_capture.check_sources(scene, RigRequest((RigSource("Hand", "rig", "hand", True),), (RigSource("L", "Legs"),)))


def test_render_set_refuses_a_bad_source_before_rendering(scene, tmp_path):
    add_action(scene, "walk")
    item = scene.pixel_sprites.rig_points.add()
    item.target, item.bone = bpy.data.objects["rig"], "wing"
    with pytest.raises(RuntimeError, match="Game Data: point rig/wing: the armature 'rig' has no bone 'wing'"):
        bpy.ops.pixel_sprites.render_set()
    assert not (tmp_path / "renders").exists()


# 3. In Place.


def _stride(rig, frames):
    """An action moving the root bone toward the camera (S) by STRIDE a frame."""
    bone = rig.pose.bones["hop"]
    toward_camera = rig.data.bones["hop"].matrix_local.to_3x3().inverted() @ Vector((0, -STRIDE, 0))
    rig.animation_data.action = None
    for frame in range(1, frames + 1):
        bone.location = toward_camera * (frame - 1)
        bone.keyframe_insert("location", frame=frame)
    action = rig.animation_data.action
    action.name = "stride"
    rig.animation_data.action = None
    return action


def test_in_place_keeps_the_striding_character_in_view_and_gives_its_motion(scene, tmp_path):
    rig = bpy.data.objects["rig"]
    _stride(rig, 4)
    settings = scene.pixel_sprites
    settings.directions, settings.pivot_object, settings.animated_object = 4, rig, rig
    settings.render_at_sprite_size, settings.in_place = True, True
    add_action(scene, "stride")

    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}, settings.last_summary

    assert (tmp_path / "renders" / "sprite_size" / "rig.json").is_file()
    rig_data = manifest_of(tmp_path, "renders/sprite_size")["rig"]
    assert rig_data["in_place"] is True
    sprites = tmp_path / "renders" / "sprite_size" / "sprites" / "stride"
    for facing, along in (("S", (0, -1)), ("E", (1, 0)), ("N", (0, 1)), ("W", (-1, 0))):
        centres = []
        for frame in range(1, 5):
            name = f"{frame:04d}.png"
            columns = np.nonzero(rgba(sprites / facing / name)[:, :, 3] == 255)[1]
            assert len(columns), (facing, frame)  # still in view
            centres.append(columns.mean())
            motion = rig_data["frames"]["stride"][facing][name]["root_motion"]
            went = STRIDE * (frame - 1)
            assert (motion["floor_x"], motion["floor_y"]) == pytest.approx((along[0] * went, along[1] * went), abs=1e-4)
            assert motion["x"] == pytest.approx(along[0] * went * UNITS_TO_PIXELS, abs=0.05)
            assert motion["y"] == pytest.approx(0.0, abs=0.05)  # along the floor, not up
        assert max(centres) - min(centres) <= 1.0, (facing, centres)  # in place: it does not walk out of view
    assert rig.delta_location[:] == (0.0, 0.0, 0.0)
    assert not rig.animation_data.drivers


# 4. Nothing asked for, nothing changed.


def test_without_game_data_there_is_no_rig_file_and_no_rig_in_the_manifest(scene, tmp_path):
    scene.pixel_sprites.render_at_sprite_size = True
    add_action(scene, "idle", use_action_range=False, frame_start=1, frame_end=1)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    assert not (tmp_path / "renders" / "sprite_size" / "rig.json").exists()
    assert "rig" not in manifest_of(tmp_path, "renders/sprite_size")
    assert not scene.pixel_sprites.last_summary.startswith("Error")
