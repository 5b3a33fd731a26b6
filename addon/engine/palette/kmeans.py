"""Weighted k-means for a few thousand colours: greedy k-means++ seeding, then Lloyd's iterations.

The palette fit runs k-means a few dozen times on the distinct colours of a
small sample, each weighted by how many pixels have it. At that size numpy
matches scikit-learn's compiled k-means, and not importing scikit-learn saves
more than half a second of every run.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import nearest_centres

MAX_ITERATIONS = 300
# Lloyd's iterations stop once the centres move less than this share of the points' mean variance (squared).
RELATIVE_TOLERANCE = 1e-4


def _squared_distances(points: NDArray[np.float64], centres: NDArray[np.float64]) -> NDArray[np.float64]:
    """Squared Euclidean distances, shape (points, centres)."""
    distances = np.square(points).sum(axis=1)[:, None] - 2 * points @ centres.T + np.square(centres).sum(axis=1)
    return np.maximum(distances, 0.0, out=distances)  # rounding can make a zero distance slightly negative


def _seed_centres(
    points: NDArray[np.float64], weights: NDArray[np.float64], count: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Greedy k-means++: each new centre is the best of a few candidates drawn in proportion to weighted distance."""
    trials = 2 + int(np.log(count))
    centres = np.empty((count, points.shape[1]))
    first = rng.choice(len(points), p=weights / weights.sum())
    centres[0] = points[first]
    closest = _squared_distances(points, centres[:1])[:, 0]
    for index in range(1, count):
        potential = np.cumsum(weights * closest)
        candidates = np.searchsorted(potential, rng.random(trials) * potential[-1])
        candidates = np.minimum(candidates, len(points) - 1)
        candidate_closest = np.minimum(closest[None, :], _squared_distances(points, points[candidates]).T)
        best = int(np.argmin(candidate_closest @ weights))
        centres[index] = points[candidates[best]]
        closest = candidate_closest[best]
    return centres


def weighted_means(
    points: NDArray[np.float64], weights: NDArray[np.float64], labels: NDArray[np.intp], centres: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each centre moved to the weighted mean of the points labelled with it; a centre with none stays put."""
    count = len(centres)
    totals = np.bincount(labels, weights=weights, minlength=count)
    sums = np.stack(
        [np.bincount(labels, weights=weights * points[:, axis], minlength=count) for axis in range(points.shape[1])],
        axis=1,
    )
    moved = centres.copy()
    used = totals > 0
    moved[used] = sums[used] / totals[used, None]
    return moved


def _lloyd(
    points: NDArray[np.float64], weights: NDArray[np.float64], centres: NDArray[np.float64], tolerance: float
) -> tuple[NDArray[np.float64], float]:
    """Lloyd's iterations from ``centres``; the final centres and their weighted squared error (inertia)."""
    labels = np.full(len(points), -1)
    for _ in range(MAX_ITERATIONS):
        new_labels = nearest_centres(points, centres)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        moved = weighted_means(points, weights, labels, centres)
        empty = np.flatnonzero(np.bincount(labels, minlength=len(centres)) == 0)
        if len(empty):  # an empty cluster takes the points worst served so far, as scikit-learn does
            errors = weights * _squared_distances(points, centres)[np.arange(len(points)), labels]
            moved[empty] = points[np.argsort(errors)[::-1][: len(empty)]]
        shift = float(np.square(moved - centres).sum())
        centres = moved
        if shift <= tolerance:
            break
    distances = _squared_distances(points, centres)
    return centres, float(weights @ distances.min(axis=1))


def kmeans(
    points: NDArray[np.float64], weights: NDArray[np.float64], count: int, *, restarts: int, seed: int
) -> NDArray[np.float64]:
    """The centres of the best (least weighted squared error) of ``restarts`` weighted k-means runs.

    Parameters
    ----------
    points : ndarray of float64, shape (n, d)
        Distinct points, at least ``count`` of them.
    weights : ndarray of float64, shape (n,)
        How many times each point occurs.
    count : int
        Number of centres.
    restarts : int
        Runs from different seedings.
    seed : int
        Seed of the seedings: equal inputs give equal centres.

    Returns
    -------
    centres : ndarray of float64, shape (count, d)
    """
    if not 1 <= count <= len(points):
        raise ValueError(f"cannot place {count} centres among {len(points)} points")
    rng = np.random.default_rng(seed)
    tolerance = RELATIVE_TOLERANCE * float(np.mean(np.var(points, axis=0)))
    best, best_error = points[:count], np.inf
    for _ in range(restarts):
        centres, error = _lloyd(points, weights, _seed_centres(points, weights, count, rng), tolerance)
        if error < best_error:
            best, best_error = centres, error
    return best
