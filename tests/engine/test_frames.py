import io
import os

import numpy as np
import pytest
from helpers import save_png
from PIL import Image
from skimage.transform import resize

from pixel_sprites.engine.errors import FrameError
from pixel_sprites.engine.frames.downscale import Downscaler, DownscaleSettings, nearest_indices, read_frame


def test_reads_rgba_unchanged(tmp_path, rng):
    pixels = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    frame = read_frame(save_png(tmp_path / "a.png", pixels))
    np.testing.assert_array_equal(frame.rgba, pixels)
    assert frame.notes == ()


def test_reads_rgb_as_opaque_with_a_note(tmp_path, rng):
    pixels = rng.integers(0, 256, size=(4, 6, 3), dtype=np.uint8)
    frame = read_frame(save_png(tmp_path / "rgb.png", pixels))
    np.testing.assert_array_equal(frame.rgba[:, :, :3], pixels)
    assert (frame.rgba[:, :, 3] == 255).all()
    assert frame.notes == ("no alpha channel: every pixel is opaque",)


def test_reads_grey_and_grey_alpha(tmp_path, rng):
    grey = rng.integers(0, 256, size=(4, 6), dtype=np.uint8)
    frame = read_frame(save_png(tmp_path / "l.png", grey))
    np.testing.assert_array_equal(frame.rgba[:, :, 0], grey)
    np.testing.assert_array_equal(frame.rgba[:, :, 2], grey)
    assert "greyscale image expanded to RGB" in frame.notes
    grey_alpha = rng.integers(0, 256, size=(4, 6, 2), dtype=np.uint8)
    frame = read_frame(save_png(tmp_path / "la.png", grey_alpha, "LA"))
    np.testing.assert_array_equal(frame.rgba[:, :, 1], grey_alpha[:, :, 0])
    np.testing.assert_array_equal(frame.rgba[:, :, 3], grey_alpha[:, :, 1])


def test_reads_16_bit_by_rounding_to_8_bit(tmp_path):
    values = np.array([[0, 257, 65535, 32896]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    frame = read_frame(path)
    np.testing.assert_array_equal(frame.rgba[0, :, 0], [0, 1, 255, 128])
    assert "16-bit samples reduced to 8-bit" in frame.notes


def test_reads_paletted_with_transparency(tmp_path):
    image = Image.new("P", (3, 1))
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0])
    image.putdata([0, 1, 2])
    path = tmp_path / "p.png"
    image.save(path, transparency=0)
    rgba = read_frame(path).rgba
    assert rgba[0, 0, 3] == 0
    np.testing.assert_array_equal(rgba[0, 1], [255, 0, 0, 255])
    np.testing.assert_array_equal(rgba[0, 2], [0, 255, 0, 255])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"GIF89a not a png at all", "not a PNG file"),
    ],
)
def test_unusable_files_name_the_problem(tmp_path, content, reason):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(FrameError) as error:
        read_frame(path)
    assert error.value.reason == reason
    assert str(path) in str(error.value)


def test_truncated_png_is_reported_as_corrupt(tmp_path, rng):
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, size=(64, 64, 4), dtype=np.uint8)).save(buffer, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[:200])
    with pytest.raises(FrameError, match="corrupt PNG"):
        read_frame(path)


@pytest.mark.parametrize(
    ("n_in", "n_out"), [(900, 90), (640, 64), (901, 90), (333, 64), (7, 3), (10, 1), (64, 64), (5, 9)]
)
def test_nearest_indices_pick_what_scikit_image_picks(n_in, n_out):
    column = np.arange(n_in, dtype=np.float64)[:, None]
    expected = resize(column, (n_out, 1), order=0, anti_aliasing=False, preserve_range=True)[:, 0]
    np.testing.assert_array_equal(nearest_indices(n_in, n_out), expected.astype(np.intp))


@pytest.mark.parametrize(("shape", "out"), [((900, 640), (90, 64)), ((451, 333), (45, 33)), ((90, 64), (91, 65))])
def test_downscale_equals_scikit_image_resize(rng, shape, out):
    rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
    small = Downscaler(shape, out, alpha_threshold=128)(rgba)
    expected = resize(rgba, out, order=0, anti_aliasing=False, preserve_range=True).astype(np.uint8)
    opaque = expected[:, :, 3] >= 128
    np.testing.assert_array_equal(
        small[opaque], np.concatenate([expected[opaque][:, :3], np.full((opaque.sum(), 1), 255)], 1)
    )
    assert (small[~opaque] == 0).all()


def test_alpha_threshold_is_inclusive():
    rgba = np.zeros((1, 3, 4), dtype=np.uint8)
    rgba[0, :, :3] = 200
    rgba[0, :, 3] = [127, 128, 255]
    small = Downscaler((1, 3), (1, 3), alpha_threshold=128)(rgba)
    np.testing.assert_array_equal(small[0, :, 3], [0, 255, 255])
    np.testing.assert_array_equal(small[0, 0], [0, 0, 0, 0])


def test_pixel_block_size_gives_the_sprite_shape():
    assert DownscaleSettings(pixel=10).downscaler((900, 640)).out_shape == (90, 64)
    assert DownscaleSettings(size=(32, 45)).downscaler((900, 640)).out_shape == (45, 32)


@pytest.mark.parametrize("kwargs", [{"size": (0, 5)}, {"pixel": 0}, {"size": (4, 4), "pixel": 2}])
def test_invalid_sizes_are_rejected(kwargs):
    with pytest.raises(ValueError):
        DownscaleSettings(**kwargs)


@pytest.mark.parametrize(
    ("shape", "dtype", "mode"),
    [((9, 7, 4), np.uint8, "RGBA"), ((9, 7, 3), np.uint8, "RGB"), ((9, 7), np.uint8, "L"), ((9, 7), np.uint16, None)],
)
def test_pillow_fallback_decodes_exactly_like_the_fast_decoder(tmp_path, rng, monkeypatch, shape, dtype, mode):
    from pixel_sprites.engine.frames import downscale

    if downscale.pyspng is None:
        if os.environ.get("CI"):  # CI installs pyspng; missing, the fallback would never be compared with it
            pytest.fail("pyspng is not installed", pytrace=False)
        pytest.skip("the fast decoder is not installed")
    pixels = rng.integers(0, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)
    path = tmp_path / "frame.png"
    Image.fromarray(pixels, mode).save(path)
    fast = read_frame(path)
    monkeypatch.setattr(downscale, "pyspng", None)
    fallback = read_frame(path)
    np.testing.assert_array_equal(fast.rgba, fallback.rgba)
    assert (
        (dtype == np.uint16)
        == ("16-bit samples reduced to 8-bit" in fast.notes)
        == ("16-bit samples reduced to 8-bit" in fallback.notes)
    )
