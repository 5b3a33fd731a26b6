"""The live preview in Debian's real Blender 3.4 with a UI (under Xvfb): updated on a frame change, once; EXACT
equal to the sprite Render Sprites wrote; the scene and the file's modified state left alone; started again when a
.blend saved with it on is opened; nothing when it is off.

One Blender run drives every step from a persistent timer and prints what it saw; the assertions read that output.
"""

from __future__ import annotations

import pytest
from test_blender_binary import BLENDER, ROOT, blender, run_with_ui

pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

# The demo character's set scene at 640x900 (64x90 sprites), its animation made into sprites by Render Sprites at
# sprite size in blender -b, the palette locked.
MAKE_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from render_sprites import load_addon
load_addon()
from character_scene import build_set_scene
scene = build_set_scene(resolution=(640, 900), output=Path({renders!r}))
scene.pixel_sprites.render_at_sprite_size = True
scene.pixel_sprites.pivot_object = bpy.data.objects["character"]
scene.pixel_sprites.directions = 8
bpy.ops.pixel_sprites.render_sprites()
scene.pixel_sprites.palette_locked = True
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""

DRIVE = """
import sys, time
import numpy as np
sys.path.insert(0, {scripts!r})
import bpy
from render_sprites import load_addon
load_addon()
from pixel_sprites.blender import preview, preview_image
from pixel_sprites.engine.frames.downscale import read_frame

SPRITES = {sprites!r}
SAVED = {saved!r}
updates = []
update = preview.update


def counted(scene):
    updates.append(scene.frame_current)
    return update(scene)


preview.update = counted
steps = []
deadline = time.time() + 100


def say(*words):
    print(*words, flush=True)


def settings_of(scene):
    render = scene.render
    pivot = bpy.data.objects["character"]
    return (render.resolution_x, render.resolution_y, render.filepath, render.filter_size,
            tuple(pivot.delta_rotation_euler), scene.frame_current)


def step(function):
    steps.append(function)
    return function


def wait_for_updates(count, settle=0.6):
    # True once `count` updates ran and no other followed for `settle` seconds: an update that asked for
    # another (its own changes heard as edits) shows as a count that keeps growing.
    if len(updates) < count:
        return False
    time.sleep(settle)
    bpy.app.timers  # noqa
    return True


state = {{"phase": 0, "since": time.time()}}


def drive():
    scene = bpy.context.scene
    phase = state["phase"]
    if time.time() > deadline:
        say("TIMEOUT in phase", phase, "updates", updates)
        bpy.ops.wm.quit_blender()
        return None
    if phase == 0:
        say("BACKGROUND", bpy.app.background)
        say("IMAGE_WHILE_OFF", bpy.data.images.get(preview_image.PREVIEW_IMAGE) is not None)
        state["before"] = settings_of(scene)
        state["dirty"] = bpy.data.is_dirty
        scene.pixel_sprites.preview_quality = "EXACT"
        scene.pixel_sprites.live_preview = True
        state["phase"], state["since"] = 1, time.time()
        return 0.05
    if phase == 1:  # the first update, then a frame change
        if not updates:
            return 0.05
        if time.time() - state["since"] < 1.0:
            return 0.05
        say("UPDATES_AFTER_START", len(updates))
        state["count"] = len(updates)
        scene.frame_set(3)
        say("UPDATED_IN_THE_FRAME_CHANGE", len(updates) - state["count"])
        state["phase"], state["since"] = 2, time.time()
        return 0.05
    if phase == 2:
        if len(updates) == state["count"] or time.time() - state["since"] < 1.0:
            return 0.05
        say("UPDATES_AFTER_FRAME_CHANGE", len(updates) - state["count"], "FRAME", updates[-1])
        shown = preview.state(scene)
        image = bpy.data.images.get(preview_image.PREVIEW_IMAGE)
        pixels = preview_image.image_pixels(image)
        written = read_frame(SPRITES + "/0003.png").rgba
        say("STATUS", shown.status)
        say("EXACT_EQUAL", pixels.shape == written.shape and bool(np.array_equal(pixels, written)))
        say("SCENE_GIVEN_BACK", settings_of(scene) == (*state["before"][:-1], 3))
        say("DIRTY_UNCHANGED", bpy.data.is_dirty == state["dirty"])
        window = bpy.context.window_manager.windows[0]
        view = next(area for area in window.screen.areas if area.type == "VIEW_3D")
        with bpy.context.temp_override(window=window, area=view):
            bpy.ops.pixel_sprites.preview_show_image()
        say("IMAGE_EDITOR_SHOWS", any(
            area.type == "IMAGE_EDITOR" and area.spaces.active.image == image
            for each in bpy.context.window_manager.windows for area in each.screen.areas
        ))
        state["count"] = len(updates)
        scene.pixel_sprites.preview_facing = "E"
        state["phase"], state["since"] = 3, time.time()
        return 0.05
    if phase == 3:
        if len(updates) == state["count"] or time.time() - state["since"] < 1.0:
            return 0.05
        say("UPDATES_AFTER_FACING", len(updates) - state["count"])
        say("FACING_GIVEN_BACK", settings_of(scene) == (*state["before"][:-1], 3))
        say("FACING_STATUS", preview.state(scene).status)
        bpy.ops.wm.save_as_mainfile(filepath=SAVED)
        bpy.ops.wm.open_mainfile(filepath=SAVED)
        state["count"] = len(updates)
        state["phase"], state["since"] = 4, time.time()
        return 0.05
    if phase == 4:
        if len(updates) == state["count"]:
            return 0.05
        say("STARTED_AGAIN_ON_OPEN", bpy.data.images.get(preview_image.PREVIEW_IMAGE) is not None)
        bpy.context.scene.pixel_sprites.live_preview = False
        say("IMAGE_AFTER_OFF", bpy.data.images.get(preview_image.PREVIEW_IMAGE) is not None)
        bpy.ops.wm.quit_blender()
        return None


bpy.app.timers.register(drive, first_interval=0.5, persistent=True)
"""


