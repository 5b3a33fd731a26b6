"""What a new user's mistakes get (issue 27): one line naming the file or option and the problem in words, a frame
that cannot be used skipped and named, and never a traceback, an object's address or Pillow's warnings."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import save_png, write_set_renders
from PIL import Image

from pixel_sprites import cli
from pixel_sprites.engine.errors import FrameError
from pixel_sprites.engine.frames import downscale, libspng, png_inflate
from pixel_sprites.engine.frames.depth import DepthScale, read_depth
from pixel_sprites.engine.frames.downscale import read_frame
from pixel_sprites.engine.frames.normals import read_normals

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colour type and channels of each kind of PNG built here; every one takes another decode path.
KINDS = {"rgba": (6, 4), "rgb": (2, 3), "grey and alpha": (4, 2), "grey": (0, 1)}
# What a 9-row frame whose image data ends after 4 rows is reported with.
FOUR_OF_NINE = "it holds 4 of the 9 rows its header gives"
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def scanlines(pixels: np.ndarray, *, interlaced: bool = False) -> bytes:
    """The filtered scanlines (filter 0) of ``pixels`` (h, w, channels): row by row, or pass by pass (Adam7)."""
    if not interlaced:
        return b"".join(b"\0" + row.tobytes() for row in pixels)
    passes = [pixels[row::down, column::across] for column, row, across, down in ADAM7]
    return b"".join(scanlines(part) for part in passes if part.size)


def png(
    pixels: np.ndarray,
    *,
    rows: int | None = None,
    cut: int | None = None,
    interlaced: bool = False,
    before_data: bytes = b"",
) -> bytes:
    """An 8-bit PNG of ``pixels`` with correct CRCs and Adler-32; its image data holds only ``rows`` rows (a
    complete zlib stream that ends early), or only the first ``cut`` bytes of its zlib stream (one cut off)."""
    height, width, channels = pixels.shape
    colour_type = next(kind for kind, count in KINDS.values() if count == channels)
    stream = zlib.compress(scanlines(pixels[:rows] if rows is not None else pixels, interlaced=interlaced))
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, int(interlaced))
    return (
        SIGNATURE + chunk(b"IHDR", header) + before_data + chunk(b"IDAT", stream[:cut]) + chunk(b"IEND", b"")
    )  # fmt: skip


def refused(capsys, *args: object) -> str:
    """Run the command line; it must refuse with exit 2 and one line; returns that line."""
    assert cli.main([str(arg) for arg in args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def parser_refused(capsys, *args: object) -> str:
    """Run the command line; its parser must refuse with exit 2; returns the error line (after the usage)."""
    with pytest.raises(SystemExit) as exit_request:
        cli.main([str(arg) for arg in args])
    assert exit_request.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.fixture
def sprites(tmp_path, rng) -> Path:
    """Three 6x9 sprites, a text file named like one and a JPEG beside them."""
    for index in range(3):
        save_png(tmp_path / "sprites" / f"{index}.png", rng.integers(0, 256, (9, 6, 4), dtype=np.uint8))
    (tmp_path / "sprites" / "x.png").write_text("a note, not a picture")
    Image.fromarray(rng.integers(0, 256, (9, 6, 3), dtype=np.uint8)).save(tmp_path / "photo.jpg")
    return tmp_path / "sprites"


# 1. --scale has a bound


@pytest.mark.parametrize("command", ["grid", "sheet"])
def test_a_huge_scale_is_refused_by_the_parser_naming_the_option(sprites, tmp_path, capsys, command):
    out = ["--out" if command == "grid" else "--sheet-out", tmp_path / "grid.png"]
    line = parser_refused(capsys, command, sprites, *out, "--scale", "100000")
    assert line.endswith("error: argument --scale: expected a whole number from 1 to 64, got '100000'")
    assert not (tmp_path / "grid.png").exists()


def test_the_largest_scale_is_taken(sprites, tmp_path, capsys):
    assert cli.main(["grid", str(sprites / "0.png"), "--out", str(tmp_path / "grid.png"), "--scale", "64"]) == 0
    grid = np.asarray(Image.open(tmp_path / "grid.png"))
    assert grid.shape == (9 * 64, 6 * 64, 4)
    np.testing.assert_array_equal(grid[::64, ::64], np.asarray(Image.open(sprites / "0.png")))


def test_a_grid_larger_than_an_image_may_be_is_refused_before_memory_runs_out(sprites, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.grid, "MAX_FRAME_PIXELS", 100_000, raising=False)
    (sprites / "x.png").unlink()
    line = refused(capsys, "grid", sprites, "--out", tmp_path / "grid.png", "--scale", "64")
    assert line == (
        "pixel-sprites: error: the grid of 3 sprites of 6x9 at --scale 64 would be 1152x576 pixels, over the 100,000 "
        "an image of this tool may have; give a lower --scale"
    )
    assert not (tmp_path / "grid.png").exists()


# 2. grid names what is wrong with a file that is no PNG


def test_grid_says_a_file_is_not_a_png_rather_than_of_another_size(sprites, tmp_path, capsys):
    assert cli.main(["grid", str(sprites), str(tmp_path / "photo.jpg"), "--out", str(tmp_path / "grid.png")]) == 0
    captured = capsys.readouterr()
    assert sorted(captured.err.strip().splitlines()) == [
        f"left out {tmp_path / 'photo.jpg'}: not a PNG file",
        f"left out {sprites / 'x.png'}: not a PNG file",
    ]
    assert "3 sprites written" in captured.out
    assert Image.open(tmp_path / "grid.png").size == (3 * 6, 9)


def test_grid_of_nothing_but_a_jpeg_says_why(tmp_path, sprites, capsys):
    line = refused(capsys, "grid", tmp_path / "photo.jpg", "--out", tmp_path / "grid.png")
    assert line == (
        f"pixel-sprites: error: no PNG sprites found in {tmp_path / 'photo.jpg'} "
        f"({tmp_path / 'photo.jpg'}: not a PNG file)"
    )
    assert not (tmp_path / "grid.png").exists()


def test_grid_skips_a_sprite_that_holds_half_its_rows_and_shows_the_others(sprites, tmp_path, capsys, rng):
    (sprites / "x.png").unlink()
    (sprites / "3.png").write_bytes(png(rng.integers(0, 256, (9, 6, 4), dtype=np.uint8), rows=4))
    assert cli.main(["grid", str(sprites), "--out", str(tmp_path / "grid.png")]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == f"skipped {sprites / '3.png'}: corrupt PNG ({FOUR_OF_NINE})"
    assert "3 sprites written" in captured.out and Image.open(tmp_path / "grid.png").size == (3 * 6, 9)


# 3. unreadable frames are named in words, whichever reader meets them


def read_colour(path: Path) -> object:
    return read_frame(path)


def read_normal(path: Path) -> object:
    return read_normals(path, (9, 6))


def read_depth_frame(path: Path) -> object:
    return read_depth(path, (9, 6), DepthScale(0.1, 100.0, 1.0, perspective=True))


READERS = {"colour": (read_colour, ""), "normal": (read_normal, "normal"), "depth": (read_depth_frame, "depth")}


def damaged_files(rng) -> dict[str, tuple[bytes, str]]:
    """Damaged files, each with the problem it must be reported with."""
    good = png(rng.integers(0, 256, (9, 6, 4), dtype=np.uint8))
    return {
        "text": (b"a note, not a picture", "not a PNG file"),
        "junk after the signature": (SIGNATURE + b"junk" * 10, "it does not start with an IHDR header chunk"),
        "cut in its image data": (good[: len(good) - 30], "the file ends early, in its IDAT chunk"),
        "no image data": (good[:33] + chunk(b"IEND", b""), "it holds no IDAT image data chunk"),
    }


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("damage", ["text", "junk after the signature", "cut in its image data", "no image data"])
def test_an_unreadable_frame_is_named_with_its_problem_in_words(tmp_path, rng, reader, damage):
    data, problem = damaged_files(rng)[damage]
    path = tmp_path / "frame.png"
    path.write_bytes(data)
    read, pass_name = READERS[reader]
    with pytest.raises(FrameError) as error:
        read(path)
    assert error.value.path == path
    if pass_name:
        assert error.value.reason == f"{pass_name} frame is not a readable PNG ({problem})"
    else:
        assert error.value.reason == (problem if problem == "not a PNG file" else f"corrupt PNG ({problem})")


def test_process_names_each_damaged_frame_in_words_and_goes_on(tmp_path, rng, capsys):
    pixels = np.zeros((9, 6, 4), np.uint8)
    pixels[2:8, 1:5] = [200, 40, 40, 255]
    save_png(tmp_path / "renders" / "0.png", pixels)
    for name, (data, _) in damaged_files(rng).items():
        (tmp_path / "renders" / f"{name}.png").write_bytes(data)
    assert cli.main(["process", str(tmp_path / "renders"), "--out", str(tmp_path / "out"), "--pixel", "1",
                     "--workers", "1"]) == 0  # fmt: skip
    skipped = sorted(line for line in capsys.readouterr().err.splitlines() if line.startswith("skipped"))
    assert skipped == sorted(
        f"skipped {tmp_path / 'renders' / name}.png: {problem if name == 'text' else f'corrupt PNG ({problem})'}"
        for name, (_, problem) in damaged_files(rng).items()
    )
    assert (tmp_path / "out" / "0.png").is_file()
    assert not [name for name in damaged_files(rng) if (tmp_path / "out" / f"{name}.png").exists()]


# 4. large frames: no warning from Pillow, and too large ones skipped naming their size


@pytest.mark.parametrize("kind", ["rgba", "grey and alpha", "rgba without pyspng"])
def test_a_frame_above_pillows_warning_limit_is_read_without_a_warning(tmp_path, rng, monkeypatch, recwarn, kind):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40)  # 54 pixels: Pillow would warn (and refuse above 80)
    if kind.endswith("without pyspng"):
        monkeypatch.setattr(downscale, "pyspng", None)
        monkeypatch.setattr(libspng, "_library", lambda: None)
    pixels = rng.integers(0, 256, (9, 6, KINDS[kind.split(" without")[0]][1]), dtype=np.uint8)
    (tmp_path / "frame.png").write_bytes(png(pixels))
    rgba = read_frame(tmp_path / "frame.png").rgba
    np.testing.assert_array_equal(rgba[:, :, 0], pixels[:, :, 0])
    assert [str(warning.message) for warning in recwarn] == []


def test_a_frame_too_large_to_read_is_refused_naming_its_size(tmp_path, rng, monkeypatch, capsys):
    monkeypatch.setattr(downscale, "MAX_FRAME_PIXELS", 100, raising=False)
    save_png(tmp_path / "renders" / "small.png", rng.integers(0, 256, (9, 6, 4), dtype=np.uint8))  # 54 pixels
    save_png(tmp_path / "renders" / "large.png", rng.integers(0, 256, (9, 12, 4), dtype=np.uint8))  # 108 pixels
    assert read_frame(tmp_path / "renders" / "small.png").rgba.shape == (9, 6, 4)
    with pytest.raises(FrameError) as error:
        read_frame(tmp_path / "renders" / "large.png")
    assert error.value.reason == "too large to read: 12x9 is 108 pixels, over the 100 a frame may have"
    (tmp_path / "renders" / "small.png").unlink()
    save_png(tmp_path / "renders" / "also large.png", rng.integers(0, 256, (9, 12, 4), dtype=np.uint8))
    assert cli.main(["process", str(tmp_path / "renders"), "--out", str(tmp_path / "out"), "--pixel", "1",
                     "--workers", "1"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    for name in ("large.png", "also large.png"):
        assert f"{tmp_path / 'renders' / name}: too large to read: 12x9 is 108 pixels, over the 100 a frame" in err
    assert not list((tmp_path / "out").glob("*.png"))


# 5. image data that holds fewer rows than the header gives


def decode_paths(monkeypatch, path_name: str) -> None:
    """Have frames decoded one way: as here, without libdeflate, without libspng, or with neither."""
    if path_name in ("without libdeflate", "Pillow alone"):
        monkeypatch.setattr(png_inflate, "deflate", None)
    if path_name in ("without libspng", "Pillow alone"):
        monkeypatch.setattr(downscale, "pyspng", None)
        monkeypatch.setattr(libspng, "_library", lambda: None)


PATHS = ["as installed", "without libdeflate", "without libspng", "Pillow alone"]


@pytest.mark.parametrize("decode_path", PATHS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("damage", ["stream ends early", "stream cut off", "interlaced, stream ends early"])
def test_a_frame_holding_fewer_rows_than_its_header_says_is_refused(tmp_path, rng, monkeypatch, decode_path, kind,
                                                                     damage):  # fmt: skip
    decode_paths(monkeypatch, decode_path)
    pixels = rng.integers(0, 256, (9, 6, KINDS[kind][1]), dtype=np.uint8)
    full = zlib.compress(scanlines(pixels))
    interlaced = damage.startswith("interlaced")
    data = png(pixels, rows=4, interlaced=interlaced) if "ends early" in damage else png(pixels, cut=len(full) // 2)
    (tmp_path / "frame.png").write_bytes(data)
    with pytest.raises(FrameError) as error:
        read_frame(tmp_path / "frame.png")
    if interlaced:
        assert error.value.reason.startswith("corrupt PNG (its interlaced image data ends early: it holds ")
    elif damage == "stream cut off":
        assert error.value.reason.startswith("corrupt PNG (it holds ") and "of the 9 rows its header gives)" in str(
            error.value
        )
    else:
        assert error.value.reason == f"corrupt PNG ({FOUR_OF_NINE})"


@pytest.mark.parametrize("decode_path", PATHS)
@pytest.mark.parametrize("kind", [*KINDS, "paletted with transparency"])
@pytest.mark.parametrize("interlaced", [False, True], ids=["", "interlaced"])
def test_whole_frames_still_decode_on_every_path(tmp_path, rng, monkeypatch, decode_path, kind, interlaced):
    decode_paths(monkeypatch, decode_path)
    if kind == "paletted with transparency":
        indices = rng.integers(0, 4, (9, 6, 1), dtype=np.uint8)
        palette = chunk(b"PLTE", bytes(range(12))) + chunk(b"tRNS", b"\xff\x00\x80\xff")
        header = struct.pack(">IIBBBBB", 6, 9, 8, 3, 0, 0, int(interlaced))
        stream = zlib.compress(scanlines(indices, interlaced=interlaced))
        data = SIGNATURE + chunk(b"IHDR", header) + palette + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
        expected = np.column_stack([np.arange(12).reshape(4, 3), [255, 0, 128, 255]])[indices[:, :, 0]]
    else:
        pixels = rng.integers(0, 256, (9, 6, KINDS[kind][1]), dtype=np.uint8)
        data = png(pixels, interlaced=interlaced)
        colour = pixels[:, :, :3] if pixels.shape[2] > 2 else np.repeat(pixels[:, :, :1], 3, axis=2)
        alpha = pixels[:, :, -1:] if pixels.shape[2] in (2, 4) else np.full((9, 6, 1), 255, np.uint8)
        expected = np.concatenate([colour, alpha], axis=2)
    (tmp_path / "frame.png").write_bytes(data)
    np.testing.assert_array_equal(read_frame(tmp_path / "frame.png").rgba, expected)


def test_normal_and_depth_frames_holding_fewer_rows_are_refused(tmp_path, rng):
    (tmp_path / "frame.png").write_bytes(png(rng.integers(0, 256, (9, 6, 3), dtype=np.uint8), rows=4))
    for read, pass_name in (READERS["normal"], READERS["depth"]):
        with pytest.raises(FrameError) as error:
            read(tmp_path / "frame.png")
        assert error.value.reason == f"{pass_name} frame is not a readable PNG ({FOUR_OF_NINE})"


def test_process_skips_a_frame_holding_half_its_rows_and_names_it(tmp_path, rng, capsys):
    pixels = np.zeros((9, 6, 4), np.uint8)
    pixels[1:9, 1:5] = [200, 40, 40, 255]
    save_png(tmp_path / "renders" / "whole.png", pixels)
    (tmp_path / "renders" / "half.png").write_bytes(png(pixels, rows=4))
    assert cli.main(["process", str(tmp_path / "renders"), "--out", str(tmp_path / "out"), "--pixel", "1",
                     "--workers", "1"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"skipped {tmp_path / 'renders' / 'half.png'}: corrupt PNG ({FOUR_OF_NINE})" in err
    assert (tmp_path / "out" / "whole.png").is_file() and not (tmp_path / "out" / "half.png").exists()


# 6. palette-variant's message fits palette-variant


def test_a_set_without_a_palette_is_named_in_words_fitting_both_commands(tmp_path, capsys):
    def sprite(action: str, facing: int, frame: int) -> np.ndarray:
        rgba = np.zeros((12, 10, 4), np.uint8)
        rgba[2:10, 2:7] = [200, 40 + 80 * facing, 40, 255]
        return rgba

    write_set_renders(tmp_path / "renders", [("walk", 2)], ("S", "E"), sprite)
    out = tmp_path / "sprites"
    assert cli.main(["process", str(tmp_path / "renders"), "--out", str(out), "--pixel", "1", "--colors", "3"]) == 0
    for name in ("palette.gpl", "palette_report.json"):
        (out / name).unlink()
    (tmp_path / "red.gpl").write_text("GIMP Palette\n200 0 0\n0 200 0\n")
    capsys.readouterr()
    expected = (
        f"pixel-sprites: error: {out}: no palette for palette variants to replace: no set manifest, run report or "
        ".gpl palette beside the sprites (process or apply writes them with the sprites)"
    )
    assert refused(capsys, "palette-variant", out, tmp_path / "start.gpl") == expected
    assert refused(capsys, "sheet", out, "--variant", f"red={tmp_path / 'red.gpl'}") == expected
    assert not (tmp_path / "start.gpl").exists()
