"""The fit's own k-means and mixture, held to scikit-learn's on the same data."""

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from pixel_sprites.engine.colour.spaces import distinct_colours, lab_to_din99o, srgb_to_lab
from pixel_sprites.engine.palette.kmeans import kmeans
from pixel_sprites.engine.palette.mixture import mixture_bic


def din99o_of(rgb):
    return lab_to_din99o(srgb_to_lab(rgb))


def pixels_of_blobs(rng, count=6, size=4000, spread=6.0):
    """8-bit colours around ``count`` centres: many repeat, as in a sample of renders."""
    centres = rng.integers(30, 226, size=(count, 3))
    labels = rng.integers(0, count, size)
    return np.clip(np.round(centres[labels] + rng.normal(0, spread, (size, 3))), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("count", [3, 6, 12])
def test_mixture_bic_on_distinct_colours_is_scikit_learns_on_every_pixel(rng, count):
    pixels = pixels_of_blobs(rng)
    colours, _, multiplicities = distinct_colours(pixels)
    assert len(colours) < len(pixels)  # the point: fewer distinct colours than pixels
    points = din99o_of(colours)
    centres = kmeans(points, multiplicities.astype(float), count, restarts=2, seed=0)
    labels = np.argmin(((points[:, None] - centres[None]) ** 2).sum(axis=2), axis=1)
    weights = np.bincount(labels, weights=multiplicities, minlength=count) / multiplicities.sum()
    members = [labels == index for index in range(count)]
    covariances = np.stack([np.cov(points[m].T, aweights=multiplicities[m], bias=True) + np.eye(3) for m in members])
    ours = mixture_bic(
        points, centres, weights, covariances,
        multiplicities=multiplicities.astype(float), regularisation=1.0, iterations=15, tolerance=1e-2,
    )  # fmt: skip
    reference = GaussianMixture(
        count, covariance_type="full", means_init=centres, weights_init=weights,
        precisions_init=np.linalg.inv(covariances), reg_covar=1.0, max_iter=15, tol=1e-2, random_state=0,
    )  # fmt: skip
    every_pixel = din99o_of(pixels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings
        reference.fit(every_pixel)
    assert ours == pytest.approx(reference.bic(every_pixel), rel=1e-6)


@pytest.mark.parametrize("count", [4, 8, 16])
def test_kmeans_is_as_good_as_scikit_learns_and_repeats_itself(rng, count):
    colours, _, multiplicities = distinct_colours(pixels_of_blobs(rng, count=count))
    points, weights = din99o_of(colours), multiplicities.astype(float)
    centres = kmeans(points, weights, count, restarts=4, seed=0)
    inertia = float(weights @ ((points[:, None] - centres[None]) ** 2).sum(axis=2).min(axis=1))
    reference = KMeans(count, n_init=4, random_state=0).fit(points, sample_weight=weights).inertia_
    assert inertia <= 1.02 * reference
    np.testing.assert_array_equal(kmeans(points, weights, count, restarts=4, seed=0), centres)
    with pytest.raises(ValueError, match="cannot place"):
        kmeans(points[:2], weights[:2], 3, restarts=1, seed=0)
