"""Render Sprite Set in real Blender: the layout it writes, the facings, the scene given back, and bad input.

The scene is ``character_scene.build_set_scene``: a character under the empty ``character`` with an armature
``rig`` playing ``idle`` (4 frames) or ``walk`` (6 frames), and a green marker on its front. Workbench flat
shading renders it in milliseconds.
"""

from __future__ import annotations

import json
import math

import bpy
import numpy as np
import pytest
from character_scene import build_set_scene
from PIL import Image

from pixel_sprites.blender import actions, jobs, render_session, sprite_set
from pixel_sprites.engine import read_palette

COMPASS_4 = ["S", "E", "N", "W"]
COMPASS_8 = ["S", "SE", "E", "NE", "N", "NW", "W", "SW"]
FRAMES = {"idle": [1, 2, 3, 4], "walk": [1, 2, 3, 4, 5, 6]}
SHEET_FILES = ("{}.png", "{}.json", "{}.tres", "{}.aseprite", "{}_preview.gif")


@pytest.fixture(autouse=True)
def no_set_left_running():
    """A test that fails half-way must not leave a set 'running' for the next one.

    The set is ended while its scene still exists: its sprite-size settings hold the scene's data, and giving
    them back after the fresh file freed that data would crash Blender.
    """
    yield
    if render_session.current is not None:
        render_session.current.end()
    render_session.current = None
    render_session.set_renders.clear()


@pytest.fixture
def scene(tmp_path):
    scene = build_set_scene(output=tmp_path / "renders")
    scene.pixel_sprites.directions = 4
    return scene


def add_actions(scene, *names, **settings):
    """Check ``names`` in the set, each with ``settings`` (frame_step, loop, use_action_range, ...)."""
    entries = []
    for name in names:
        entry = scene.pixel_sprites.set_actions.add()
        entry.action = bpy.data.actions[name]
        for key, value in settings.items():
            setattr(entry, key, value)
        entries.append(entry)
    return entries


def rgba(path):
    return np.asarray(Image.open(path).convert("RGBA"))


def opaque_colours_of(pixels):
    return {tuple(c) for c in pixels[pixels[:, :, 3] == 255][:, :3].tolist()}


def opaque_colours(path):
    return opaque_colours_of(rgba(path))


def gif_colours(path):
    colours = set()
    with Image.open(path) as image:
        for index in range(image.n_frames):
            image.seek(index)
            colours |= opaque_colours_of(np.asarray(image.convert("RGBA")))
    return colours


def palette_colours(path):
    return {tuple(c) for c in read_palette(path).colors.tolist()}


def gif_duration(path):
    with Image.open(path) as image:
        total = 0
        for index in range(image.n_frames):
            image.seek(index)
            total += image.info["duration"]
    return total


def names_in(folder, pattern="*"):
    return sorted(path.name for path in folder.glob(pattern))


def frame_names(frames):
    return [f"{frame:04d}.png" for frame in frames]


def slot_of(obj):
    data = obj.animation_data
    slot = getattr(data, "action_slot", None) if data is not None else None
    return slot.identifier if slot is not None else None


def scene_state(scene):
    """Everything a sprite set may change, as plain values."""
    bpy.context.view_layer.update()
    pivot, rig = bpy.data.objects["character"], bpy.data.objects["rig"]
    render = scene.render
    return {
        "frames": (scene.frame_start, scene.frame_end, scene.frame_step, scene.frame_current),
        "filepath": render.filepath,
        "delta_euler": tuple(round(value, 6) for value in pivot.delta_rotation_euler),
        "delta_quaternion": tuple(round(value, 6) for value in pivot.delta_rotation_quaternion),
        "rotation_mode": pivot.rotation_mode,
        "matrix_world": [round(value, 5) for row in pivot.matrix_world for value in row],
        "action": rig.animation_data.action.name if rig.animation_data and rig.animation_data.action else None,
        "slot": slot_of(rig),
        "resolution": (render.resolution_x, render.resolution_y, render.resolution_percentage),
        "filters": (round(render.filter_size, 6), scene.display.render_aa, round(scene.cycles.filter_width, 6)),
        "camera": scene.camera.name if scene.camera else None,
    }


