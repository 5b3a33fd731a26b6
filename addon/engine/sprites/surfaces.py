"""The means of the render pixels around each nearest-sampled sprite pixel, which Steady Colours (``stabilise``)
reads: the 3 x 3 mean is a less noisy colour for a fresh choice, and the 5 x 5 mean moves far less than one render
pixel under noise while it still moves with the surface under the pixel.

Only opaque render pixels count, and only opaque sprite pixels get means (the rule skips the others).
Majority sampling needs none of this: its blocks' vote shares tell noise from change (``palette.majority``).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from ..frames.downscale import nearest_indices

WINDOW = 2
"""Render pixels on each side of a nearest-sampled pixel whose mean (with it) is its wide mean: 5 x 5."""
INNER = 1
"""Render pixels on each side of a nearest-sampled pixel whose mean (with it) is its near mean: 3 x 3."""
_INNER_COUNT = (2 * INNER + 1) ** 2


@functools.lru_cache(maxsize=8)
def _window_pixels(frame_shape: tuple[int, int], sprite_shape: tuple[int, int]) -> NDArray[np.int32]:
    """The flat indices (25, sprite pixels) of the render pixels of each sprite pixel's 5 x 5 window, the inner
    3 x 3 first (made once a size)."""
    row, col = nearest_indices(frame_shape[0], sprite_shape[0]), nearest_indices(frame_shape[1], sprite_shape[1])
    steps = [(down, across) for down in range(-WINDOW, WINDOW + 1) for across in range(-WINDOW, WINDOW + 1)]
    steps.sort(key=lambda step: max(abs(step[0]), abs(step[1])) > INNER)
    return np.stack(
        [
            (
                np.clip(row + down, 0, frame_shape[0] - 1)[:, None] * frame_shape[1]
                + np.clip(col + across, 0, frame_shape[1] - 1)[None, :]
            ).reshape(-1)
            for down, across in steps
        ]
    ).astype(np.int32)  # half the bytes to gather of what intp takes; frames are far below 2³¹ pixels


def nearest_means(
    rgba: NDArray[np.uint8], sprite_shape: tuple[int, int], alpha_threshold: int, opaque: NDArray[np.intp]
) -> NDArray[np.uint8]:
    """The 3 x 3 and 5 x 5 mean sRGB colours, by channel (6, h, w: the 3 x 3 mean's red, green and blue, then the
    5 x 5 mean's), in the frame ``rgba`` of the sprite pixels ``opaque`` (flat indices): the only ones the rule
    reads, a fifth to a third of a sprite. The rest are black."""
    pixels = np.take(_window_pixels((rgba.shape[0], rgba.shape[1]), sprite_shape), opaque, axis=1)
    # Gathered as whole 4-byte pixels (alpha the high byte), a transparent one zeroed and an opaque one's alpha
    # made 1, so that summing the bytes in uint16 gives each window's colour sums and opaque count at once:
    # whole-array integer steps, a fraction of what masking each channel costs.
    packed = np.ascontiguousarray(rgba).view(np.uint32).reshape(-1)
    sampled = np.take(packed, pixels)
    opaque_here = (sampled >> 24) >= alpha_threshold
    sampled &= 0x00FFFFFF
    sampled *= opaque_here
    sampled |= opaque_here.astype(np.uint32) << 24
    channels = sampled.view(np.uint8).reshape(*pixels.shape, 4)
    near = channels[:_INNER_COUNT].sum(axis=0, dtype=np.uint16)
    wide = near + channels[_INNER_COUNT:].sum(axis=0, dtype=np.uint16)
    # By channel, so that each step runs along the pixels; float32 rounds as float64 would, since a mean of at most
    # 25 bytes is never within 1e-3 of a half.
    sums = np.ascontiguousarray(np.concatenate([near, wide], axis=1).astype(np.float32).T).reshape(2, 4, -1)
    means = np.zeros((6, sprite_shape[0] * sprite_shape[1]), np.uint8)
    means[:, opaque] = np.rint(sums[:, :3] / np.maximum(sums[:, 3:], 1)).astype(np.uint8).reshape(6, -1)
    return means.reshape(6, *sprite_shape)
