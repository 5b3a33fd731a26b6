"""The colours of sheet images: each pixel's palette index, and the palette a paletted file of them can use."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..options import INDEXED_LIMIT


def colour_codes(rgba: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Each pixel's colour as one 24-bit number: a fast key for finding distinct colours."""
    return (rgba[..., 0].astype(np.int64) << 16) | (rgba[..., 1].astype(np.int64) << 8) | rgba[..., 2]


def colour_indices(rgba: NDArray[np.uint8], lookup: dict[int, int]) -> NDArray[np.int16] | None:
    """Palette index of every pixel (-1 transparent), or None if an opaque colour is not in ``lookup``."""
    opaque = rgba[:, :, 3] == 255
    indices = np.full(rgba.shape[:2], -1, dtype=np.int16)
    unique, inverse = np.unique(colour_codes(rgba)[opaque], return_inverse=True)
    mapped = np.array([lookup.get(int(code), -1) for code in unique], dtype=np.int16)
    if (mapped < 0).any():
        return None
    indices[opaque] = mapped[inverse]
    return indices


def palette_for(images: Sequence[NDArray[np.uint8]], palette: Palette | None) -> Palette | None:
    """The palette a paletted file of ``images`` can use: the character's if it holds every colour, else their own
    colours if there are at most 255; None if they need RGBA."""
    codes = np.unique(np.concatenate([np.unique(colour_codes(image)[image[:, :, 3] == 255]) for image in images]))
    if palette is not None and len(palette) <= INDEXED_LIMIT and set(codes.tolist()) <= set(palette_lookup(palette)):
        return palette
    if 0 < len(codes) <= INDEXED_LIMIT:
        return Palette.from_colors(np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], axis=1))
    return None


def palette_lookup(palette: Palette) -> dict[int, int]:
    return {(r << 16) | (g << 8) | b: index for index, (r, g, b) in enumerate(palette.colors.tolist())}
