"""Normal frames → normal sprites: decoding, camera space, the colour sprite's own samples, the encoding engines
expect (Y up), mirrored facings, and normal sheets beside every sheet page."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from pixel_sprites.engine.colour.palette import Palette
from pixel_sprites.engine.errors import FrameError
from pixel_sprites.engine.frames.downscale import Downscaler
from pixel_sprites.engine.frames.normals import (
    FLAT_NORMAL,
    NormalSettings,
    encode_normals,
    flat_normals,
    mirror_normals,
    read_camera_file,
    read_normals,
    to_camera,
)
from pixel_sprites.engine.palette.majority import MajorityDownscaler


def save_16bit(path, normals):
    """Normals (h, w, 3) in -1..1 as a 16-bit RGB PNG holding n · 0.5 + 0.5, as Blender's compositor writes them."""
    # Pillow writes no 16-bit RGB PNG, so the file is put together here: IHDR (16 bits, RGB), IDAT, IEND.
    values = np.round((normals * 0.5 + 0.5) * 65535).astype(">u2")
    height, width = normals.shape[:2]
    raw = b"".join(b"\x00" + values[row].tobytes() for row in range(height))

    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([16, 2, 0, 0, 0])
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def test_a_16_bit_normal_frame_decodes_to_unit_vectors(tmp_path):
    normals = np.zeros((3, 4, 3), np.float32)
    normals[..., 2] = 1
    normals[0, 0] = [1, 0, 0]
    normals[1, 2] = [0, -0.6, 0.8]
    save_16bit(tmp_path / "n.png", normals)
    decoded = read_normals(tmp_path / "n.png", (3, 4))
    assert decoded.dtype == np.float32 and np.abs(decoded - normals).max() < 1e-4


def test_a_normal_frame_of_another_size_or_not_a_png_is_named(tmp_path):
    save_16bit(tmp_path / "n.png", np.zeros((3, 4, 3), np.float32))
    with pytest.raises(FrameError, match=r"normal frame is 4x3, its colour frame 5x3") as error:
        read_normals(tmp_path / "n.png", (3, 5))
    assert error.value.path == tmp_path / "n.png"
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(FrameError, match="not a readable PNG"):
        read_normals(tmp_path / "bad.png", (3, 4))
    with pytest.raises(FrameError, match="cannot be read"):
        read_normals(tmp_path / "missing.png", (3, 4))


def test_encoding_is_y_up_with_the_flat_normal_where_the_sprite_is_transparent():
    normals = np.array([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 2]]], np.float32)
    opaque = np.array([[True, True, True, True, False]])
    sprite = encode_normals(normals, opaque)
    assert sprite[0, :, :3].tolist() == [
        [255, 128, 128],
        [128, 255, 128],
        [128, 128, 255],
        [128, 128, 255],
        [128, 128, 255],
    ]
    assert sprite[0, :, 3].tolist() == [255, 255, 255, 255, 0]
    flipped = encode_normals(normals, opaque, flip_green=True)
    assert flipped[0, 1, :3].tolist() == [128, 0, 128]  # DirectX: +Y down
    assert flat_normals(opaque)[0, :, :3].tolist() == [list(FLAT_NORMAL)] * 5


def test_a_mirrored_facing_turns_its_x_components_too():
    sprite = encode_normals(np.array([[[1, 0, 0], [0.6, 0, 0.8]]], np.float32), np.array([[True, False]]))
    mirrored = mirror_normals(sprite)
    assert mirrored[0, 1].tolist() == [0, 128, 128, 255]  # was at x=0 facing right: now at x=1 facing left
    assert mirrored[0, 0].tolist() == sprite[0, 1].tolist()  # a transparent pixel keeps the flat normal


def test_world_normals_turn_into_camera_space_with_the_sets_rotation(tmp_path):
    (tmp_path / "camera.json").write_text(json.dumps({"world_to_camera": [[0, 1, 0], [0, 0, 1], [1, 0, 0]]}))
    settings = NormalSettings.reading(tmp_path)
    turned = to_camera(np.array([[[0, 0, 1]]], np.float32), settings.rotation_for(tmp_path / "0001.png"))
    assert turned[0, 0].tolist() == [0, 1, 0]
    assert read_camera_file(tmp_path / "nowhere") == (None, ())
    (tmp_path / "camera.json").write_text(json.dumps({"world_to_camera": [[1, 0], [0, 1]]}))
    with pytest.raises(FrameError, match="3x3"):
        read_camera_file(tmp_path)


def test_a_camera_that_moves_gives_each_listed_frame_its_own_rotation(tmp_path):
    """An orbiting camera: the frames it lists turn with their own rotation, the others with the default."""
    quarter_turn = [[0, 1, 0], [-1, 0, 0], [0, 0, 1]]
    identity = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    camera = {"world_to_camera": identity, "frames": {"walk/0002.png": quarter_turn}}
    (tmp_path / "camera.json").write_text(json.dumps(camera))
    settings = NormalSettings.reading(tmp_path)
    east = np.array([[[1, 0, 0]]], np.float32)
    assert to_camera(east, settings.rotation_for(tmp_path / "walk" / "0001.png"))[0, 0].tolist() == [1, 0, 0]
    assert to_camera(east, settings.rotation_for(tmp_path / "walk" / "0002.png"))[0, 0].tolist() == [0, -1, 0]
    assert settings.rotation_for(tmp_path.parent / "elsewhere.png") == settings.world_to_camera
    (tmp_path / "camera.json").write_text(json.dumps({**camera, "frames": {"walk/0002.png": [[1, 0]]}}))
    with pytest.raises(FrameError, match=r"camera.json.*3x3"):
        read_camera_file(tmp_path)


def test_nearest_sampling_takes_the_normal_of_the_very_pixel_the_colour_came_from():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)
    index = np.arange(40 * 30, dtype=np.float32).reshape(40, 30)
    normals = np.stack([index, -index, np.ones_like(index)], axis=2)
    downscaler = Downscaler((40, 30), (4, 3))
    colours = downscaler(rgba.copy())
    sampled = downscaler.sample(normals)
    for row in range(4):
        for col in range(3):
            source = int(sampled[row, col, 0])
            if colours[row, col, 3]:
                assert rgba[source // 30, source % 30, :3].tolist() == colours[row, col, :3].tolist()


def test_majority_sampling_averages_the_normals_of_the_pixels_that_voted_for_the_winning_colour():
    palette = Palette.from_colors(np.array([[255, 0, 0], [0, 0, 255]], np.uint8))
    rgba = np.zeros((2, 4, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[:, :, :3] = [255, 0, 0]
    rgba[0, 0, :3] = [0, 0, 255]  # one blue pixel in the first 2x2 block: outvoted by three reds
    normals = np.zeros((2, 4, 3), np.float32)
    normals[..., 2] = 1
    normals[0, 0] = [1, 0, 0]  # the blue pixel's normal must not count
    normals[1, 1] = [0, 1, 0]
    indices, summed = MajorityDownscaler((2, 4), (1, 2), palette).indices_and_normals(rgba, normals)
    assert indices.tolist() == [[0, 0]]
    assert summed[0, 0].tolist() == [0, 1, 2]  # (0,0,1) + (0,1,0) + (0,0,1); the blue voter's (1,0,0) left out
    assert summed[0, 1].tolist() == [0, 0, 4]
