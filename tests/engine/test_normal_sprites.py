"""Normal-map sprites from normal renders, end to end through the command line: accurate against the analytic
normals of known shapes, the colour sprite's alpha, sheets of the same layout, and bad normal frames named."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, save_png
from PIL import Image

from pixel_sprites.cli import main

SIZE = 320  # render pixels a side
PIXEL = 10  # render pixels per sprite pixel
SUPERSAMPLES = 4  # per render pixel a side: the renders are anti-aliased at the silhouette, as Cycles' are
# An arbitrary camera: world normals are this rotation's transpose times the camera-space ones.
WORLD_TO_CAMERA = np.array(
    [[0.8, 0.0, -0.6], [0.36, 0.8, 0.48], [0.48, -0.6, 0.64]], dtype=np.float64
)  # orthonormal: rows are unit length and orthogonal


def sphere(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inside, camera-space normal) at image points: a sphere of radius 130 at the centre, +Y up on screen."""
    dx, dy = (x - SIZE / 2) / 130, -(y - SIZE / 2) / 130
    inside = dx**2 + dy**2 < 1
    normal = np.stack([dx, dy, np.sqrt(np.clip(1 - dx**2 - dy**2, 0, 1))], axis=-1)
    return inside, normal


def cube(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A cube turned 45° about the screen's vertical axis: two faces, seen from the front."""
    inside = (np.abs(x - SIZE / 2) < 120) & (np.abs(y - SIZE / 2) < 100)
    side = np.where(x < SIZE / 2, -1.0, 1.0)
    half = np.sqrt(0.5)
    normal = np.stack([side * half, np.zeros_like(x), np.full_like(x, half)], axis=-1)
    return inside, normal


def render(shape) -> tuple[np.ndarray, np.ndarray]:
    """(RGBA colour frame, world-space normals) as a renderer writes them: coverage-weighted at the silhouette."""
    fine = (np.arange(SIZE * SUPERSAMPLES) + 0.5) / SUPERSAMPLES
    x, y = np.meshgrid(fine, fine)
    inside, normal = shape(x, y)
    normal = normal * inside[..., None]
    blocks = (SIZE, SUPERSAMPLES, SIZE, SUPERSAMPLES)
    coverage = inside.reshape(blocks).mean(axis=(1, 3))
    camera = normal.reshape(*blocks, 3).mean(axis=(1, 3))
    world = camera @ WORLD_TO_CAMERA  # n_world = R^T n_camera, row vectors
    shade = np.clip(camera[..., 2] * 200 + 40, 0, 255)
    colour = np.stack([shade, shade * 0.6, shade * 0.3, coverage * 255], axis=-1)
    return np.round(colour).astype(np.uint8), world


def save_normals_16(path: Path, world: np.ndarray) -> None:
    """World normals as a 16-bit RGB PNG of n·0.5+0.5, as Blender's compositor writes them (Pillow cannot)."""
    values = np.round((world * 0.5 + 0.5) * 65535).astype(">u2")
    height, width = world.shape[:2]
    raw = b"".join(b"\x00" + values[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([16, 2, 0, 0, 0])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def analytic(shape, rows: int) -> np.ndarray:
    """The camera-space normal at each sprite pixel's centre; outside the shape, the nearest inside point's."""
    centres = (np.arange(rows) + 0.5) * PIXEL
    x, y = np.meshgrid(centres, centres)
    if shape is sphere:
        dx, dy = (x - SIZE / 2) / 130, -(y - SIZE / 2) / 130
        length = np.maximum(np.hypot(dx, dy), 1.0)
        x, y = SIZE / 2 + dx / length * 129.9, SIZE / 2 - dy / length * 129.9
    else:
        x = np.clip(x, SIZE / 2 - 119.9, SIZE / 2 + 119.9)
    return shape(x, y)[1]


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("normal_renders")
    for action, shape in (("sphere", sphere), ("cube", cube)):
        colour, world = render(shape)
        save_png(root / action / "S" / "0001.png", colour)
        save_normals_16(root / "normals" / action / "S" / "0001.png", world)
    (root / "normals" / "camera.json").write_text(json.dumps({"world_to_camera": WORLD_TO_CAMERA.tolist()}))
    return root


def decoded(path: Path) -> tuple[np.ndarray, np.ndarray]:
    rgba = np.asarray(Image.open(path).convert("RGBA")).astype(np.float64)
    normals = rgba[..., :3] / 255 * 2 - 1
    return normals / np.linalg.norm(normals, axis=-1, keepdims=True), rgba[..., 3]


def angles(found: np.ndarray, expected: np.ndarray) -> np.ndarray:
    cosine = np.clip((found * expected).sum(axis=-1) / np.linalg.norm(expected, axis=-1), -1, 1)
    return np.degrees(np.arccos(cosine))


@pytest.mark.parametrize("sampling", ["nearest", "majority"])
def test_normal_sprites_match_the_analytic_normals_within_5_degrees_inside_and_12_on_the_silhouette(
    renders, tmp_path, sampling
):
    out = tmp_path / "sprites"
    arguments = ["process", str(renders), "--out", str(out), "--pixel", str(PIXEL), "--colors", "8"]
    assert main([*arguments, "--sampling", sampling, "--normals-from", str(renders / "normals")]) == 0
    for action, shape in (("sphere", sphere), ("cube", cube)):
        normals, alpha = decoded(out / "normals" / action / "S" / "0001.png")
        colour_alpha = np.asarray(Image.open(out / action / "S" / "0001.png").convert("RGBA"))[..., 3]
        assert (alpha == colour_alpha).all()  # pixel for pixel the colour sprite's alpha
        opaque = alpha == 255
        ring = opaque & ~np.pad(opaque, 1)[2:, 1:-1] | opaque & ~np.pad(opaque, 1)[:-2, 1:-1]
        ring |= opaque & ~np.pad(opaque, 1)[1:-1, 2:] | opaque & ~np.pad(opaque, 1)[1:-1, :-2]
        error = angles(normals, analytic(shape, SIZE // PIXEL))
        interior, silhouette = error[opaque & ~ring].mean(), error[ring].mean()
        assert interior <= 5.0, (action, sampling, interior)
        assert silhouette <= 12.0, (action, sampling, silhouette)
        flat = np.asarray(Image.open(out / "normals" / action / "S" / "0001.png").convert("RGBA"))[~opaque]
        assert (flat == [128, 128, 255, 0]).all()  # transparent: the flat normal, alpha 0


def test_the_sprites_are_the_same_with_or_without_normals_and_sheets_get_a_normal_sheet(renders, tmp_path):
    base = ["process", str(renders), "--pixel", str(PIXEL), "--colors", "8", "--sheets", "--formats", "json,godot"]
    assert main([*base, "--out", str(tmp_path / "plain")]) == 0
    assert main([*base, "--out", str(tmp_path / "lit"), "--normals-from", str(renders / "normals")]) == 0
    plain, lit = file_digests(tmp_path / "plain"), file_digests(tmp_path / "lit")
    for name in ("sphere/S/0001.png", "cube/S/0001.png", "palette.gpl"):
        assert plain[name] == lit[name]
    for action in ("sphere", "cube"):
        sheet = np.asarray(Image.open(tmp_path / "lit" / "sheets" / f"{action}.png").convert("RGBA"))
        normal_sheet = np.asarray(Image.open(tmp_path / "lit" / "sheets" / f"{action}_n.png"))
        assert normal_sheet.shape == sheet.shape and (normal_sheet[..., 3] == sheet[..., 3]).all()
        page = json.loads((tmp_path / "lit" / "sheets" / f"{action}.json").read_text())
        assert page["meta"]["normalMap"] == f"{action}_n.png"
        assert f'path="{action}_n.png"' in (tmp_path / "lit" / "sheets" / f"{action}.tres").read_text()
        assert not (tmp_path / "plain" / "sheets" / f"{action}_n.png").exists()
    manifest = json.loads((tmp_path / "lit" / "character.set.json").read_text())
    assert np.allclose(manifest["normals"]["world_to_camera"], WORLD_TO_CAMERA)
    assert "normals" not in json.loads((tmp_path / "plain" / "character.set.json").read_text())


def test_a_missing_or_wrong_sized_normal_frame_is_named_and_gives_a_flat_normal_sprite(renders, tmp_path):
    broken = tmp_path / "renders"
    for path in renders.rglob("*"):
        if path.is_file():
            (broken / path.relative_to(renders)).parent.mkdir(parents=True, exist_ok=True)
            (broken / path.relative_to(renders)).write_bytes(path.read_bytes())
    (broken / "normals" / "cube" / "S" / "0001.png").unlink()
    save_normals_16(broken / "normals" / "sphere" / "S" / "0001.png", np.zeros((10, 10, 3)))
    out = tmp_path / "sprites"
    assert (
        main(
            [
                "process",
                str(broken),
                "--out",
                str(out),
                "--pixel",
                str(PIXEL),
                "--normals-from",
                str(broken / "normals"),
            ]
        )
        == 0
    )
    notes = {note["file"]: note["note"] for note in json.loads((out / "palette_report.json").read_text())["notes"]}
    assert "cannot be read" in notes[str(broken / "normals" / "cube" / "S" / "0001.png")]
    assert (
        "normal frame is 10x10, its colour frame 320x320"
        in notes[str(broken / "normals" / "sphere" / "S" / "0001.png")]
    )
    for action in ("sphere", "cube"):
        normal = np.asarray(Image.open(out / "normals" / action / "S" / "0001.png"))
        colour = np.asarray(Image.open(out / action / "S" / "0001.png").convert("RGBA"))
        assert (normal[..., :3] == [128, 128, 255]).all() and (normal[..., 3] == colour[..., 3]).all()


def test_normals_y_down_only_with_normals_from(renders, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["process", str(renders), "--out", str(tmp_path / "o"), "--normals-y-down"])
    assert "--normals-y-down only acts with --normals-from" in capsys.readouterr().err
