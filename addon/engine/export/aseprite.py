"""Writing Aseprite (``.aseprite``) files: a character's sprites as frames, its palette, its clips as tags.

The layout follows Aseprite's ``docs/ase-file-specs.md``: a 128-byte header, then one block per frame, each a
16-byte frame header and its chunks. Everything is little-endian.

Slices (the pivot and the game data, :mod:`.aseprite_slices`) follow the layer in the first frame, each with
the user data that gives its colour, as Aseprite writes them.

The sprite is in indexed mode with the same palette convention as the paletted PNGs
(:func:`~.sprite_files.encode_indexed_png`): entry 0 is the transparent colour and entry ``i + 1`` is palette
colour ``i``, so an artist sees the character's locked palette unchanged, and Unity's Aseprite Importer turns
each tag into an animation clip.
"""

from __future__ import annotations

import operator
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..files.atomic import write_atomically
from .aseprite_slices import Slice, slice_chunks

#: The palette entry that every layer shows as transparent; sprite index ``i`` is stored as ``i + 1``.
TRANSPARENT_INDEX = 0
#: The most colours a palette may have: with the transparent entry they fill the 256 entries of 8-bit indices.
MAX_COLORS = 255
#: Frame durations, in milliseconds, must fit the frame header's 16-bit field; 0 would mean "use the header's".
MIN_DURATION_MS, MAX_DURATION_MS = 1, 0xFFFF
#: Cel positions are signed 16-bit, so a cropped cel must start below 32768 on either axis.
MAX_SIDE = 0x7FFF
#: The layer that holds the sprites; Unity names its sprites and game objects after layers in some import modes.
LAYER_NAME = "Sprite"

_FILE_MAGIC = 0xA5E0
_FRAME_MAGIC = 0xF1FA
_HEADER_SIZE = 128
_FRAME_HEADER_SIZE = 16
_CHUNK_HEADER_SIZE = 6
_MAX_WORD = 0xFFFF

_CHUNK_OLD_PALETTE = 0x0004
_CHUNK_LAYER = 0x2004
_CHUNK_CEL = 0x2005
_CHUNK_TAGS = 0x2018
_CHUNK_PALETTE = 0x2019

_INDEXED_DEPTH = 8
_FLAG_LAYER_OPACITY_VALID = 1
_LAYER_VISIBLE_EDITABLE = 1 | 2
_LAYER_TYPE_NORMAL = 0
_BLEND_NORMAL = 0
_OPAQUE = 255
_CEL_COMPRESSED_IMAGE = 2
_DIRECTION_FORWARD = 0
#: 0 = not specified: Aseprite loops the tag in its editor and Unity's importer loops the clip.
_REPEAT_UNSPECIFIED = 0
#: Black, the colour Aseprite gives a new tag.
_TAG_COLOR = (0, 0, 0)
#: Fixed, so that the same sprites always give the same bytes.
_ZLIB_LEVEL = 9


def encode_aseprite(
    frames: Sequence[NDArray[np.integer]],
    palette: NDArray[np.uint8],
    tags: Sequence[tuple[str, int, int]],
    durations_ms: Sequence[int],
    slices: Sequence[Slice] = (),
) -> bytes:
    """Encode sprites that share one palette as an indexed Aseprite file with one layer.

    Parameters
    ----------
    frames
        One ``(H, W)`` array of palette indices per frame, all of one shape; -1 is transparent.
    palette
        ``(n, 3)`` sRGB colours, at most :data:`MAX_COLORS`. The file's palette is a transparent entry 0
        followed by these colours, opaque.
    tags
        ``(name, first frame, last frame)`` for each clip, frames counted from 0 and the last one included;
        each plays forward. Names must be distinct and not empty.
    durations_ms
        How long each frame shows, in milliseconds, 1 to 65535.
    slices
        Named slices with their keys (frames counted from 0); none by default.

    Returns
    -------
    bytes
        The file. The same arguments always give the same bytes.

    Raises
    ------
    ValueError
        Naming the problem: no frames, frames of different shapes or too large, non-integer frames, a palette
        of the wrong shape or with too many colours, an index outside the palette, a tag that is unnamed,
        repeated or outside the frames, a duration count or value out of range, or a slice key outside the frames.
    """
    colors = _checked_palette(palette)
    stored = _stored_frames(frames, len(colors))
    durations = _checked_durations(durations_ms, len(stored))
    checked_tags = _checked_tags(tags, len(stored))
    height, width = stored[0].shape
    for piece in slices:
        if any(not 0 <= key.frame < len(stored) for key in piece.keys):
            raise ValueError(f"slice {piece.name!r} has a key outside the {len(stored)} frames")

    first_chunks = [
        *_palette_chunks(colors),
        *([_tags_chunk(checked_tags)] if checked_tags else []),
        _layer_chunk(LAYER_NAME),
        *(_chunk(kind, data) for kind, data in slice_chunks(slices)),
    ]
    blocks = []
    for index, (indices, duration) in enumerate(zip(stored, durations, strict=True)):
        cel = _cel_chunk(indices)
        chunks = (first_chunks if index == 0 else []) + ([cel] if cel is not None else [])
        blocks.append(_frame(chunks, duration))
    body = b"".join(blocks)
    header = _header(
        file_size=_HEADER_SIZE + len(body),
        frame_count=len(stored),
        width=width,
        height=height,
        entries=len(colors) + 1,
        speed=durations[0],
    )
    return header + body


