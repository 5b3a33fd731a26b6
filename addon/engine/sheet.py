"""Sprite sheets: sprites laid out on a grid, for previews and game engines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def make_sheet(sprites: Sequence[NDArray[np.uint8]], *, columns: int = 8, scale: int = 1) -> NDArray[np.uint8]:
    """Lay RGBA ``sprites`` of one size on a grid, row by row, each enlarged ``scale`` times.

    Enlarging repeats pixels, so the sheet keeps hard pixel edges.

    Raises
    ------
    ValueError
        If there are no sprites, their sizes differ, or ``columns`` or ``scale`` is below 1.
    """
    if not sprites:
        raise ValueError("a sheet needs at least one sprite")
    if columns < 1 or scale < 1:
        raise ValueError(f"`columns` and `scale` must be at least 1, got {columns} and {scale}")
    height, width = sprites[0].shape[:2]
    if any(sprite.shape != (height, width, 4) for sprite in sprites):
        raise ValueError("every sprite of a sheet must be RGBA and of one size")
    rows = -(-len(sprites) // columns)
    sheet = np.zeros((rows * height, min(columns, len(sprites)) * width, 4), dtype=np.uint8)
    for index, sprite in enumerate(sprites):
        row, column = divmod(index, columns)
        sheet[row * height : (row + 1) * height, column * width : (column + 1) * width] = sprite
    return np.repeat(np.repeat(sheet, scale, axis=0), scale, axis=1)
