"""Aseprite files, read back by readers this project did not write.

- ase-parser (npm), run by Node.js through ``tests/js/aseprite/read_aseprite.js``; ``npm ci --prefix
  tests/js/aseprite`` installs the version locked in ``package-lock.json``.
- aseprite-reader (PyPI), which also renders frames to RGBA; it needs Python 3.12 or newer, so only the
  Python 3.13 environment has it.

In CI (``CI`` set) a missing reader fails the tests, so they can never pass by not running; elsewhere they skip
and say what to install.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from aseprite_readers import missing, read_with_ase_parser, sprite_indices

from pixel_sprites.engine.export.aseprite import encode_aseprite, write_aseprite

# The chunk types of the spec (docs/ase-file-specs.md in aseprite/aseprite).
NEW_PALETTE_CHUNK = 0x2019
UNUSED_CHUNK = 0x2017  # the path chunk: "never used", so readers skip it


@dataclass(frozen=True)
class Sprites:
    """The arguments of one file."""

    frames: list[np.ndarray]
    palette: np.ndarray
    tags: list[tuple[str, int, int]]
    durations: list[int]

    def encode(self) -> bytes:
        return encode_aseprite(self.frames, self.palette, self.tags, self.durations)


def _mixed_frames() -> Sprites:
    """Frames whose cels are whole, cropped, missing, hollow and a single pixel, on a non-square sprite."""
    rng = np.random.default_rng(7)
    height, width = 9, 12
    palette = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    full = rng.integers(0, 6, (height, width))  # no transparent pixel: the cel is the whole frame at 0,0
    cropped = np.full((height, width), -1)
    cropped[2:7, 3:11] = rng.integers(-1, 6, (5, 8))
    cropped[2, 3] = cropped[6, 10] = 4  # pin the cel's corners to (3, 2) and (10, 6)
    empty = np.full((height, width), -1)
    hollow = np.full((height, width), -1)
    hollow[0, 0], hollow[-1, -1] = 0, 5  # two opposite corners: a whole-frame cel that is mostly transparent
    dot = np.full((height, width), -1)
    dot[-1, -1] = 3
    return Sprites(
        frames=[full, cropped, empty, hollow, dot],
        palette=palette,
        tags=[("walk", 0, 1), ("idle", 2, 4), ("all", 0, 4), ("blink ü", 3, 3)],
        durations=[100, 1, 65535, 83, 120],
    )


def _one_colour() -> Sprites:
    frame = np.array([[-1, 0, 0], [0, -1, 0]])
    return Sprites(
        frames=[frame, frame[::-1].copy()], palette=np.array([[200, 30, 90]], np.uint8), tags=[], durations=[50, 70]
    )


def _full_palette() -> Sprites:
    """255 colours, the most the format's 8-bit indices leave room for next to the transparent entry."""
    rng = np.random.default_rng(3)
    palette = rng.permutation(np.arange(256 * 3).reshape(-1, 3) % 256)[:255].astype(np.uint8)
    every_index = np.arange(-1, 255)  # all 256 stored values, 0..255
    frame = np.resize(every_index, (17, 16))
    return Sprites(
        frames=[frame, rng.permutation(frame.ravel()).reshape(17, 16)],
        palette=palette,
        tags=[("spin", 0, 1)],
        durations=[40, 40],
    )


def _single_pixel() -> Sprites:
    black = np.array([[0, 0, 0]], np.uint8)
    return Sprites(frames=[np.zeros((1, 1), np.int8)], palette=black, tags=[("still", 0, 0)], durations=[1])


CASES = {"mixed": _mixed_frames, "one colour": _one_colour, "255 colours": _full_palette, "1x1": _single_pixel}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sprites(case: str) -> Sprites:
    return CASES[case]()


