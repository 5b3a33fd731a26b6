"""The BIC of a full-covariance Gaussian mixture, fitted by EM from given clusters.

The automatic colour count compares mixtures of many sizes, each started from
the k-means clusters of that size. This is the EM of scikit-learn's
``GaussianMixture(covariance_type="full")`` with every component handled at
once in arrays rather than one at a time, which is what makes it cheap enough
to run a dozen times per palette on a few thousand pixels.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_LOG_2PI = np.log(2 * np.pi)


def _precision_cholesky(covariances: NDArray[np.float64]) -> NDArray[np.float64]:
    """Upper-triangular factors ``U`` with ``U Uᵀ`` the precision matrix (the inverse covariance), per component."""
    lower = np.linalg.cholesky(covariances)
    dimensions = covariances.shape[-1]
    return np.swapaxes(np.linalg.solve(lower, np.broadcast_to(np.eye(dimensions), covariances.shape)), -1, -2)


def _log_weighted_densities(
    points: NDArray[np.float64],
    means: NDArray[np.float64],
    precision_cholesky: NDArray[np.float64],
    weights: NDArray[np.float64],
) -> NDArray[np.float64]:
    """log(weight · density) of every point under every component, shape (points, components)."""
    count, dimensions = means.shape
    log_det = np.log(np.diagonal(precision_cholesky, axis1=1, axis2=2)).sum(axis=1)
    # One matrix product for all components: (n, d) @ (d, k·d).
    factors = precision_cholesky.transpose(1, 0, 2).reshape(dimensions, count * dimensions)
    projected = (points @ factors).reshape(len(points), count, dimensions)
    projected -= np.einsum("kd,kde->ke", means, precision_cholesky)
    squared = np.square(projected).sum(axis=2)
    return -0.5 * (dimensions * _LOG_2PI + squared) + log_det + np.log(weights)


def mixture_bic(
    points: NDArray[np.float64],
    means: NDArray[np.float64],
    weights: NDArray[np.float64],
    covariances: NDArray[np.float64],
    *,
    multiplicities: NDArray[np.float64],
    regularisation: float,
    iterations: int,
    tolerance: float,
) -> float:
    """Fit a Gaussian mixture to ``points`` by EM from the given components and return its BIC.

    Parameters
    ----------
    points : ndarray, shape (n, d)
        Distinct points.
    means, weights, covariances : ndarray, shapes (k, d), (k,) and (k, d, d)
        The starting components; the weights sum to 1.
    multiplicities : ndarray, shape (n,)
        How many times each point occurs. EM on distinct points weighted by their counts is EM on all of them,
        step for step, at the cost of the distinct ones only (a sample of renders repeats many 8-bit colours).
    regularisation : float
        Added to the diagonal of every covariance the EM estimates.
    iterations : int
        At most this many EM steps.
    tolerance : float
        EM stops once the mean log-likelihood changes by less.

    Returns
    -------
    bic : float
        ``-2 · log-likelihood + parameters · ln(n)``, n counting every occurrence; lower is better.
    """
    count, dimensions = means.shape
    precision_cholesky = _precision_cholesky(covariances)
    # Products of coordinate pairs, so that every component's covariance is one matrix product.
    rows, cols = np.triu_indices(dimensions)
    pair_products = points[:, rows] * points[:, cols]
    previous = -np.inf
    floor = 10 * np.finfo(np.float64).eps  # keeps an emptied component from dividing by zero
    for _ in range(iterations):
        log_weighted = _log_weighted_densities(points, means, precision_cholesky, weights)
        # log-sum-exp by hand, so that the exponentials serve the responsibilities too
        largest = log_weighted.max(axis=1, keepdims=True)
        responsibilities = np.exp(log_weighted - largest)
        sums = responsibilities.sum(axis=1, keepdims=True)
        responsibilities /= sums
        log_totals = largest[:, 0] + np.log(sums[:, 0])
        counted = responsibilities * multiplicities[:, None]
        totals = counted.sum(axis=0) + floor
        means = counted.T @ points / totals[:, None]
        second_moments = counted.T @ pair_products / totals[:, None]
        covariances = np.empty((count, dimensions, dimensions))
        covariances[:, rows, cols] = second_moments - means[:, rows] * means[:, cols]
        covariances[:, cols, rows] = covariances[:, rows, cols]
        covariances += regularisation * np.eye(dimensions)
        weights = totals / totals.sum()
        precision_cholesky = _precision_cholesky(covariances)
        likelihood = float(np.average(log_totals, weights=multiplicities))
        if abs(likelihood - previous) < tolerance:
            break
        previous = likelihood
    log_weighted = _log_weighted_densities(points, means, precision_cholesky, weights)
    largest = log_weighted.max(axis=1)
    log_totals = largest + np.log(np.exp(log_weighted - largest[:, None]).sum(axis=1))
    log_likelihood = float(log_totals @ multiplicities)
    parameters = count * dimensions + count * dimensions * (dimensions + 1) / 2 + count - 1
    return -2 * log_likelihood + parameters * np.log(multiplicities.sum())
