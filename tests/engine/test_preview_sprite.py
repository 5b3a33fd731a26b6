"""The live preview's sprite (``jobs.preview``) is the sprite a run writes for the same frame, pixel for pixel:
with each sampling, a target palette, clean-up and outlines, paletted output and a mirrored facing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from synthetic import distinct_colours, truth_frame

from pixel_sprites.engine import DownscaleSettings, PaletteSettings
from pixel_sprites.engine.colour.palette import Palette
from pixel_sprites.engine.errors import SetupError
from pixel_sprites.engine.jobs.preview import GIVEN, LAST_FITTED, LOCKED, THIS_FRAME, preview_sprite, saved_palette
from pixel_sprites.engine.jobs.run import make_sprites
from pixel_sprites.engine.jobs.spec import SpriteJob
from pixel_sprites.engine.palette.files import write_palette
from pixel_sprites.engine.sprites.finishing import FinishSettings

COLOURS = distinct_colours(10, seed=3)


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("renders")
    for index in range(3):
        render = truth_frame(COLOURS, seed=index).render
        Image.fromarray(render, "RGBA").save(folder / f"frame_{index:04d}.png")
    return folder


def _written(job: SpriteJob, renders: Path, name: str) -> np.ndarray:
    make_sprites(job, [renders])
    return np.asarray(Image.open(job.output / name).convert("RGBA"))


@pytest.mark.parametrize(
    "sampling, target, finish, indexed",
    [
        ("nearest", False, None, False),
        ("majority", False, None, False),
        ("majority", True, None, True),
        ("nearest", False, FinishSettings(outline="outer", cleanup=True), False),
        ("majority", True, FinishSettings(outline="selout", neighbours=8, cleanup=True), False),
    ],
)
def test_the_preview_is_the_sprite_a_run_writes(
    renders: Path, tmp_path: Path, sampling: str, target: bool, finish: FinishSettings | None, indexed: bool
) -> None:
    target_file = None
    if target:
        target_file = write_palette(Palette(COLOURS[::2] // 2 + 60), tmp_path / "game.gpl")
    job = SpriteJob(
        output=tmp_path / "sprites",
        downscale=DownscaleSettings(pixel=10, sampling=sampling),
        palette=PaletteSettings(colors=8),
        target_palette=target_file,
        indexed=indexed,
        finish=finish,
    )
    written = _written(job, renders, "frame_0001.png")
    palette = saved_palette(job)
    assert palette is not None and palette.source == LAST_FITTED
    frame = np.asarray(Image.open(renders / "frame_0001.png"))
    preview = preview_sprite(frame, job, palette=palette)
    assert preview.rgba.shape == written.shape == (90, 64, 4)
    np.testing.assert_array_equal(preview.rgba, written)
    mirrored = preview_sprite(frame, job, palette=palette, mirrored=True)
    np.testing.assert_array_equal(mirrored.rgba, written[:, ::-1])


def test_a_frame_at_sprite_size_is_remapped_pixel_for_pixel(renders: Path, tmp_path: Path) -> None:
    """EXACT renders at sprite size: one render pixel per sprite pixel, whatever the sampling says."""
    job = SpriteJob(
        output=tmp_path / "sprites", downscale=DownscaleSettings(pixel=1), palette=PaletteSettings(colors=6)
    )
    small = truth_frame(COLOURS, seed=1).render[::10, ::10]
    folder = tmp_path / "small"
    folder.mkdir()
    Image.fromarray(np.ascontiguousarray(small), "RGBA").save(folder / "frame_0001.png")
    written = _written(job, folder, "frame_0001.png")
    preview = preview_sprite(small, job, palette=saved_palette(job))
    np.testing.assert_array_equal(preview.rgba, written)


def test_without_a_saved_palette_one_is_fitted_on_the_frame_and_said_so(tmp_path: Path) -> None:
    job = SpriteJob(
        output=tmp_path / "none yet", downscale=DownscaleSettings(pixel=10), palette=PaletteSettings(colors=5)
    )
    assert saved_palette(job) is None
    preview = preview_sprite(truth_frame(COLOURS).render, job)
    assert preview.palette.source == THIS_FRAME
    assert len(preview.palette.palette) == 5
    opaque = preview.rgba[preview.rgba[:, :, 3] == 255, :3]
    assert len(np.unique(opaque, axis=0)) <= 5


def test_a_locked_palette_is_used_and_a_missing_one_is_named(tmp_path: Path) -> None:
    job = SpriteJob(output=tmp_path, character="hero", palette_mode="locked", downscale=DownscaleSettings(pixel=10))
    with pytest.raises(SetupError, match=r"hero\.gpl: the palette is locked"):
        saved_palette(job)
    write_palette(Palette(COLOURS[:4]), tmp_path / "hero.gpl")
    palette = saved_palette(job)
    assert palette is not None and palette.source == LOCKED
    preview = preview_sprite(truth_frame(COLOURS).render, job, palette=palette)
    opaque = preview.rgba[preview.rgba[:, :, 3] == 255, :3]
    assert {tuple(colour) for colour in opaque} <= {tuple(colour) for colour in COLOURS[:4]}
    given = SpriteJob(output=tmp_path / "x", palette_mode="file", palette_file=tmp_path / "hero.gpl")
    assert saved_palette(given).source == GIVEN  # type: ignore[union-attr]


def test_a_frame_with_nothing_in_view_says_so(tmp_path: Path) -> None:
    job = SpriteJob(output=tmp_path, downscale=DownscaleSettings(pixel=10))
    with pytest.raises(SetupError, match="no opaque pixel"):
        preview_sprite(np.zeros((90, 64, 4), np.uint8), job)
