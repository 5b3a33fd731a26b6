"""Reading a palette file entry by entry, repeats kept: a palette variant replaces entry i with its entry i.

:func:`~.files.read_palette` keeps each colour once (a fit's palette has no repeats, and a target palette's order
of first appearance is what matters there); a variant may repeat a colour on purpose, as an all-white damage flash
does, so its entries are read as they stand.

A PNG swatch is read as a strip: a row of square swatches as tall as the image (the palette strip this tool writes
has 16-pixel squares, Lospec's one-pixel strips have 1-pixel ones), one entry per swatch, taken at its centre.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError, PaletteFileError
from ..frames.downscale import read_frame
from .files import checked_palette_file, text_palette_colours


def read_palette_entries(path: Path | str) -> NDArray[np.uint8]:
    """The ``(n, 3)`` colours of a ``.gpl``, ``.hex``, JASC ``.pal`` or PNG swatch file, in order, repeats kept.

    Raises
    ------
    PaletteFileError
        If the file is missing, of an unknown kind, malformed or empty.
    """
    path, suffix = checked_palette_file(path)
    if suffix == ".png":
        return _swatch_entries(path)
    return text_palette_colours(path, suffix)


def _swatch_entries(path: Path) -> NDArray[np.uint8]:
    try:
        rgba = read_frame(path).rgba
    except FrameError as error:
        raise PaletteFileError(path, error.reason) from error
    height, width = rgba.shape[:2]
    if width % height:
        raise PaletteFileError(
            path, f"a swatch strip is a row of squares as tall as the image: {width}x{height} is not"
        )
    centres = rgba[height // 2, height // 2 :: height]
    clear = np.flatnonzero(centres[:, 3] < 255)
    if clear.size:
        raise PaletteFileError(path, f"swatch {int(clear[0]) + 1} is not opaque; every entry needs a colour")
    return np.ascontiguousarray(centres[:, :3])
