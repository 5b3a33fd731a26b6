"""Game data from the rig in Debian's real Blender 3.4: the batch script, frame-list renders and a render with a UI.

With a UI, render handlers run on the render thread and objects hidden from renders are not in the render's
depsgraph; the data must still be the same as in ``blender -b``, hidden boxes included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_blender_binary import (
    ROOT,
    addon_env,
    blender,
    run_with_ui,
    start_blender,
    summary_lines,
)

pytestmark = pytest.mark.debian_blender

# The set scene, its hat hidden from renders (a box is data, not a picture), its walk on the rig, saved.
RIG_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_set_scene
scene = build_set_scene(output=Path({renders!r}))
bpy.data.objects["hat"].hide_render = True
bpy.data.objects["rig"].animation_data.action = bpy.data.actions["walk"]
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""
GAME_DATA = (
    "import bpy; bpy.context.scene.pixel_sprites.set_game_data("
    "points='Hand=rig/arm_left/tail,marker', boxes='body,hat')"
)
FRAMES = [f"{frame:04d}.png" for frame in range(1, 5)]


@pytest.fixture
def rig_scene(tmp_path: Path) -> Path:
    blend = tmp_path / "rig.blend"
    code = RIG_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(tmp_path / "renders"), blend=str(blend))
    made = blender("--python-expr", code)
    assert blend.is_file(), made.stdout[-2000:] + made.stderr
    return blend


def rig_frames(renders: Path) -> dict[str, dict]:
    return json.loads((renders / "rig.json").read_text())["frames"]


def test_the_batch_script_puts_the_game_data_in_the_manifest_and_every_engine_file(rig_scene, tmp_path) -> None:
    result = blender(
        str(rig_scene), "--python", str(ROOT / "scripts" / "render_sprites.py"),
        "--", "--directions", "4", "--pivot-object", "character", "--actions", "walk", "--frame-step", "3",
        "--pixel", "4", "--sheets", "--points", "Hand=rig/arm_left/tail,marker", "--boxes", "body,hat",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert summary_lines(result.stdout)[-1].startswith("Pixel Sprites: 8/8 sprites"), result.stdout[-3000:]
    renders = tmp_path / "renders"
    expected = [f"walk/{facing}/{name}" for facing in "ENSW" for name in ("0001.png", "0004.png")]
    assert sorted(rig_frames(renders)) == expected
    rig = json.loads((renders / "sprites" / "character.set.json").read_text())["rig"]
    assert (rig["points"], rig["boxes"]) == (["Hand", "marker"], ["body", "hat"])
    for facing in "SENW":
        for name in ("0001.png", "0004.png"):
            frame = rig["frames"]["walk"][facing][name]
            assert set(frame["points"]) == {"Hand", "marker"}
            hat = frame["boxes"]["hat"]  # hidden from renders, there all the same, above the body
            assert hat is not None and hat["y"] + hat["h"] <= frame["boxes"]["body"]["y"] + 1, (facing, name)
    page = json.loads((renders / "sprites" / "sheets" / "walk.json").read_text())
    slices = {entry["name"]: entry for entry in page["meta"]["slices"]}
    assert {"Hand", "marker", "body", "hat"} <= set(slices)
    assert len(slices["hat"]["keys"]) == len(page["frames"]) == 8
    scene = (renders / "sprites" / "sheets" / "walk.tscn").read_text()
    assert '[node name="Hand" type="Marker2D"' in scene and '[node name="hat" type="Area2D"' in scene


def test_frame_list_renders_merge_their_frames_into_one_rig_json(rig_scene, tmp_path) -> None:
    env = addon_env(tmp_path)
    workers = [
        start_blender(str(rig_scene), "--addons", "pixel_sprites", "--python-expr", GAME_DATA, "-f", chunk, env=env)
        for chunk in ("1..2", "3..4")
    ]
    for worker in workers:
        output, errors = worker.communicate(timeout=600)
        assert worker.returncode == 0, output[-2000:] + errors[-2000:]
    frames = rig_frames(tmp_path / "renders")
    assert sorted(frames) == FRAMES
    for name in FRAMES:
        assert set(frames[name]["points"]) == {"Hand", "marker"} and frames[name]["boxes"]["hat"] is not None


WITH_UI_RENDER = """
import sys, time
sys.path.insert(0, {scripts!r})
import bpy
from render_sprites import load_addon
load_addon()
scene = bpy.context.scene
{game_data}
started = time.time()

def start():
    print("BACKGROUND", bpy.app.background)
    bpy.ops.render.render("INVOKE_DEFAULT", animation=True)

def check():
    summary = scene.pixel_sprites.last_summary
    if summary or time.time() - started > 240:  # 240 s: a hang guard only
        print("SUMMARY", summary)
        bpy.ops.wm.quit_blender()
        return None
    return 0.1

bpy.app.timers.register(start, first_interval=0.5)
bpy.app.timers.register(check, first_interval=0.6)
"""


def test_with_a_ui_the_data_is_that_of_blender_b_hidden_boxes_included(rig_scene, tmp_path) -> None:
    background = blender(
        str(rig_scene), "--addons", "pixel_sprites", "--python-expr", GAME_DATA, "-a", env=addon_env(tmp_path)
    )
    assert background.returncode == 0, background.stderr[-3000:]
    expected = rig_frames(tmp_path / "renders")
    (tmp_path / "renders" / "rig.json").unlink()

    script = tmp_path / "with_ui.py"
    script.write_text(WITH_UI_RENDER.format(scripts=str(ROOT / "scripts"), game_data=GAME_DATA.split("; ", 1)[1]))
    output = run_with_ui(rig_scene, script)[0]
    assert "SUMMARY 4/4 sprites" in output, output[-3000:]
    assert sorted(expected) == FRAMES
    assert rig_frames(tmp_path / "renders") == expected
