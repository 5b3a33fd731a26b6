"""Steady Colours on a farm (issue 31): sprites written as their frames arrived, without the frames before them
(another task rendered those), are what one run writes once the farm's sheets task has run."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import bpy
import numpy as np
from PIL import Image
from synthetic import distinct_colours, truth_frame

from pixel_sprites.engine import discover_frames
from pixel_sprites.engine.jobs.run import make_sprites


def _renders(folder: Path, count: int) -> list[Path]:
    """A still pose's renders that differ only in their noise: ``default/S/0001.png`` …, 160x240."""
    folder.mkdir(parents=True)
    base = truth_frame(distinct_colours(6, seed=2), shape=(24, 16), scale=10, noise=0, shading=0.15, seed=2).render
    rng = np.random.default_rng(0)
    paths = []
    for index in range(count):
        render = base.astype(np.float64)
        render[:, :, :3] += rng.normal(0, 4, (*render.shape[:2], 3))  # Cycles' noise at 16 samples: 3-5 levels
        paths.append(folder / f"{index + 1:04d}.png")
        Image.fromarray(np.clip(np.round(render), 0, 255).astype(np.uint8), "RGBA").save(paths[-1])
    return paths


def _pngs(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.png"))}


def test_the_sheets_task_writes_the_steadied_sprites_one_run_writes(tmp_path: Path) -> None:
    scene = bpy.context.scene
    settings = scene.pixel_sprites
    settings.directions, settings.stabilise = 1, True
    settings.auto_colors, settings.colors = False, 16  # more than the figure has: its shades fall between them
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 160, 240, 100
    renders = tmp_path / "renders"
    frames = _renders(renders / "default" / "S", 12)
    assert bpy.ops.pixel_sprites.farm_fit(renders=str(renders)) == {"FINISHED"}
    job = settings.sprite_job(renders, root=renders)
    palette = job.output / f"{job.palette_name}.gpl"
    reference = tmp_path / "one_run"
    make_sprites(replace(job, output=reference, palette_mode="file", palette_file=palette), [renders])

    # Sprites per frame on two render tasks: the second chunk's frames arrived before the first chunk's.
    first = tmp_path / "first_chunk"
    first.mkdir()
    for path in frames[:6]:
        shutil.move(path, first / path.name)
    file_job = replace(job, palette_mode="file", palette_file=palette)
    for path in frames[6:]:
        make_sprites(file_job, [path])
    for path in frames[:6]:
        shutil.move(first / path.name, path)
        make_sprites(file_job, [path])
    sprites = job.output / "default"
    wanted = _pngs(reference / "default")
    assert len(wanted) == 12 and _pngs(sprites) != wanted  # the first sprites of the second chunk looked back on none

    assert bpy.ops.pixel_sprites.farm_sheets(renders=str(renders)) == {"FINISHED"}
    assert _pngs(sprites) == wanted
    assert len(discover_frames([renders], exclude=[job.output])) == 12  # the renders are as they were


def test_with_the_option_off_the_sheets_task_leaves_the_sprites_alone(tmp_path: Path) -> None:
    scene = bpy.context.scene
    settings = scene.pixel_sprites
    settings.directions, settings.colors = 1, 10
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 160, 240, 100
    renders = tmp_path / "renders"
    frames = _renders(renders / "default" / "S", 4)
    assert bpy.ops.pixel_sprites.farm_fit(renders=str(renders)) == {"FINISHED"}
    job = settings.sprite_job(renders, root=renders)
    palette = job.output / f"{job.palette_name}.gpl"
    make_sprites(replace(job, palette_mode="file", palette_file=palette), frames[:2])
    before = _pngs(job.output / "default")
    assert bpy.ops.pixel_sprites.farm_sheets(renders=str(renders)) == {"FINISHED"}
    assert _pngs(job.output / "default") == before  # only the sheets were made: no sprite written again