@pytest.fixture(scope="session")
def ase_parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What ase-parser reads from each case's file, by case name, in one run of Node.js.

    ``"<case> (old reader)"`` is the same file with its new palette chunk hidden, as a reader that predates
    that chunk sees it.
    """
    folder = tmp_path_factory.mktemp("ase_parser")
    files = {}
    for number, (name, make) in enumerate(CASES.items()):
        data = make().encode()
        files[name] = folder / f"{number}.aseprite"
        files[name].write_bytes(data)
        files[f"{name} (old reader)"] = folder / f"{number}-old.aseprite"
        files[f"{name} (old reader)"].write_bytes(_hide_new_palette_chunk(data))
    return dict(zip(files, read_with_ase_parser(list(files.values())), strict=True))


@pytest.fixture(scope="session")
def aseprite_reader() -> ModuleType:
    if sys.version_info < (3, 12):
        pytest.skip("aseprite-reader needs Python 3.12 or newer (scripts/test.sh also runs these tests on 3.13)")
    try:
        import aseprite_reader
    except ImportError:
        missing(f"aseprite-reader is not installed in {sys.prefix}")
    return aseprite_reader


def _write(tmp_path: Path, sprites: Sprites, name: str = "sprites.aseprite") -> Path:
    path = tmp_path / name
    path.write_bytes(sprites.encode())
    return path


def _expected_rgba(frame: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """What a frame looks like: palette colours, opaque, and fully transparent where the index is -1."""
    rgba = np.zeros((*frame.shape, 4), np.uint8)
    opaque = frame >= 0
    rgba[opaque, :3] = palette[frame[opaque]]
    rgba[opaque, 3] = 255
    return rgba


def _hide_new_palette_chunk(data: bytes) -> bytes:
    """The file as a reader that predates the new palette chunk sees it: that chunk's type made one it skips.

    The first frame's first chunk starts after the 128-byte header and the 16-byte frame header.
    """
    type_offset = 128 + 16 + 4
    assert int.from_bytes(data[type_offset : type_offset + 2], "little") == NEW_PALETTE_CHUNK
    return data[:type_offset] + UNUSED_CHUNK.to_bytes(2, "little") + data[type_offset + 2 :]


# ase-parser


def test_ase_parser_reads_the_header_frames_and_durations(case, sprites, ase_parsed):
    data = sprites.encode()
    parsed = ase_parsed[case]
    height, width = sprites.frames[0].shape
    assert (parsed["width"], parsed["height"]) == (width, height)
    assert parsed["colorDepth"] == 8
    assert parsed["numFrames"] == len(parsed["frames"]) == len(sprites.frames)
    assert parsed["fileSize"] == len(data) == 128 + sum(frame["bytesInFrame"] for frame in parsed["frames"])
    assert parsed["numColors"] == len(sprites.palette) + 1
    assert parsed["pixelRatio"] == "1:1"
    assert parsed["paletteIndex"] == 0
    assert [frame["duration"] for frame in parsed["frames"]] == sprites.durations


def test_ase_parser_reads_every_pixel_index(case, sprites, ase_parsed):
    parsed = ase_parsed[case]
    height, width = sprites.frames[0].shape
    for number, (frame, parsed_frame) in enumerate(zip(sprites.frames, parsed["frames"], strict=True)):
        expected_cels = 0 if (frame == -1).all() else 1
        assert len(parsed_frame["cels"]) == expected_cels, f"frame {number}"
        for cel in parsed_frame["cels"]:
            assert (cel["layerIndex"], cel["celType"], cel["opacity"], cel["zIndex"]) == (0, 2, 255, 0)
        np.testing.assert_array_equal(sprite_indices(parsed_frame, height, width), frame, err_msg=f"frame {number}")


def test_cels_are_cropped_to_the_visible_pixels(ase_parsed):
    parsed = ase_parsed["mixed"]
    bounds = [[(cel["xpos"], cel["ypos"], cel["w"], cel["h"]) for cel in frame["cels"]] for frame in parsed["frames"]]
    assert bounds == [[(0, 0, 12, 9)], [(3, 2, 8, 5)], [], [(0, 0, 12, 9)], [(11, 8, 1, 1)]]


def test_ase_parser_reads_the_palette_with_a_transparent_first_entry(case, sprites, ase_parsed):
    parsed = ase_parsed[case]
    palette = parsed["palette"]
    entries = len(sprites.palette) + 1
    assert (palette["paletteSize"], palette["firstColor"], palette["lastColor"]) == (entries, 0, entries - 1)
    rgba = np.array([[c["red"], c["green"], c["blue"], c["alpha"]] for c in palette["colors"]])
    assert rgba[0, 3] == 0
    np.testing.assert_array_equal(rgba[1:, :3], sprites.palette)
    assert (rgba[1:, 3] == 255).all()


def test_an_old_reader_finds_the_colours_in_the_old_palette_chunk(case, sprites, ase_parsed):
    parsed = ase_parsed[f"{case} (old reader)"]
    colors = parsed["palette"]["colors"]
    assert len(colors) == len(sprites.palette) + 1  # 256 entries for 255 colours: a packet count of 0
    rgb = np.array([[c["red"], c["green"], c["blue"]] for c in colors])
    np.testing.assert_array_equal(rgb[1:], sprites.palette)
    assert parsed["paletteIndex"] == 0  # entry 0 stays transparent through the header's transparent index


def test_ase_parser_reads_one_visible_normal_layer_and_the_tags(case, sprites, ase_parsed):
    parsed = ase_parsed[case]
    (layer,) = parsed["layers"]
    assert layer["flags"]["visible"] and layer["flags"]["editable"]
    assert not layer["flags"]["background"] and not layer["flags"]["reference"]
    assert (layer["type"], layer["layerChildLevel"], layer["blendMode"], layer["opacity"]) == (0, 0, 0, 255)
    tags = [(tag["name"], tag["from"], tag["to"]) for tag in parsed["tags"]]
    assert tags == sprites.tags
    assert all(tag["animDirection"] == "Forward" for tag in parsed["tags"])


# aseprite-reader


def test_aseprite_reader_reads_the_header(tmp_path, sprites, aseprite_reader):
    file = aseprite_reader.AsepriteFile(_write(tmp_path, sprites))
    header = file.header
    height, width = sprites.frames[0].shape
    assert (header.frame_count, header.width, header.height, header.color_depth) == (
        len(sprites.frames),
        width,
        height,
        8,
    )
    assert header.file_size == len(sprites.encode())
    assert header.layer_opacity_has_valid_value
    assert header.speed == sprites.durations[0]  # the deprecated speed, for readers without frame durations
    assert header.transparent_color_index == 0
    assert header.colors == len(sprites.palette) + 1
    assert (header.pixel_width, header.pixel_height) == (1, 1)
    assert (header.grid_x, header.grid_y, header.grid_width, header.grid_height) == (0, 0, 0, 0)


def test_aseprite_reader_reads_the_chunks_durations_layer_and_tags(tmp_path, sprites, aseprite_reader):
    file = aseprite_reader.AsepriteFile(_write(tmp_path, sprites))
    assert [frame.duration for frame in file.frames] == sprites.durations
    first = [type(chunk).__name__ for chunk in file.frame(1).chunks]
    expected = ["PaletteChunk", "OldPaletteChunk04", *(["TagsChunk"] if sprites.tags else []), "LayerChunk"]
    assert first[: len(expected)] == expected
    (layer,) = file.layers
    assert (layer.layer_name, layer.visible, layer.layer_type, layer.blend_mode, layer.opacity) == (
        "Sprite",
        True,
        0,
        0,
        255,
    )
    assert [(tag.name, tag.from_frame, tag.to_frame) for tag in file.tags] == sprites.tags
    assert all(tag.loop_animation_direction == 0 for tag in file.tags)


def test_aseprite_reader_renders_every_frame(tmp_path, sprites, aseprite_reader):
    from aseprite_reader import render

    file = aseprite_reader.AsepriteFile(_write(tmp_path, sprites))
    for number, frame in file.iter_frames():
        rendered = np.asarray(render.frame_to_image(file, frame).convert("RGBA"))
        expected = _expected_rgba(sprites.frames[number - 1], sprites.palette)
        np.testing.assert_array_equal(rendered, expected, err_msg=f"frame {number}")


# Our own guarantees


def test_the_same_sprites_give_the_same_bytes_whatever_the_integer_type():
    sprites = _mixed_frames()
    first = sprites.encode()
    assert sprites.encode() == first
    for dtype in (np.int8, np.int16, np.int64):
        frames = [frame.astype(dtype) for frame in sprites.frames]
        assert encode_aseprite(frames, sprites.palette, sprites.tags, sprites.durations) == first


def test_an_int8_frame_keeps_its_highest_indices():
    palette = np.zeros((200, 3), np.uint8)
    palette[:, 0] = np.arange(200)
    frame = np.array([[127, -1]], np.int8)  # index 127 must be stored as 128, not wrap around
    reference = encode_aseprite([frame.astype(np.int64)], palette, [], [10])
    assert encode_aseprite([frame], palette, [], [10]) == reference


def test_write_aseprite_writes_the_encoded_bytes_atomically(tmp_path):
    sprites = _mixed_frames()
    target = tmp_path / "hero" / "hero.aseprite"
    returned = write_aseprite(str(target), sprites.frames, sprites.palette, sprites.tags, sprites.durations)
    assert returned == target and isinstance(returned, Path)
    assert target.read_bytes() == sprites.encode()
    assert [path.name for path in target.parent.iterdir()] == ["hero.aseprite"]  # no temporary file left


def test_a_refused_write_leaves_the_earlier_file(tmp_path):
    sprites = _mixed_frames()
    target = write_aseprite(tmp_path / "hero.aseprite", sprites.frames, sprites.palette, sprites.tags, [1] * 5)
    before = target.read_bytes()
    with pytest.raises(ValueError, match="duration"):
        write_aseprite(target, sprites.frames, sprites.palette, sprites.tags, [0] * 5)
    assert target.read_bytes() == before


FRAME = np.zeros((2, 3), np.int64)
PALETTE = np.array([[10, 20, 30], [40, 50, 60]], np.uint8)

ERRORS = {
    "no frames": (dict(frames=[]), "at least one frame"),
    "shape mismatch": (dict(frames=[FRAME, np.zeros((3, 2), np.int64)]), r"one shape.*frame 1"),
    "not 2-D": (dict(frames=[np.zeros(4, np.int64)]), "2-D"),
    "zero size": (dict(frames=[np.zeros((0, 3), np.int64)]), "non-empty"),
    "too large": (dict(frames=[np.zeros((1, 40000), np.int64)]), "at most 32767"),
    "float frame": (dict(frames=[FRAME.astype(float)]), "integer palette indices"),
    "index too high": (dict(frames=[FRAME + 2]), r"palette index 2, out of range for 2 colours"),
    "index below -1": (dict(frames=[FRAME - 2]), r"palette index -2"),
    "too many colours": (dict(palette=np.zeros((256, 3), np.uint8)), "at most 255 colours"),
    "palette shape": (dict(palette=np.zeros((2, 4), np.uint8)), r"shape \(n, 3\)"),
    "palette values": (dict(palette=np.array([[0, 0, 256], [0, 0, 0]])), "0..255"),
    "tag past the end": (dict(tags=[("walk", 0, 1)]), r"tag 'walk' covers frames 0..1, outside the 1 frames"),
    "tag backwards": (dict(tags=[("walk", 1, 0)]), "tag 'walk'"),
    "tag negative": (dict(tags=[("walk", -1, 0)]), "tag 'walk'"),
    "tag unnamed": (dict(tags=[("", 0, 0)]), "needs a name"),
    "tag twice": (dict(tags=[("walk", 0, 0), ("walk", 0, 0)]), "appears twice"),
    "durations count": (dict(durations_ms=[10, 10]), "1 frames, 2 durations"),
    "duration zero": (dict(durations_ms=[0]), r"0 ms, out of range 1..65535"),
    "duration too long": (dict(durations_ms=[65536]), "65536 ms"),
    "duration fractional": (dict(durations_ms=[1.5]), "whole number"),
}


@pytest.mark.parametrize(("changes", "message"), list(ERRORS.values()), ids=list(ERRORS))
def test_bad_arguments_are_refused_with_the_problem_named(changes, message):
    arguments: dict[str, Any] = dict(frames=[FRAME], palette=PALETTE, tags=[], durations_ms=[10])
    arguments.update(changes)
    if "frames" in changes and "durations_ms" not in changes:
        arguments["durations_ms"] = [10] * max(1, len(changes["frames"]))
    with pytest.raises(ValueError, match=message):
        encode_aseprite(**arguments)
