"""Ground truth: frames painted from K known colours come back as K colours and the clean sprites."""

import numpy as np
import pytest
from PIL import Image
from sklearn.cluster import KMeans
from synthetic import write_truth_set

from pixel_sprites import engine
from pixel_sprites.engine.colour.spaces import delta_e_2000, lab_to_srgb, srgb_to_lab
from pixel_sprites.engine.palette.fit import SEARCH_SAMPLE, refine_palette
from pixel_sprites.engine.palette.remap import Remapper

SIZE = engine.DownscaleSettings(size=(64, 90))


def run(tmp_path, palette_settings, count=12, frames=5, **truth_options):
    renders = tmp_path / "renders"
    colours, truths = write_truth_set(renders, count, frames, seed=count, **truth_options)
    report = engine.process(
        engine.discover_frames([renders]),
        [renders],
        SIZE,
        palette_settings,
        engine.OutputSettings(folder=tmp_path / "sprites"),
    )
    return colours, truths, report


@pytest.mark.parametrize("count", [6, 12, 24])
def test_auto_finds_exactly_the_painted_colours(tmp_path, count):
    _, truths, report = run(tmp_path, engine.PaletteSettings(), count=count)
    assert len(report.palette) == count
    errors = []
    for index, truth in enumerate(truths):
        sprite = np.asarray(Image.open(tmp_path / "sprites" / f"frame_{index:04d}.png"))
        np.testing.assert_array_equal(sprite[:, :, 3], truth.sprite[:, :, 3])
        opaque = truth.sprite[:, :, 3] == 255
        errors.append(delta_e_2000(srgb_to_lab(sprite[opaque, :3]), srgb_to_lab(truth.sprite[opaque, :3])))
    assert np.concatenate(errors).mean() < 1.5


@pytest.mark.parametrize("frames", [5, 6])  # 6 is the benchmark's set, where two k-means runs per count gave 17
def test_heavier_noise_and_shading_still_gives_the_true_count(tmp_path, frames):
    _, _, report = run(tmp_path, engine.PaletteSettings(), count=16, frames=frames, noise=8.0, shading=0.12)
    assert len(report.palette) == 16


def test_fixed_count_is_an_upper_bound(tmp_path):
    _, _, report = run(tmp_path, engine.PaletteSettings(colors=5), count=12)
    assert len(report.palette) <= 5
    assert len(report.sprite_colors) <= 5


def _sklearn_lab_kmeans_error(tmp_path, count):
    """Mean ΔE2000 of a plain scikit-learn k-means in CIELAB over every opaque downscaled pixel."""
    pixels = []
    for path in sorted((tmp_path / "renders").glob("*.png")):
        rgba = engine.read_frame(path).rgba
        small = SIZE.downscaler(rgba.shape[:2])(rgba)
        pixels.append(small[small[:, :, 3] == 255][:, :3])
    pixels = np.concatenate(pixels)
    lab = srgb_to_lab(pixels)
    model = KMeans(n_clusters=count, n_init=10, random_state=0).fit(lab)
    palette = engine.Palette.from_colors(lab_to_srgb(model.cluster_centers_))
    small = np.concatenate([pixels, np.full((len(pixels), 1), 255, np.uint8)], axis=1)[None]
    return Remapper(palette).remap(small).errors.mean


@pytest.mark.parametrize("count", [6, 12])
def test_fixed_count_is_as_good_as_scikit_learn_kmeans_in_lab(tmp_path, count):
    _, _, report = run(tmp_path, engine.PaletteSettings(colors=count), count=24, shading=0.15)
    reference = _sklearn_lab_kmeans_error(tmp_path, count)
    assert report.delta_e_mean <= reference * 1.03


def test_default_beats_the_original_meanshift(tmp_path):
    _, _, original = run(tmp_path / "meanshift", engine.PaletteSettings(method="meanshift-seed"), count=12)
    _, _, ours = run(tmp_path / "ours", engine.PaletteSettings(), count=12)
    assert ours.delta_e_mean < 0.5 * original.delta_e_mean


def _mean_error_of(palette, pixels):
    small = np.concatenate([pixels, np.full((len(pixels), 1), 255, np.uint8)], axis=1)[None]
    return Remapper(palette).remap(small).errors.mean


def test_refinement_keeps_its_first_sample_when_that_represents_every_pixel(rng):
    colours = np.array([[200, 30, 30], [30, 30, 200], [240, 220, 40]], np.uint8)
    pixels = np.clip(colours[rng.integers(0, 3, 30_000)] + rng.normal(0, 4, (30_000, 3)), 0, 255).astype(np.uint8)
    start = engine.Palette.from_colors([[180, 50, 50], [50, 50, 180], [220, 200, 60]])
    refined, sample_size = refine_palette(start, pixels)
    assert sample_size == SEARCH_SAMPLE
    assert _mean_error_of(refined, pixels) < 0.8 * _mean_error_of(start, pixels)


def test_refinement_grows_its_sample_while_unseen_pixels_fare_worse(rng):
    # Greens only after the first 6,000 pixels: a palette refined on the first 4,000 serves them badly.
    reds = np.clip(np.array([200, 30, 30]) + rng.normal(0, 6, (6_000, 3)), 0, 255)
    greens = np.clip(np.array([40, 190, 60]) + rng.normal(0, 6, (24_000, 3)), 0, 255)
    pixels = np.concatenate([reds, greens]).astype(np.uint8)
    start = engine.Palette.from_colors([[190, 40, 40], [120, 110, 50]])
    refined, sample_size = refine_palette(start, pixels)
    assert sample_size > SEARCH_SAMPLE
    assert _mean_error_of(refined, pixels) < _mean_error_of(start, pixels)
