"""The Preview sub-panel's settings, a mixin of the scene's Pixel Sprites settings (``scene.pixel_sprites``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bpy

from ..engine import facings

AS_SET_UP = "AS_SET_UP"
PREVIEW_QUALITIES = [
    ("FAST", "Fast", "The scene drawn off-screen from the scene camera at sprite size, shaded as its engine shades"),
    (
        "EXACT",
        "Exact",
        "The frame rendered at sprite size with the scene's engine, as Render at Sprite Size renders it: the very "
        "sprite Render Sprites writes with that option on",
    ),
]

# Blender keeps no reference to the items a callback returns: they must outlive the call.
_facing_items: list[tuple[str, str, str]] = []


def facing_items(settings: Any, context: Any) -> list[tuple[str, str, str]]:
    """As set up, then every facing of the set (a mirrored one says whose flip it is)."""
    items = [(AS_SET_UP, "As Set Up", "The character as it stands in the scene, unturned")]
    try:
        listed = facings(settings.directions, start=settings.start_facing, mirror=settings.mirror)
    except ValueError:
        listed = []
    for facing in listed:
        mirrored = f", the mirror of {listed[facing.mirror_of].name}" if facing.mirror_of is not None else ""
        items.append((facing.name, facing.name, f"Turned {facing.angle:g}° as the set turns it{mirrored}"))
    _facing_items[:] = items
    return _facing_items


# Called with the scene when a setting of the preview changes: the live preview adds itself when it is registered
# (it imports this module, so this module cannot import it).
listeners: list[Callable[[Any], None]] = []


def _changed(settings: Any, context: Any) -> None:
    for listener in listeners:
        listener(context.scene if context is not None else None)


class PreviewSettings:
    """``live_preview``, ``preview_quality`` and ``preview_facing``: inherited by ``PIXEL_SPRITES_PG_settings``."""

    live_preview: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Live Preview",
        description=(
            "Show the current frame as the finished sprite in the image 'Pixel Sprites Preview', updated as the "
            "frame, the scene and these settings change. Nothing is written to disk"
        ),
        default=False,
        update=_changed,
    )
    preview_quality: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name="Quality", items=PREVIEW_QUALITIES, default="FAST", update=_changed
    )
    preview_facing: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name="Facing",
        description="The set's facing the preview shows: the pivot is turned for the preview only, and given back",
        items=facing_items,
        update=_changed,
    )
