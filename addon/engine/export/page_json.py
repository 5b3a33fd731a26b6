"""The JSON beside each sheet page: Aseprite's export ("hash"), read by Phaser and PixiJS.

A packed page's frames are trimmed: ``frame`` is the rectangle on the page, ``spriteSourceSize`` where those
pixels lie in the full sprite, ``sourceSize`` the full sprite, and ``trimmed`` is written on every frame
(Phaser takes a missing one as false, PixiJS as true). ``pivot`` and ``anchor`` stay normalised to the full
sprite, so they equal the fixed-cell values.

Where the set has game data (``SpriteSet.rig``), ``meta.slices`` holds a slice per point and per box after the
``pivot`` slice, with a key per frame of the page (:mod:`.aseprite_slices`), and, where In Place took the root
motion out, each frame's entry its ``rootMotion`` (sprite pixels moved since the action's first frame). Without,
the JSON is as it was before there was game data.
"""

from __future__ import annotations

from ..options import VERSION
from ..sets.manifest import SpriteSet
from ..sets.rig import FrameRig
from .aseprite_slices import pivot_slice, rig_slices
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
    rig = sprite_set.rig
    frame_rigs = [rig.for_sprite(cell.sprite) if rig is not None else None for cell in page.cells]
    in_place = rig is not None and rig.in_place
    frames = {
        str(index): _frame(cell, width, height, anchor, frame_rig if in_place else None)
        for index, (cell, frame_rig) in enumerate(zip(page.cells, frame_rigs, strict=True))
    }
    tags = [
        {"name": placed.name, "from": placed.first, "to": placed.last, "direction": "forward"}
        for placed in page.animations
    ]
    animations = {
        placed.name: [str(index) for index in range(placed.first, placed.last + 1)] for placed in page.animations
    }
    slices = [pivot_slice((width, height), (pivot_x, pivot_y)), *rig_slices(rig, frame_rigs)]
    meta: dict[str, object] = {
        "app": "Pixel Sprites",
        "version": VERSION,
        "image": image_name,
        "format": image_format,
        "size": {"w": page.width, "h": page.height},
        "scale": "1",
        "frameTags": tags,
        "layers": [{"name": "sprites", "opacity": 255, "blendMode": "normal"}],
        "slices": [piece.to_json() for piece in slices],
    }
    if normal_map is not None:
        meta["normalMap"] = normal_map
    return {"frames": frames, "animations": animations, "meta": meta}


def _frame(
    cell: Cell, width: int, height: int, anchor: dict[str, float], frame_rig: FrameRig | None
) -> dict[str, object]:
    """A frame's entry; with ``frame_rig`` (In Place only) its root motion, where the frame has some."""
    trim = cell.trim
    shown = (width, height) if trim is None else (trim.width, trim.height)
    offset = (0, 0) if trim is None else (trim.x, trim.y)
    entry: dict[str, object] = {
        "frame": {"x": cell.x, "y": cell.y, "w": shown[0], "h": shown[1]},
        "rotated": False,
        "trimmed": trim is not None,
        "spriteSourceSize": {"x": offset[0], "y": offset[1], "w": shown[0], "h": shown[1]},
        "sourceSize": {"w": width, "h": height},
        "pivot": anchor,
        "anchor": anchor,
        "duration": cell.duration_ms,
    }
    if frame_rig is not None and frame_rig.root_motion is not None:
        entry["rootMotion"] = {"x": frame_rig.root_motion.x, "y": frame_rig.root_motion.y}
    return entry
