"""Fitting one reduced palette to a sample of pixels.

``kmeans-lab`` (the default) clusters in CIELAB. With a fixed count it is
k-means. With ``auto`` the count is found in two steps:

1. the tolerance bound: the fewest colours for which the pixels of *every*
   palette colour lie, on average, within ``tolerance`` ΔE2000 of it.
   Bounding each colour rather than the overall mean is what keeps two
   distinct materials from merging on a character with many colours: a merged
   pair 12 ΔE apart has a per-colour error near 6, while its share of the
   overall mean can stay below any sensible tolerance;
2. at or below that bound, a count where a Gaussian mixture in CIELAB has a
   low BIC, so colours that only split render noise go. On flat
   materials with noise this finds the true number of colours; on real
   renders, whose shading is continuous, BIC keeps falling and the tolerance
   bound decides.

The palette itself is always the k-means one, which has a lower error than
the mixture's means at a given count.

``meanshift-seed`` reproduces the original script (MeanShift in sRGB with
``estimate_bandwidth(quantile=0.14)`` and bin seeding on 2000 pixels) for
comparison.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import options
from .colour import delta_e_2000, distinct_colours, lab_to_srgb, srgb_to_lab
from .options import DEFAULT_TOLERANCE, METHODS
from .palette import Palette

MEANSHIFT_SAMPLE = 2000
KMEANS_RESTARTS = 4
# Added to mixture covariances (ΔE² units) so that a pile of identical 8-bit colours
# (a flat or clipped material) does not pass for a colour of its own.
MIXTURE_REGULARISATION = 1.0
MIN_PIXELS_PER_MIXTURE_COLOUR = 10
# Started from the k-means colours, the mixture needs few EM steps for a comparable BIC.
MIXTURE_ITERATIONS = 15


@dataclass(frozen=True)
class PaletteSettings:
    """How to fit the palette.

    ``colors`` is the palette size, or ``None`` for the fewest colours within
    ``tolerance``; ``max_colors`` caps that search.
    """

    method: str = METHODS[0]
    colors: int | None = None
    tolerance: float = DEFAULT_TOLERANCE
    max_colors: int = 32
    seed: int = 0

    def __post_init__(self) -> None:
        options.METHOD.check(self.method)
        if self.colors is not None:
            options.COLORS.check(self.colors)
        options.MAX_COLORS.check(self.max_colors)
        options.TOLERANCE.check(self.tolerance)
        options.SEED.check(self.seed)


@dataclass(frozen=True)
class FitResult:
    """The fitted palette and how the fit went."""

    palette: Palette
    sample_size: int
    counts_tried: tuple[int, ...] = ()


class _LabKMeans:
    """k-means on the distinct colours of a sample, weighted by how often each occurs."""

    def __init__(self, pixels: NDArray[np.uint8], seed: int) -> None:
        self.colors, _, self.weights = distinct_colours(pixels)
        self.lab = srgb_to_lab(self.colors)
        self.sample_lab = srgb_to_lab(pixels)
        self.seed = seed
        self._fits: dict[int, tuple[Palette, NDArray[np.intp]]] = {}
        self._bics: dict[int, float] = {}

    def fit(self, count: int) -> tuple[Palette, NDArray[np.intp]]:
        """The palette of ``count`` colours and each distinct colour's palette index."""
        if count not in self._fits:
            self._fits[count] = self._fit(count)
        return self._fits[count]

    def _fit(self, count: int) -> tuple[Palette, NDArray[np.intp]]:
        from sklearn.cluster import KMeans

        if count >= len(self.colors):
            return Palette(self.colors), np.arange(len(self.colors))
        model = KMeans(n_clusters=count, n_init=KMEANS_RESTARTS, random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "fewer distinct points than clusters" is handled above
            model.fit(self.lab, sample_weight=self.weights)
        palette_rgb = lab_to_srgb(model.cluster_centers_)
        # Two centres can round to one 8-bit colour; the palette keeps it once.
        palette = Palette.from_colors(palette_rgb)
        from scipy.spatial import cKDTree

        _, labels = cKDTree(palette.lab).query(self.lab)
        return palette, labels

    def worst_colour_error(self, palette: Palette, labels: NDArray[np.intp]) -> float:
        """The largest, over palette colours, of the mean ΔE2000 of the pixels mapped to it."""
        errors = delta_e_2000(self.lab, palette.lab[labels])
        weighted = np.bincount(labels, weights=errors * self.weights, minlength=len(palette))
        totals = np.bincount(labels, weights=self.weights, minlength=len(palette))
        used = totals > 0
        return float(np.max(weighted[used] / totals[used]))

    def counts_fitted(self) -> tuple[int, ...]:
        return tuple(sorted(self._fits))

    def bic(self, count: int) -> float:
        """BIC of a full-covariance Gaussian mixture started from the k-means clusters."""
        from sklearn.mixture import GaussianMixture

        if count not in self._bics:
            palette, labels = self.fit(count)
            weights, precisions = self._cluster_shapes(labels, len(palette))
            mixture = GaussianMixture(
                len(palette), covariance_type="full", init_params="random_from_data",
                means_init=palette.lab, weights_init=weights, precisions_init=precisions,
                reg_covar=MIXTURE_REGULARISATION, random_state=self.seed, max_iter=MIXTURE_ITERATIONS, tol=1e-2,
            )  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence warnings: the BIC is still comparable
                mixture.fit(self.sample_lab)
            self._bics[count] = float(mixture.bic(self.sample_lab))
        return self._bics[count]

    def _cluster_shapes(self, labels: NDArray[np.intp], count: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Weights and precision matrices of the k-means clusters, to start the mixture where k-means ended."""
        weights = np.bincount(labels, weights=self.weights, minlength=count) + 1e-9
        precisions = np.empty((count, 3, 3))
        for index in range(count):
            members = labels == index
            covariance = np.eye(3) * MIXTURE_REGULARISATION
            if members.sum() > 1:
                covariance += np.cov(self.lab[members].T, aweights=self.weights[members], bias=True)
            precisions[index] = np.linalg.inv(covariance)
        return weights / weights.sum(), precisions


def _tolerance_bound(model: _LabKMeans, settings: PaletteSettings) -> int:
    """The fewest colours within the tolerance, or the colour limit if even that is not."""

    def within_tolerance(count: int) -> bool:
        palette, labels = model.fit(count)
        return model.worst_colour_error(palette, labels) <= settings.tolerance

    limit = min(settings.max_colors, len(model.colors))
    # Double until the tolerance holds, then bisect: about 2·log2(n) fits, not n.
    low, high = 0, 1
    while high < limit and not within_tolerance(high):
        low, high = high, min(2 * high, limit)
    while high - low > 1:
        middle = (low + high) // 2
        if within_tolerance(middle):
            high = middle
        else:
            low = middle
    return high


def _lowest_bic_below(model: _LabKMeans, bound: int) -> int:
    """A count in 1..``bound`` with a low BIC, from a coarse scan and a walk down.

    The BIC curve is noisy, so a doubling scan first finds the region of its
    minimum; the walk then starts from the scanned count above that minimum
    and goes down while dropping colours lowers the BIC, with steps that grow
    while they pay and fall back to one colour when they overshoot.
    """
    scan = sorted({min(2**power, bound) for power in range(bound.bit_length() + 1)})
    lowest = min(range(len(scan)), key=lambda index: model.bic(scan[index]))
    count, step = scan[min(lowest + 1, len(scan) - 1)], 1
    while True:
        candidate = count - step
        if candidate >= 1 and model.bic(candidate) < model.bic(count):
            count, step = candidate, step * 2
        elif step > 1:
            step = 1
        else:
            return count


def _fit_kmeans_auto(model: _LabKMeans, settings: PaletteSettings) -> tuple[Palette, tuple[int, ...]]:
    bound = _tolerance_bound(model, settings)
    # A mixture needs several pixels per colour to say anything; with fewer, the bound stands.
    enough_pixels = len(model.sample_lab) >= MIN_PIXELS_PER_MIXTURE_COLOUR * bound
    count = _lowest_bic_below(model, bound) if enough_pixels and bound < len(model.colors) else bound
    return model.fit(count)[0], model.counts_fitted()


def _fit_meanshift_seed(pixels: NDArray[np.uint8]) -> Palette:
    from sklearn.cluster import MeanShift, estimate_bandwidth

    data = pixels[:MEANSHIFT_SAMPLE].astype(np.float64)
    bandwidth = estimate_bandwidth(data, quantile=0.14, n_samples=len(data))
    if bandwidth <= 0:  # a single colour: MeanShift cannot run with a zero bandwidth
        return Palette.from_colors(pixels[:1])
    model = MeanShift(bandwidth=bandwidth, bin_seeding=True).fit(data)
    return Palette.from_colors(model.cluster_centers_.astype(np.uint8))


def preload() -> None:
    """Import scikit-learn in the background, so that it is ready when the frames have been read."""
    threading.Thread(target=importlib.import_module, args=("sklearn.mixture",), daemon=True).start()


def fit_palette(pixels: NDArray[np.uint8], settings: PaletteSettings) -> FitResult:
    """Fit a palette to ``pixels``.

    Parameters
    ----------
    pixels : ndarray of uint8, shape (n, 3)
        Opaque sRGB pixels, typically a :class:`~.sampling.PixelReservoir` sample.
    settings : PaletteSettings
        Method, colour count or tolerance, and seed.

    Returns
    -------
    result : FitResult
        The palette, sorted dark to light, and the colour counts tried.

    Raises
    ------
    ValueError
        If ``pixels`` is empty.
    """
    pixels = np.asarray(pixels, dtype=np.uint8).reshape(-1, 3)
    if len(pixels) == 0:
        raise ValueError("no opaque pixels to fit a palette to")
    if settings.method == "meanshift-seed":
        palette = _fit_meanshift_seed(pixels)
        return FitResult(palette.sorted_by_lightness(), len(pixels))
    model = _LabKMeans(pixels, settings.seed)
    if settings.colors is not None:
        palette, _ = model.fit(settings.colors)
        return FitResult(palette.sorted_by_lightness(), len(pixels), (settings.colors,))
    palette, tried = _fit_kmeans_auto(model, settings)
    return FitResult(palette.sorted_by_lightness(), len(pixels), tried)
