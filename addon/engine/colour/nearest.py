"""The nearest of a few hundred centres for each of many points, by brute force in chunks.

Palettes have at most 256 colours, so comparing every point with every centre
through one matrix product is as fast as a k-d tree here, and needs no SciPy
import (a quarter of a second at the start of every run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .palette import Palette
from .spaces import lab_to_din99o, srgb_to_lab

# Points per chunk × centres stays near this many distances, about 8 MB of float64.
_CHUNK_DISTANCES = 1_000_000


def nearest_centres(points: NDArray[np.floating], centres: NDArray[np.floating]) -> NDArray[np.intp]:
    """The index of each point's nearest centre (Euclidean); ties go to the lowest index.

    Parameters
    ----------
    points : ndarray of float64 (or float32: then the distances are float32, about three times faster), shape (n, d)
    centres : ndarray of float, shape (k, d), k ≥ 1

    Returns
    -------
    indices : ndarray of intp, shape (n,)
    """
    precision = np.float32 if np.asarray(points).dtype == np.float32 else np.float64
    points = np.asarray(points, dtype=precision)
    centres = np.asarray(centres, dtype=precision)
    indices = np.empty(len(points), dtype=np.intp)
    # The nearest centre minimises |c|² - 2 p·c; the points' own |p|² does not change the order.
    scaled = -2.0 * centres.T
    norms = np.square(centres).sum(axis=1)
    step = max(1, _CHUNK_DISTANCES // max(1, len(centres)))
    for start in range(0, len(points), step):
        scores = points[start : start + step] @ scaled
        scores += norms
        indices[start : start + step] = np.argmin(scores, axis=1)
    return indices


@dataclass(frozen=True)
class MatchedColours:
    """Colours matched to a palette, each distinct colour once (:func:`match_colours`)."""

    indices: NDArray[np.intp]
    """The palette index of each distinct colour, shape (m,)."""
    inverse: NDArray[np.intp]
    """Each pixel's distinct colour, shape (n,): ``indices[inverse]`` is each pixel's palette index."""
    lab: NDArray[np.float64]
    """The distinct colours in CIELAB, shape (m, 3)."""
    din99o: NDArray[np.float64]
    """The distinct colours in DIN99o, shape (m, 3)."""


def match_colours(rgb: NDArray[np.uint8], palette: Palette) -> MatchedColours:
    """The nearest ``palette`` colour (in DIN99o) of each distinct colour of ``rgb`` (n, 3), with the distinct
    colours in both spaces. Frames repeat their colours many times, so each distinct one is converted and matched
    once."""
    colours, inverse = _distinct_colours(rgb)
    lab = srgb_to_lab(colours)
    din99o = lab_to_din99o(lab)
    return MatchedColours(nearest_centres(din99o, palette.din99o), inverse, lab, din99o)


def match_to_palette(
    rgb: NDArray[np.uint8], palette: Palette
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """:func:`match_colours`' palette indices, inverse and CIELAB colours."""
    matched = match_colours(rgb, palette)
    return matched.indices, matched.inverse, matched.lab


def _distinct_colours(rgb: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], NDArray[np.intp]]:
    """The distinct colours of ``rgb`` in ascending order and each pixel's index among them, as
    ``spaces.distinct_colours`` gives them, without the counts.

    A stable sort of the packed colours finds them in about half the time ``np.unique`` takes on the pixels of
    a batch of sprites, which repeat their colours in runs.
    """
    rgb = np.asarray(rgb)
    codes = (rgb[:, 0].astype(np.int32) << 16) | (rgb[:, 1].astype(np.int32) << 8) | rgb[:, 2]
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    first = np.empty(len(codes), dtype=bool)  # where each distinct colour first appears in order
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(codes), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    unique = ordered[first]
    return np.stack([unique >> 16, (unique >> 8) & 255, unique & 255], axis=1).astype(np.uint8), inverse
