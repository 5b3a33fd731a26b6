"""The live preview's EXACT quality, through the function the panel calls (``preview.finished_sprite``): the very
sprite Render Sprites writes for the frame with Render at Sprite Size on, and the scene left as it was."""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np
import pytest
from character_scene import build_set_scene
from PIL import Image

from pixel_sprites.blender import preview, preview_image

# The frame of the demo character's set scene that is compared, and the scene's own frames.
FRAME = 3


def _render_settings(scene: bpy.types.Scene) -> tuple[object, ...]:
    render = scene.render
    return (
        render.resolution_x, render.resolution_y, render.resolution_percentage, render.filepath, render.filter_size,
        scene.display.render_aa, render.image_settings.file_format, scene.frame_current,
    )  # fmt: skip


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def rendered_set_scene(tmp_path: Path) -> bpy.types.Scene:
    """The demo character at 640x900 (64x90 sprites), its animation rendered by Render Sprites at sprite size,
    and its palette locked."""
    scene = build_set_scene(resolution=(640, 900), output=tmp_path / "renders")
    settings = scene.pixel_sprites
    settings.render_at_sprite_size = True
    settings.outline = "outer"
    bpy.ops.pixel_sprites.render_sprites()
    settings.palette_locked = True
    settings.preview_quality = "EXACT"
    return scene


def test_exact_is_the_sprite_render_sprites_wrote(rendered_set_scene: bpy.types.Scene, tmp_path: Path) -> None:
    scene = rendered_set_scene
    written = tmp_path / "renders" / "sprite_size" / "sprites" / f"{FRAME:04d}.png"
    assert written.is_file(), _files(tmp_path)
    files_before, settings_before = _files(tmp_path), _render_settings(scene)
    scene.frame_set(FRAME)
    sprite = preview.finished_sprite(scene)
    expected = np.asarray(Image.open(written).convert("RGBA"))
    assert sprite.rgba.shape == (90, 64, 4)
    assert (sprite.rgba[:, :, 3] == 255).sum() > 500  # the character, not an empty frame
    np.testing.assert_array_equal(sprite.rgba, expected)
    assert sprite.palette.source == "locked"
    # Nothing written beside the renders or sprites, and the render settings given back.
    assert _files(tmp_path) == files_before
    settings_before = (*settings_before[:-1], FRAME)
    assert _render_settings(scene) == settings_before


def test_a_facing_turns_the_pivot_for_the_preview_only(rendered_set_scene: bpy.types.Scene) -> None:
    scene = rendered_set_scene
    settings = scene.pixel_sprites
    settings.directions, settings.mirror = 8, True
    pivot = bpy.data.objects["character"]
    settings.pivot_object = pivot
    before = (tuple(pivot.delta_rotation_euler), tuple(pivot.delta_rotation_quaternion))
    scene.frame_set(FRAME)
    front = preview.finished_sprite(scene).rgba
    settings.preview_facing = "E"
    east = preview.finished_sprite(scene).rgba
    settings.preview_facing = "W"  # mirrored from E: the flip of E's sprite
    west = preview.finished_sprite(scene).rgba
    assert (tuple(pivot.delta_rotation_euler), tuple(pivot.delta_rotation_quaternion)) == before
    assert not np.array_equal(front, east)
    np.testing.assert_array_equal(west, east[:, ::-1])


def test_an_update_shows_the_sprite_in_the_preview_image(rendered_set_scene: bpy.types.Scene) -> None:
    scene = rendered_set_scene
    scene.frame_set(FRAME)
    assert bpy.data.images.get(preview_image.PREVIEW_IMAGE) is None  # Live Preview off: no preview image
    scene.pixel_sprites.live_preview = True
    shown = preview.update(scene)
    assert shown.sprite is not None, shown.status
    image = bpy.data.images[preview_image.PREVIEW_IMAGE]
    assert tuple(image.size) == (64, 90)
    np.testing.assert_array_equal(preview_image.image_pixels(image), shown.sprite.rgba)
    assert "64×90" in shown.status and "locked" in shown.status
    scene.pixel_sprites.live_preview = False
    assert bpy.data.images.get(preview_image.PREVIEW_IMAGE) is None


def test_a_locked_palette_missing_from_disk_is_said_in_the_status_line(tmp_path: Path) -> None:
    scene = build_set_scene(resolution=(160, 225), output=tmp_path / "renders")
    scene.pixel_sprites.palette_locked = True
    scene.pixel_sprites.preview_quality = "EXACT"
    shown = preview.update(scene)
    assert shown.sprite is None
    assert shown.status.startswith("Error: ") and "the palette is locked" in shown.status
