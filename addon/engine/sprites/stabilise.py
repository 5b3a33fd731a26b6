"""Steady Colours: a sprite pixel keeps the palette colour it had in the frame before until its surface changes.

Render noise moves a pixel's render colour between two palette colours from frame to frame, and the sprite
shimmers where nothing moved. The rule works within an animation (the frames directly in one folder, in natural
name order: ``frame2`` before ``frame10``), on the character palette's indices, before the target palette,
clean-up, outlines and inner lines.

What it reads of each frame (``surfaces``), per sprite pixel, in DIN99o where distances follow ΔE2000:

* nearest sampling: ``c1``, the sampled render pixel's colour; ``c3`` and ``c5``, the means of the 3 x 3 and 5 x 5
  render pixels centred on it. Its *fresh* colour is the palette colour nearest ``0.65 c1 + 0.35 c3``
  (:data:`FRESH_WEIGHT`): closer to a clean render than the one noisy pixel, and still the pixel's own colour;
* majority sampling: the block's vote *shares* (each palette colour's votes over the block's opaque pixels); its
  fresh colour is the vote's winner, the plain sprite's;
* with normal frames, its normal.

Along a *chain* of frames each pixel holds a colour and an *anchor*: the mean of its feature (``c5``, or the
shares) over the frames since it last took a colour. It keeps its colour from the frame before when

* it is opaque in both frames;
* its feature is still near its anchor (``c5`` within :data:`MOVE_LIMIT`; shares within :data:`VOTE_MOVE`, L1):
  a slow drift adds up against the anchor where each step alone is small;
* its neighbourhood did not move: the mean, over the sprite pixels within :data:`REGION_RADIUS`
  (:data:`VOTE_REGION_RADIUS`), of each pixel's feature move since the frame before (:data:`ALPHA_MOVE` or 2
  where its opacity changed) is at most :data:`REGION_LIMIT` (:data:`VOTE_REGION_LIMIT`). Noise is independent
  from pixel to pixel and averages out over an area; a moving part moves a whole area together;
* the kept colour is still about as good: at most :data:`NEAR_MARGIN` farther from ``c3`` than the fresh one
  (nearest), or its share at most :data:`SHARE_MARGIN` below the winner's (majority);
* with normal frames, its normal turned by at most :data:`NORMAL_LIMIT_DEGREES`;

and otherwise takes its fresh colour: a real change (a colour jump, a moved part, alpha) is followed at once.
Steadying never changes which pixels are opaque.

The same sprites however the work is split (one run, chunks in any order, one action rendered again) needs a
frame's result to depend on a fixed number of frames before it, not on a chain back to the animation's first.
Frames are taken in blocks of :data:`LOOK_BACK` positions (a frame's position is its place among the folder's
frames on disk); the frames of block ``m`` all come from one chain that starts, from fresh colours, at the first
frame of block ``m - 1`` (block 0 starts its own). At most ``2 * LOOK_BACK - 1`` frames before a frame are read
again where a chunk or a worker's run starts (``steady_runs``). A frame that cannot be read is left out of every
chain alike. The constants were chosen on the benchmark's renders (``scripts/bench/steady.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import nearest_centres
from ..colour.palette import Palette
from ..colour.spaces import lab_to_din99o, srgb_to_lab

LOOK_BACK = 4
"""Positions per block: a chain starts at the first frame of the block before a frame's own."""
FRESH_WEIGHT = 0.65
"""Nearest sampling: the sampled pixel's weight in the colour a fresh choice is nearest to (the 3 x 3 mean's is the
rest)."""
MOVE_LIMIT = 6.0
"""Nearest sampling: how far (DIN99o) a pixel's 5 x 5 mean may move from its anchor while it keeps its colour."""
NEAR_MARGIN = 12.0
"""Nearest sampling: how much farther (DIN99o) from the 3 x 3 mean the kept colour may be than the fresh one."""
REGION_RADIUS = 5
"""Nearest sampling: the sprite pixels on each side over which the neighbourhood's move is averaged (11 x 11)."""
REGION_LIMIT = 1.5
"""Nearest sampling: the largest mean move (DIN99o) of the neighbourhood's 5 x 5 means in which a pixel keeps."""
ALPHA_MOVE = 20.0
"""Nearest sampling: the move counted for a pixel whose opacity changed, in the neighbourhood's mean."""
VOTE_MOVE = 0.4
"""Majority sampling: how far (L1) a block's vote shares may move from its anchor while it keeps its colour."""
SHARE_MARGIN = 0.15
"""Majority sampling: how far below the winner's share the kept colour's share may be."""
VOTE_REGION_RADIUS = 6
"""Majority sampling: the sprite pixels on each side over which the neighbourhood's vote move is averaged."""
VOTE_REGION_LIMIT = 0.10
"""Majority sampling: the largest mean vote move (L1; 2 where opacity changed) in which a pixel keeps."""
NORMAL_LIMIT_DEGREES = 20.0
"""The turn of a pixel's normal between two frames beyond which the surface has changed (with normal frames)."""