def unsettle(scene):
    """A scene state a sprite set has to give back: odd frame settings, a turned pivot, another action."""
    pivot, rig = bpy.data.objects["character"], bpy.data.objects["rig"]
    scene.frame_start, scene.frame_end, scene.frame_step = 2, 9, 3
    scene.frame_set(5)
    pivot.delta_rotation_euler = (0.0, 0.0, 0.4)
    pivot.delta_rotation_quaternion = (math.cos(0.3), 0.0, 0.0, math.sin(0.3))
    scene.render.filter_size = 1.25
    scene.display.render_aa = "FXAA"
    walk = bpy.data.actions["walk"]
    rig.animation_data.action = walk
    if actions.is_slotted():  # a second slot, so giving back "the first slot that suits" would be wrong
        rig.animation_data.action_slot = walk.slots.new(id_type="OBJECT", name="other")


# 1. Layout, manifest, sheets, one palette.


def test_set_writes_renders_sprites_manifest_and_sheets_with_one_palette(scene, tmp_path):
    _idle, walk = add_actions(scene, "idle", "walk")
    walk.loop = False
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    renders = tmp_path / "renders"
    sprites = renders / "sprites"
    assert names_in(renders) == ["idle", "sprites", "walk"]
    for action, frames in FRAMES.items():
        assert names_in(renders / action) == sorted(COMPASS_4)
        assert names_in(sprites / action) == sorted(COMPASS_4)
        for facing in COMPASS_4:
            assert names_in(renders / action / facing) == frame_names(frames)
            assert names_in(sprites / action / facing) == frame_names(frames)
    assert names_in(sprites, "*.gpl") == ["character.gpl"]
    palette = palette_colours(sprites / "character.gpl")
    sprite_files = sorted(sprites.glob("*/*/*.png"))
    assert len(sprite_files) == 4 * (4 + 6)
    size = Image.open(sprite_files[0]).size
    assert size == (8, 11)  # 80x112 renders in blocks of 10 pixels
    for path in sprite_files:
        assert Image.open(path).size == size
        assert opaque_colours(path) <= palette

    manifest = json.loads((sprites / "character.set.json").read_text())
    assert manifest["character"] == "character"
    assert [(f["index"], f["name"], f["angle"]) for f in manifest["facings"]] == [
        (0, "S", 0.0), (1, "E", 90.0), (2, "N", 180.0), (3, "W", 270.0)
    ]  # fmt: skip
    assert [(a["name"], a["frames"], a["fps"], a["frame_step"], a["loop"]) for a in manifest["actions"]] == [
        ("idle", FRAMES["idle"], 24, 1, True),
        ("walk", FRAMES["walk"], 24, 1, False),
    ]
    assert manifest["sprite_size"] == {"w": size[0], "h": size[1]}
    # The pivot is the character's origin: between its feet, on the bottom row it stands on.
    front = rgba(sprites / "idle" / "S" / "0001.png")
    lowest_row = int(np.nonzero(front[:, :, 3].any(axis=1))[0].max())
    assert manifest["pivot"]["x"] == size[0] // 2
    assert abs(manifest["pivot"]["y"] - lowest_row) <= 1
    assert {tuple(int(code[i : i + 2], 16) for i in (0, 2, 4)) for code in manifest["palette"]} == palette

    sheets = sprites / "sheets"
    assert names_in(sheets) == sorted(pattern.format(action) for action in FRAMES for pattern in SHEET_FILES)
    assert [entry["name"] for entry in manifest["sheets"]] == ["idle", "walk"]
    for action, frames in FRAMES.items():
        sheet = Image.open(sheets / f"{action}.png")
        assert sheet.mode == "P"  # paletted: the character's colours fit
        assert opaque_colours(sheets / f"{action}.png") <= palette
        page = json.loads((sheets / f"{action}.json").read_text())
        assert page["meta"]["image"] == f"{action}.png"
        assert len(page["frames"]) == 4 * len(frames)
        assert [(tag["name"], tag["to"] - tag["from"] + 1) for tag in page["meta"]["frameTags"]] == [
            (f"{action}_{facing}", len(frames)) for facing in COMPASS_4
        ]
        assert 'type="SpriteFrames"' in (sheets / f"{action}.tres").read_text()
        assert (sheets / f"{action}.aseprite").read_bytes()[4:6] == b"\xe0\xa5"  # Aseprite's magic number
        # Pillow merges a frame equal to the one before it into one longer frame; GIF counts centiseconds.
        assert abs(gif_duration(sheets / f"{action}_preview.gif") - 42 * len(frames)) < 10 * len(frames)
        assert gif_colours(sheets / f"{action}_preview.gif") <= palette
    assert "Error" not in scene.pixel_sprites.last_summary


