"""The surface colour of each sprite pixel, which Steady Colours (``stabilise``) tells a changed surface from noise by.

A sprite pixel's colour comes from one render pixel (nearest sampling) or its block's vote (majority sampling);
either way render noise moves it from frame to frame. The mean of a few render pixels around where it comes from
moves far less, and still moves when the surface under it does:

* nearest sampling: the mean of the 5 x 5 render pixels centred on the sampled one (:data:`WINDOW`), so a texture
  sliding under the pixel moves it as it moves the sampled colour (a whole block's mean barely moves then);
* majority sampling: the mean of 4 x 4 render pixels spread evenly over the block (:data:`BLOCK_SAMPLES`), the
  whole block the vote is taken over.

Only opaque render pixels count; a sprite pixel with none gets black (it is transparent, and the rule skips it).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from ..frames.downscale import nearest_indices

WINDOW = 2
"""Render pixels on each side of a nearest-sampled pixel whose mean (with it) is its surface colour: 5 x 5."""
BLOCK_SAMPLES = 4
"""Render pixels per block side whose mean is a majority-sampled pixel's surface colour: 16 a block, evenly spread."""


def _block_samples(frame_size: int, sprite_size: int) -> NDArray[np.intp]:
    """The :data:`BLOCK_SAMPLES` render rows (or columns) of each block, at the centres of equal parts of it."""
    # ``majority.block_edges``, which a frame smaller than its sprite (nearest sampling may upscale) also has here:
    # a block of no pixel samples the one it starts at.
    edges = (np.arange(sprite_size + 1) * frame_size) // sprite_size
    centres = 2 * np.arange(BLOCK_SAMPLES) + 1
    return edges[:-1, None] + (np.diff(edges)[:, None] * centres) // (2 * BLOCK_SAMPLES)


@functools.lru_cache(maxsize=8)
def _sampled_pixels(frame_shape: tuple[int, int], sprite_shape: tuple[int, int], majority: bool) -> NDArray[np.intp]:
    """The flat indices (k, sprite pixels) of the k render pixels each sprite pixel's surface colour is the mean
    of, in a frame of ``frame_shape`` (made once a size)."""
    if majority:
        rows = _block_samples(frame_shape[0], sprite_shape[0])  # (sprite rows, BLOCK_SAMPLES)
        cols = _block_samples(frame_shape[1], sprite_shape[1])
        pairs = [(rows[:, i], cols[:, j]) for i in range(BLOCK_SAMPLES) for j in range(BLOCK_SAMPLES)]
    else:
        row, col = nearest_indices(frame_shape[0], sprite_shape[0]), nearest_indices(frame_shape[1], sprite_shape[1])
        steps = range(-WINDOW, WINDOW + 1)
        pairs = [
            (np.clip(row + down, 0, frame_shape[0] - 1), np.clip(col + across, 0, frame_shape[1] - 1))
            for down in steps
            for across in steps
        ]
    return np.stack([(rows_at[:, None] * frame_shape[1] + cols_at[None, :]).reshape(-1) for rows_at, cols_at in pairs])


def surface_colours(
    rgba: NDArray[np.uint8], sprite_shape: tuple[int, int], alpha_threshold: int, *, majority: bool
) -> NDArray[np.uint8]:
    """Each sprite pixel's surface colour (sRGB, (h, w, 3)) in the frame ``rgba``, as the module says."""
    pixels = _sampled_pixels((rgba.shape[0], rgba.shape[1]), sprite_shape, majority)
    # Gathered as whole 4-byte pixels and summed in uint16 (16 samples of 255 fit): a fraction of what a reduction
    # over the frame's blocks costs.
    packed = np.ascontiguousarray(rgba).view(np.uint32).reshape(-1)
    sampled = np.take(packed, pixels)
    opaque = sampled.view(np.uint8).reshape(*sampled.shape, 4)[:, :, 3] >= alpha_threshold
    values = np.where(opaque, sampled, 0).view(np.uint8).reshape(*sampled.shape, 4).astype(np.uint16)
    values[:, :, 3] = opaque  # each sample's weight: the sums' last channel counts the opaque ones
    sums = values.sum(axis=0, dtype=np.uint16)
    mean = np.rint(sums[:, :3] / np.maximum(sums[:, 3:], 1)).astype(np.uint8)
    return mean.reshape(*sprite_shape, 3)
