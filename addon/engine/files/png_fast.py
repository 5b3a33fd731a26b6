"""Encoding an RGBA image as a PNG quickly: unfiltered rows, deflated by libdeflate at level 1 (zlib where it is
missing). For images made anew from one already written, such as a palette variant of an RGBA sheet: several
times faster than Pillow's encoder at its default level, for somewhat larger files."""

from __future__ import annotations

import struct
import zlib

import numpy as np
from numpy.typing import NDArray

try:
    import deflate  # libdeflate
except ImportError:  # pragma: no cover - the extension bundles it; zlib is the fallback
    deflate = None  # type: ignore[assignment]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_LEVEL = 1
_RGBA_8 = (8, 6, 0, 0, 0)  # bit depth, colour type RGBA, deflate, adaptive filtering (all rows: none), no interlace


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png_fast(rgba: NDArray[np.uint8]) -> bytes:
    """An 8-bit RGBA PNG of ``rgba`` (height, width, 4); the same image always gives the same bytes."""
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), np.uint8)  # each row: filter type 0, then its pixels
    rows[:, 1:] = np.ascontiguousarray(rgba).reshape(height, -1)
    data = rows.data  # the buffer itself: no copy of a sheet-sized image
    compressed = deflate.zlib_compress(data, _LEVEL) if deflate is not None else zlib.compress(data, _LEVEL)
    header = struct.pack(">IIBBBBB", width, height, *_RGBA_8)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", bytes(compressed)) + _chunk(b"IEND", b"")
