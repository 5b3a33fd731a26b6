"""Encoding sprites as PNG, RGBA or paletted."""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette


def encode_indexed_png(indices: NDArray[np.int16], palette: Palette) -> bytes:
    """Encode palette indices (-1 for transparent) as a paletted PNG.

    Entry 0 is the transparent colour and entry ``i + 1`` is ``palette``
    colour ``i``, so every sprite of a character carries the same PLTE chunk.
    """
    from PIL import Image

    if len(palette) > 255:
        raise ValueError(f"a paletted PNG holds at most 255 colours and a transparent one, got {len(palette)}")
    image = Image.fromarray((indices + 1).astype(np.uint8), "P")
    entries = np.vstack([np.zeros((1, 3), np.uint8), palette.colors])
    image.putpalette(entries.tobytes(), rawmode="RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0, optimize=False)
    return buffer.getvalue()
