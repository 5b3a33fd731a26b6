"""Decoding 8-bit RGBA PNGs, what renders are, with libspng called directly rather than through pyspng.

pyspng copies the whole file it is given and has libspng verify the Adler-32 of its image data. Given the copy
that :mod:`.png_inflate` made a moment ago (whose source libdeflate has checked already), neither is of use: called
through ``ctypes`` on the very library pyspng's wheel carries, with that copy's checksums neither computed nor
verified, a 640x900 render decodes in about 0.3 ms less, a tenth of what reading it costs.

Only where the wheel exports libspng's functions (Linux and macOS builds do; Windows builds keep them hidden):
elsewhere, and for every other kind of PNG, :func:`~.downscale.decode_png` decodes as before. Whatever this
cannot decode it leaves to that path, which names the damage in its own words.
"""

from __future__ import annotations

import ctypes
import functools
import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .png_inflate import PNG_SIGNATURE, with_stored_image_data

# From libspng's spng.h (0.7): context flags, CRC actions, output formats.
_IGNORE_ADLER32 = 1
_CRC_USE = 2
_FMT_RGBA8 = 1
# pyspng's limits on the memory that chunks other than the image data may take.
_CHUNK_LIMIT = 64 << 20
_RGBA = 6


@functools.lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    """libspng as pyspng's extension module holds it, with the functions used here typed; None if unavailable."""
    try:
        import pyspng._pyspng_c as extension

        library = ctypes.CDLL(str(Path(extension.__file__)))
        signatures = {
            "spng_ctx_new": ([ctypes.c_int], ctypes.c_void_p),
            "spng_ctx_free": ([ctypes.c_void_p], None),
            "spng_set_crc_action": ([ctypes.c_void_p, ctypes.c_int, ctypes.c_int], ctypes.c_int),
            "spng_set_chunk_limits": ([ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t], ctypes.c_int),
            "spng_set_png_buffer": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
            "spng_decoded_image_size": (
                [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_size_t)],
                ctypes.c_int,
            ),
            "spng_decode_image": (
                [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int],
                ctypes.c_int,
            ),
        }
        for name, (arguments, result) in signatures.items():
            function = getattr(library, name)
            function.argtypes, function.restype = arguments, result
    except (ImportError, OSError, AttributeError):  # no pyspng, or a build that hides libspng's symbols
        return None
    return library


def available() -> bool:
    return _library() is not None


def decode_rgba8(data: bytes) -> NDArray[np.uint8] | None:
    """The pixels of ``data``, a non-interlaced 8-bit RGBA PNG without a tRNS chunk; None for any other PNG, a
    damaged one, or where libspng cannot be called directly."""
    library = _library()
    if library is None or len(data) < 33 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height, depth, colour_type, _, _, interlace = struct.unpack_from(">IIBBBBB", data, 16)
    if depth != 8 or colour_type != _RGBA or interlace != 0:
        return None
    stored = with_stored_image_data(data, checksums=False)
    if stored is None:
        return None
    context = library.spng_ctx_new(_IGNORE_ADLER32)
    if not context:
        return None
    try:
        size = ctypes.c_size_t()
        if (
            library.spng_set_crc_action(context, _CRC_USE, _CRC_USE)
            or library.spng_set_chunk_limits(context, _CHUNK_LIMIT, _CHUNK_LIMIT)
            or library.spng_set_png_buffer(context, stored, len(stored))
            or library.spng_decoded_image_size(context, _FMT_RGBA8, ctypes.byref(size))
            or size.value != width * height * 4
        ):
            return None
        pixels = np.empty((height, width, 4), np.uint8)
        if library.spng_decode_image(context, pixels.ctypes.data, size.value, _FMT_RGBA8, 0):
            return None
        return pixels
    finally:
        library.spng_ctx_free(context)