@pytest.fixture(scope="module")
def preview_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("preview_ui")
    blend = folder / "scene.blend"
    renders = folder / "renders"
    code = MAKE_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(renders), blend=str(blend))
    made = blender("--python-expr", code)
    assert blend.is_file(), made.stdout[-3000:] + made.stderr[-3000:]
    sprites = renders / "sprite_size" / "sprites"
    assert (sprites / "0003.png").is_file(), made.stdout[-3000:]
    script = folder / "drive.py"
    script.write_text(
        DRIVE.format(scripts=str(ROOT / "scripts"), sprites=str(sprites), saved=str(folder / "saved.blend"))
    )
    stdout, stderr = run_with_ui(blend, script, timeout=150)
    assert "TIMEOUT" not in stdout, stdout[-3000:] + stderr[-3000:]
    return stdout


def _said(output: str, key: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(key + " ")]
    assert lines, f"no {key} line in:\n{output[-3000:]}"
    return lines[-1][len(key) + 1 :]


def test_exact_with_a_ui_is_the_sprite_render_sprites_wrote(preview_run: str) -> None:
    assert _said(preview_run, "EXACT_EQUAL") == "True", _said(preview_run, "STATUS")
    assert "64×90" in _said(preview_run, "STATUS")
    assert _said(preview_run, "IMAGE_EDITOR_SHOWS") == "True"


def test_one_change_makes_one_update_and_its_own_changes_none(preview_run: str) -> None:
    assert _said(preview_run, "UPDATES_AFTER_START") == "1"
    assert _said(preview_run, "UPDATES_AFTER_FRAME_CHANGE") == "1 FRAME 3"
    # A frame change by hand is previewed in its handler, before Blender draws the frame: one redraw, not two.
    assert _said(preview_run, "UPDATED_IN_THE_FRAME_CHANGE") == "1"
    assert _said(preview_run, "UPDATES_AFTER_FACING") == "1"


def test_the_scene_and_the_files_modified_state_are_left_as_they_were(preview_run: str) -> None:
    assert _said(preview_run, "SCENE_GIVEN_BACK") == "True"
    assert _said(preview_run, "FACING_GIVEN_BACK") == "True"
    assert _said(preview_run, "DIRTY_UNCHANGED") == "True"
    assert " · E · " in _said(preview_run, "FACING_STATUS")


def test_the_preview_starts_again_with_its_file_and_leaves_no_image_when_off(preview_run: str) -> None:
    assert _said(preview_run, "IMAGE_WHILE_OFF") == "False"
    assert _said(preview_run, "STARTED_AGAIN_ON_OPEN") == "True"
    assert _said(preview_run, "IMAGE_AFTER_OFF") == "False"
