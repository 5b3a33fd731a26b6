"""Properties that hold for any frame: palette colours only, alpha kept, reproducible."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pixel_sprites.engine import PaletteSettings, PixelReservoir, Remapper, fit_palette

frames = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12), st.just(4)))


def binary_alpha(frame):
    frame = frame.copy()
    frame[:, :, 3] = np.where(frame[:, :, 3] >= 128, 255, 0)
    frame[frame[:, :, 3] == 0] = 0
    return frame


@settings(max_examples=40, deadline=None)
@given(frames, st.integers(1, 8), st.integers(0, 3))
def test_every_opaque_pixel_is_a_palette_colour_and_alpha_is_kept(frame, colors, seed):
    frame = binary_alpha(frame)
    opaque = frame[:, :, 3] == 255
    pixels = frame[opaque][:, :3] if opaque.any() else np.zeros((1, 3), np.uint8)
    palette = fit_palette(pixels, PaletteSettings(colors=colors, seed=seed)).palette
    sprite = Remapper(palette).remap(frame).rgba
    np.testing.assert_array_equal(sprite[:, :, 3], frame[:, :, 3])
    assert (sprite[~opaque] == 0).all()
    allowed = {tuple(colour) for colour in palette.colors.tolist()}
    assert {tuple(colour) for colour in sprite[opaque][:, :3].tolist()} <= allowed
    assert len(palette) <= colors


@settings(max_examples=20, deadline=None)
@given(frames, st.integers(0, 1000))
def test_same_seed_gives_the_same_palette_and_sprite(frame, seed):
    frame = binary_alpha(frame)
    pixels = frame[:, :, :3].reshape(-1, 3)
    first = fit_palette(pixels, PaletteSettings(seed=seed)).palette
    second = fit_palette(pixels, PaletteSettings(seed=seed)).palette
    assert first == second
    assert Remapper(first).remap(frame).rgba.tobytes() == Remapper(second).remap(frame).rgba.tobytes()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=20), st.integers(1, 30))
def test_reservoir_keeps_at_most_capacity_pixels_from_the_stream(sizes, capacity):
    reservoir = PixelReservoir(capacity, seed=0)
    stream = []
    for index, size in enumerate(sizes):
        chunk = np.full((size, 3), index, np.uint8)
        stream.append(chunk)
        reservoir.add(chunk)
    sample = reservoir.sample()
    assert len(sample) == min(capacity, sum(sizes))
    assert reservoir.pixels_seen == sum(sizes)
    assert set(sample[:, 0].tolist()) <= {index for index, size in enumerate(sizes) if size}


def test_reservoir_sample_is_uniform_over_frames():
    reservoir = PixelReservoir(3000, seed=7)
    for index in range(100):
        reservoir.add(np.full((1000, 3), index, np.uint8))
    counts = np.bincount(reservoir.sample()[:, 0], minlength=100)
    assert counts.min() > 10 and counts.max() < 55  # expectation 30 per frame


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=30), st.integers(1, 40), st.integers(0, 5))
def test_reservoir_sample_is_the_pixels_with_the_smallest_keys(sizes, capacity, seed):
    """However the candidates are cut back, the sample is the bottom-k of the keys the seed gives, in key order."""
    reservoir = PixelReservoir(capacity, seed=seed)
    keys_rng = np.random.default_rng(seed)
    keys, pixels = [], []
    for index, size in enumerate(sizes):
        chunk = np.stack([np.arange(size) % 256, np.full(size, index % 256), np.arange(size) // 256], axis=1)
        reservoir.add(chunk.astype(np.uint8))
        if size:
            keys.append(keys_rng.random(size))
            pixels.append(chunk.astype(np.uint8))
    expected = (
        np.concatenate(pixels)[np.argsort(np.concatenate(keys), kind="stable")[:capacity]]
        if pixels
        else np.empty((0, 3), np.uint8)
    )
    np.testing.assert_array_equal(reservoir.sample(), expected)
