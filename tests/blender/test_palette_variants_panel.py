"""Palette variants from Blender: the batch script's --variant fills the panel's list (Output > Palette Variants),
and Render Sprite Set then writes every variant file beside the set's sheets (the engine's own tests read them
with Phaser, Godot, ase-parser and aseprite-reader)."""

from __future__ import annotations

import json

import bpy
import numpy as np
import render_sprites
from character_scene import build_set_scene
from PIL import Image

from pixel_sprites.engine import read_palette
from pixel_sprites.engine.palette.files import palette_text


def test_render_sprite_set_writes_the_variants_of_the_panel_list(tmp_path):
    scene = build_set_scene(output=tmp_path / "renders")
    settings = scene.pixel_sprites
    settings.directions = 2
    settings.set_actions.add().action = bpy.data.actions["idle"]
    assert hasattr(bpy.types, "PIXEL_SPRITES_UL_variants")
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    sprites = tmp_path / "renders" / "sprites"
    palette = read_palette(sprites / "character.gpl")
    inverted = type(palette)(255 - palette.colors)
    (tmp_path / "inverted.hex").write_text(palette_text(inverted, ".hex"))

    args = render_sprites.parse(["--variant", f"Inverted Team={tmp_path / 'inverted.hex'}"])
    render_sprites.apply_set_options(settings, args)
    assert [(item.name, item.file) for item in settings.palette_variants] == [
        ("Inverted Team", str(tmp_path / "inverted.hex"))
    ]
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    assert "Error" not in settings.last_summary, settings.last_summary

    sheets = sprites / "sheets"
    for suffix in (".png", ".json", ".tres", ".aseprite"):
        assert (sheets / f"idle.Inverted_Team{suffix}").is_file(), suffix
    base = np.asarray(Image.open(sheets / "idle.png").convert("RGBA")).astype(int)
    variant = np.asarray(Image.open(sheets / "idle.Inverted_Team.png").convert("RGBA")).astype(int)
    opaque = base[..., 3] > 0
    assert np.array_equal(variant[..., 3], base[..., 3])
    assert np.array_equal(variant[opaque][:, :3], 255 - base[opaque][:, :3])
    assert (sheets / "idle_index.png").is_file() and (sheets / "character_palette_swap.gdshader").is_file()
    manifest = json.loads((sprites / "character.set.json").read_text())
    assert manifest["variants"] == [{"name": "Inverted Team", "file": str(tmp_path / "inverted.hex")}]

    render_sprites.apply_set_options(settings, render_sprites.parse(["--no-variants"]))
    assert len(settings.palette_variants) == 0
