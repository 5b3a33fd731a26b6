"""Aseprite's slices: the set's pivot and its game data (points and boxes, frame by frame) as named rectangles.

The JSON pages (``meta.slices``) and the ``.aseprite`` files (slice chunks, ``docs/ase-file-specs.md``) hold the
same slices. Bounds are in the untrimmed sprite's pixels, as Aseprite's slices are in canvas space, on packed
(trimmed) pages too. The ``pivot`` slice comes first; then, where the set has game data (``SpriteSet.rig``), one
slice per point and one per box, in the rig's order, each with a key on every frame: a point's bounds are the 1x1
pixel that holds it, with its pivot at that pixel's corner (0, 0); a box's bounds are its rectangle. A box absent
on a frame, and a frame without data, have empty bounds (0, 0, 0, 0), which Aseprite takes as hidden there.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from ..sets.rig import FrameRig, RigData

#: Blue, Aseprite's own default slice colour.
PIVOT_COLOR = (0, 0, 255, 255)
POINT_COLOR = (255, 0, 0, 255)
BOX_COLOR = (0, 255, 0, 255)

CHUNK_USER_DATA = 0x2020
CHUNK_SLICE = 0x2022
_SLICE_HAS_PIVOT = 2
_USER_DATA_HAS_COLOR = 2


@dataclass(frozen=True)
class SliceKey:
    """A slice on one frame and after it (until the next key): its bounds and, for slices with one, its pivot
    (relative to the bounds' top-left corner)."""

    frame: int
    x: int
    y: int
    w: int
    h: int
    pivot: tuple[int, int] | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"frame": self.frame, "bounds": {"x": self.x, "y": self.y, "w": self.w, "h": self.h}}
        if self.pivot is not None:
            data["pivot"] = {"x": self.pivot[0], "y": self.pivot[1]}
        return data


@dataclass(frozen=True)
class Slice:
    """A named slice with its colour (RGBA) and keys."""

    name: str
    color: tuple[int, int, int, int]
    keys: tuple[SliceKey, ...]

    def to_json(self) -> dict[str, object]:
        """As Aseprite's JSON export writes a slice."""
        color = "#" + "".join(f"{part:02x}" for part in self.color)
        return {"name": self.name, "color": color, "keys": [key.to_json() for key in self.keys]}


def pivot_slice(sprite_size: tuple[int, int], pivot: tuple[int, int]) -> Slice:
    """The whole sprite, its pivot at the set's pivot pixel."""
    width, height = sprite_size
    return Slice("pivot", PIVOT_COLOR, (SliceKey(0, 0, 0, width, height, pivot),))


def rig_slices(rig: RigData | None, frames: Sequence[FrameRig | None]) -> list[Slice]:
    """A slice per point and per box of ``rig`` (none without one), with a key for each of ``frames`` (each
    frame's data, in the file's frame order; None where the frame has none)."""
    if rig is None:
        return []
    slices = []
    for name in rig.points:
        keys = tuple(_point_key(index, frame, name) for index, frame in enumerate(frames))
        slices.append(Slice(name, POINT_COLOR, keys))
    for name in rig.boxes:
        keys = tuple(_box_key(index, frame, name) for index, frame in enumerate(frames))
        slices.append(Slice(name, BOX_COLOR, keys))
    return slices


def _point_key(index: int, frame: FrameRig | None, name: str) -> SliceKey:
    point = frame.points.get(name) if frame is not None else None
    if point is None:
        return SliceKey(index, 0, 0, 0, 0, (0, 0))
    x, y = point.pixel()
    return SliceKey(index, x, y, 1, 1, (0, 0))


def _box_key(index: int, frame: FrameRig | None, name: str) -> SliceKey:
    box = frame.boxes.get(name) if frame is not None else None
    if box is None:
        return SliceKey(index, 0, 0, 0, 0)
    return SliceKey(index, box.x, box.y, box.w, box.h)


def slice_chunks(slices: Sequence[Slice]) -> list[tuple[int, bytes]]:
    """The ``(chunk type, data)`` of each slice's chunk (0x2022) and the user data chunk (0x2020) after it that
    gives it its colour, as Aseprite writes them in the first frame after the layers."""
    chunks = []
    for piece in slices:
        flags = _SLICE_HAS_PIVOT if any(key.pivot is not None for key in piece.keys) else 0
        name = piece.name.encode("utf-8")
        data = [struct.pack("<III", len(piece.keys), flags, 0), struct.pack("<H", len(name)), name]
        for key in piece.keys:
            data.append(struct.pack("<IiiII", key.frame, key.x, key.y, key.w, key.h))
            if flags & _SLICE_HAS_PIVOT:
                data.append(struct.pack("<ii", *(key.pivot or (0, 0))))
        chunks.append((CHUNK_SLICE, b"".join(data)))
        chunks.append((CHUNK_USER_DATA, struct.pack("<I4B", _USER_DATA_HAS_COLOR, *piece.color)))
    return chunks
