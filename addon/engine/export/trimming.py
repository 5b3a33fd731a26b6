"""Trimming frames to their opaque pixels, and finding the frames whose trimmed pixels are the same.

A trimmed frame keeps its offset in the full sprite, so an engine draws it exactly where the untrimmed sprite
would be. An empty frame becomes one transparent pixel at (0, 0): never dropped, and all of a page's empty
frames share that one pixel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .layout import Trim


@dataclass(frozen=True)
class TrimmedFrame:
    """A frame's opaque bounding box (``trim``) and its pixels there; ``normals`` the normal sprite's, if any."""

    trim: Trim
    pixels: NDArray[np.uint8]
    normals: NDArray[np.uint8] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.trim.width, self.trim.height

    def key(self) -> bytes:
        """The same for frames whose trimmed pixels (and normals) are the same, and (all but surely) only them."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(np.array(self.pixels.shape, np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.pixels).tobytes())
        if self.normals is not None:
            digest.update(np.ascontiguousarray(self.normals).tobytes())
        return digest.digest()


def opaque_box(rgba: NDArray[np.uint8]) -> Trim:
    """The bounding box of the pixels with any alpha; an empty frame's is one pixel at (0, 0)."""
    visible = rgba[:, :, 3] > 0
    rows = np.flatnonzero(visible.any(axis=1))
    if rows.size == 0:
        return Trim(0, 0, 1, 1)
    columns = np.flatnonzero(visible.any(axis=0))
    top, left = int(rows[0]), int(columns[0])
    return Trim(left, top, int(columns[-1]) + 1 - left, int(rows[-1]) + 1 - top)


def trim_frame(rgba: NDArray[np.uint8], normals: NDArray[np.uint8] | None = None) -> TrimmedFrame:
    """``rgba`` (and its normal sprite) cut to the opaque bounding box, as copies that own their memory."""
    box = opaque_box(rgba)
    rows, columns = slice(box.y, box.y + box.height), slice(box.x, box.x + box.width)
    pixels = rgba[rows, columns].copy()
    if box.width == box.height == 1 and pixels[0, 0, 3] == 0:
        pixels[:] = 0  # every empty frame is the same transparent pixel
    return TrimmedFrame(box, pixels, None if normals is None else normals[rows, columns].copy())


def extruded(pixels: NDArray[np.uint8], extrude: int) -> NDArray[np.uint8]:
    """``pixels`` with their edge rows and columns repeated ``extrude`` times outwards."""
    if extrude == 0:
        return pixels
    return np.pad(pixels, ((extrude, extrude), (extrude, extrude), (0, 0)), mode="edge")
