"""A seeded, streaming, uniform sample of opaque pixels over many frames."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class PixelReservoir:
    """Keep a uniform random sample of at most ``capacity`` pixels from a stream.

    Every pixel added gets a random key and the reservoir keeps the pixels
    with the smallest keys (bottom-k sampling). Memory is bounded by
    ``capacity`` whatever the number of frames, and the sample depends only on
    the seed and the order in which pixels are added.
    """

    def __init__(self, capacity: int, *, seed: int = 0) -> None:
        if capacity < 1:
            raise ValueError(f"`capacity` must be at least 1, got {capacity}")
        self.capacity = capacity
        self.pixels_seen = 0
        self._rng = np.random.default_rng(seed)
        self._keys = np.empty(0, dtype=np.float64)
        self._pixels = np.empty((0, 3), dtype=np.uint8)

    def add(self, pixels: NDArray[np.uint8]) -> None:
        """Offer ``pixels`` (shape (n, 3), uint8) to the sample."""
        if len(pixels) == 0:
            return
        self.pixels_seen += len(pixels)
        new_keys = self._rng.random(len(pixels))
        if len(self._keys) == self.capacity:  # full: only keys below the largest kept one can get in
            wanted = new_keys < np.max(self._keys)
            new_keys, pixels = new_keys[wanted], pixels[wanted]
        keys = np.concatenate([self._keys, new_keys])
        candidates = np.concatenate([self._pixels, pixels])
        if len(keys) > self.capacity:
            keep = np.argpartition(keys, self.capacity - 1)[: self.capacity]
            keys, candidates = keys[keep], candidates[keep]
        self._keys, self._pixels = keys, candidates

    def sample(self) -> NDArray[np.uint8]:
        """The sampled pixels, shape (m, 3), in key order so that equal runs give equal arrays."""
        return self._pixels[np.argsort(self._keys, kind="stable")]
