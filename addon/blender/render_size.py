"""Rendering directly at sprite resolution with the narrowest pixel filter.

Nearest-neighbour downscaling keeps one render pixel in a hundred at a block
size of 10; rendering only those pixels is far cheaper. The narrowest filter
keeps each sprite pixel a point sample, as the downscale would take it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bpy

from ..engine import sprite_shape

CYCLES_NARROWEST_FILTER = 0.01
# Small renders go to their own folder so they never replace full-size renders.
SPRITE_SIZE_FOLDER = "sprite_size"


def sprite_resolution(scene: bpy.types.Scene) -> tuple[int, int]:
    """(width, height) of the scene's sprites."""
    settings = scene.pixel_sprites
    render = scene.render
    frame = (
        render.resolution_y * render.resolution_percentage // 100,
        render.resolution_x * render.resolution_percentage // 100,
    )
    if settings.size_mode == "SIZE":
        height, width = sprite_shape(frame, size=(settings.width, settings.height))
    else:
        height, width = sprite_shape(frame, pixel=settings.pixel)
    return width, height


def sprite_size_changes(scene: bpy.types.Scene) -> list[tuple[Any, str, Any]]:
    width, height = sprite_resolution(scene)
    full_size_folder = Path(scene.render.frame_path(frame=scene.frame_start)).parent
    changes: list[tuple[Any, str, Any]] = [
        (scene.render, "filepath", str(full_size_folder / SPRITE_SIZE_FOLDER) + "/"),
        (scene.render, "resolution_x", width),
        (scene.render, "resolution_y", height),
        (scene.render, "resolution_percentage", 100),
        (scene.render, "filter_size", 0.0),  # EEVEE
        (scene.display, "render_aa", "OFF"),  # Workbench
    ]
    if getattr(scene, "cycles", None) is not None:
        changes.append((scene.cycles, "filter_width", CYCLES_NARROWEST_FILTER))
    return [(owner, name, value) for owner, name, value in changes if hasattr(owner, name)]


@contextmanager
def sprite_size_render_settings(scene: bpy.types.Scene) -> Iterator[None]:
    """Set the scene up to render at sprite size; the user's settings come back even if the render fails."""
    with temporarily(sprite_size_changes(scene)):
        yield


@contextmanager
def temporarily(changes: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Each ``(owner, name, value)`` set, and every one given back afterwards, whatever happened meanwhile."""
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in changes]
    try:
        for owner, name, value in changes:
            setattr(owner, name, value)
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)
