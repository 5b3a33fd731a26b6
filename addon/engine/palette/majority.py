"""Block-majority downscaling: each sprite pixel takes the palette colour most of its block shows.

Nearest downscaling keeps one render pixel of each block, so render noise
becomes speckle that changes from frame to frame. Here every opaque pixel of
a block is first matched to the character's palette, and the sprite pixel
takes the colour that most of them got. A block is opaque when most of its
pixels are (alpha at or above the threshold). The result only holds palette
colours, so it adds none, and the palette itself is fitted as before, from
nearest-downscaled frames: the blocks need it before they can vote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import match_to_palette
from ..colour.palette import Palette
from ..options import ALPHA_THRESHOLD


def block_edges(n_in: int, n_out: int) -> NDArray[np.intp]:
    """The ``n_out + 1`` edges of the blocks that split ``n_in`` pixels into ``n_out``, as evenly as they can.

    Block ``i`` is ``[edges[i], edges[i + 1])``: at a whole ratio such as 640 → 64, blocks of exactly 10.
    """
    if n_in < n_out or n_out < 1:
        raise ValueError(f"cannot split {n_in} pixels into {n_out} blocks")
    return (np.arange(n_out + 1) * n_in) // n_out


@dataclass(frozen=True)
class _Vote:
    """One frame's vote: its opaque pixels (flat indices), their blocks and palette choices, each block's winner,
    and the sprite's palette indices (-1 where transparent)."""

    opaque: NDArray[np.intp]
    blocks: NDArray[np.intp]
    choices: NDArray[np.intp]
    winners: NDArray[np.intp]
    indices: NDArray[np.intp]
    votes: NDArray[np.intp]


@dataclass(frozen=True)
class MajorityDownscaler:
    """Block-majority downscaling to ``palette`` for frames of one size.

    Calling it on an RGBA frame gives a sprite-size RGBA frame whose opaque
    pixels are palette colours and whose alpha is 0 or 255.
    """

    frame_shape: tuple[int, int]
    out_shape: tuple[int, int]
    palette: Palette
    alpha_threshold: int = ALPHA_THRESHOLD.default  # type: ignore[assignment]
    _block_of_pixel: NDArray[np.intp] = field(init=False, repr=False)
    _block_sizes: NDArray[np.intp] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rows = block_edges(self.frame_shape[0], self.out_shape[0])
        cols = block_edges(self.frame_shape[1], self.out_shape[1])
        block_row = np.repeat(np.arange(self.out_shape[0]), np.diff(rows))
        block_col = np.repeat(np.arange(self.out_shape[1]), np.diff(cols))
        block_of_pixel = (block_row[:, None] * self.out_shape[1] + block_col[None, :]).reshape(-1)
        object.__setattr__(self, "_block_of_pixel", block_of_pixel)
        object.__setattr__(self, "_block_sizes", np.outer(np.diff(rows), np.diff(cols)).reshape(-1))

    def palette_indices(self, rgba: NDArray[np.uint8]) -> NDArray[np.intp]:
        """Each sprite pixel's palette index, the one most pixels of its block are nearest to; -1 if transparent.

        A tie goes to the lowest index, so equal frames always give equal sprites.
        """
        return self._vote(rgba).indices

    def indices_and_normals(
        self, rgba: NDArray[np.uint8], normals: NDArray[np.float32]
    ) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """:meth:`palette_indices`, and each sprite pixel's normal: the sum of the normals (h, w, 3, one per render
        pixel) of the block's pixels that voted for its colour, so the light falls as the colour does. Not
        normalised: the sprite's encoder renormalises."""
        vote = self._vote(rgba)
        return vote.indices, self._voters_normals(vote, normals)

    def indices_and_shares(
        self, rgba: NDArray[np.uint8], normals: NDArray[np.float32] | None = None
    ) -> tuple[NDArray[np.intp], NDArray[np.float32], NDArray[np.float32] | None]:
        """:meth:`palette_indices`, each block's vote shares (palette size, blocks: each colour's votes over the
        block's opaque pixels, a colour's blocks side by side) and, given the frame's ``normals``,
        :meth:`indices_and_normals`' normals."""
        vote = self._vote(rgba)
        counts = np.ascontiguousarray(vote.votes.T, dtype=np.float32)
        shares = counts / np.maximum(counts.sum(axis=0), 1.0)
        return vote.indices, shares, None if normals is None else self._voters_normals(vote, normals)

    def _voters_normals(self, vote: _Vote, normals: NDArray[np.float32]) -> NDArray[np.float32]:
        voters = vote.choices == vote.winners[vote.blocks]
        pixels, blocks = vote.opaque[voters], vote.blocks[voters]
        chosen = normals.reshape(-1, 3)[pixels].astype(np.float64)
        summed = np.stack(
            [np.bincount(blocks, weights=chosen[:, axis], minlength=len(self._block_sizes)) for axis in range(3)],
            axis=1,
        )
        return summed.reshape(*self.out_shape, 3).astype(np.float32)

    def _vote(self, rgba: NDArray[np.uint8]) -> _Vote:
        if rgba.shape[:2] != self.frame_shape:
            raise ValueError(f"frame is {rgba.shape[:2]}, this downscaler expects {self.frame_shape}")
        pixels = rgba.reshape(-1, 4)
        opaque = np.flatnonzero(pixels[:, 3] >= self.alpha_threshold)
        blocks = self._block_of_pixel[opaque]
        count = len(self.palette)
        nearest, inverse, _ = match_to_palette(pixels[opaque, :3], self.palette)
        choices = nearest[inverse]
        votes = np.bincount(blocks * count + choices, minlength=len(self._block_sizes) * count).reshape(-1, count)
        winners = np.argmax(votes, axis=1)
        opaque_blocks = 2 * votes.sum(axis=1) > self._block_sizes
        indices = np.where(opaque_blocks, winners, -1).reshape(self.out_shape)
        return _Vote(opaque, blocks, choices, winners, indices, votes)

    def __call__(self, rgba: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The sprite-size frame: block-majority palette colours, alpha 255, and (0, 0, 0, 0) where transparent."""
        return self.sprite(self.palette_indices(rgba))

    def sprite(self, indices: NDArray[np.intp]) -> NDArray[np.uint8]:
        """The sprite-size frame of :meth:`palette_indices`' ``indices``."""
        small = np.zeros((*self.out_shape, 4), dtype=np.uint8)
        opaque = indices >= 0
        small[opaque, :3] = self.palette.colors[indices[opaque]]
        small[opaque, 3] = 255
        return small
