"""Inner lines from a depth step: a square "arm" nearer than a "body" gets a line on its boundary pixels only, in
the outline colour; none on the body, none at the silhouette, alpha unchanged, mirrored sprites mirrored, the
threshold kept, a round surface left alone, and a missing depth frame or folder reported, through ``process``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, save_png
from PIL import Image

from pixel_sprites.cli import main
from pixel_sprites.engine.frames.depth import DEPTH_FILE, DepthScale, read_depth
from pixel_sprites.engine.frames.downscale import DownscaleSettings
from pixel_sprites.engine.sprites.inner_lines import INNER_LINE_STEP, inner_line_mask, nearest_block_depth

SCALE = 4
BODY, ARM = (200, 200, 200), (230, 120, 60)
NEAR, FAR = 1.0, 101.0
VIEW_WIDTH = 0.64  # world units, orthographic: a sprite pixel is 0.04


def _scene(arm_columns: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 16x16 sprite's worth of (colour, depth, arm mask), at sprite size: a body at depth 10, an arm at 9."""
    colour = np.zeros((16, 16, 4), np.uint8)
    depth = np.full((16, 16), FAR, np.float64)
    colour[2:14, 2:14] = (*BODY, 255)
    depth[2:14, 2:14] = 10.0
    arm = np.zeros((16, 16), bool)
    arm[5:12, arm_columns] = True
    colour[arm] = (*ARM, 255)
    depth[arm] = 9.0
    return colour, depth, arm


def _boundary(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1)
    inside = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    return mask & ~inside


def _write_frame(folder: Path, name: str, colour: np.ndarray, depth: np.ndarray | None) -> None:
    save_png(folder / name, np.kron(colour, np.ones((SCALE, SCALE, 1), np.uint8)))
    if depth is not None:
        grey = np.round((np.clip(depth, NEAR, FAR) - NEAR) / (FAR - NEAR) * 65535).astype(np.uint16)
        Image.fromarray(np.kron(grey, np.ones((SCALE, SCALE), np.uint16))).save(folder / "depth" / name)


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inner") / "renders"
    (folder / "depth").mkdir(parents=True)
    scale = {"near": NEAR, "far": FAR, "view_width": VIEW_WIDTH, "perspective": False}
    (folder / "depth" / DEPTH_FILE).write_text(json.dumps(scale))
    colour, depth, _ = _scene(slice(4, 8))
    _write_frame(folder, "frame_0.png", colour, depth)
    _write_frame(folder, "frame_1.png", colour[:, ::-1], depth[:, ::-1])
    _write_frame(folder, "frame_2.png", colour, None)  # no depth frame: reported, drawn without lines
    return folder


def _process(renders: Path, out: Path, *extra: str) -> int:
    return main(["process", str(renders), "--out", str(out), "--pixel", str(SCALE), "--colors", "2",
                 "--workers", "1", *extra])  # fmt: skip