_NATURAL_PARTS = re.compile(r"(\d+)")


def natural_key(path: Path) -> tuple[tuple[int, int | str], ...]:
    """A file name's order among its folder's frames: digits as numbers, so ``frame2`` comes before ``frame10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _NATURAL_PARTS.split(path.name) if part != ""
    )


def animation_order(paths: Iterable[Path]) -> list[Path]:
    """``paths`` by animation: folder by folder, each folder's frames in natural name order (``frame01`` and
    ``frame1`` by their names, so that the order never depends on the order given)."""
    return sorted(paths, key=lambda path: (str(path.parent), natural_key(path), path.name))


def chain_start(position: int, look_back: int = LOOK_BACK) -> int:
    """The position the chain of the frame at ``position`` starts at: the first of the block before its own."""
    return max(0, look_back * (position // look_back) - look_back)


@dataclass(frozen=True)
class SteadyFrame:
    """What the rule reads of one frame, at sprite size, flat: each pixel's plain palette index and its fresh one
    (-1 where transparent), its feature (``c5`` in DIN99o, or the vote shares), its ``c3`` in DIN99o (nearest
    sampling; None for majority) and its unit normal (None without normal frames)."""

    shape: tuple[int, int]
    indices: NDArray[np.intp]
    fresh: NDArray[np.intp]
    feature: NDArray[np.float32]
    near: NDArray[np.float32] | None
    normals: NDArray[np.float32] | None = None


def _din(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    return lab_to_din99o(srgb_to_lab(np.ascontiguousarray(rgb))).astype(np.float32)


def _unit(normals: NDArray[np.floating] | None) -> NDArray[np.float32] | None:
    if normals is None:
        return None
    vectors = normals.reshape(-1, 3).astype(np.float32)
    length = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, length, out=np.zeros_like(vectors), where=length > 0)


def nearest_frame(
    indices: NDArray[np.integer],
    sampled: NDArray[np.uint8],
    means: NDArray[np.uint8],
    palette: Palette,
    normals: NDArray[np.floating] | None = None,
) -> SteadyFrame:
    """A nearest-sampled frame for the rule: plain ``indices`` (h, w), the ``sampled`` render colours (h, w, 3),
    ``means`` (h, w, 6: the 3 x 3 and the 5 x 5 means, ``surfaces.nearest_means``) and the normals, if any."""
    shape = (indices.shape[0], indices.shape[1])
    flat = np.asarray(indices, dtype=np.intp).reshape(-1)
    opaque = np.flatnonzero(flat >= 0)
    count = len(flat)
    c3, c5 = np.zeros((count, 3), np.float32), np.zeros((count, 3), np.float32)
    fresh = flat.copy()
    if len(opaque):
        rows = np.concatenate([sampled.reshape(-1, 3)[opaque], means.reshape(-1, 6)[opaque].reshape(-1, 3)])
        din = _din(rows)
        c1, both = din[: len(opaque)], din[len(opaque) :].reshape(-1, 2, 3)
        c3[opaque], c5[opaque] = both[:, 0], both[:, 1]
        mixed = FRESH_WEIGHT * c1 + (1 - FRESH_WEIGHT) * c3[opaque]
        fresh[opaque] = nearest_centres(mixed.astype(np.float64), palette.din99o.astype(np.float64))
    return SteadyFrame(shape, flat, fresh, c5, c3, _unit(normals))


def majority_frame(
    indices: NDArray[np.integer], shares: NDArray[np.float32], normals: NDArray[np.floating] | None = None
) -> SteadyFrame:
    """A majority-sampled frame for the rule: the vote's ``indices`` (h, w), each block's vote ``shares``
    (h * w, palette size) and the normals, if any."""
    flat = np.asarray(indices, dtype=np.intp).reshape(-1)
    return SteadyFrame((indices.shape[0], indices.shape[1]), flat, flat, shares, None, _unit(normals))


def _region_mean(values: NDArray[np.floating], radius: int, shape: tuple[int, int]) -> NDArray[np.float32]:
    """The mean of ``values`` over the (2 radius + 1)² sprite pixels around each pixel, the edges repeated."""
    padded = np.pad(values.reshape(shape).astype(np.float32), radius, mode="edge")
    sums = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1), np.float32)
    sums[1:, 1:] = padded.cumsum(0).cumsum(1)
    side = 2 * radius + 1
    window = sums[side:, side:] - sums[:-side, side:] - sums[side:, :-side] + sums[:-side, :-side]
    return (window / (side * side)).reshape(-1)


def _distance(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    difference = a - b
    return np.sqrt(np.einsum("ij,ij->i", difference, difference))


@dataclass(frozen=True)
class _Chain:
    """A chain's state after a frame: each pixel's colour, and the sum and count of its anchor's features."""

    colours: NDArray[np.intp]
    anchor_sum: NDArray[np.float32]
    anchor_count: NDArray[np.float32]


