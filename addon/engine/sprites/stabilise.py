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

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import nearest_centres
from ..colour.palette import Palette
from ..colour.spaces import srgb_to_din99o_by_channel

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
    sampling; None for majority) and its unit normal (None without normal frames).

    Features and ``c3`` are by channel (channels, pixels): each channel's pixels side by side, so that the rule's
    whole-array steps run along thousands of pixels rather than three channels."""

    shape: tuple[int, int]
    indices: NDArray[np.intp]
    fresh: NDArray[np.intp]
    feature: NDArray[np.float32]
    near: NDArray[np.float32] | None
    normals: NDArray[np.float32] | None = None


def _unit(normals: NDArray[np.floating] | None) -> NDArray[np.float32] | None:
    """Unit ``normals`` by channel (3, pixels); zero where there is none."""
    if normals is None:
        return None
    vectors = normals.reshape(-1, 3).T.astype(np.float32)
    length = np.sqrt((vectors * vectors).sum(axis=0))
    return np.divide(vectors, length, out=np.zeros_like(vectors), where=length > 0)


def nearest_frames(
    plain: Sequence[NDArray[np.intp]],
    sampled: NDArray[np.float64],
    means: Sequence[NDArray[np.uint8]],
    palette: Palette,
    normals: Sequence[NDArray[np.floating] | None],
) -> list[SteadyFrame]:
    """Nearest-sampled frames for the rule, converted together: each frame's ``plain`` indices (h, w), the
    ``sampled`` render colours in DIN99o of the frames' opaque pixels (frame after frame, each in flat order: known
    already where the indices were matched to the palette), its ``means`` (6, h, w: the 3 x 3 and the 5 x 5 means by
    channel, ``surfaces.nearest_means``) and its normals, if any."""
    flats = [np.asarray(indices, dtype=np.intp).reshape(-1) for indices in plain]
    opaque = [np.flatnonzero(flat >= 0) for flat in flats]
    rows = np.concatenate([mean.reshape(6, -1)[:, where] for mean, where in zip(means, opaque, strict=True)], axis=1)
    near_and_wide = srgb_to_din99o_by_channel(rows.reshape(2, 3, -1).swapaxes(0, 1))
    near, wide = near_and_wide[:, 0], near_and_wide[:, 1]
    mixed = FRESH_WEIGHT * sampled.T.astype(np.float32) + (1 - FRESH_WEIGHT) * near
    nearest = nearest_centres(np.ascontiguousarray(mixed.T), palette.din99o)
    frames = []
    ends = np.cumsum([len(where) for where in opaque])
    for indices, flat, where, end in zip(plain, flats, opaque, ends, strict=True):
        mine = slice(end - len(where), end)
        c3, c5 = np.zeros((3, len(flat)), np.float32), np.zeros((3, len(flat)), np.float32)
        c3[:, where], c5[:, where] = near[:, mine], wide[:, mine]
        fresh = flat.copy()
        fresh[where] = nearest[mine]
        frames.append(SteadyFrame((indices.shape[0], indices.shape[1]), flat, fresh, c5, c3, None))
    return [replace(frame, normals=_unit(normal)) for frame, normal in zip(frames, normals, strict=True)]


def majority_frame(
    indices: NDArray[np.integer], shares: NDArray[np.float32], normals: NDArray[np.floating] | None = None
) -> SteadyFrame:
    """A majority-sampled frame for the rule: the vote's ``indices`` (h, w), each block's vote ``shares``
    (palette size, h * w) and the normals, if any."""
    flat = np.asarray(indices, dtype=np.intp).reshape(-1)
    return SteadyFrame((indices.shape[0], indices.shape[1]), flat, flat, shares, None, _unit(normals))


@functools.lru_cache(maxsize=8)
def _box_matrices(shape: tuple[int, int], radius: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The two matrices whose product with a sprite-size array, ``rows @ values @ columns``, sums each pixel's
    window of ``radius`` on each side, the edges repeated (a pixel past the edge counts as the edge pixel)."""
    counts = []
    for length in shape:
        count = np.zeros((length, length), np.float32)
        for offset in range(-radius, radius + 1):
            np.add.at(count, (np.arange(length), np.clip(np.arange(length) + offset, 0, length - 1)), 1)
        counts.append(count)
    return counts[0], np.ascontiguousarray(counts[1].T)


def _region_mean(values: NDArray[np.floating], radius: int, shape: tuple[int, int]) -> NDArray[np.float32]:
    """The mean of ``values`` over the (2 radius + 1)² sprite pixels around each pixel, the edges repeated: a box
    filter as two small matrix products, down the rows and then across."""
    rows, columns = _box_matrices(shape, radius)
    summed = rows @ values.reshape(shape).astype(np.float32) @ columns
    return (summed / np.float32((2 * radius + 1) ** 2)).reshape(-1)