# 2. Which way each facing looks.


def green_and_body(path):
    """Columns of the marker's pixels (green clearly the strongest channel), and the body's horizontal centre."""
    pixels = rgba(path).astype(int)
    opaque = pixels[:, :, 3] == 255
    red, green, blue = pixels[:, :, 0], pixels[:, :, 1], pixels[:, :, 2]
    marker = opaque & (green > red + 60) & (green > blue + 60)
    columns = np.nonzero(opaque.any(axis=0))[0]
    return np.nonzero(marker)[1], (columns.min() + columns.max()) / 2


def test_facings_turn_the_character_as_their_compass_names_say(scene, tmp_path):
    settings = scene.pixel_sprites
    settings.directions, settings.pixel = 8, 2  # sprites of 40x56, where the marker is a few pixels wide
    add_actions(scene, "idle", use_action_range=False, frame_start=1, frame_end=1)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    sprites = tmp_path / "renders" / "sprites" / "idle"
    assert names_in(sprites) == sorted(COMPASS_8)
    seen = {facing: green_and_body(sprites / facing / "0001.png") for facing in COMPASS_8}
    east, centre = seen["E"]
    assert len(east) and east.min() > centre
    west, centre = seen["W"]
    assert len(west) and west.max() < centre
    south, centre = seen["S"]
    assert len(south) and abs(south.mean() - centre) <= 1.5
    assert len(seen["N"][0]) == 0  # the marker is behind the character
    south_east, centre = seen["SE"]
    assert len(south_east) and south.mean() < south_east.mean() and south_east.min() > centre - 1


# 3. The scene given back: after success, a failed render and Cancel.


@pytest.mark.parametrize("rotation_mode", ["XYZ", "QUATERNION"])
def test_scene_is_given_back_after_a_set(scene, tmp_path, rotation_mode):
    bpy.data.objects["character"].rotation_mode = rotation_mode
    unsettle(scene)
    scene.pixel_sprites.render_at_sprite_size = True
    add_actions(scene, "idle", use_action_range=False, frame_start=1, frame_end=2)
    before = scene_state(scene)

    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    assert scene_state(scene) == before
    renders = tmp_path / "renders" / "sprite_size"  # at sprite size the renders go to their own folder
    assert Image.open(renders / "idle" / "E" / "0001.png").size == (8, 11)
    assert names_in(renders / "sprites" / "idle" / "E") == frame_names([1, 2])
    assert not (tmp_path / "renders" / "idle").exists()
    # The turn about world Z composes with the pivot's own delta rotation: E differs from S.
    facing_s = rgba(renders / "idle" / "S" / "0001.png")
    facing_e = rgba(renders / "idle" / "E" / "0001.png")
    assert not np.array_equal(facing_s, facing_e)
    assert render_session.current is None and not render_session.set_renders


def test_scene_is_given_back_when_a_render_fails(scene, tmp_path):
    unsettle(scene)
    scene.pixel_sprites.render_at_sprite_size = True
    add_actions(scene, "idle")
    scene.camera = None
    before = scene_state(scene)

    with pytest.raises(RuntimeError, match=r"Render Sprite Set: .*no camera"):
        bpy.ops.pixel_sprites.render_set()

    assert scene_state(scene) == before
    assert not (tmp_path / "renders").exists()
    assert render_session.current is None and not render_session.set_renders
    # Nothing is left "running": the next set is not refused.
    scene.camera = bpy.data.objects["camera"]
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    assert (tmp_path / "renders" / "sprite_size" / "sprites" / "character.set.json").is_file()


