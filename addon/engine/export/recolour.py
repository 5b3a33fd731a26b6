"""A palette variant as a colour map: each colour of the palette the variants index becomes the variant's colour at
the same index. Sheets and engine files are recoloured through it without being laid out again."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import SheetError
from .colours import colour_codes


class PaletteIndex:
    """Where each colour of a palette (distinct colours) stands in it."""

    def __init__(self, colors: NDArray[np.uint8]) -> None:
        codes = colour_codes(colors)
        self._order = np.argsort(codes)
        self._sorted = codes[self._order]
        self.size = len(colors)

    def indices(self, rgb: NDArray[np.uint8], where: str) -> NDArray[np.intp]:
        """The palette index of each ``(…, 3)`` colour.

        Raises
        ------
        SheetError
            Naming ``where`` and the first colour the palette does not hold.
        """
        codes = colour_codes(rgb)
        places = np.minimum(np.searchsorted(self._sorted, codes), self.size - 1)
        found = self._sorted[places] == codes
        if not found.all():
            raise _not_held(int(codes[~found].flat[0]), where)
        return self._order[places]

    def pixel_indices(self, rgba: NDArray[np.uint8], where: str) -> NDArray[np.intp]:
        """The palette index of every pixel of an ``(h, w, 4)`` image, 0 where it is transparent: for a whole sheet,
        one look-up of each pixel, read as one little-endian number, in a table of every 24-bit colour (32 MiB),
        many times faster than a search per pixel.

        Raises
        ------
        SheetError
            Naming ``where`` and the first opaque colour the palette does not hold.
        """
        table = np.full(1 << 24, -1, np.int16)
        red, green, blue = self._sorted >> 16, (self._sorted >> 8) & 255, self._sorted & 255
        table[red | (green << 8) | (blue << 16)] = self._order
        pixels = np.ascontiguousarray(rgba).view("<u4")[..., 0]
        found = table[pixels & 0xFFFFFF]
        transparent = pixels < (1 << 24)  # alpha 0
        missing = (found < 0) & ~transparent
        if missing.any():
            raise _not_held(int(colour_codes(rgba[missing][:1])[0]), where)
        found[transparent] = 0
        return found.astype(np.intp)

    def known(self, rgb: NDArray[np.uint8]) -> tuple[NDArray[np.bool_], NDArray[np.intp]]:
        """Which ``(n, 3)`` colours the palette holds, and the index of each (0 where it holds none)."""
        codes = colour_codes(rgb)
        places = np.minimum(np.searchsorted(self._sorted, codes), self.size - 1)
        found = self._sorted[places] == codes
        return found, np.where(found, self._order[places], 0)


def _not_held(code: int, where: str) -> SheetError:
    return SheetError(
        f"{where}: colour #{code:06x} is not in the palette the variants index (the sprites' palette), "
        "so it has no variant colour"
    )


class Recolour:
    """A palette variant: colour ``base[i]`` → ``variant[i]``."""

    def __init__(self, index: PaletteIndex, variant: NDArray[np.uint8]) -> None:
        self.index = index
        self.variant = variant

    def __call__(self, rgb: NDArray[np.uint8], where: str) -> NDArray[np.uint8]:
        return self.variant[self.index.indices(rgb, where)]

    def known(self, rgb: NDArray[np.uint8], keep: NDArray[np.bool_]) -> NDArray[np.uint8]:
        """``rgb`` with each colour the palette holds recoloured, except where ``keep``; the rest unchanged."""
        found, indices = self.index.known(rgb)
        change = found & ~keep
        result = rgb.copy()
        result[change] = self.variant[indices[change]]
        return result
