"""Encoding RGBA images as PNG, and writing them atomically: sprites, palette strips, sheets and grids alike."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .atomic import write_atomically


def encode_png(rgba: NDArray[np.uint8]) -> bytes:
    """Encode an RGBA image as an 8-bit RGBA PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def write_png(rgba: NDArray[np.uint8], path: Path | str) -> None:
    """Write an RGBA image as a PNG, atomically."""
    write_atomically(path, encode_png(rgba))
