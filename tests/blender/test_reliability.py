"""The add-on keeps its promises: a locked palette stays locked, a moved project keeps one palette, bad settings
are refused before any work, and only Blender's own arguments say which frames a render lists."""

from __future__ import annotations

import shutil
import sys

import bpy
import numpy as np
import pytest
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites.blender import sprites as scene_sprites
from pixel_sprites.engine import read_palette


def sprite_colours(folder):
    colours = set()
    for path in folder.rglob("*.png"):
        if path.name.startswith(".") or path.stem == "character":
            continue
        pixels = np.asarray(Image.open(path).convert("RGBA"))
        colours |= {tuple(c) for c in pixels[pixels[:, :, 3] == 255][:, :3].tolist()}
    return colours


def process_folder(renders, sprites):
    settings = bpy.context.scene.pixel_sprites
    settings.source_folder, settings.output_folder = str(renders), str(sprites)
    settings.size_mode = "SIZE"
    settings.width, settings.height = 32, 45
    return bpy.ops.pixel_sprites.process()


def test_fit_palette_refuses_while_the_palette_is_locked(tmp_path):
    write_truth_set(tmp_path / "renders", 6, 3, seed=3)
    assert process_folder(tmp_path / "renders", tmp_path / "sprites") == {"FINISHED"}
    palette_file = tmp_path / "sprites" / "character.gpl"
    before = palette_file.read_bytes()
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"}
    settings = bpy.context.scene.pixel_sprites
    settings.auto_colors, settings.colors = False, 4

    assert not bpy.ops.pixel_sprites.fit_palette.poll()  # the button is greyed out
    with pytest.raises(RuntimeError):  # and a script calling it is refused
        bpy.ops.pixel_sprites.fit_palette()
    with pytest.raises(Exception, match="locked"):
        scene_sprites.start_fit(bpy.context.scene, tmp_path / "renders")
    assert palette_file.read_bytes() == before
    assert settings.palette_locked


def test_a_moved_project_keeps_one_palette_for_every_frame(tmp_path):
    project = tmp_path / "project"
    write_truth_set(project / "walk", 5, 3, seed=21)
    write_truth_set(project / "idle", 5, 3, seed=22)  # other colours: a dropped walk would show outside
    assert process_folder(project / "walk", project / "sprites") == {"FINISHED"}
    moved = tmp_path / "moved"
    shutil.move(project, moved)
    assert process_folder(moved / "idle", moved / "sprites") == {"FINISHED"}

    summary = bpy.context.scene.pixel_sprites.last_summary
    assert summary.startswith("6/6 sprites"), summary
    palette = {tuple(c) for c in read_palette(moved / "sprites" / "character.gpl").colors.tolist()}
    assert sprite_colours(moved / "sprites") <= palette
    listed = (moved / "sprites" / "character.frames.json").read_text()
    assert str(tmp_path) not in listed and "../walk/frame_0000.png" in listed


def test_a_nan_tolerance_is_refused_before_any_work(tmp_path):
    write_truth_set(tmp_path / "renders", 4, 2, seed=5)
    settings = bpy.context.scene.pixel_sprites
    settings.tolerance = float("inf")
    assert settings.tolerance == 50.0  # Blender clamps an infinity to the maximum; NaN it keeps
    settings.tolerance = float("nan")
    with pytest.raises(RuntimeError, match="--tolerance: expected a finite number"):
        process_folder(tmp_path / "renders", tmp_path / "sprites")
    assert not (tmp_path / "sprites").exists()


def test_sheets_refuse_an_aseprite_frame_longer_than_its_16_bit_duration():
    scene = bpy.context.scene
    scene.pixel_sprites.make_sheets = True
    scene.render.fps, scene.render.fps_base, scene.frame_step = 12, 1.0, 1000
    problem = scene_sprites.settings_problem(scene)
    assert problem is not None and "frame step 1000 at 12 fps" in problem and "65535 ms" in problem
    scene.frame_step = 10
    assert scene_sprites.settings_problem(scene) is None


def test_only_blenders_own_arguments_list_the_frames(monkeypatch):
    scene = bpy.context.scene
    scene.render.filepath = "//renders/"
    monkeypatch.setattr(sys, "argv", ["blender", "-b", "scene.blend", "-f", "1..3", "--", "-f", "9"])
    assert scene_sprites.last_listed_frame(scene).name == "0003.png"
    monkeypatch.setattr(sys, "argv", ["blender", "-b", "scene.blend", "-a", "--", "-f", "9"])
    assert scene_sprites.last_listed_frame(scene) is None