@pytest.mark.parametrize("how", ["render cancelled", "cancel button"])
def test_scene_is_given_back_after_cancel(scene, tmp_path, monkeypatch, how):
    """The UI path, each render job stood in for by setting its step up; the handlers' call played by hand."""
    monkeypatch.setattr(jobs, "runs_at_once", lambda: False)

    def set_up_only(self):
        sprite_set._set_up_step(self.scene, self.plan, self.state, self.index)

    monkeypatch.setattr(sprite_set.SetRender, "_render_next", set_up_only)
    unsettle(scene)
    scene.pixel_sprites.render_at_sprite_size = True
    add_actions(scene, "idle", "walk")
    before = scene_state(scene)

    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    running = render_session.current
    assert running is not None and len(running.plan.steps) == 8
    running.step_ended(False)  # the first render (S) ended: the second (E) is set up
    pivot = bpy.data.objects["character"]
    during = scene_state(scene)
    assert during["action"] == "idle" and during["frames"][:3] == (1, 4, 1)
    assert during["filepath"] == str(tmp_path / "renders" / "sprite_size" / "idle" / "E") + "/"
    assert during["resolution"] == (8, 11, 100)
    assert pivot.matrix_world.to_euler().z == pytest.approx(math.radians(90) + 0.4, abs=1e-5)
    with pytest.raises(RuntimeError, match="A sprite job is running"):  # one set at a time
        bpy.ops.pixel_sprites.render_set()
    assert render_session.current is running

    if how == "cancel button":
        assert bpy.ops.pixel_sprites.cancel() == {"FINISHED"}
        assert running.cancelled
        running.step_ended(False)  # the render in progress ends; the set stops there
    else:
        running.step_ended(True)  # Esc in the render window

    assert scene_state(scene) == before
    assert render_session.current is None and not render_session.set_renders
    assert scene.pixel_sprites.last_summary == "Render Sprite Set cancelled after 1 of 8 renders"
    assert jobs.status() is None  # no sprite job was started
    assert not (tmp_path / "renders" / "sprite_size" / "sprites").exists()


def test_with_a_ui_each_step_is_its_own_render_then_the_sprites_are_made_off_the_main_thread(
    scene, tmp_path, monkeypatch
):
    """The UI path to the end: each render job stood in for by a blocking render whose end is reported through
    the main-thread queue, as the handlers do; the timer played by hand."""
    monkeypatch.setattr(jobs, "runs_at_once", lambda: False)
    statuses = []

    def render_then_report(self):
        sprite_set._set_up_step(self.scene, self.plan, self.state, self.index)
        statuses.append(self.status())
        bpy.ops.render.render(animation=True)
        jobs.call_on_main_thread(lambda: self.step_ended(False))

    monkeypatch.setattr(sprite_set.SetRender, "_render_next", render_then_report)
    unsettle(scene)
    scene.pixel_sprites.directions = 2
    add_actions(scene, "idle", use_action_range=False, frame_start=1, frame_end=2)
    add_actions(scene, "walk", frame_step=3)
    before = scene_state(scene)

    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    assert render_session.current is not None
    assert not (tmp_path / "renders" / "idle" / "N").exists()  # one render at a time
    # Each tick runs the step renders queued for the main thread; once the sprite job runs, the next tick waits
    # for it to finish (600 s only guards against a hang). The loop counts ticks, not seconds.
    for _ in range(100):
        if render_session.current is None and jobs.status() is None:
            break
        if jobs._current is not None:
            assert jobs._current.finished.wait(600), "the sprite job did not finish"
        jobs.tick()
    else:
        pytest.fail("the set did not finish in 100 ticks")
    jobs.tick()  # the sprite job's done callback

    assert statuses == [
        "idle S (1/4), frame 5", "idle N (2/4), frame 5", "walk S (3/4), frame 5", "walk N (4/4), frame 5"
    ]  # fmt: skip
    assert scene_state(scene) == before
    sprites = tmp_path / "renders" / "sprites"
    for facing in ("S", "N"):
        assert names_in(sprites / "idle" / facing) == frame_names([1, 2])
        assert names_in(sprites / "walk" / facing) == frame_names([1, 4])
    manifest = json.loads((sprites / "character.set.json").read_text())
    assert [(a["name"], a["frames"], a["frame_step"]) for a in manifest["actions"]] == [
        ("idle", [1, 2], 1),
        ("walk", [1, 4], 3),
    ]
    assert scene.pixel_sprites.last_summary.startswith("8/8 sprites")
    assert len(scene.pixel_sprites.palette) == len(read_palette(sprites / "character.gpl")) > 0


def test_cancel_with_nothing_running_says_so(scene):
    assert render_session.current is None
    assert bpy.ops.pixel_sprites.cancel() == {"FINISHED"}
    assert not sprite_set.cancel()


# 4. Frame step.


