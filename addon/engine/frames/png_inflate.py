"""Inflating a PNG's image data with libdeflate, so that decoding a render costs a third of what it did.

Inflating is nearly all of the time a PNG decoder spends on a render: 6.6 of
the 6.9 ms libspng takes for a 640x900 Blender frame go to zlib. libdeflate
inflates the same data in 2.0 ms. libspng cannot be handed inflated
scanlines, so :func:`with_stored_image_data` gives it the same PNG with its
image data in *stored* deflate blocks (uncompressed, which zlib copies
through) and libspng still undoes the row filters and converts the pixels,
exactly as from the original file.
"""

from __future__ import annotations

import ctypes
import struct

try:
    import deflate  # libdeflate
except ImportError:  # not in Debian's Blender: frames are decoded as they are
    deflate = None  # type: ignore[assignment]  # (mypy sees the installed module)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Channels of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA) and the bit depths it allows.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# A stored deflate block holds at most 65,535 bytes.
_STORED_BLOCK = 65_535
# The zlib header of a stream with a 32 KB window and no preset dictionary; decoders take any valid level bits.
_ZLIB_HEADER = b"\x78\x01"
_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_MAX_CHUNK = 2**31 - 1


def _scanline_bytes(width: int, height: int, colour_type: int, depth: int) -> int:
    """Bytes of the filtered scanlines of a non-interlaced image: a filter byte and the packed samples per row."""
    return height * (1 + (width * _CHANNELS[colour_type] * depth + 7) // 8)


def with_stored_image_data(data: bytes, *, checksums: bool = True) -> bytes | None:
    """The PNG ``data`` with its image data inflated by libdeflate and stored uncompressed, or None.

    Without ``checksums`` the new image data's CRC and Adler-32 are left zero, for a decoder told to ignore
    both (see :mod:`.libspng`): they would only vouch for bytes made a moment ago, whose source libdeflate
    has already checked against its own Adler-32.

    None means that this cannot help and the caller should decode ``data`` itself, which also names any damage
    in its own words: libdeflate is not installed, the image is interlaced (Blender never writes one), or the
    file is not a well-formed PNG whose image data inflates to exactly its scanlines (Adler-32 checked).
    The chunks before the image data (the header, palette, transparency, colour information) are kept as they
    are; the text chunks after it are left out.
    """
    if deflate is None or not data.startswith(PNG_SIGNATURE):
        return None
    view = memoryview(data)
    header: tuple[int, ...] | None = None
    image_data: list[memoryview] = []
    first_image_data = position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, position)
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            return None
        if kind == b"IHDR" and length == 13 and position == len(PNG_SIGNATURE):
            header = struct.unpack_from(">IIBBBBB", data, position + 8)
        elif kind == b"IDAT":  # its CRC is not checked: neither libspng nor Pillow checks it either
            if not image_data:
                first_image_data = position
            image_data.append(view[position + 8 : end - 4])
        elif image_data or kind == b"IEND":
            break  # the image data is one run of IDAT chunks
        position = end
    if header is None or not image_data:
        return None
    width, height, depth, colour_type, _, _, interlace = header
    if interlace != 0 or depth not in _DEPTHS.get(colour_type, ()):
        return None
    size = _scanline_bytes(width, height, colour_type, depth)
    body_size = len(_ZLIB_HEADER) + 5 * -(-size // _STORED_BLOCK) + size + 4
    if body_size > _MAX_CHUNK:
        return None
    try:
        scanlines = deflate.zlib_decompress(b"".join(image_data), size)
    except deflate.DeflateError:
        return None
    if len(scanlines) != size:
        return None
    return _png_with_stored_scanlines(view[:first_image_data], memoryview(scanlines), body_size, checksums)


def _png_with_stored_scanlines(before: memoryview, scanlines: memoryview, body_size: int, checksums: bool) -> bytes:
    """``before`` (signature and leading chunks), one IDAT chunk of stored blocks of ``scanlines``, and IEND;
    the chunk's CRC and the stream's Adler-32 are zero without ``checksums``."""
    assert deflate is not None
    head = b"IDAT" + _ZLIB_HEADER
    parts: list[bytes | memoryview] = [before, struct.pack(">I", body_size), head]
    crc = deflate.crc32(head) if checksums else 0
    for start in range(0, len(scanlines), _STORED_BLOCK):
        block = scanlines[start : start + _STORED_BLOCK]
        final = start + _STORED_BLOCK >= len(scanlines)
        block_header = struct.pack("<BHH", final, len(block), 0xFFFF ^ len(block))
        if checksums:
            crc = deflate.crc32(block, deflate.crc32(block_header, crc))
        parts += (block_header, block)
    checksum = struct.pack(">I", deflate.adler32(scanlines) if checksums else 0)
    parts += (checksum, struct.pack(">I", deflate.crc32(checksum, crc) if checksums else 0), _IEND)
    return b"".join(parts)


def keep_large_buffers_on_heap() -> bool:
    """Have glibc serve frame-sized buffers from its heap instead of fresh memory maps; False where it cannot.

    Decoding a frame allocates and frees a few buffers the size of the frame (2.3 MB at 640x900). glibc maps
    each from the kernel anew and the first touch of every page then faults, which costs as much as libdeflate's
    inflating; kept on the heap they are reused. For worker processes, whose life is decoding frames.
    """
    try:
        # The symbols already loaded into this process, libc's among them; find_library would run ldconfig.
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no mallopt (macOS), or no CDLL(None) (Windows)
        return False
    mmap_threshold, trim_threshold = -3, -1  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD in glibc's malloc.h
    return bool(mallopt(mmap_threshold, 64 << 20)) and bool(mallopt(trim_threshold, 128 << 20))
