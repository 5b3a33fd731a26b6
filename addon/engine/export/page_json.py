"""The JSON beside each sheet page: Aseprite's export ("hash"), read by Phaser and PixiJS.

A packed page's frames are trimmed: ``frame`` is the rectangle on the page, ``spriteSourceSize`` where those
pixels lie in the full sprite, ``sourceSize`` the full sprite, and ``trimmed`` is written on every frame
(Phaser takes a missing one as false, PixiJS as true). ``pivot`` and ``anchor`` stay normalised to the full
sprite, so they equal the fixed-cell values.
"""

from __future__ import annotations

from ..options import VERSION
from ..sets.manifest import SpriteSet
from .layout import Cell, Page


def page_json(
    page: Page, image_name: str, image_format: str, sprite_set: SpriteSet, *, normal_map: str | None = None
) -> dict[str, object]:
    """Aseprite's JSON export ("hash", keyed by frame index) with TexturePacker's pivot and PixiJS's animations;
    ``normal_map`` names the page's normal sheet in ``meta.normalMap``, as TexturePacker does."""
    width, height = sprite_set.sprite_size
    pivot_x, pivot_y = sprite_set.pivot_pixel
    # Normalised as TexturePacker writes it (Phaser reads "pivot", PixiJS "anchor"): the centre of the pivot pixel.
    anchor = {"x": round((pivot_x + 0.5) / width, 6), "y": round((pivot_y + 0.5) / height, 6)}
    frames = {str(index): _frame(cell, width, height, anchor) for index, cell in enumerate(page.cells)}
    tags = [
        {"name": placed.name, "from": placed.first, "to": placed.last, "direction": "forward"}
        for placed in page.animations
    ]
    animations = {
        placed.name: [str(index) for index in range(placed.first, placed.last + 1)] for placed in page.animations
    }
    pivot_slice = {
        "name": "pivot",
        "color": "#0000ffff",
        "keys": [
            {"frame": 0, "bounds": {"x": 0, "y": 0, "w": width, "h": height}, "pivot": {"x": pivot_x, "y": pivot_y}}
        ],
    }
    meta: dict[str, object] = {
        "app": "Pixel Sprites",
        "version": VERSION,
        "image": image_name,
        "format": image_format,
        "size": {"w": page.width, "h": page.height},
        "scale": "1",
        "frameTags": tags,
        "layers": [{"name": "sprites", "opacity": 255, "blendMode": "normal"}],
        "slices": [pivot_slice],
    }
    if normal_map is not None:
        meta["normalMap"] = normal_map
    return {"frames": frames, "animations": animations, "meta": meta}


def _frame(cell: Cell, width: int, height: int, anchor: dict[str, float]) -> dict[str, object]:
    trim = cell.trim
    shown = (width, height) if trim is None else (trim.width, trim.height)
    offset = (0, 0) if trim is None else (trim.x, trim.y)
    return {
        "frame": {"x": cell.x, "y": cell.y, "w": shown[0], "h": shown[1]},
        "rotated": False,
        "trimmed": trim is not None,
        "spriteSourceSize": {"x": offset[0], "y": offset[1], "w": shown[0], "h": shown[1]},
        "sourceSize": {"w": width, "h": height},
        "pivot": anchor,
        "anchor": anchor,
        "duration": cell.duration_ms,
    }