def test_frame_step_renders_every_other_frame_and_times_the_sheets(scene, tmp_path):
    scene.render.fps, scene.render.fps_base = 30, 1.001
    add_actions(scene, "walk", frame_step=2)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    renders = tmp_path / "renders"
    for facing in COMPASS_4:
        assert names_in(renders / "walk" / facing) == frame_names([1, 3, 5])
        assert names_in(renders / "sprites" / "walk" / facing) == frame_names([1, 3, 5])
    manifest = json.loads((renders / "sprites" / "character.set.json").read_text())
    (walk,) = manifest["actions"]
    assert (walk["frames"], walk["frame_step"]) == ([1, 3, 5], 2)
    assert walk["fps"] == 30 and walk["fps_base"] == pytest.approx(1.001)
    duration = round(1000 * scene.render.fps_base * 2 / scene.render.fps)
    assert duration == 67
    assert walk["duration_ms"] == duration
    page = json.loads((renders / "sprites" / "sheets" / "walk.json").read_text())
    assert [frame["duration"] for frame in page["frames"].values()] == [duration] * 12
    assert scene.frame_step == 1


def test_the_packed_setting_gives_trimmed_sheets_that_keep_every_frames_place(scene, tmp_path):
    add_actions(scene, "walk", frame_step=2)
    scene.pixel_sprites.sheet_packed, scene.pixel_sprites.sheet_extrude = True, 1
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    sheets = tmp_path / "renders" / "sprites" / "sheets"
    frames = list(json.loads((sheets / "walk.json").read_text())["frames"].values())
    assert len(frames) == 12 and all(frame["trimmed"] for frame in frames)
    assert all(frame["frame"]["w"] < frame["sourceSize"]["w"] for frame in frames)
    page = rgba(sheets / "walk.png")
    for frame, name in zip(
        frames, [f"{facing}/{file}" for facing in COMPASS_4 for file in frame_names([1, 3, 5])], strict=True
    ):
        rect, source = frame["frame"], frame["spriteSourceSize"]
        sprite = rgba(tmp_path / "renders" / "sprites" / "walk" / name)
        kept = sprite[source["y"] : source["y"] + source["h"], source["x"] : source["x"] + source["w"]]
        assert np.array_equal(page[rect["y"] : rect["y"] + rect["h"], rect["x"] : rect["x"] + rect["w"]], kept)
    assert "margin = Rect2(" in (sheets / "walk.tres").read_text()


# 5. A locked palette keeps the other actions' sprites.


def test_locked_palette_rerender_of_one_action_keeps_the_others_byte_identical(scene, tmp_path):
    idle, _walk = add_actions(scene, "idle", "walk")
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    sprites = tmp_path / "renders" / "sprites"
    idle_sprites = {path: path.read_bytes() for path in sorted((sprites / "idle").rglob("*.png"))}
    assert len(idle_sprites) == 16
    gpl = (sprites / "character.gpl").read_bytes()
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"}
    assert scene.pixel_sprites.palette_locked
    palette = palette_colours(sprites / "character.gpl")

    # A new body colour: a refit would change the palette, and with it every idle sprite.
    bpy.data.materials["body"].diffuse_color = (0.05, 0.6, 0.9, 1.0)
    walk_renders = {path: path.read_bytes() for path in (tmp_path / "renders" / "walk").rglob("*.png")}
    idle.enabled = False
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    assert any(path.read_bytes() != data for path, data in walk_renders.items())  # walk was rendered again
    for path, data in idle_sprites.items():
        assert path.read_bytes() == data, path
    assert (sprites / "character.gpl").read_bytes() == gpl
    for path in (sprites / "walk").rglob("*.png"):
        assert opaque_colours(path) <= palette
    manifest = json.loads((sprites / "character.set.json").read_text())
    assert sorted(action["name"] for action in manifest["actions"]) == ["idle", "walk"]


# 6. An action rendered again with fewer frames.


