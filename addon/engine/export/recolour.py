"""A palette variant as a colour map: each colour of the palette the variants index becomes the variant's colour at
the same index. Sheets and engine files are recoloured through it without being laid out again."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import SheetError
from .colours import colour_codes

# Above this many colours to look up, a dense table of every 24-bit colour beats a sorted search.
_DENSE_FROM = 1 << 18


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
        if codes.size > _DENSE_FROM:
            return self._dense_indices(codes, where)
        places = np.minimum(np.searchsorted(self._sorted, codes), self.size - 1)
        found = self._sorted[places] == codes
        if not found.all():
            raise _not_held(int(codes[~found].flat[0]), where)
        return self._order[places]

    def _dense_indices(self, codes: NDArray[np.int64], where: str) -> NDArray[np.intp]:
        """:meth:`indices` for a whole sheet: one look-up in a table of every 24-bit colour (32 MiB), which is many
        times faster than a search per pixel."""
        table = np.full(1 << 24, -1, np.int16)
        table[self._sorted] = self._order
        found = table[codes]
        if (found < 0).any():
            raise _not_held(int(codes[found < 0].flat[0]), where)
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
