"""Depth frames, for inner lines: a render's Z (Depth) pass as 16-bit grey PNGs, with the range it was mapped from.

Blender's compositor writes them into ``<renders>/depth/`` under the colour frames' names, each pixel
``(depth - near) / (far - near)`` clamped to [0, 1] (the background, infinitely far, comes out as 1). ``depth.json``
beside them gives ``near`` and ``far`` (the camera's clip range, in world units) and ``view_width``, the width the
camera sees across the frame: at distance 1 with a perspective camera (``"perspective": true``), everywhere with an
orthographic one. With the default clip range of 0.1 to 100 m a 16-bit step is 1.5 mm.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError
from .downscale import UnreadablePng, decode_png
from .sources import pass_frame_path

# Where depth renders live, below the render folder, and the file that says how they were encoded.
DEPTH_FOLDER = "depth"
DEPTH_FILE = "depth.json"


@dataclass(frozen=True)
class DepthScale:
    """How a depth frame's grey values become world units, and how wide the frame is in the world."""

    near: float
    far: float
    view_width: float
    perspective: bool

    def depth(self, grey: NDArray[np.float32]) -> NDArray[np.float32]:
        """World depths of grey values in 0..1."""
        return (np.float32(self.near) + grey * np.float32(self.far - self.near)).astype(np.float32)

    def sprite_pixel_size(self, depth: NDArray[np.float32], sprite_width: int) -> NDArray[np.float32]:
        """The world size of a sprite pixel (of a sprite ``sprite_width`` wide, the whole frame) at each ``depth``."""
        size = np.float32(self.view_width / sprite_width)
        if self.perspective:
            return (depth * size).astype(np.float32)
        return np.full_like(depth, size)


def read_depth_file(path: Path) -> DepthScale:
    """The scale ``depth.json`` at ``path`` gives.

    Raises
    ------
    FrameError
        Naming the file, if it is missing or not a depth file of Pixel Sprites.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        scale = DepthScale(
            float(data["near"]), float(data["far"]), float(data["view_width"]), bool(data["perspective"])
        )
    except FileNotFoundError:
        raise FrameError(path, "no depth file: depth frames need it beside them (near, far, view_width)") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise FrameError(path, f"not a depth file of Pixel Sprites ({error})") from error
    numbers = (scale.near, scale.far, scale.view_width)
    if not all(math.isfinite(number) for number in numbers) or scale.far <= scale.near or scale.view_width <= 0:
        raise FrameError(path, "near and far must be finite with far > near, and view_width finite and positive")
    return scale


@dataclass(frozen=True)
class DepthSettings:
    """Where a job's depth frames are: laid out below ``folder`` as the colour frames are below ``root`` (or, with
    no ``root``, at the sprite's own path below ``folder``); a colour frame outside ``root`` has its depth frame
    in a ``depth/`` folder beside it."""

    folder: Path
    root: Path | None = None

    def frame_for(self, frame: Path, relative: Path) -> Path:
        """The depth frame of the colour frame ``frame``, whose sprite is at ``relative`` below the sprites."""
        return pass_frame_path(self.folder, self.root, frame, relative, DEPTH_FOLDER)

    def scale_for(self, depth_frame: Path) -> DepthScale:
        """The scale of ``depth_frame``: from the ``depth.json`` of ``folder`` (or of the frame's own folder)."""
        inside = Path(depth_frame).is_relative_to(self.folder)
        return read_depth_file((self.folder if inside else Path(depth_frame).parent) / DEPTH_FILE)


def read_depth(
    path: Path,
    shape: tuple[int, int],
    scale: DepthScale,
    sampled: Callable[[NDArray[Any]], NDArray[Any]] | None = None,
) -> NDArray[np.float32]:
    """The depth frame at ``path`` in world units, (h, w); with ``sampled``, of the grey values it takes (one per
    sprite pixel, say).

    ``sampled`` sees the grey values as stored, so only what it keeps is turned into depths: the same depths as
    sampling the converted frame, since the conversion is per value and never decreases (so the nearest of a block
    is the conversion of its nearest grey value).

    Raises
    ------
    FrameError
        If it cannot be read or its size is not ``shape`` (height, width), the colour frame's.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FrameError(path, f"depth frame cannot be read ({error.strerror or error})") from error
    try:
        pixels = decode_png(data)
    except UnreadablePng as error:
        raise FrameError(path, f"depth frame is not a readable PNG ({error.problem})") from error
    if pixels.shape[:2] != shape:
        raise FrameError(
            path, f"depth frame is {pixels.shape[1]}x{pixels.shape[0]}, its colour frame {shape[1]}x{shape[0]}"
        )
    top = np.float32(65535.0 if pixels.dtype == np.uint16 else 255.0)
    grey = pixels if pixels.ndim == 2 else pixels[:, :, 0]
    if sampled is not None:
        grey = sampled(grey)
    return scale.depth(grey.astype(np.float32) / top)
