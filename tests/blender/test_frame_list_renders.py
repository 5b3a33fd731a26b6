"""Frame-list renders (``-f``, as farms and scripts start Blender): each listed frame a render of its own, in one
Blender or in several side by side sharing one character; with a locked palette each sprite is written as its frame
arrives, and with Steady Colours they end as one run writes them (issue 31)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from test_blender_binary import addon_env, blender, pytestmark, scene_file, start_blender, summary_lines

from pixel_sprites.engine import read_palette

__all__ = ["pytestmark", "scene_file"]  # the module's marks and the fixture, shared with test_blender_binary

LOCKED_PALETTE = "GIMP Palette\n255 0 0\n0 0 255\n240 200 160\n20 20 20\n"
LOCK = "import bpy; bpy.context.scene.pixel_sprites.palette_locked = True"
STEADY_AND_LOCK = LOCK + "; bpy.context.scene.pixel_sprites.stabilise = True"
# A still pose whose renders differ in their noise alone (Cycles' seed follows the frame), and a palette of 16
# colours fitted over it: its shades fall between the colours, where noise makes sprites shimmer.
STILL = (
    "import bpy; [o.animation_data_clear() for o in bpy.data.objects]; "
    "bpy.context.scene.cycles.use_animated_seed = True; "
)
FIT = "settings = bpy.context.scene.pixel_sprites; settings.auto_colors, settings.colors = False, 16"
# One run of the scene's own job over every render, with the locked palette: what the sprites must end as.
ONE_RUN = """
import bpy
from dataclasses import replace
from pathlib import Path
from pixel_sprites.engine.jobs.run import make_sprites
settings = bpy.context.scene.pixel_sprites
settings.stabilise = True
renders = Path({renders!r})
job = replace(settings.sprite_job(renders), output=Path({out!r}), palette_mode="file", palette_file=Path({palette!r}))
make_sprites(job, [renders])
"""


def test_a_frame_list_render_makes_the_sprites_once(scene_file: Path, tmp_path: Path) -> None:
    """-f renders each listed frame as a render of its own; the sprites are made once, at the end."""
    result = blender(str(scene_file), "--addons", "pixel_sprites", "--render-frame", "1..6", env=addon_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert summary_lines(result.stdout) == [
        line for line in summary_lines(result.stdout) if line.startswith("Pixel Sprites: 6/6 sprites")
    ]
    assert len(summary_lines(result.stdout)) == 1
    sprites = tmp_path / "renders" / "sprites"
    assert sorted(path.name for path in sprites.glob("000?.png")) == [f"{frame:04d}.png" for frame in range(1, 7)]
    assert json.loads((sprites / "character.frames.json").read_text())["frames"][5]["sprite"] == "0006.png"


def test_concurrent_frame_list_renders_share_one_character_and_one_palette(scene_file: Path, tmp_path: Path) -> None:
    env = addon_env(tmp_path)
    workers = [
        start_blender(str(scene_file), "--addons", "pixel_sprites", "-f", chunk, env=env) for chunk in ("1..4", "5..8")
    ]
    for worker in workers:
        worker.communicate(timeout=600)
        assert worker.returncode == 0
    sprites = tmp_path / "renders" / "sprites"
    listed = json.loads((sprites / "character.frames.json").read_text())["frames"]
    assert sorted(entry["sprite"] for entry in listed) == [f"{frame:04d}.png" for frame in range(1, 9)]
    palette = {tuple(c) for c in read_palette(sprites / "character.gpl").colors.tolist()}
    for frame in range(1, 9):  # the last process to end refitted over all 8 frames and wrote every sprite
        sprite = np.asarray(Image.open(sprites / f"{frame:04d}.png"))
        assert {tuple(c) for c in sprite[sprite[:, :, 3] == 255][:, :3].tolist()} <= palette


def test_a_frame_list_render_with_a_locked_palette_makes_each_sprite_as_its_frame_is_written(
    scene_file: Path, tmp_path: Path
) -> None:
    env = addon_env(tmp_path)
    sprites = tmp_path / "renders" / "sprites"
    sprites.mkdir(parents=True)
    (sprites / "character.gpl").write_text(LOCKED_PALETTE)
    result = blender(str(scene_file), "--addons", "pixel_sprites", "--python-expr", LOCK, "-f", "1..3", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line.split(",")[0] for line in summary_lines(result.stdout)] == ["Pixel Sprites: 1/1 sprites"] * 3
    for frame in range(1, 4):
        sprite = np.asarray(Image.open(sprites / f"{frame:04d}.png"))
        colours = {tuple(c) for c in sprite[sprite[:, :, 3] == 255][:, :3].tolist()}
        assert colours <= {(255, 0, 0), (0, 0, 255), (240, 200, 160), (20, 20, 20)}


def test_steady_sprites_end_as_one_run_writes_them_when_later_frames_were_rendered_first(
    scene_file: Path, tmp_path: Path
) -> None:
    """Blenders render one locked character's still pose, the later frames first: each sprite is written as its
    frame arrives, frames 5-8 before the frames they look back on existed. Once the last Blender has ended, every
    sprite is what one run over the 8 renders writes with the palette."""
    env = addon_env(tmp_path)
    renders, sprites = tmp_path / "renders", tmp_path / "renders" / "sprites"
    fitted = blender(str(scene_file), "--addons", "pixel_sprites", "--python-expr", STILL + FIT, "-f", "1..8", env=env)
    assert fitted.returncode == 0, fitted.stderr[-3000:]
    palette = (sprites / "character.gpl").read_text()
    shutil.rmtree(renders)  # a new character with that palette, locked, and none of its frames rendered yet
    sprites.mkdir(parents=True)
    (sprites / "character.gpl").write_text(palette)
    for chunk, on_disk in (("5..8", 4), ("1..4", 8)):  # one after the other, so that the order is sure
        result = blender(str(scene_file), "--addons", "pixel_sprites", "--python-expr", STILL + STEADY_AND_LOCK,
                         "-f", chunk, env=env)  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        lines = summary_lines(result.stdout)
        assert [line.split(",")[0] for line in lines[:4]] == ["Pixel Sprites: 1/1 sprites"] * 4, lines
        assert lines[4].startswith(f"Pixel Sprites: {on_disk}/{on_disk} sprites"), lines  # all steadied again

    frames = sorted(renders.glob("*.png"))
    assert [path.name for path in frames] == [f"{frame:04d}.png" for frame in range(1, 9)]
    one_run = tmp_path / "one_run"
    code = ONE_RUN.format(renders=str(renders), out=str(one_run), palette=str(sprites / "character.gpl"))
    result = blender(str(scene_file), "--addons", "pixel_sprites", "--python-exit-code", "1", "--python-expr", code,
                     env=env)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for frame in frames:
        one = np.asarray(Image.open(one_run / frame.name))
        assert np.array_equal(np.asarray(Image.open(sprites / frame.name)), one), frame.name
