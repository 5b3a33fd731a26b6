"""Render Sprites in Debian's real Blender 3.4 with a UI on a virtual screen: a render job of Blender's own.

One Blender does it all, driven by a persistent timer on the main thread: Render Sprites at sprite size as the
panel's button calls it (``INVOKE_DEFAULT``), then the checks of a large job, which is not rendered. The script
prints what it saw; the assertions read that output and what is on disk. The Info editor's reports are read by
turning the timeline into an Info editor and copying them all to the clipboard (Blender 3.4 has no other way).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_blender_binary import BLENDER, ROOT, blender, run_with_ui, scene_file
from test_ui_cancel import only_line
from test_ui_queue import PRELUDE

__all__ = ["scene_file"]  # the fixture, imported for the test below

# Debian's binary is the same whichever bpy runs pytest: scripts/test.sh runs these once (-m debian_blender).
pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

# What the script waits for, at most; a UI attempt that outlives ATTEMPT_SECONDS has hung and is killed.
SCRIPT_SECONDS = 45
ATTEMPT_SECONDS = 75

# After PRELUDE.
RENDER_JOB = """
from bpy.app.handlers import persistent
from pixel_sprites.blender import job_outline, render_session

events = []
# With Normal Maps on, the add-on keeps the compositor set up for renders it does not start (normal_standby): the
# scene's state is read once that has settled, before Render Sprites and after it.
SETTLE_SECONDS = 1.5


@persistent
def note(scene, *_):
    events.append("complete")
    say("RENDER COMPLETE")


bpy.app.handlers.render_complete.append(note)


def state():
    scene = bpy.context.scene
    render = scene.render
    nodes = len(scene.node_tree.nodes) if scene.node_tree else 0
    return (
        render.resolution_x, render.resolution_y, render.resolution_percentage, render.filepath,
        round(render.filter_size, 4), round(scene.cycles.filter_width, 4),
        scene.use_nodes, nodes, scene.view_layers[0].use_pass_normal,
    )


def window_area(kind):
    window = bpy.context.window_manager.windows[0]
    return window, next(area for area in window.screen.areas if area.type == kind)


def press(operator, mode="INVOKE_DEFAULT"):
    window, area = window_area("VIEW_3D")
    with bpy.context.temp_override(window=window, area=area):
        try:
            return operator(mode)
        except RuntimeError as error:
            return f"RuntimeError: {error}"


def info_reports():
    window, area = window_area("INFO")
    region = next(region for region in area.regions if region.type == "WINDOW")
    bpy.context.window_manager.clipboard = ""
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.info.select_all(action="SELECT")
        bpy.ops.info.report_copy()
    return bpy.context.window_manager.clipboard.splitlines()


@timed
def drive():
    global step
    scene = bpy.context.scene
    if step == "start":
        say("BACKGROUND", bpy.app.background)
        window, timeline = window_area("DOPESHEET_EDITOR")
        timeline.type = "INFO"
        scene.pixel_sprites.render_at_sprite_size = scene.pixel_sprites.normal_maps = True
        step = "press"
        return SETTLE_SECONDS
    if step == "press":
        say("STATE BEFORE:", state())
        say("PRESS SPRITES:", press(bpy.ops.pixel_sprites.render_sprites))
        say("JOB RUNNING ON RETURN:", bpy.app.is_job_running("RENDER"))
        say("COMPLETE BEFORE RETURN:", "complete" in events)
        say("STATE DURING:", state())
        step = "render"
        return 0.05
    if step == "render":
        if bpy.app.is_job_running("RENDER") or jobs.status() is not None or not scene.pixel_sprites.last_summary:
            return 0.05
        say("SUMMARY:", repr(scene.pixel_sprites.last_summary))
        step = "after"
        return SETTLE_SECONDS
    if step == "after":
        say("STATE AFTER:", state())
        for line in info_reports():
            say("INFO REPORT", line)
        scene.frame_end = 600
        say("SPRITES RENDERS:", job_outline.render_sprites(scene).renders)
        say("PRESS LARGE SPRITES:", press(bpy.ops.pixel_sprites.render_sprites))
        say("LARGE SPRITES RUNNING:", bpy.app.is_job_running("RENDER"))
        settings = scene.pixel_sprites
        settings.pivot_object, settings.directions = bpy.data.objects["character"], 4
        say("SET RENDERS:", job_outline.render_set(scene).renders)
        say("PRESS LARGE SET:", press(bpy.ops.pixel_sprites.render_set))
        say("LARGE SET RUNNING:", render_session.current is not None, bpy.app.is_job_running("RENDER"))
        # Called from Python it asks nothing and renders: no camera makes it fail at once, and give the scene back.
        scene.pixel_sprites.normal_maps = False
        bpy.data.objects.remove(bpy.data.objects["camera"])
        say("CALL SPRITES FROM PYTHON:", press(bpy.ops.pixel_sprites.render_sprites, "EXEC_DEFAULT"))
        say("STATE AFTER FAILURE:", state())
        step = "end"
        return 0.5
    say("COMPLETES:", len(events))
    return finish("END")


