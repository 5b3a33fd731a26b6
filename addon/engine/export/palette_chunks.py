"""Rewriting only the palette of files already written: a paletted PNG's ``PLTE``, a GIF's colour tables and an
``.aseprite`` file's palette chunks. Everything else (pixel data, frames, timing) stays byte for byte as it was, so
a variant of a paletted sheet differs from it in its palette alone.

Transparent entries (a PNG's ``tRNS`` entry below 255, a GIF's and an ``.aseprite``'s entry 0, which this tool's
writers keep for transparency) are left as they are.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from numpy.typing import NDArray

from ..errors import SheetError
from .recolour import Recolour

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_GIF_TRAILER, _GIF_IMAGE, _GIF_EXTENSION = 0x3B, 0x2C, 0x21
_GIF_CONTROL = 0xF9
_ASE_HEADER, _ASE_FRAME_HEADER = 128, 16
_ASE_OLD_PALETTE, _ASE_PALETTE = 0x0004, 0x2019


def _png_chunks(data: bytes, where: str) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise SheetError(f"{where}: not a PNG file")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind = data[offset + 4 : offset + 8]
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def png_is_paletted(data: bytes) -> bool:
    """Whether a PNG's colour type is 3 (paletted)."""
    return data.startswith(PNG_SIGNATURE) and data[25] == 3


def png_palette(data: bytes, where: str) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """A paletted PNG's ``PLTE`` entries ``(n, 3)`` and each entry's alpha (``tRNS``, 255 where it has none)."""
    chunks = dict(_png_chunks(data, where))
    entries = np.frombuffer(chunks[b"PLTE"], np.uint8).reshape(-1, 3)
    alpha = np.full(len(entries), 255, np.uint8)
    transparency = np.frombuffer(chunks.get(b"tRNS", b""), np.uint8)
    alpha[: len(transparency)] = transparency
    return entries, alpha


def repaint_png_palette(data: bytes, recolour: Recolour, where: str) -> bytes:
    """The paletted PNG ``data`` with its opaque ``PLTE`` entries recoloured; every other chunk unchanged."""
    entries, alpha = png_palette(data, where)
    repainted = entries.copy()
    opaque = alpha == 255
    if opaque.any():
        repainted[opaque] = recolour(entries[opaque], where)
    parts = [PNG_SIGNATURE]
    for kind, body in _png_chunks(data, where):
        if kind == b"PLTE":
            body = repainted.tobytes()
        parts.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
    return b"".join(parts)


def repaint_gif_palettes(data: bytes, recolour: Recolour, where: str) -> bytes:
    """The GIF ``data`` with every colour table's entries recoloured, except each image's transparent index."""
    out = bytearray(data)
    if not data.startswith((b"GIF87a", b"GIF89a")):
        raise SheetError(f"{where}: not a GIF file")
    tables: list[tuple[int, int]] = []  # (offset, entries)
    transparent: set[int] = set()
    flags = data[10]
    offset = 13
    if flags & 0x80:
        tables.append((offset, 2 << (flags & 7)))
        offset += 3 * (2 << (flags & 7))
    while offset < len(data) and data[offset] != _GIF_TRAILER:
        if data[offset] == _GIF_EXTENSION:
            if data[offset + 1] == _GIF_CONTROL and data[offset + 3] & 1:
                transparent.add(data[offset + 6])
            offset = _skip_sub_blocks(data, offset + 2)
        elif data[offset] == _GIF_IMAGE:
            flags = data[offset + 9]
            offset += 10
            if flags & 0x80:
                tables.append((offset, 2 << (flags & 7)))
                offset += 3 * (2 << (flags & 7))
            offset = _skip_sub_blocks(data, offset + 1)
        else:
            raise SheetError(f"{where}: unexpected GIF block 0x{data[offset]:02x} at byte {offset}")
    for start, count in tables:
        entries = np.frombuffer(data, np.uint8, 3 * count, start).reshape(-1, 3)
        # Pillow pads a table to a power of two with black entries no pixel uses: colours the palette does not
        # hold are left as they are, since no sheet pixel has them.
        keep = np.zeros(count, bool)
        keep[list(transparent & set(range(count)))] = True
        out[start : start + 3 * count] = recolour.known(entries, keep).tobytes()
    return bytes(out)


def _skip_sub_blocks(data: bytes, offset: int) -> int:
    while data[offset]:
        offset += data[offset] + 1
    return offset + 1


def repaint_aseprite_palette(data: bytes, recolour: Recolour, where: str) -> bytes:
    """The ``.aseprite`` ``data`` with its palette chunks' entries recoloured, entry 0 (transparent) aside."""
    out = bytearray(data)
    frame_end = _ASE_HEADER + struct.unpack_from("<I", data, _ASE_HEADER)[0]
    offset = _ASE_HEADER + _ASE_FRAME_HEADER
    while offset < frame_end:
        size, kind = struct.unpack_from("<IH", data, offset)
        if kind == _ASE_PALETTE:
            count, first = struct.unpack_from("<II", data, offset + 6)
            records = np.frombuffer(data, np.uint8, 6 * count, offset + 26).reshape(-1, 6).copy()
            if first != 0 or (records[:, 0:2] != 0).any():
                raise SheetError(f"{where}: a palette chunk with names or an offset, which this tool never writes")
            records[1:, 2:5] = recolour(records[1:, 2:5], where)
            out[offset + 26 : offset + 26 + records.size] = records.tobytes()
        elif kind == _ASE_OLD_PALETTE:
            count = data[offset + 9] or 256
            entries = np.frombuffer(data, np.uint8, 3 * count, offset + 10).reshape(-1, 3).copy()
            entries[1:] = recolour(entries[1:], where)
            out[offset + 10 : offset + 10 + entries.size] = entries.tobytes()
        offset += size
    return bytes(out)