def _sprite(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGBA"))


@pytest.mark.parametrize("steady", [(), ("--stabilise",)], ids=["plain", "steady"])
@pytest.mark.parametrize("sampling", ["nearest", "majority"])
def test_the_nearer_arm_gets_a_line_on_its_boundary_only(
    renders: Path, tmp_path: Path, sampling: str, steady: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """With Steady Colours too: the lines are drawn on the steadied sprite, from the render's depth (majority: from
    the render's alpha, which the steadying keeps for them)."""
    given = ("--sampling", sampling, "--outline-colour", "#000000", *steady)
    assert _process(renders, tmp_path / "plain", "--sampling", sampling, *steady) == 0
    capsys.readouterr()
    assert _process(renders, tmp_path / "lined", *given, "--inner-lines") == 0
    noted = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert len(noted) == 1 and str(Path("depth") / "frame_2.png") in noted[0] and "inner lines" in noted[0]
    _, _, arm = _scene(slice(4, 8))
    plain, lined = _sprite(tmp_path / "plain" / "frame_0.png"), _sprite(tmp_path / "lined" / "frame_0.png")
    assert (plain[:, :, 3] == lined[:, :, 3]).all()  # colours only, never alpha
    line = (lined != plain).any(axis=2)
    assert (line == _boundary(arm)).all(), line.astype(int)  # the arm's edge: not the body, not the silhouette
    assert (lined[line, :3] == 0).all()
    assert (_sprite(tmp_path / "lined" / "frame_1.png") == lined[:, ::-1]).all()  # the mirrored frame: mirrored
    assert (_sprite(tmp_path / "lined" / "frame_2.png") == _sprite(tmp_path / "plain" / "frame_2.png")).all()
    report = json.loads((tmp_path / "lined" / "palette_report.json").read_text())
    notes = [note for note in report["notes"] if "inner lines" in note["note"]]
    assert len(notes) == 1 and notes[0]["file"].endswith(str(Path("depth") / "frame_2.png")), notes


def test_a_missing_depth_folder_is_refused_before_any_work(
    renders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _process(renders, tmp_path / "a") == 0
    assert _process(renders, tmp_path / "c", "--inner-lines", "--depth-from", str(tmp_path / "nowhere")) == 2
    err = capsys.readouterr().err
    assert "--inner-lines" in err and "nowhere" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()
    with pytest.raises(SystemExit) as idle:
        _process(renders, tmp_path / "d", "--depth-from", str(renders / "depth"))
    assert idle.value.code == 2 and "--depth-from only acts with --inner-lines" in capsys.readouterr().err
    sprites = {name for name in file_digests(tmp_path / "a") if name.endswith(".png") and name != "palette.png"}
    assert sprites == {"frame_0.png", "frame_1.png", "frame_2.png"}  # depth frames are never taken for frames


def test_threshold_is_two_sprite_pixels_at_the_nearer_pixels_depth() -> None:
    opaque = np.ones((3, 8), bool)
    size = np.full((3, 8), 0.04, np.float32)
    for step, lined in ((0.079, False), (0.081, True)):
        depth = np.full((3, 8), 10.0, np.float32)
        depth[:, 4:] += step  # a step between columns 3 and 4, flat on either side
        mask = inner_line_mask(depth, opaque, size)
        assert mask[:, 3].all() == lined and mask.sum() == (3 if lined else 0), (step, mask.astype(int))
    assert INNER_LINE_STEP == 2.0


def test_a_round_surface_curving_away_gets_no_line_and_the_silhouette_none() -> None:
    size = 24
    y, x = np.mgrid[:size, :size] + 0.5 - size / 2
    radius = 11.0
    opaque = x * x + y * y < radius * radius
    depth = (20.0 - np.sqrt(np.clip(radius * radius - x * x - y * y, 0, None))).astype(np.float32)  # in pixels
    assert not inner_line_mask(depth, opaque, np.ones_like(depth)).any()
    perspective = DepthScale(NEAR, FAR, 0.64, perspective=True)
    assert perspective.sprite_pixel_size(np.array([10.0], np.float32), 16)[0] == pytest.approx(0.4)


def test_majority_takes_the_nearest_depth_of_the_blocks_opaque_pixels() -> None:
    depth = np.array([[5, 1, 7, 7], [5, 5, 7, 2]], np.float32)
    opaque = np.array([[True, False, True, True], [True, True, True, False]])
    assert nearest_block_depth(depth, opaque, (1, 2)).tolist() == [[5.0, 7.0]]


@pytest.mark.parametrize("bits", [16, 8])
def test_sampling_the_grey_values_gives_the_depths_of_sampling_the_converted_frame(tmp_path: Path, bits: int) -> None:
    """Only the grey values a sprite keeps are made depths: bit for bit what converting the whole frame and then
    sampling gives, for nearest (the same pixels) and majority (the nearest opaque pixel of each block, inf for a
    block with none)."""
    rng = np.random.default_rng(7)
    top, dtype = (65535, np.uint16) if bits == 16 else (255, np.uint8)
    grey = rng.integers(0, top + 1, (90, 64), dtype=dtype)
    path = tmp_path / "depth.png"
    Image.fromarray(grey).save(path)
    scale = DepthScale(0.1, 100.0, 0.8, perspective=True)
    whole = scale.depth(grey.astype(np.float32) / np.float32(top))
    opaque = rng.random((90, 64)) < 0.6
    opaque[:10, :8] = False  # a block (10 x 8 render pixels) with no opaque pixel
    downscaler = DownscaleSettings(size=(8, 9)).downscaler((90, 64))

    def majority(values: np.ndarray) -> np.ndarray:
        return nearest_block_depth(values, opaque, (9, 8))

    for sampled in (downscaler.sample, majority):
        expected = sampled(whole)
        found = read_depth(path, (90, 64), scale, sampled)
        assert found.dtype == np.float32 and found.tobytes() == expected.astype(np.float32).tobytes()
    assert np.isinf(majority(whole)[0, 0])
