"""The PNG with stored image data decodes to the same pixels, in every reader, and damage is left to the decoder."""

import io
import platform
import struct
import zlib

import numpy as np
import pyspng
import pytest
from PIL import Image

from pixel_sprites.engine.errors import FrameError
from pixel_sprites.engine.frames import downscale, libspng, png_inflate
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


@pytest.mark.parametrize("channels", [4, 3])
def test_read_frame_decodes_through_the_stored_copy(tmp_path, rng, monkeypatch, channels):
    pixels = rng.integers(0, 256, (90, 64, channels), dtype=np.uint8)
    path = tmp_path / "frame.png"
    path.write_bytes(_png(pixels))
    results = []

    def spy(data: bytes, **options: bool) -> bytes | None:
        results.append(with_stored_image_data(data, **options))
        return results[-1]

    # RGBA, what renders are, goes to libspng directly (without checksums); everything else through pyspng
    monkeypatch.setattr(libspng if channels == 4 else downscale, "with_stored_image_data", spy)
    np.testing.assert_array_equal(read_frame(path).rgba[:, :, :channels], pixels)
    assert len(results) == 1 and results[0] is not None


def test_without_checksums_the_copy_has_zero_ones_and_libspng_decodes_it(rng):
    original = FLAVOURS["large rgba"](rng)
    stored = with_stored_image_data(original, checksums=False)
    assert stored is not None
    image_data = next((payload, crc) for kind, payload, crc in _chunks(stored) if kind == b"IDAT")
    assert image_data[1] == 0 and image_data[0][-4:] == bytes(4)  # the chunk's CRC, the stream's Adler-32
    assert zlib.decompress(image_data[0][2:-4], wbits=-15) == zlib.decompress(  # raw: no Adler-32 to check
        b"".join(payload for kind, payload, _ in _chunks(original) if kind == b"IDAT")
    )
    np.testing.assert_array_equal(libspng.decode_rgba8(original), pyspng.load(original))


def test_libspng_is_called_directly_here():
    """Linux wheels of pyspng export libspng's functions: if a new one stops doing so, renders decode slower."""
    assert libspng.available()


@pytest.mark.parametrize("flavour", [name for name in FLAVOURS if "rgba" not in name and name != "fast compression"])
def test_libspng_directly_takes_only_8_bit_rgba(rng, flavour):
    assert libspng.decode_rgba8(FLAVOURS[flavour](rng)) is None


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[: len(data) // 2], lambda data: data[:8] + data[33:]],
    ids=["truncated", "no header"],
)
def test_damage_is_left_to_the_decoder_that_names_it(tmp_path, rng, damage):
    damaged = damage(_png(rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)))
    assert libspng.decode_rgba8(damaged) is None
    path = tmp_path / "frame.png"
    path.write_bytes(damaged)
    with pytest.raises(FrameError, match=r"corrupt PNG|not a PNG"):
        read_frame(path)


def test_without_direct_libspng_frames_decode_as_before(tmp_path, rng, monkeypatch):
    pixels = rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)
    path = tmp_path / "frame.png"
    path.write_bytes(_png(pixels))
    monkeypatch.setattr(libspng, "_library", lambda: None)
    assert libspng.decode_rgba8(path.read_bytes()) is None
    np.testing.assert_array_equal(read_frame(path).rgba, pixels)


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
