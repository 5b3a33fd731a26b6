"""Steady Colours: a sprite pixel keeps the palette colour it had in the frame before until its surface changes.

Render noise moves a pixel's render colour between two palette colours from frame to frame, and the sprite
shimmers where nothing moved. The rule works within an animation (the frames directly in one folder, in natural
name order: ``frame2`` before ``frame10``), on the character palette's indices, before the target palette,
clean-up, outlines and inner lines. For each sprite pixel it reads:

* its *plain* index: the nearest palette colour of its sampled render pixel (nearest sampling) or its block's
  vote (majority sampling); -1 where the sprite is transparent;
* its *surface colour* (``surfaces``): the mean colour of the 5 x 5 render pixels centred on its sampled one
  (nearest sampling) or of 4 x 4 render pixels spread over its block (majority sampling), in DIN99o, where
  distances follow ΔE2000. A few pixels' mean is steady where one render pixel is noisy, and still moves with
  the surface under the pixel, so it tells a surface that changed from noise;
* with normal frames, its normal (the sampled one, or the sum of its block's voters').

Its *fresh* choice (:func:`fresh_choice`) is the palette colour nearest its surface colour, unless its plain colour
is more than :data:`DETAIL_MARGIN` farther from the surface colour than that one is: then the plain one (a detail
that nearest sampling caught and the mean blurs, such as a thin line, stays). Along a *chain* of frames, a pixel's
colour after a frame is the one it had after the frame before (*kept*), when

* it is opaque in both frames, and so is its kept colour;
* its surface colour moved by at most :data:`MOVE_LIMIT` between the two frames;
* with normal frames, its normal turned by at most :data:`NORMAL_LIMIT_DEGREES`; and
* the kept colour is at most :data:`NEAR_MARGIN` farther from the surface colour than the fresh choice is;

and otherwise its fresh choice: a real change (a colour jump, a moved part, alpha) is followed at once, and the
kept colour is never much worse than the best one. Steadying never changes which pixels are opaque.

The same sprites however the work is split (one run, chunks in any order, one action rendered again) needs a
frame's result to depend on a fixed number of frames before it, not on a chain back to the animation's first.
Frames are taken in blocks of :data:`LOOK_BACK` positions (a frame's position is its place among the folder's
frames on disk); the frames of block ``m`` all come from one chain that starts, from fresh choices, at the first
frame of block ``m - 1`` (block 0 starts its own). Every frame of a block lies on one chain, so colours are steady
within it; fresh choices start two chains on one colour where a surface is still, so the hand-over from one
block's chain to the next is steady too. At most ``2 * LOOK_BACK - 1`` frames before a frame are read again where
a chunk or a worker's run starts (``steady_runs``). A frame that cannot be read is left out of every chain alike.
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
MOVE_LIMIT = 6.0
"""The render colour's move (DIN99o) between two frames beyond which the surface has changed."""
NEAR_MARGIN = 6.0
"""How much farther (DIN99o) the kept colour may be from the render colour than the best one is."""
DETAIL_MARGIN = 12.0
"""How much farther (DIN99o) than the nearest colour a pixel's plain colour may be from its render colour and still
be taken for noise, not for a detail, where a choice starts afresh (see :func:`fresh_choice`)."""
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
    """What the rule reads of one frame, at sprite size: each pixel's plain palette index (-1 where transparent),
    its surface colour in DIN99o, and its unit normal (None without normal frames)."""

    indices: NDArray[np.intp]
    colour: NDArray[np.float32]
    normals: NDArray[np.float32] | None = None


def steady_frame(
    indices: NDArray[np.integer], rgb: NDArray[np.uint8], normals: NDArray[np.floating] | None = None
) -> SteadyFrame:
    """A frame for the rule: plain ``indices`` (h, w), the surface colour ``rgb`` (h, w, 3) of each sprite pixel, and
    its normals (h, w, 3, any length) if there are normal frames. Only opaque pixels' colours are converted."""
    flat = np.asarray(indices, dtype=np.intp).reshape(-1)
    opaque = np.flatnonzero(flat >= 0)
    din = np.zeros((len(flat), 3), dtype=np.float32)
    if len(opaque):
        din[opaque] = lab_to_din99o(srgb_to_lab(rgb.reshape(-1, 3)[opaque])).astype(np.float32)
    unit = None
    if normals is not None:
        vectors = normals.reshape(-1, 3).astype(np.float32)
        length = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = np.divide(vectors, length, out=np.zeros_like(vectors), where=length > 0)
    return SteadyFrame(flat, din, unit)


def fresh_choice(frame: SteadyFrame, din: NDArray[np.float32]) -> NDArray[np.intp]:
    """Each pixel's choice when nothing is kept (a chain's first frame, a surface that changed): the palette colour
    nearest its surface colour where its plain one is about as near (at most :data:`DETAIL_MARGIN` farther), else
    its plain one. Two chains that start on different frames of a still surface so start on one colour, not on
    what each frame's noise picked; a detail the plain index holds and the surface colour blurs (a thin line that
    nearest sampling caught, an edge a block's vote keeps) stays."""
    fresh = frame.indices.copy()
    opaque = np.flatnonzero(fresh >= 0)
    if len(opaque) == 0:
        return fresh
    colour = frame.colour[opaque]
    nearest = nearest_centres(colour.astype(np.float64), din.astype(np.float64))
    plain_distance = np.linalg.norm(colour - din[fresh[opaque]], axis=1)
    nearest_distance = np.linalg.norm(colour - din[nearest], axis=1)
    near = plain_distance <= nearest_distance + DETAIL_MARGIN
    fresh[opaque[near]] = nearest[near]
    return fresh


def _step(
    state: NDArray[np.intp], before: SteadyFrame, now: SteadyFrame, fresh: NDArray[np.intp], din: NDArray[np.float32]
) -> NDArray[np.intp]:
    """The chain's state after frame ``now`` (whose fresh choice is ``fresh``), from its state after ``before``."""
    held = np.flatnonzero((state >= 0) & (fresh >= 0) & (state != fresh) & (before.indices >= 0))
    if len(held) == 0:
        return fresh
    colour = now.colour[held]
    moved = np.einsum("ij,ij->i", colour - before.colour[held], colour - before.colour[held])
    steady = moved <= MOVE_LIMIT**2
    if now.normals is not None and before.normals is not None:
        turn = np.einsum("ij,ij->i", now.normals[held], before.normals[held])
        steady &= turn >= np.cos(np.radians(NORMAL_LIMIT_DEGREES))
    kept = np.linalg.norm(colour - din[state[held]], axis=1)
    best = np.linalg.norm(colour - din[fresh[held]], axis=1)
    steady &= kept <= best + NEAR_MARGIN
    result = fresh.copy()
    result[held[steady]] = state[held[steady]]
    return result


class SteadyChains:
    """The steadied indices of one animation's frames, given in order of position (frames left out are skipped).

    Two chains run at a time: the one the frames of the current block read (started at the block before) and the
    one the next block will read (started at this block's first frame); each needs only the frame before.
    """

    def __init__(self, palette: Palette, look_back: int = LOOK_BACK) -> None:
        self._din = palette.din99o.astype(np.float32)
        self._look_back = look_back
        self._chains: dict[int, NDArray[np.intp]] = {}
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
        fresh = fresh_choice(frame, self._din)
        if before is not None:
            chains = {start: _step(state, before, frame, fresh, self._din) for start, state in chains.items()}
        for start in (own, block):  # a chain starts at the first frame at or after its position
            chains.setdefault(start, fresh)
        self._chains = chains
        return chains[own]
