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
import zlib

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


def with_stored_image_data(data: bytes, *, checksums: bool = True, zlib_fallback: bool = False) -> bytes | None:
    """The PNG ``data`` with its image data inflated by libdeflate and stored uncompressed, or None.

    Without ``checksums`` the new image data's CRC and Adler-32 are left zero, for a decoder told to ignore
    both (see :mod:`.libspng`): they would only vouch for bytes made a moment ago, whose source libdeflate
    has already checked against its own Adler-32. With ``zlib_fallback``, Python's zlib inflates where libdeflate
    is not installed: the decoder then copies stored blocks rather than inflating a second time, and the copy
    holds every row (which decoders do not check, see :func:`missing_image_data`).

    None means that this cannot help and the caller should decode ``data`` itself (see
    :func:`missing_image_data` and :func:`chunk_damage` for naming any damage): libdeflate is not installed (and
    no ``zlib_fallback``), the image is interlaced (Blender never writes one), or the file is not a well-formed PNG
    whose image data inflates to exactly its scanlines (Adler-32 checked).
    The chunks before the image data (the header, palette, transparency, colour information) are kept as they
    are; the text chunks after it are left out.
    """
    if (deflate is None and not zlib_fallback) or not data.startswith(PNG_SIGNATURE):
        return None
    found = _image_data(data)
    if found is None:
        return None
    (width, height, depth, colour_type, _, _, interlace), image_data, first_image_data = found
    if interlace != 0 or depth not in _DEPTHS.get(colour_type, ()):
        return None
    size = _scanline_bytes(width, height, colour_type, depth)
    body_size = len(_ZLIB_HEADER) + 5 * -(-size // _STORED_BLOCK) + size + 4
    if body_size > _MAX_CHUNK:
        return None
    scanlines = _inflate(b"".join(image_data), size)
    if scanlines is None or len(scanlines) != size:
        return None
    return _png_with_stored_scanlines(memoryview(data)[:first_image_data], memoryview(scanlines), body_size, checksums)


def _image_data(data: bytes) -> tuple[tuple[int, ...], list[memoryview], int] | None:
    """The header's fields, the payloads of the image data chunks and where the first of them starts; None unless
    ``data`` has a header and a run of image data chunks, all complete."""
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
    return header, image_data, first_image_data


def _inflate(compressed: bytes, size: int) -> bytes | bytearray | None:
    """The zlib stream ``compressed`` inflated, with libdeflate if it is installed (else with zlib); None if the
    stream is damaged, or does not end within ``size`` bytes."""
    if deflate is not None:
        try:
            return deflate.zlib_decompress(compressed, size)
        except deflate.DeflateError:
            return None
    inflater = zlib.decompressobj()
    try:
        scanlines = inflater.decompress(compressed, size)
    except zlib.error:
        return None
    return scanlines if inflater.eof else None


def _interlaced_bytes(width: int, height: int, colour_type: int, depth: int) -> int:
    """Bytes of the filtered scanlines of an Adam7-interlaced image: those of its seven passes."""
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
    total = 0
    for column, row, across, down in passes:
        pass_width, pass_height = -(-(width - column) // across), -(-(height - row) // down)
        if pass_width > 0 and pass_height > 0:
            total += _scanline_bytes(pass_width, pass_height, colour_type, depth)
    return total


def missing_image_data(data: bytes) -> str | None:
    """What the image data of the PNG ``data`` lacks, in words ("it holds 5 of the 9 rows its header gives", "its
    image data is damaged after 5 of its 9 rows"); None if it holds every row, or if the file has no header and
    image data to inflate (the decoders name that).

    Decoders given image data that ends early leave the rows it lacks transparent without a word (Pillow) or
    fail without saying why (libspng). Inflated with Python's zlib: for a file :func:`with_stored_image_data`
    could not vouch for.
    """
    found = _image_data(data) if data.startswith(PNG_SIGNATURE) else None
    if found is None:
        return None
    (width, height, depth, colour_type, _, _, interlace), image_data, _ = found
    if depth not in _DEPTHS.get(colour_type, ()) or width == 0 or height == 0:
        return None  # a header no decoder takes: they say so
    row = _scanline_bytes(width, 1, colour_type, depth)
    size = _interlaced_bytes(width, height, colour_type, depth) if interlace else row * height
    inflater = zlib.decompressobj()
    held = 0
    try:
        for chunk in image_data:  # chunk by chunk: damage further on leaves the rows before it counted
            held += len(inflater.decompress(chunk, size + 1 - held))
            if held > size:
                return None  # more than the header gives: the decoders take the rows they need
    except zlib.error:
        if held >= size:
            return "its image data fails its checksum"
        if interlace:
            return "its interlaced image data is damaged"
        return f"its image data is damaged after {held // row} of its {height} rows"
    if held >= size:
        return None
    if interlace:
        return f"its interlaced image data ends early: it holds {held:,} of the {size:,} bytes of its passes"
    return f"it holds {held // row} of the {height} rows its header gives"


def chunk_damage(data: bytes) -> str | None:
    """What is wrong with the chunks of the PNG ``data``, in words ("the file ends early, in its IDAT chunk");
    None if they look whole (any damage is inside the image data: see :func:`missing_image_data`)."""
    if len(data) < len(PNG_SIGNATURE) + 25:
        return "the file ends early, in its header"
    (length,) = struct.unpack_from(">I", data, len(PNG_SIGNATURE))
    if data[12:16] != b"IHDR" or length != 13:
        return "it does not start with an IHDR header chunk"
    if zlib.crc32(data[12:29]) != struct.unpack_from(">I", data, 29)[0]:
        return "its header fails its checksum"
    width, height, depth, colour_type, compression, filtering, interlace = struct.unpack_from(">IIBBBBB", data, 16)
    if width == 0 or height == 0:
        return f"its header gives a size of {width}x{height}"
    if depth not in _DEPTHS.get(colour_type, ()):
        return f"its header gives colour type {colour_type} at {depth} bits, which PNG does not have"
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        return "its header names a compression, filter or interlace method PNG does not have"
    position, kinds = len(PNG_SIGNATURE), set()
    while b"IEND" not in kinds:
        if position + 12 > len(data):
            return "the file ends early" + ("" if b"IDAT" in kinds else ", before its image data")
        (length,) = struct.unpack_from(">I", data, position)
        kind = data[position + 4 : position + 8]
        if not kind.isalpha():
            return "its chunks are damaged: one has no chunk type"
        if position + 12 + length > len(data):
            return f"the file ends early, in its {kind.decode('ascii')} chunk"
        kinds.add(kind)
        position += 12 + length
    if b"IDAT" not in kinds:
        return "it holds no IDAT image data chunk"
    if colour_type == 3 and b"PLTE" not in kinds:
        return "it is paletted and holds no PLTE palette chunk"
    return None


def _png_with_stored_scanlines(before: memoryview, scanlines: memoryview, body_size: int, checksums: bool) -> bytes:
    """``before`` (signature and leading chunks), one IDAT chunk of stored blocks of ``scanlines``, and IEND;
    the chunk's CRC and the stream's Adler-32 are zero without ``checksums``."""
    sums = deflate if deflate is not None else zlib  # libdeflate's are faster; zlib's give the same numbers
    head = b"IDAT" + _ZLIB_HEADER
    parts: list[bytes | memoryview] = [before, struct.pack(">I", body_size), head]
    crc = sums.crc32(head) if checksums else 0
    for start in range(0, len(scanlines), _STORED_BLOCK):
        block = scanlines[start : start + _STORED_BLOCK]
        final = start + _STORED_BLOCK >= len(scanlines)
        block_header = struct.pack("<BHH", final, len(block), 0xFFFF ^ len(block))
        if checksums:
            crc = sums.crc32(block, sums.crc32(block_header, crc))
        parts += (block_header, block)
    checksum = struct.pack(">I", sums.adler32(scanlines) if checksums else 0)
    parts += (checksum, struct.pack(">I", sums.crc32(checksum, crc) if checksums else 0), _IEND)
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