def test_rerendered_action_with_fewer_frames_drops_them_from_the_set(scene, tmp_path):
    _idle, walk = add_actions(scene, "idle", "walk")
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    renders = tmp_path / "renders"
    sprites = renders / "sprites"

    _idle.enabled = False
    walk.use_action_range, walk.frame_start, walk.frame_end = False, 1, 3
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    listed = json.loads((sprites / "character.frames.json").read_text())["frames"]
    walk_frames = sorted(
        (entry["frame"].split("/")[-2], entry["frame"].split("/")[-1]) for entry in listed if "/walk/" in entry["frame"]
    )
    assert walk_frames == sorted((facing, name) for facing in COMPASS_4 for name in frame_names([1, 2, 3]))
    idle_frames = [entry for entry in listed if "/idle/" in entry["frame"]]
    assert len(idle_frames) == 4 * 4  # the action not rendered again keeps its frames
    manifest = json.loads((sprites / "character.set.json").read_text())
    assert {action["name"]: action["frames"] for action in manifest["actions"]} == {
        "idle": FRAMES["idle"],
        "walk": [1, 2, 3],
    }
    page = json.loads((sprites / "sheets" / "walk.json").read_text())
    assert len(page["frames"]) == 4 * 3
    assert [(tag["name"], tag["to"] - tag["from"] + 1) for tag in page["meta"]["frameTags"]] == [
        (f"walk_{facing}", 3) for facing in COMPASS_4
    ]
    assert abs(gif_duration(sprites / "sheets" / "walk_preview.gif") - 3 * 42) < 30
    for facing in COMPASS_4:  # renders are never deleted
        assert names_in(renders / "walk" / facing) == frame_names(FRAMES["walk"])


# 7. Mirrored facings.


def test_mirror_renders_s_to_n_and_flips_the_others(scene, tmp_path):
    settings = scene.pixel_sprites
    settings.directions, settings.mirror, settings.pixel = 8, True, 4
    add_actions(scene, "idle", use_action_range=False, frame_start=1, frame_end=2)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    renders = tmp_path / "renders"
    assert names_in(renders / "idle") == sorted(["S", "SE", "E", "NE", "N"])
    sprites = renders / "sprites" / "idle"
    assert names_in(sprites) == sorted(COMPASS_8)
    for left, right in (("W", "E"), ("NW", "NE"), ("SW", "SE")):
        for name in frame_names([1, 2]):
            assert np.array_equal(rgba(sprites / left / name), rgba(sprites / right / name)[:, ::-1]), (left, name)
    assert not np.array_equal(rgba(sprites / "E" / "0001.png"), rgba(sprites / "W" / "0001.png"))
    manifest = json.loads((renders / "sprites" / "character.set.json").read_text())
    assert {f["name"]: f["mirror_of"] for f in manifest["facings"]} == {
        "S": None, "SE": None, "E": None, "NE": None, "N": None, "NW": 3, "W": 2, "SW": 1
    }  # fmt: skip
    page = json.loads((renders / "sprites" / "sheets" / "idle.json").read_text())
    assert len(page["meta"]["frameTags"]) == 8


# 8. Bad input: a clear error naming the setting, nothing rendered, the scene unchanged.


def no_pivot(scene):
    bpy.context.view_layer.objects.active = None


def action_of_another_object(scene):
    camera = bpy.data.objects["camera"]
    camera["shake"] = 0.0
    camera.keyframe_insert('["shake"]', frame=1)
    camera.animation_data.action.name = "camera_shake"
    add_actions(scene, "idle", "camera_shake")


def action_the_animated_object_cannot_play(scene):
    bpy.context.view_layer.objects.active = bpy.data.objects["character"]  # the root empty, not the armature
    add_actions(scene, "walk")


def empty_frame_range(scene):
    add_actions(scene, "walk", use_action_range=False, frame_start=5, frame_end=2)


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (no_pivot, r"^Pivot: no pivot object"),
        (action_of_another_object, r"^Actions: 'camera_shake' animates nothing in the hierarchy of the pivot"),
        (action_the_animated_object_cannot_play, r"^Animated Object: 'character' cannot play 'walk'"),
        (empty_frame_range, r"^Actions: walk has an empty frame range \(5 to 2\)"),
    ],
)
def test_bad_input_is_refused_before_anything_is_rendered(scene, tmp_path, make_bad, message):
    make_bad(scene)
    before = scene_state(scene)
    with pytest.raises(RuntimeError, match=message.replace("^", "^Error: ")):
        bpy.ops.pixel_sprites.render_set()
    assert not (tmp_path / "renders").exists()
    assert scene_state(scene) == before
    assert render_session.current is None


# 9. The default: the scene's own animation.


