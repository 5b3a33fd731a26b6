"""The PNG with stored image data decodes to the same pixels, in every reader, and damage is left to the decoder."""

import io
import platform
import struct
import zlib

import numpy as np
import pyspng
import pytest
from PIL import Image

from pixel_sprites.engine.frames import downscale, png_inflate
from pixel_sprites.engine.frames.downscale import read_frame
from pixel_sprites.engine.frames.png_inflate import keep_large_buffers_on_heap, with_stored_image_data


def _chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    """(type, payload, stored CRC) of every chunk."""
    found, position = [], 8
    while position < len(data):
        (length,) = struct.unpack_from(">I", data, position)
        kind, payload = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack_from(">I", data, position + 8 + length)
        found.append((kind, payload, crc))
        position += 12 + length
    return found


def _with_header(data: bytes, header: bytes) -> bytes:
    """``data`` with another IHDR payload, under a CRC that matches it."""
    chunks = _chunks(data)
    assert chunks[0][0] == b"IHDR"
    ihdr = b"IHDR" + header
    return data[:8] + struct.pack(">I", len(header)) + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def _png(pixels: np.ndarray, mode: str | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode).save(buffer, "PNG", **options)
    return buffer.getvalue()


def _pillow_pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA") if image.mode == "P" else image)


FLAVOURS = {
    "rgba": lambda rng: _png(rng.integers(0, 256, (37, 29, 4), dtype=np.uint8)),
    "rgb": lambda rng: _png(rng.integers(0, 256, (37, 29, 3), dtype=np.uint8)),
    "grey": lambda rng: _png(rng.integers(0, 256, (37, 29), dtype=np.uint8)),
    "grey and alpha": lambda rng: _png(rng.integers(0, 256, (37, 29, 2), dtype=np.uint8), "LA"),
    "16-bit grey": lambda rng: _png(rng.integers(0, 65536, (37, 29), dtype=np.uint16)),
    "1-bit": lambda rng: _png(rng.integers(0, 2, (37, 29), dtype=np.uint8).astype(bool)),
    "4-bit palette": lambda rng: _png(rng.integers(0, 16, (37, 29), dtype=np.uint8), "P", bits=4),
    # several IDAT chunks in, several stored blocks out
    "large rgba": lambda rng: _png(rng.integers(0, 256, (300, 200, 4), dtype=np.uint8)),
    "fast compression": lambda rng: _png(
        np.repeat(rng.integers(0, 256, (64, 1, 4), np.uint8), 90, 1), compress_level=1
    ),
}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_stored_copy_has_the_same_pixels_and_valid_checksums(rng, flavour):
    original = FLAVOURS[flavour](rng)
    stored = with_stored_image_data(original)
    assert stored is not None
    chunks = _chunks(stored)
    assert [kind for kind, _, _ in chunks if kind == b"IDAT"] == [b"IDAT"]
    assert all(zlib.crc32(kind + payload) == crc for kind, payload, crc in chunks)
    image_data = next(payload for kind, payload, _ in chunks if kind == b"IDAT")
    original_image_data = b"".join(payload for kind, payload, _ in _chunks(original) if kind == b"IDAT")
    assert zlib.decompress(image_data) == zlib.decompress(original_image_data)  # zlib checks the Adler-32 too
    np.testing.assert_array_equal(_pillow_pixels(stored), _pillow_pixels(original))
    if flavour != "grey and alpha":  # libspng has no output format for it
        np.testing.assert_array_equal(pyspng.load(stored), pyspng.load(original))


def test_read_frame_decodes_through_the_stored_copy(tmp_path, rng, monkeypatch):
    pixels = rng.integers(0, 256, (90, 64, 4), dtype=np.uint8)
    path = tmp_path / "frame.png"
    path.write_bytes(_png(pixels))
    results = []

    def spy(data: bytes) -> bytes | None:
        results.append(with_stored_image_data(data))
        return results[-1]

    monkeypatch.setattr(downscale, "with_stored_image_data", spy)
    np.testing.assert_array_equal(read_frame(path).rgba, pixels)
    assert len(results) == 1 and results[0] is not None


def _interlaced(data: bytes) -> bytes:
    header = bytearray(_chunks(data)[0][1])
    header[12] = 1
    return _with_header(data, bytes(header))


def _height_changed(data: bytes, change: int) -> bytes:
    """``data`` claiming ``change`` more rows than its image data holds."""
    header = bytearray(_chunks(data)[0][1])
    header[4:8] = struct.pack(">I", struct.unpack_from(">I", header, 4)[0] + change)
    return _with_header(data, bytes(header))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        _interlaced,
        lambda data: _height_changed(data, 1),
        lambda data: _height_changed(data, -1),
        lambda data: data[:8] + data[33:],  # no header
        lambda data: b"not a png" + data,
    ],
    ids=["truncated", "interlaced", "taller than its data", "shorter than its data", "no header",
         "no signature"],
)  # fmt: skip
def test_what_it_cannot_vouch_for_is_left_to_the_decoder(rng, damage):
    original = _png(rng.integers(0, 256, (40, 30, 4), dtype=np.uint8))
    assert with_stored_image_data(original) is not None
    assert with_stored_image_data(damage(original)) is None


def test_without_libdeflate_frames_decode_as_before(tmp_path, rng, monkeypatch):
    pixels = rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)
    path = tmp_path / "frame.png"
    path.write_bytes(_png(pixels))
    monkeypatch.setattr(png_inflate, "deflate", None)
    assert with_stored_image_data(path.read_bytes()) is None
    np.testing.assert_array_equal(read_frame(path).rgba, pixels)


def test_large_buffers_stay_on_the_heap_where_the_c_library_is_glibc():
    assert keep_large_buffers_on_heap() == (platform.libc_ver()[0] == "glibc")