def write_aseprite(
    path: Path | str,
    frames: Sequence[NDArray[np.integer]],
    palette: NDArray[np.uint8],
    tags: Sequence[tuple[str, int, int]],
    durations_ms: Sequence[int],
    slices: Sequence[Slice] = (),
) -> Path:
    """Write :func:`encode_aseprite`'s file to ``path``, atomically, and return the path.

    Everything is checked and encoded before the file is touched, so a bad argument leaves any earlier file
    as it was.
    """
    path = Path(path)
    write_atomically(path, encode_aseprite(frames, palette, tags, durations_ms, slices))
    return path


def _checked_palette(palette: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The palette as ``(n, 3)`` uint8, after checking its shape, size and values."""
    array = np.asarray(palette)
    if array.ndim != 2 or array.shape[1] != 3:
        raise ValueError(f"the palette must have shape (n, 3), got {array.shape}")
    if len(array) > MAX_COLORS:
        raise ValueError(
            f"an Aseprite palette holds at most {MAX_COLORS} colours and a transparent one, got {len(array)}"
        )
    if array.dtype.kind not in "iu":
        raise ValueError(f"palette colours must be integers, got {array.dtype}")
    if array.size and (np.min(array) < 0 or np.max(array) > 255):
        raise ValueError("palette colour components must be in 0..255")
    return array.astype(np.uint8)


def _stored_frames(frames: Sequence[NDArray[np.integer]], colors: int) -> list[NDArray[np.uint8]]:
    """Each frame's indices as stored in the file (``index + 1``, so transparent -1 becomes 0), after checks."""
    if len(frames) == 0:
        raise ValueError("an Aseprite file needs at least one frame")
    if len(frames) > _MAX_WORD:
        raise ValueError(f"an Aseprite file holds at most {_MAX_WORD} frames, got {len(frames)}")
    arrays = [np.asarray(frame) for frame in frames]
    shape = arrays[0].shape
    if len(shape) != 2 or 0 in shape:
        raise ValueError(f"frames must be non-empty 2-D arrays of palette indices, frame 0 has shape {shape}")
    if max(shape) > MAX_SIDE:
        raise ValueError(f"frames may be at most {MAX_SIDE} pixels on a side, got {shape[1]}x{shape[0]}")
    stored = []
    for number, array in enumerate(arrays):
        if array.shape != shape:
            raise ValueError(f"every frame must have one shape: frame 0 is {shape}, frame {number} is {array.shape}")
        if array.dtype.kind not in "iu":
            raise ValueError(f"frame {number} must hold integer palette indices, got {array.dtype}")
        low, high = int(array.min()), int(array.max())
        if low < -1 or high >= colors:
            bad = low if low < -1 else high
            raise ValueError(
                f"frame {number} has palette index {bad}, out of range for {colors} colours "
                f"(-1 is transparent, colours are 0..{colors - 1})"
            )
        # Widen first: index 127 of an int8 frame would wrap to -128.
        stored.append((array.astype(np.int16) + 1).astype(np.uint8))
    return stored


def _checked_durations(durations_ms: Sequence[int], frame_count: int) -> list[int]:
    """The durations as ints, one per frame, each in :data:`MIN_DURATION_MS`..:data:`MAX_DURATION_MS`."""
    if len(durations_ms) != frame_count:
        raise ValueError(f"need one duration per frame: {frame_count} frames, {len(durations_ms)} durations")
    durations = []
    for number, duration in enumerate(durations_ms):
        try:
            value = operator.index(duration)
        except TypeError:
            raise ValueError(f"the duration of frame {number} must be a whole number of milliseconds") from None
        if not MIN_DURATION_MS <= value <= MAX_DURATION_MS:
            raise ValueError(
                f"the duration of frame {number} is {value} ms, out of range {MIN_DURATION_MS}..{MAX_DURATION_MS}"
            )
        durations.append(value)
    return durations


def _checked_tags(tags: Sequence[tuple[str, int, int]], frame_count: int) -> list[tuple[bytes, int, int]]:
    """The tags with UTF-8 names, after checking names and frame ranges.

    Unity's importer makes one clip per tag and names it after the tag, so an empty or repeated name would
    give a clip no one can find.
    """
    if len(tags) > _MAX_WORD:
        raise ValueError(f"an Aseprite file holds at most {_MAX_WORD} tags, got {len(tags)}")
    checked = []
    seen: set[str] = set()
    for name, first, last in tags:
        if not isinstance(name, str) or not name:
            raise ValueError(f"every tag needs a name, got {name!r}")
        if name in seen:
            raise ValueError(f"tag {name!r} appears twice")
        seen.add(name)
        encoded = name.encode("utf-8")
        if len(encoded) > _MAX_WORD:
            raise ValueError(f"tag {name[:20]!r}... is longer than {_MAX_WORD} bytes")
        first, last = operator.index(first), operator.index(last)
        if not 0 <= first <= last < frame_count:
            raise ValueError(
                f"tag {name!r} covers frames {first}..{last}, outside the {frame_count} frames "
                "or ending before it starts"
            )
        checked.append((encoded, first, last))
    return checked


def _header(*, file_size: int, frame_count: int, width: int, height: int, entries: int, speed: int) -> bytes:
    """The 128-byte file header.

    The deprecated speed field holds the first frame's duration, as Aseprite writes it, for readers that
    predate per-frame durations. The grid fields stay zero ("no grid"), so Aseprite shows the artist's own
    default grid rather than one this file imposes.
    """
    return struct.pack(
        "<IHHHHHIHIIB3xHBBhhHH84x",
        file_size,
        _FILE_MAGIC,
        frame_count,
        width,
        height,
        _INDEXED_DEPTH,
        _FLAG_LAYER_OPACITY_VALID,
        speed,
        0,
        0,
        TRANSPARENT_INDEX,
        entries,
        1,  # pixel width and height: square pixels
        1,
        0,  # grid x, y, width, height
        0,
        0,
        0,
    )


def _frame(chunks: list[bytes], duration: int) -> bytes:
    """A frame: its 16-byte header, with both the old 16-bit and the new 32-bit chunk counts, then its chunks."""
    body = b"".join(chunks)
    header = struct.pack("<IHHH2xI", _FRAME_HEADER_SIZE + len(body), _FRAME_MAGIC, len(chunks), duration, len(chunks))
    return header + body


def _chunk(kind: int, data: bytes) -> bytes:
    """A chunk: its size (which counts its own 6-byte header), its type, then its data."""
    return struct.pack("<IH", _CHUNK_HEADER_SIZE + len(data), kind) + data


def _string(encoded: bytes) -> bytes:
    """A STRING: a 16-bit byte count, then UTF-8 with no terminating zero."""
    return struct.pack("<H", len(encoded)) + encoded


def _palette_chunks(colors: NDArray[np.uint8]) -> list[bytes]:
    """The new palette chunk (0x2019), then the old one (0x0004), with entry 0 transparent.

    Only the new chunk carries alpha. The old one follows it for readers that predate the new chunk, as
    Aseprite 1.1 to 1.3.4 wrote them; the spec tells every newer reader to ignore the old chunk once it has
    seen the new one. To an old reader entry 0 is opaque black, which it still shows as transparent because
    it is the header's transparent index.
    """
    entries = len(colors) + 1
    rgba = np.zeros((entries, 4), dtype=np.uint8)
    rgba[1:, :3] = colors
    rgba[1:, 3] = _OPAQUE
    # Each new entry is a 16-bit flags word (0: no name) followed by RGBA.
    records = np.zeros((entries, 6), dtype=np.uint8)
    records[:, 2:] = rgba
    new = struct.pack("<III8x", entries, 0, entries - 1) + records.tobytes()
    # One packet: skip no entries, then the count, where 0 means 256.
    old = struct.pack("<HBB", 1, 0, entries % 256) + rgba[:, :3].tobytes()
    return [_chunk(_CHUNK_PALETTE, new), _chunk(_CHUNK_OLD_PALETTE, old)]


def _tags_chunk(tags: list[tuple[bytes, int, int]]) -> bytes:
    """The tags chunk (0x2018): every tag plays forward, with Aseprite's default tag colour."""
    data = [struct.pack("<H8x", len(tags))]
    for name, first, last in tags:
        data.append(struct.pack("<HHBH6x3Bx", first, last, _DIRECTION_FORWARD, _REPEAT_UNSPECIFIED, *_TAG_COLOR))
        data.append(_string(name))
    return _chunk(_CHUNK_TAGS, b"".join(data))


def _layer_chunk(name: str) -> bytes:
    """The layer chunk (0x2004) of one visible, editable, normal, opaque layer at the top level.

    It is not a background layer: those have no transparency, and sprites need it.
    """
    data = struct.pack(
        "<HHHHHHB3x", _LAYER_VISIBLE_EDITABLE, _LAYER_TYPE_NORMAL, 0, 0, 0, _BLEND_NORMAL, _OPAQUE
    ) + _string(name.encode("utf-8"))
    return _chunk(_CHUNK_LAYER, data)


def _cel_chunk(stored: NDArray[np.uint8]) -> bytes | None:
    """The cel chunk (0x2005) of one frame on layer 0, or None if the frame is all transparent.

    The cel is cropped to the frame's non-transparent pixels, as Aseprite keeps its own cels; the rows and
    columns around them would only repeat the transparent index.
    """
    visible = stored != TRANSPARENT_INDEX
    rows = np.flatnonzero(visible.any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero(visible.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1
    pixels = np.ascontiguousarray(stored[top:bottom, left:right])
    data = struct.pack(
        "<HhhBHh5xHH", 0, left, top, _OPAQUE, _CEL_COMPRESSED_IMAGE, 0, right - left, bottom - top
    ) + zlib.compress(pixels.tobytes(), _ZLIB_LEVEL)
    return _chunk(_CHUNK_CEL, data)
