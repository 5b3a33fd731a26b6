"""Ground-truth frames: sprites painted from K known colours, upscaled like renders, with noise.

Used by the tests and by ``scripts/benchmark.py``'s quality section.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

from pixel_sprites.engine.colour.spaces import delta_e_2000, lab_to_srgb, srgb_to_lab


def distinct_colours(count: int, *, min_delta_e: float = 12.0, seed: int = 0) -> NDArray[np.uint8]:
    """``count`` sRGB colours whose every pair is at least ``min_delta_e`` ΔE2000 apart."""
    rng = np.random.default_rng(seed)
    chosen: list[NDArray[np.uint8]] = []
    while len(chosen) < count:
        lab = np.array([rng.uniform(25, 85), rng.uniform(-55, 55), rng.uniform(-55, 55)])
        rgb = lab_to_srgb(lab)
        if np.linalg.norm(srgb_to_lab(rgb) - lab) > 1.0:  # out of the sRGB gamut
            continue
        if chosen and delta_e_2000(srgb_to_lab(np.array(chosen)), srgb_to_lab(rgb)[None]).min() < min_delta_e:
            continue
        chosen.append(rgb)
    return np.array(chosen, dtype=np.uint8)


@dataclass(frozen=True)
class TruthFrame:
    """A clean sprite (colours and mask) and the noisy render made from it."""

    sprite: NDArray[np.uint8]
    render: NDArray[np.uint8]


def truth_frame(
    colours: NDArray[np.uint8],
    *,
    shape: tuple[int, int] = (90, 64),
    scale: int = 10,
    noise: float = 3.0,
    shading: float = 0.04,
    seed: int = 0,
) -> TruthFrame:
    """A character-like sprite of blobs in every one of ``colours``, and its render.

    The render is the sprite upscaled ``scale`` times, shaded by a smooth
    lightness field of relative amplitude ``shading``, with Gaussian noise of
    ``noise`` (in 8-bit sRGB units) and soft, blurred alpha edges.
    """
    rng = np.random.default_rng(seed)
    height, width = shape
    labels = np.full(shape, -1, dtype=np.int64)
    body = np.zeros(shape, dtype=bool)
    rows, cols = np.mgrid[0:height, 0:width]
    body |= ((rows - height / 2) / (height * 0.45)) ** 2 + ((cols - width / 2) / (width * 0.4)) ** 2 < 1
    # Tile the body into a grid of patches so every colour gets a fair share of pixels.
    side = int(np.ceil(np.sqrt(len(colours))))
    patch_row = np.minimum(rows * side // height, side - 1)
    patch_col = np.minimum(cols * side // width, side - 1)
    order = rng.permutation(side * side) % len(colours)
    labels[body] = order[(patch_row * side + patch_col)[body]]

    sprite = np.zeros((*shape, 4), dtype=np.uint8)
    sprite[body, :3] = colours[labels[body]]
    sprite[body, 3] = 255

    # Renders store straight alpha: the colour under a soft edge is the surface's, not black.
    _, (near_rows, near_cols) = ndimage.distance_transform_edt(~body, return_indices=True)
    painted = sprite.copy()
    painted[:, :, :3] = sprite[near_rows, near_cols, :3]
    render = np.repeat(np.repeat(painted, scale, axis=0), scale, axis=1).astype(np.float64)
    big_rows, big_cols = np.mgrid[0 : height * scale, 0 : width * scale]
    light = 1 + shading * np.sin(big_rows / (7.0 * scale) + seed) * np.cos(big_cols / (5.0 * scale))
    render[:, :, :3] = render[:, :, :3] * light[:, :, None] + rng.normal(0, noise, (*render.shape[:2], 3))
    render[:, :, 3] = ndimage.uniform_filter(render[:, :, 3], size=7)
    render = np.clip(np.round(render), 0, 255).astype(np.uint8)
    return TruthFrame(sprite=sprite, render=render)


def write_truth_set(
    folder: Path, count: int, frames: int, *, noise: float = 3.0, shading: float = 0.04, seed: int = 0
) -> tuple[NDArray[np.uint8], list[TruthFrame]]:
    """Write ``frames`` renders of a ``count``-colour character to ``folder``; return colours and truth."""
    folder.mkdir(parents=True, exist_ok=True)
    colours = distinct_colours(count, seed=seed)
    truths = []
    for index in range(frames):
        truth = truth_frame(colours, noise=noise, shading=shading, seed=seed * 1000 + index)
        Image.fromarray(truth.render, "RGBA").save(folder / f"frame_{index:04d}.png")
        truths.append(truth)
    return colours, truths


def write_banded_frames(folder: Path, frames: int, colours: int = 14, *, noise: int = 6, seed: int = 0) -> Path:
    """``frames`` 64x90 renders drawn in a millisecond each: a figure of ``colours`` colours in bands, with a little
    noise, moved a pixel a frame. For tests that need many frames, not a character's look."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (colours, 3))
    for index in range(frames):
        frame = np.zeros((90, 64, 4), np.uint8)
        bands = palette[(np.arange(70)[:, None] // 5 + np.arange(40)[None, :] // 10) % colours]
        frame[10:80, 12:52, :3] = np.clip(bands + rng.integers(-noise, noise + 1, bands.shape), 0, 255)
        frame[10:80, 12:52, 3] = 255
        Image.fromarray(np.roll(frame, index % 8, axis=1), "RGBA").save(folder / f"frame_{index:04d}.png")
    return folder
