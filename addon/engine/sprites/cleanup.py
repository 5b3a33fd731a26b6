"""Stray pixels: one pass that gives each speck the colour most of its neighbours have.

A pixel is a speck when its four neighbours are all opaque and all unlike it. It takes the colour that most of its
opaque 8-neighbours have, chosen among its 4-neighbours' colours only, so a speck never takes a colour that merely
touches it at a corner; on a tie, the candidate nearest its own colour in DIN99o wins (then the lower palette index,
which never depends on where the neighbours are, so a mirrored sprite is cleaned as the mirror of the cleaned one).
Every pixel is judged on the input, not on pixels changed earlier in the pass. Alpha never changes, and a line one
pixel wide survives: its pixels have like neighbours along it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Row and column steps to the four edge neighbours, then the four corner ones.
_STEPS = np.array([(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)])
TRANSPARENT = -1


def remove_strays(indices: NDArray[np.int16], din99o: NDArray[np.float64]) -> NDArray[np.int16]:
    """``indices`` (palette indices, -1 transparent) with every speck recoloured; ``din99o`` holds the palette's
    colours in DIN99o, for ties."""
    height, width = indices.shape
    padded = np.full((height + 2, width + 2), TRANSPARENT, dtype=np.intp)  # beyond the canvas is transparent
    padded[1:-1, 1:-1] = indices
    specks = indices != TRANSPARENT
    for dr, dc in _STEPS[:4]:
        neighbour = padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
        specks &= (neighbour != TRANSPARENT) & (neighbour != indices)
    if not specks.any():
        return indices
    rows, cols = np.nonzero(specks)
    around = padded[rows[:, None] + 1 + _STEPS[:, 0], cols[:, None] + 1 + _STEPS[:, 1]]  # (n, 8): edges first
    own = indices[rows, cols].astype(np.intp)
    candidates = around[:, :4]
    votes = (around[:, None, :] == candidates[:, :, None]).sum(axis=2)  # (n, 4): 8-neighbours of each candidate
    distance = np.linalg.norm(din99o[candidates] - din99o[own][:, None, :], axis=2)
    best = np.zeros(len(own), dtype=np.intp)
    picks = np.arange(len(own))
    for column in range(1, candidates.shape[1]):
        count, best_count = votes[:, column], votes[picks, best]
        gap, best_gap = distance[:, column], distance[picks, best]
        wins = (count > best_count) | (
            (count == best_count)
            & ((gap < best_gap) | ((gap == best_gap) & (candidates[:, column] < candidates[picks, best])))
        )
        best = np.where(wins, column, best)
    cleaned = indices.copy()
    cleaned[rows, cols] = candidates[picks, best]
    return cleaned
