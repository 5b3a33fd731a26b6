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

    Candidates are collected and only cut back to ``capacity`` once they would
    double it, so adding a frame costs a comparison, not a partition of the
    whole sample: the cut-off key only falls, so a key above the last one
    cannot get in later.
    """

    def __init__(self, capacity: int, *, seed: int = 0) -> None:
        if capacity < 1:
            raise ValueError(f"`capacity` must be at least 1, got {capacity}")
        self.capacity = capacity
        self.pixels_seen = 0
        self._rng = np.random.default_rng(seed)
        self._cutoff = np.inf
        self._keys: list[NDArray[np.float64]] = []
        self._pixels: list[NDArray[np.uint8]] = []
        self._held = 0

    def add(self, pixels: NDArray[np.uint8]) -> None:
        """Offer ``pixels`` (shape (n, 3), uint8) to the sample."""
        if len(pixels) == 0:
            return
        self.pixels_seen += len(pixels)
        keys = self._rng.random(len(pixels))
        wanted = keys < self._cutoff
        self._keys.append(keys[wanted])
        self._pixels.append(pixels[wanted])
        self._held += int(np.count_nonzero(wanted))
        if self._held >= 2 * self.capacity:
            self._cut()

    def _cut(self) -> None:
        keys, pixels = np.concatenate(self._keys), np.concatenate(self._pixels)
        if len(keys) > self.capacity:
            keep = np.argpartition(keys, self.capacity - 1)[: self.capacity]
            keys, pixels = keys[keep], pixels[keep]
        if len(keys) == self.capacity:
            self._cutoff = float(np.max(keys))
        self._keys, self._pixels, self._held = [keys], [pixels], len(keys)

    def sample(self) -> NDArray[np.uint8]:
        """The sampled pixels, shape (m, 3), in key order so that equal runs give equal arrays."""
        if not self._keys:
            return np.empty((0, 3), dtype=np.uint8)
        self._cut()
        return self._pixels[0][np.argsort(self._keys[0], kind="stable")]
