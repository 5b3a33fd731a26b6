"""The immutable palette type shared by fitting, remapping and palette files."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .spaces import lab_to_din99o, srgb_to_lab


@dataclass(frozen=True, eq=False)
class Palette:
    """An ordered set of distinct 8-bit sRGB colours.

    Build one with :meth:`from_colors`; the colour array is read-only so a
    palette can be shared between threads and cached safely.
    """

    colors: NDArray[np.uint8]
    _hashable: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        colors = np.array(self.colors, dtype=np.uint8).reshape(-1, 3)
        colors.flags.writeable = False
        object.__setattr__(self, "colors", colors)
        object.__setattr__(self, "_hashable", colors.tobytes())

    @classmethod
    def from_colors(cls, colors: NDArray[np.integer] | list[tuple[int, int, int]]) -> Palette:
        """A palette of the distinct colours in ``colors``, in order of first appearance.

        Raises
        ------
        ValueError
            If ``colors`` is empty or holds values outside 0..255.
        """
        array = np.asarray(colors)
        if array.size == 0:
            raise ValueError("a palette needs at least one colour")
        if array.ndim != 2 or array.shape[1] != 3:
            raise ValueError(f"`colors` must have shape (n, 3), got {array.shape}")
        if array.min() < 0 or array.max() > 255:
            raise ValueError("colour components must be in 0..255")
        array = array.astype(np.uint8)
        _, first = np.unique(array, axis=0, return_index=True)
        return cls(array[np.sort(first)])

    def sorted_by_lightness(self) -> Palette:
        """The same colours ordered dark to light, for stable, readable palette files."""
        lab = self.lab
        order = np.lexsort((lab[:, 2], lab[:, 1], lab[:, 0]))
        return Palette(self.colors[order])

    @cached_property
    def lab(self) -> NDArray[np.float64]:
        """The colours in CIELAB."""
        return srgb_to_lab(self.colors)

    @cached_property
    def din99o(self) -> NDArray[np.float64]:
        """The colours in DIN99o, the space pixels are matched to them in."""
        return lab_to_din99o(self.lab)

    @classmethod
    def from_hex_codes(cls, codes: list[str]) -> Palette:
        """The palette of ``RRGGBB`` codes, as :meth:`hex_codes` gives them."""
        return cls.from_colors(np.array([[int(code[i : i + 2], 16) for i in (0, 2, 4)] for code in codes]))

    def hex_codes(self) -> list[str]:
        """``RRGGBB`` codes, lower case."""
        return [f"{r:02x}{g:02x}{b:02x}" for r, g, b in self.colors.tolist()]

    def __len__(self) -> int:
        return len(self.colors)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Palette) and self._hashable == other._hashable

    def __hash__(self) -> int:
        return hash(self._hashable)
