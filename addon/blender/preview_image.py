"""Where the live preview shows its sprite: the Image datablock ``Pixel Sprites Preview``, and an icon for the panel.

The image holds the sprite's own pixels at the sprite's size (an Image Editor shows it unfiltered). The panel's icon
is the sprite enlarged by whole pixels, since Blender draws an icon filtered: enlarged first, it stays crisp.
"""

from __future__ import annotations

import bpy
import numpy as np
from numpy.typing import NDArray

PREVIEW_IMAGE = "Pixel Sprites Preview"
# The icon's longer side is enlarged to at least this many pixels (by a whole factor).
ICON_PIXELS = 384

_icons: object | None = None  # a bpy.utils.previews collection, made when first needed (never in -b)


def _blender_pixels(rgba: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Blender's pixel order: bottom row first, floats in 0–1."""
    return (rgba[::-1].astype(np.float32) / 255.0).reshape(-1)


def show_in_image(rgba: NDArray[np.uint8]) -> bpy.types.Image:
    """``rgba`` (top row first) as the pixels of the preview image, made or resized to fit."""
    height, width = rgba.shape[:2]
    image = bpy.data.images.get(PREVIEW_IMAGE)
    if image is not None and (image.size[0], image.size[1]) != (width, height):
        image.scale(width, height)
    if image is None:
        image = bpy.data.images.new(PREVIEW_IMAGE, width, height, alpha=True)
        image.colorspace_settings.name = "sRGB"  # the sprite's bytes, shown as they are
    image.pixels.foreach_set(_blender_pixels(rgba))
    image.update()
    return image


def image_pixels(image: bpy.types.Image) -> NDArray[np.uint8]:
    """The image's pixels as a sprite holds them: RGBA bytes, top row first."""
    width, height = (int(side) for side in image.size)
    pixels = np.empty(width * height * 4, np.float32)
    image.pixels.foreach_get(pixels)
    return np.round(pixels.reshape(height, width, 4)[::-1] * 255).astype(np.uint8)


def remove_image() -> None:
    image = bpy.data.images.get(PREVIEW_IMAGE)
    if image is not None:
        bpy.data.images.remove(image)


def show_in_icon(key: str, rgba: NDArray[np.uint8]) -> int:
    """``rgba`` enlarged by whole pixels as the icon ``key``; its icon id for ``template_icon``."""
    global _icons
    import bpy.utils.previews  # not imported with bpy; the panel is never drawn in background mode

    if _icons is None:
        _icons = bpy.utils.previews.new()
    collection = _icons
    factor = max(1, -(-ICON_PIXELS // max(rgba.shape[:2])))
    enlarged = np.repeat(np.repeat(rgba, factor, axis=0), factor, axis=1)
    icon = collection.get(key) or collection.new(key)  # type: ignore[attr-defined]
    icon.image_size = (enlarged.shape[1], enlarged.shape[0])
    icon.image_pixels_float.foreach_set(_blender_pixels(enlarged))
    return int(icon.icon_id)


def remove_icons() -> None:
    global _icons
    if _icons is not None:
        import bpy.utils.previews

        bpy.utils.previews.remove(_icons)  # type: ignore[arg-type]
        _icons = None
