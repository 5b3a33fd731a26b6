"""Normal Maps for a render Blender starts itself (Render Animation, Ctrl F12), in Debian's real Blender 3.4 with a UI.

Its render handlers run on the render thread, where the compositor must not be changed, so the add-on keeps the
compositor ready from a main-thread timer while Normal Maps is on (``normal_standby``). The script turns Normal Maps
on, starts the render as the menu does, waits for the sprites, saves the file and prints what it saw; the
assertions read that output and the files on disk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_blender_binary import BLENDER, ROOT, run_with_ui, scene_file
from test_ui_queue import PRELUDE

__all__ = ["scene_file"]  # the fixture, imported for the test below

pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

SCRIPT_SECONDS = 60

RENDER_AS_THE_MENU_DOES = """
from pixel_sprites.blender import normal_pass

SAVED = {saved!r}
nodes_when_saved = []


def ours(tree):
    return [node.name for node in tree.nodes if node.name.startswith(normal_pass.NODE_NAME)] if tree else []


@bpy.app.handlers.persistent
def after_save(*_):
    nodes_when_saved.append(len(ours(bpy.context.scene.node_tree)))


bpy.app.handlers.save_post.append(after_save)


@timed
def drive():
    global step
    scene = bpy.context.scene
    if step == "start":
        say("BACKGROUND", bpy.app.background)
        scene.frame_end = 2
        scene.pixel_sprites.normal_maps = True
        step = "ready"
        return 1.0  # the add-on's timer sets the compositor up meanwhile
    if step == "ready":
        say("READY", scene.use_nodes, len(ours(scene.node_tree)))
        say("RENDER", bpy.ops.render.render("INVOKE_DEFAULT", animation=True))
        step = "rendering"
        return 0.2
    if step == "rendering":
        summary = scene.pixel_sprites.last_summary
        if bpy.app.is_job_running("RENDER") or jobs.status() is not None or not summary:
            return 0.2
        say("SUMMARY", repr(summary))
        bpy.ops.wm.save_as_mainfile(filepath=SAVED)
        say("SAVED WITH NODES", nodes_when_saved)
        step = "after save"
        return 1.0
    say("AFTER SAVE", len(ours(scene.node_tree)))
    return finish("END")


bpy.app.timers.register(drive, first_interval=0.5, persistent=True)
"""


def test_render_animation_from_the_menu_writes_normal_frames_and_normal_sprites(scene_file: Path, tmp_path: Path):
    script = tmp_path / "script.py"
    saved = tmp_path / "saved.blend"
    prelude = PRELUDE.format(scripts=str(ROOT / "scripts"), seconds=SCRIPT_SECONDS)
    script.write_text(prelude + RENDER_AS_THE_MENU_DOES.format(saved=str(saved)))
    stdout, stderr = run_with_ui(scene_file, script)
    lines = [line for line in stdout.splitlines() if line.split(" ")[0].isupper()]
    assert "BACKGROUND False" in lines and "END" in lines, stdout[-3000:] + stderr[-3000:]
    assert any(line.startswith("READY True") and not line.endswith(" 0") for line in lines), lines
    renders = tmp_path / "renders"
    for frame in ("0001.png", "0002.png"):
        colour = np.asarray(Image.open(renders / "sprites" / frame))
        normal = np.asarray(Image.open(renders / "sprites" / "normals" / frame))
        assert (renders / "normals" / frame).is_file()
        np.testing.assert_array_equal(normal[:, :, 3], colour[:, :, 3])  # the colour sprite's alpha
        opaque = colour[:, :, 3] > 0
        assert opaque.any() and not (normal[opaque][:, :3] == (128, 128, 255)).all()  # lit, not flat
    assert "SAVED WITH NODES [0]" in lines  # the saved file holds none of the add-on's nodes
    assert not any(line.startswith("AFTER SAVE 0") for line in lines)  # and they are back for the next render
