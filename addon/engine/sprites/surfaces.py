"""The means of the render pixels around each nearest-sampled sprite pixel, which Steady Colours (``stabilise``)
reads: the 3 x 3 mean is a less noisy colour for a fresh choice, and the 5 x 5 mean moves far less than one render
pixel under noise while it still moves with the surface under the pixel.

Only opaque render pixels count; a sprite pixel with none gets black (it is transparent, and the rule skips it).
Majority sampling needs none of this: its blocks' vote shares tell noise from change (``palette.majority``).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from ..frames.downscale import nearest_indices

WINDOW = 2
"""Render pixels on each side of a nearest-sampled pixel whose mean (with it) is its wide mean: 5 x 5."""


@functools.lru_cache(maxsize=8)
def _window_pixels(
    frame_shape: tuple[int, int], sprite_shape: tuple[int, int]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The flat indices (25, sprite pixels) of the render pixels of each sprite pixel's 5 x 5 window, and which of
    the 25 make its inner 3 x 3 (made once a size)."""
    row, col = nearest_indices(frame_shape[0], sprite_shape[0]), nearest_indices(frame_shape[1], sprite_shape[1])
    steps = [(down, across) for down in range(-WINDOW, WINDOW + 1) for across in range(-WINDOW, WINDOW + 1)]
    pixels = np.stack(
        [
            (
                np.clip(row + down, 0, frame_shape[0] - 1)[:, None] * frame_shape[1]
                + np.clip(col + across, 0, frame_shape[1] - 1)[None, :]
            ).reshape(-1)
            for down, across in steps
        ]
    )
    inner = np.array([i for i, (down, across) in enumerate(steps) if abs(down) <= 1 and abs(across) <= 1])
    return pixels, inner


def nearest_means(rgba: NDArray[np.uint8], sprite_shape: tuple[int, int], alpha_threshold: int) -> NDArray[np.uint8]:
    """Each sprite pixel's 3 x 3 and 5 x 5 mean sRGB colours in the frame ``rgba``, side by side: (h, w, 6)."""
    pixels, inner = _window_pixels((rgba.shape[0], rgba.shape[1]), sprite_shape)
    # Gathered as whole 4-byte pixels (alpha the high byte), a transparent one zeroed and an opaque one's alpha
    # made 1, so that summing the bytes over the 25 in uint16 gives each window's colour sums and opaque count at
    # once: whole-array integer steps, a fraction of what masking each channel costs.
    packed = np.ascontiguousarray(rgba).view(np.uint32).reshape(-1)
    sampled = np.take(packed, pixels)
    opaque = (sampled >> 24) >= alpha_threshold
    sampled &= 0x00FFFFFF
    sampled *= opaque
    sampled |= opaque.astype(np.uint32) << 24
    channels = sampled.view(np.uint8).reshape(*pixels.shape, 4)
    wide = channels.sum(axis=0, dtype=np.uint16)
    near = channels[inner].sum(axis=0, dtype=np.uint16)
    means = np.concatenate([near[:, :3] / np.maximum(near[:, 3:], 1), wide[:, :3] / np.maximum(wide[:, 3:], 1)], axis=1)
    return np.rint(means).astype(np.uint8).reshape(*sprite_shape, 6)