def test_without_actions_the_scene_animation_is_one_action_named_default(scene, tmp_path):
    rig = bpy.data.objects["rig"]
    rig.animation_data.action = bpy.data.actions["walk"]
    scene.frame_start, scene.frame_end = 2, 4
    scene.pixel_sprites.directions = 2
    assert len(scene.pixel_sprites.set_actions) == 0
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    renders = tmp_path / "renders"
    assert names_in(renders) == ["default", "sprites"]
    for facing in ("S", "N"):
        assert names_in(renders / "default" / facing) == frame_names([2, 3, 4])
        assert names_in(renders / "sprites" / "default" / facing) == frame_names([2, 3, 4])
    # The walk played: its frames differ.
    default = renders / "default" / "S"
    assert not np.array_equal(rgba(default / "0002.png"), rgba(default / "0003.png"))
    manifest = json.loads((renders / "sprites" / "character.set.json").read_text())
    assert [(a["name"], a["frames"], a["frame_step"], a["loop"]) for a in manifest["actions"]] == [
        ("default", [2, 3, 4], 1, True)
    ]
    assert rig.animation_data.action.name == "walk"
    assert (scene.frame_start, scene.frame_end) == (2, 4)


# Found while writing these tests, and fixed since.


def test_unlocked_refit_flips_the_mirrored_facings_of_actions_not_rendered_again(scene, tmp_path):
    settings = scene.pixel_sprites
    settings.directions, settings.mirror, settings.pixel = 8, True, 4
    idle, _walk = add_actions(scene, "idle", "walk", use_action_range=False, frame_start=1, frame_end=1)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    settings.auto_colors, settings.colors = False, 3  # the refit rewrites every sprite with 3 colours
    idle.enabled = False
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    sprites = tmp_path / "renders" / "sprites" / "idle"
    palette = palette_colours(tmp_path / "renders" / "sprites" / "character.gpl")
    assert len(palette) == 3
    for left, right in (("W", "E"), ("NW", "NE"), ("SW", "SE")):
        assert opaque_colours(sprites / left / "0001.png") <= palette
        assert np.array_equal(rgba(sprites / left / "0001.png"), rgba(sprites / right / "0001.png")[:, ::-1])


def test_an_output_folder_of_its_own_gets_the_set_layout(scene, tmp_path):
    scene.pixel_sprites.output_folder = str(tmp_path / "hero") + "/"
    add_actions(scene, "idle", use_action_range=False, frame_start=1, frame_end=1)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}

    hero = tmp_path / "hero"
    assert not scene.pixel_sprites.last_summary.startswith("Error"), scene.pixel_sprites.last_summary
    assert names_in(hero / "idle") == sorted(COMPASS_4)
    assert names_in(hero / "idle" / "E") == ["0001.png"]
    assert not (hero / "renders").exists() and not (tmp_path / "renders" / "sprites").exists()
    manifest = json.loads((hero / "character.set.json").read_text())
    assert [entry["image"] for entry in manifest["sheets"]] == ["sheets/idle.png"]
    assert (hero / "sheets" / "idle.png").is_file()


def test_a_sheet_that_cannot_be_laid_out_is_a_plain_error_naming_the_setting(scene):
    scene.pixel_sprites.directions, scene.pixel_sprites.max_sheet_size = 1, 16
    add_actions(scene, "idle")
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}  # the renders succeeded; the summary has the error
    assert scene.pixel_sprites.last_summary.startswith("Error: --max-size 16: ")


@pytest.mark.skipif(not actions.is_slotted(), reason="Blender before 4.4 has no action slots")
def test_the_action_plays_through_the_slot_that_animates_the_object(scene, tmp_path):
    """The rig played walk through a slot holding none of its channels: the set must not keep that slot."""
    rig = bpy.data.objects["rig"]
    walk = bpy.data.actions["walk"]
    rig.animation_data.action = walk
    rig.animation_data.action_slot = walk.slots.new(id_type="OBJECT", name="other")
    scene.pixel_sprites.directions = 1
    add_actions(scene, "walk")
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    frames = [rgba(tmp_path / "renders" / "walk" / "S" / f"{frame:04d}.png") for frame in range(1, 7)]
    assert any(not np.array_equal(frames[0], other) for other in frames[1:])  # the limbs swing
    assert rig.animation_data.action_slot.name_display == "other"  # and the scene is given back