bpy.app.timers.register(drive, first_interval=0.5, persistent=True)
"""


def test_render_sprites_with_a_ui_is_a_render_job_that_gives_the_scene_back_and_reports_once(
    scene_file: Path, tmp_path: Path
) -> None:
    script = tmp_path / "render_job.py"
    script.write_text(PRELUDE.format(scripts=str(ROOT / "scripts"), seconds=SCRIPT_SECONDS) + RENDER_JOB)
    stdout, stderr = run_with_ui(scene_file, script, ATTEMPT_SECONDS)
    context = stdout[-4000:] + stderr[-4000:]
    assert "TIMEOUT" not in stdout, context
    assert "END" in stdout.splitlines(), context

    # The operator returned with Blender's render job running and no frame rendered: the UI was not held.
    assert only_line(stdout, "PRESS SPRITES:") == "{'FINISHED'}", context
    assert "Info: Rendering 8 frames; the sprites follow" in stdout, context
    assert only_line(stdout, "JOB RUNNING ON RETURN:") == "True", context
    assert only_line(stdout, "COMPLETE BEFORE RETURN:") == "False", context
    assert stdout.index("JOB RUNNING ON RETURN:") < stdout.index("RENDER COMPLETE"), context
    # At sprite size, writing the normal frames through the compositor, for the whole job; given back afterwards.
    before = only_line(stdout, "STATE BEFORE:")
    width, height, percentage, filepath, *_, nodes, normal_pass = ast.literal_eval(only_line(stdout, "STATE DURING:"))
    assert (width, height, percentage, normal_pass) == (16, 22, 100, True), context
    assert filepath.endswith("sprite_size/") and nodes > 0, context
    assert only_line(stdout, "STATE AFTER:") == before, context
    renders = tmp_path / "renders" / "sprite_size"
    assert len(list((renders / "normals").glob("000?.png"))) == 8
    assert len(list((renders / "sprites").glob("000?.png"))) == 8
    assert len(list((renders / "sprites" / "normals").glob("000?.png"))) == 8
    summary = only_line(stdout, "SUMMARY:")[1:-1]
    assert summary.startswith("8/8 sprites"), context
    # The summary reached the Info editor (and with it the status bar), once.
    reports = [line for line in stdout.splitlines() if line.startswith("INFO REPORT ")]
    assert [line for line in reports if "8/8 sprites" in line] == [f"INFO REPORT Pixel Sprites: {summary}"], context

    # A job of more than 500 renders asks first, and renders nothing until it is confirmed.
    assert only_line(stdout, "SPRITES RENDERS:") == "600", context
    assert only_line(stdout, "PRESS LARGE SPRITES:") == "{'INTERFACE'}", context
    assert only_line(stdout, "LARGE SPRITES RUNNING:") == "False", context
    assert int(only_line(stdout, "SET RENDERS:")) > 500, context
    assert only_line(stdout, "PRESS LARGE SET:") == "{'INTERFACE'}", context
    assert only_line(stdout, "LARGE SET RUNNING:") == "False False", context
    # From Python it asks nothing: it tried to render, failed to start, and gave the scene back.
    assert "No camera found in scene" in only_line(stdout, "CALL SPRITES FROM PYTHON:"), context
    render_settings = ast.literal_eval(before)[:6]  # the compositor is Normal Maps' (now off), not this run's
    assert ast.literal_eval(only_line(stdout, "STATE AFTER FAILURE:"))[:6] == render_settings, context
    assert only_line(stdout, "COMPLETES:") == "1", context


def test_render_sprites_in_background_mode_writes_normal_maps_at_sprite_size(scene_file: Path, tmp_path: Path) -> None:
    """``blender -b`` renders here and now, as it always has; the normal frames go beside the sprite-size frames."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r})\n"
        "import bpy\nfrom render_sprites import load_addon\nload_addon()\n"
        "settings = bpy.context.scene.pixel_sprites\n"
        "settings.render_at_sprite_size = settings.normal_maps = True\nbpy.context.scene.frame_end = 2\n"
        "print('RENDER SPRITES:', bpy.ops.pixel_sprites.render_sprites('INVOKE_DEFAULT'))\n"
    )
    result = blender(str(scene_file), "--python-expr", code)
    assert "RENDER SPRITES: {'FINISHED'}" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    renders = tmp_path / "renders" / "sprite_size"
    assert sorted(path.name for path in (renders / "sprites" / "normals").glob("*.png")) == ["0001.png", "0002.png"]
    assert not (renders / "sprite_size").exists()