def _start(frame: SteadyFrame) -> _Chain:
    return _Chain(frame.fresh, frame.feature.copy(), np.ones(len(frame.fresh), np.float32))


@dataclass(frozen=True)
class _FrameTest:
    """What the rule decides of frame ``now`` once, for every chain: where a pixel may keep at all (opaque in both
    frames, a still neighbourhood, its normal not turned) and, with nearest sampling, the fresh colour's distance."""

    may_keep: NDArray[np.bool_]
    fresh_distance: NDArray[np.float32] | None


def _frame_test(before: SteadyFrame, now: SteadyFrame, din: NDArray[np.float32]) -> _FrameTest:
    both = (before.indices >= 0) & (now.indices >= 0)
    flipped = (before.indices >= 0) != (now.indices >= 0)
    fresh_distance = None
    if now.near is None:  # majority sampling: vote shares
        moved = np.where(both, np.abs(now.feature - before.feature).sum(axis=1), 0.0)
        region = _region_mean(np.where(flipped, 2.0, moved), VOTE_REGION_RADIUS, now.shape) <= VOTE_REGION_LIMIT
    else:
        moved = np.where(both, _distance(now.feature, before.feature), 0.0)
        region = _region_mean(np.where(flipped, ALPHA_MOVE, moved), REGION_RADIUS, now.shape) <= REGION_LIMIT
        fresh_distance = _distance(now.near, din[np.maximum(now.fresh, 0)])
    may_keep = both & region
    if now.normals is not None and before.normals is not None:
        turn = np.einsum("ij,ij->i", now.normals, before.normals)
        may_keep &= turn >= np.cos(np.radians(NORMAL_LIMIT_DEGREES))
    return _FrameTest(may_keep, fresh_distance)


def _kept(chain: _Chain, test: _FrameTest, now: SteadyFrame, din: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Which pixels keep the chain's colour at frame ``now`` (the module's rule)."""
    state = chain.colours
    keep = test.may_keep & (state >= 0)
    anchor = chain.anchor_sum / chain.anchor_count[:, None]
    if test.fresh_distance is None:  # majority sampling: vote shares
        shares = now.feature
        kept_share = np.take_along_axis(shares, np.maximum(state, 0)[:, None], axis=1)[:, 0]
        keep &= kept_share >= shares.max(axis=1) - SHARE_MARGIN
        keep &= np.abs(shares - anchor).sum(axis=1) <= VOTE_MOVE
    else:
        assert now.near is not None
        keep &= _distance(now.feature, anchor) <= MOVE_LIMIT
        keep &= _distance(now.near, din[np.maximum(state, 0)]) <= test.fresh_distance + NEAR_MARGIN
    return keep


def _step(chain: _Chain, test: _FrameTest, now: SteadyFrame, din: NDArray[np.float32]) -> _Chain:
    """The chain's state after frame ``now``, from its state after the frame before (``test`` compares the two)."""
    keep = _kept(chain, test, now, din)
    return _Chain(
        np.where(keep, chain.colours, now.fresh),
        np.where(keep[:, None], chain.anchor_sum + now.feature, now.feature),
        np.where(keep, chain.anchor_count + 1, 1.0).astype(np.float32),
    )


class SteadyChains:
    """The steadied indices of one animation's frames, given in order of position (frames left out are skipped).

    Two chains run at a time: the one the frames of the current block read (started at the block before) and the
    one the next block will read (started at this block's first frame); each needs only the frame before.
    """

    def __init__(self, palette: Palette, look_back: int = LOOK_BACK) -> None:
        self._din = palette.din99o.astype(np.float32)
        self._look_back = look_back
        self._chains: dict[int, _Chain] = {}
        self._before: SteadyFrame | None = None
        self._position = -1

    def add(self, position: int, frame: SteadyFrame) -> NDArray[np.intp]:
        """The steadied indices (flat) of the frame at ``position``, after those of every earlier position given."""
        if position <= self._position:
            raise ValueError(f"frames of an animation come in order: {position} after {self._position}")
        before, self._before, self._position = self._before, frame, position
        own = chain_start(position, self._look_back)
        block = self._look_back * (position // self._look_back)
        chains = {start: state for start, state in self._chains.items() if start >= own}
        if before is not None and chains:
            test = _frame_test(before, frame, self._din)
            chains = {start: _step(state, test, frame, self._din) for start, state in chains.items()}
        for start in (own, block):  # a chain starts at the first frame at or after its position
            if start not in chains:
                chains[start] = _start(frame)
        self._chains = chains
        return chains[own].colours