def _distance(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    """The distances between matching pixels of ``a`` and ``b`` (..., channels, pixels)."""
    difference = a - b
    difference *= difference
    return np.sqrt(difference.sum(axis=-2))


@dataclass(frozen=True)
class _Chains:
    """The state of the chains running after a frame, one row each: each pixel's colour, and the sum and count of
    its anchor's features. Stepped together, since each step is the same few whole-array operations."""

    starts: tuple[int, ...]
    colours: NDArray[np.intp]
    anchor_sum: NDArray[np.float32]
    anchor_count: NDArray[np.float32]

    def only(self, starts: Iterable[int]) -> _Chains:
        """These chains but those not started at one of ``starts``."""
        wanted = set(starts)
        rows = [row for row, start in enumerate(self.starts) if start in wanted]
        if len(rows) == len(self.starts):
            return self
        return _Chains(
            tuple(self.starts[row] for row in rows), self.colours[rows], self.anchor_sum[rows], self.anchor_count[rows]
        )

    def started(self, start: int, frame: SteadyFrame) -> _Chains:
        """These chains and one more, started at ``frame`` from its fresh colours."""
        return _Chains(
            (*self.starts, start),
            np.concatenate([self.colours, frame.fresh[None]]),
            np.concatenate([self.anchor_sum, frame.feature[None]]),
            np.concatenate([self.anchor_count, np.ones((1, len(frame.fresh)), np.float32)]),
        )


def _no_chains(frame: SteadyFrame) -> _Chains:
    pixels = len(frame.fresh)
    return _Chains(
        (),
        np.zeros((0, pixels), np.intp),
        np.zeros((0, *frame.feature.shape), np.float32),
        np.zeros((0, pixels), np.float32),
    )


def _may_keep(before: SteadyFrame, now: SteadyFrame) -> NDArray[np.bool_]:
    """Where a pixel may keep its colour at frame ``now`` at all, in any chain: opaque in both frames, its
    neighbourhood still, its normal not turned."""
    both = (before.indices >= 0) & (now.indices >= 0)
    flipped = (before.indices >= 0) != (now.indices >= 0)
    if now.near is None:  # majority sampling: vote shares
        moved = np.where(both, np.abs(now.feature - before.feature).sum(axis=0), 0.0)
        region = _region_mean(np.where(flipped, 2.0, moved), VOTE_REGION_RADIUS, now.shape) <= VOTE_REGION_LIMIT
    else:
        moved = np.where(both, _distance(now.feature, before.feature), 0.0)
        region = _region_mean(np.where(flipped, ALPHA_MOVE, moved), REGION_RADIUS, now.shape) <= REGION_LIMIT
    may_keep = both & region
    if now.normals is not None and before.normals is not None:
        turn = (now.normals * before.normals).sum(axis=0)
        may_keep &= turn >= np.cos(np.radians(NORMAL_LIMIT_DEGREES))
    return may_keep


def _kept(
    chains: _Chains, may_keep: NDArray[np.bool_], now: SteadyFrame, din: NDArray[np.float32]
) -> NDArray[np.bool_]:
    """Which pixels keep each chain's colour at frame ``now`` (the module's rule), weighed only where one may: a
    fraction of the sprite, as most of it is transparent or moved."""
    rows, pixels = np.nonzero(may_keep & (chains.colours >= 0))
    state = chains.colours[rows, pixels]
    anchor = chains.anchor_sum[rows, :, pixels].T / chains.anchor_count[rows, pixels]
    feature = now.feature[:, pixels]
    if now.near is None:  # majority sampling: vote shares
        kept = feature[state, np.arange(len(pixels))] >= feature.max(axis=0) - SHARE_MARGIN
        kept &= np.abs(feature - anchor).sum(axis=0) <= VOTE_MOVE
    else:
        near = now.near[:, pixels]
        kept = _distance(feature, anchor) <= MOVE_LIMIT
        kept_distance = _distance(near, np.take(din, state, axis=1))
        kept &= kept_distance <= _distance(near, np.take(din, now.fresh[pixels], axis=1)) + NEAR_MARGIN
    keep = np.zeros(chains.colours.shape, np.bool_)
    keep[rows[kept], pixels[kept]] = True
    return keep


def _step(chains: _Chains, may_keep: NDArray[np.bool_], now: SteadyFrame, din: NDArray[np.float32]) -> _Chains:
    """The chains' state after frame ``now``, from their state after the frame before."""
    keep = _kept(chains, may_keep, now, din)
    return _Chains(
        chains.starts,
        np.where(keep, chains.colours, now.fresh),
        # A kept pixel's anchor adds the feature; another's starts again from it.
        chains.anchor_sum * keep.astype(np.float32)[:, None] + now.feature,
        chains.anchor_count * keep + np.float32(1),
    )


class SteadyChains:
    """The steadied indices of one animation's frames, given in order of position (frames left out are skipped).

    Two chains run at a time: the one the frames of the current block read (started at the block before) and the
    one the next block will read (started at this block's first frame); each needs only the frame before.
    """

    def __init__(self, palette: Palette, look_back: int = LOOK_BACK) -> None:
        self._din = np.ascontiguousarray(palette.din99o.T, dtype=np.float32)
        self._look_back = look_back
        self._chains: _Chains | None = None
        self._before: SteadyFrame | None = None
        self._position = -1

    def add(self, position: int, frame: SteadyFrame) -> NDArray[np.intp]:
        """The steadied indices (flat) of the frame at ``position``, after those of every earlier position given."""
        if position <= self._position:
            raise ValueError(f"frames of an animation come in order: {position} after {self._position}")
        before, self._before, self._position = self._before, frame, position
        own = chain_start(position, self._look_back)
        block = self._look_back * (position // self._look_back)
        chains = self._chains.only(range(own, position)) if self._chains is not None else _no_chains(frame)
        if before is not None and chains.starts:
            chains = _step(chains, _may_keep(before, frame), frame, self._din)
        for start in (own, block):  # a chain starts at the first frame at or after its position
            if start not in chains.starts:
                chains = chains.started(start, frame)
        self._chains = chains
        return chains.colours[chains.starts.index(own)]
