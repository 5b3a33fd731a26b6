"""The EXACT preview: the current frame rendered at sprite size, as Render Sprites renders it with Render at Sprite
Size on, into a temporary folder outside the project, and read back.

The render is written and read back because Blender 3.4's Render Result gives Python no pixels; the file is the
same PNG Render Sprites writes, so the preview starts from the very pixels the sprite does. The render handlers
hear of it through ``render_session.preview_renders`` and start no sprite job for it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import bpy
import numpy as np
from numpy.typing import NDArray

from ..engine.errors import FrameError
from ..engine.frames.downscale import read_frame
from . import render_session
from .render_size import sprite_size_render_settings, temporarily


def render_sprite_size(scene: bpy.types.Scene) -> NDArray[np.uint8]:
    """The current frame of ``scene`` rendered at sprite size with its engine: RGBA, top row first.

    Raises
    ------
    RuntimeError
        If the render fails (no camera, an engine error) or writes no readable PNG.
    """
    with tempfile.TemporaryDirectory(prefix="pixel-sprites-preview-") as folder:
        render_session.preview_renders.add(scene.name)
        image_settings = scene.render.image_settings
        # PNG is what Render Sprites needs (any other format is refused there). A format change may reset the
        # colour mode and depth: they are given back after the format, which is restored first.
        png = [
            (image_settings, "color_mode", image_settings.color_mode),
            (image_settings, "color_depth", image_settings.color_depth),
            (image_settings, "file_format", "PNG"),
            (scene.render, "filepath", str(Path(folder) / "preview_")),
        ]
        try:
            with sprite_size_render_settings(scene), temporarily(png):
                bpy.ops.render.render(write_still=True, scene=scene.name)
        finally:
            render_session.preview_renders.discard(scene.name)
        written = sorted(Path(folder).glob("*.png"))  # a still is saved without the frame's number
        if not written:
            raise RuntimeError("the preview render wrote no file")
        try:
            return read_frame(written[0]).rgba
        except FrameError as error:
            raise RuntimeError(f"the preview render cannot be read: {error.reason}") from error
