"""Fitting one reduced palette to a sample of pixels.

``kmeans-lab`` (the default) works in DIN99o, where Euclidean distance
follows perceived difference (see :mod:`.colour`). With a fixed count it is
k-means. With ``auto`` the count is found in two steps:

1. the tolerance bound: the fewest colours for which the pixels of *every*
   palette colour lie, on average, within ``tolerance`` ΔE2000 of it.
   Bounding each colour rather than the overall mean is what keeps two
   distinct materials from merging on a character with many colours: a merged
   pair 12 ΔE apart has a per-colour error near 6, while its share of the
   overall mean can stay below any sensible tolerance;
2. at or below that bound, a count where a Gaussian mixture has a low BIC,
   so colours that only split render noise go. On flat materials with noise
   this finds the true number of colours; on real renders, whose shading is
   continuous, BIC keeps falling and the tolerance bound decides.

The count is searched on the first ``SEARCH_SAMPLE`` pixels of the sample, a
uniform subsample. The palette at that count is then *refined* for the error
people see, which k-means does not minimise: k-means minimises squared
distances, the sprites are judged by their mean ΔE2000. Each refinement step
matches every pixel to its nearest colour, as the remap will, and moves each
colour to the centre of its pixels weighted by 1/ΔE2000 (Weiszfeld's
iteration for the point of least total distance). The refinement starts on
the search sample and doubles it while the palette does worse on pixels it
has not seen than on those it was fitted to, so the sample grows only as far
as the error needs.

``meanshift-seed`` reproduces the original script (MeanShift in sRGB with
``estimate_bandwidth(quantile=0.14)`` and bin seeding on 2000 pixels) for
comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import options
from ..colour.nearest import nearest_centres
from ..colour.palette import Palette
from ..colour.spaces import delta_e_2000, din99o_to_lab, din99o_to_srgb, distinct_colours, lab_to_din99o, srgb_to_lab
from ..options import DEFAULT_TOLERANCE, METHODS
from .kmeans import kmeans, weighted_means
from .mixture import mixture_bic

MEANSHIFT_SAMPLE = 2000
# k-means runs per colour count in the search: with two, a run that merges two colours can mislead the BIC
# (16 colours under heavy noise came out as 17).
KMEANS_RESTARTS = 4
REFINE_STARTS = 4
# Pixels the colour count is searched on: enough for k-means to place 32 colours, few enough for ~13 fits to be quick.
SEARCH_SAMPLE = 4000
REFINE_STEPS = 40
# Refinement stops when a step lowers the mean ΔE2000 by less than this share.
REFINE_MIN_GAIN = 1e-4
# A pixel that already sits on its colour would get an unbounded Weiszfeld weight; ΔE2000 below this is invisible.
REFINE_ERROR_FLOOR = 0.5
# The sample is doubled while the palette's error on pixels it has not seen exceeds its error on those it has by more.
GENERALISATION_GAP = 0.01
# Added to mixture covariances (squared DIN99o units, about ΔE²) so that a pile of identical 8-bit colours
# (a flat or clipped material) does not pass for a colour of its own.
MIXTURE_REGULARISATION = 1.0
MIN_PIXELS_PER_MIXTURE_COLOUR = 10
# Started from the k-means colours, the mixture needs few EM steps for a comparable BIC.
MIXTURE_ITERATIONS = 15
MIXTURE_TOLERANCE = 1e-2


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


@dataclass
class _Colours:
    """The distinct colours of a sample, in sRGB, CIELAB and DIN99o, with their pixel counts."""

    rgb: NDArray[np.uint8]
    lab: NDArray[np.float64]
    din99o: NDArray[np.float64]
    weights: NDArray[np.float64]

    @classmethod
    def of(cls, pixels: NDArray[np.uint8]) -> _Colours:
        colours, _, counts = distinct_colours(pixels)
        lab = srgb_to_lab(colours)
        return cls(colours, lab, lab_to_din99o(lab), counts.astype(np.float64))

    def matched_errors(self, centres: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Each colour's nearest centre (DIN99o) and its ΔE2000 to it."""
        labels = nearest_centres(self.din99o, centres)
        return labels, delta_e_2000(self.lab, din99o_to_lab(centres)[labels])

    def mean_error(self, centres: NDArray[np.float64]) -> float:
        return float(np.average(self.matched_errors(centres)[1], weights=self.weights))


class _PerceptualKMeans:
    """k-means in DIN99o on the distinct colours of a sample, weighted by how often each occurs."""

    def __init__(self, pixels: NDArray[np.uint8], seed: int) -> None:
        colours = _Colours.of(pixels)
        self.colors, self.lab, self.din99o, self.weights = colours.rgb, colours.lab, colours.din99o, colours.weights
        self.pixel_count = len(pixels)
        self.seed = seed
        self._fits: dict[int, tuple[Palette, NDArray[np.intp]]] = {}
        self._bics: dict[int, float] = {}

    def fit(self, count: int) -> tuple[Palette, NDArray[np.intp]]:
        """The palette of ``count`` colours and each distinct colour's palette index."""
        if count not in self._fits:
            self._fits[count] = self._fit(count)
        return self._fits[count]

    def _fit(self, count: int) -> tuple[Palette, NDArray[np.intp]]:
        if count >= len(self.colors):
            return Palette(self.colors), np.arange(len(self.colors))
        palette = self.fit_once(count, restarts=KMEANS_RESTARTS, seed=self.seed)
        return palette, nearest_centres(self.din99o, palette.din99o)

    def fit_once(self, count: int, *, restarts: int, seed: int) -> Palette:
        """A k-means palette of at most ``count`` colours: the best of ``restarts`` runs, by squared error."""
        centres = kmeans(self.din99o, self.weights, min(count, len(self.colors)), restarts=restarts, seed=seed)
        # Two centres can round to one 8-bit colour; the palette keeps it once.
        return Palette.from_colors(din99o_to_srgb(centres))

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
        if count not in self._bics:
            palette, labels = self.fit(count)
            weights, covariances = self._cluster_shapes(labels, len(palette))
            self._bics[count] = mixture_bic(
                self.din99o, palette.din99o, weights, covariances, multiplicities=self.weights,
                regularisation=MIXTURE_REGULARISATION, iterations=MIXTURE_ITERATIONS, tolerance=MIXTURE_TOLERANCE,
            )  # fmt: skip
        return self._bics[count]

    def _cluster_shapes(self, labels: NDArray[np.intp], count: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Weights and covariance matrices of the k-means clusters, to start the mixture where k-means ended."""
        weights = np.bincount(labels, weights=self.weights, minlength=count) + 1e-9
        covariances = np.empty((count, 3, 3))
        for index in range(count):
            members = labels == index
            covariances[index] = np.eye(3) * MIXTURE_REGULARISATION
            if members.sum() > 1:
                covariances[index] += np.cov(self.din99o[members].T, aweights=self.weights[members], bias=True)
        return weights / weights.sum(), covariances


def _tolerance_bound(model: _PerceptualKMeans, settings: PaletteSettings) -> int:
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


def _lowest_bic_below(model: _PerceptualKMeans, bound: int) -> int:
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


def _auto_count(model: _PerceptualKMeans, settings: PaletteSettings) -> int:
    bound = _tolerance_bound(model, settings)
    # A mixture needs several pixels per colour to say anything; with fewer, the bound stands.
    enough_pixels = model.pixel_count >= MIN_PIXELS_PER_MIXTURE_COLOUR * bound
    return _lowest_bic_below(model, bound) if enough_pixels and bound < len(model.colors) else bound


def _weiszfeld_steps(centres: NDArray[np.float64], colours: _Colours) -> tuple[NDArray[np.float64], float]:
    """Centres (DIN99o) with a lower mean ΔE2000 of the colours matched to them: the best ones met, and that error."""
    best, best_error = centres, np.inf
    for _ in range(REFINE_STEPS):
        labels, errors = colours.matched_errors(centres)
        error = float(np.average(errors, weights=colours.weights))
        if error >= best_error * (1 - REFINE_MIN_GAIN):
            break
        best, best_error = centres, error
        pull = colours.weights / np.maximum(errors, REFINE_ERROR_FLOOR)
        centres = weighted_means(colours.din99o, pull, labels, centres)  # a colour no pixel is nearest to stays
    return best, best_error


def refine_palette(palette: Palette, pixels: NDArray[np.uint8], start: int = SEARCH_SAMPLE) -> tuple[Palette, int]:
    """Lower the mean ΔE2000 of ``pixels`` matched to ``palette``, on as many of them as that needs.

    Parameters
    ----------
    palette : Palette
        The starting colours, typically k-means centres.
    pixels : ndarray of uint8, shape (n, 3)
        A uniform sample in random order, so that any prefix is a uniform sample too.
    start : int
        Pixels the first refinement uses.

    Returns
    -------
    palette : Palette
        The refined colours, as many as given or fewer if two became one.
    sample_size : int
        Pixels the last refinement used.
    """
    centres = palette.din99o
    size = min(start, len(pixels))
    while True:
        centres, seen_error = _weiszfeld_steps(centres, _Colours.of(pixels[:size]))
        unseen_size = min(size, len(pixels) - size)
        if unseen_size == 0:
            break
        unseen = _Colours.of(pixels[size : size + unseen_size])
        if unseen.mean_error(centres) <= seen_error * (1 + GENERALISATION_GAP):
            break
        size += unseen_size
    return Palette.from_colors(din99o_to_srgb(centres)), size


def _fit_meanshift_seed(pixels: NDArray[np.uint8]) -> Palette:
    from sklearn.cluster import MeanShift, estimate_bandwidth

    data = pixels[:MEANSHIFT_SAMPLE].astype(np.float64)
    bandwidth = estimate_bandwidth(data, quantile=0.14, n_samples=len(data))
    if bandwidth <= 0:  # a single colour: MeanShift cannot run with a zero bandwidth
        return Palette.from_colors(pixels[:1])
    model = MeanShift(bandwidth=bandwidth, bin_seeding=True).fit(data)
    return Palette.from_colors(model.cluster_centers_.astype(np.uint8))


def fit_palette(pixels: NDArray[np.uint8], settings: PaletteSettings) -> FitResult:
    """Fit a palette to ``pixels``.

    Parameters
    ----------
    pixels : ndarray of uint8, shape (n, 3)
        Opaque sRGB pixels in random order, typically a :class:`~.sampling.PixelReservoir` sample: the
        count is searched on the first ``SEARCH_SAMPLE`` and the palette refined on as many as it needs.
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
    model = _PerceptualKMeans(pixels[:SEARCH_SAMPLE], settings.seed)
    count = settings.colors if settings.colors is not None else _auto_count(model, settings)
    palette, _ = model.fit(count)
    if len(palette) == len(model.colors) and len(pixels) <= SEARCH_SAMPLE:
        return FitResult(palette.sorted_by_lightness(), len(pixels), model.counts_fitted())  # every colour kept: exact
    palette, sample_size = _refine_from_several_starts(model, palette, pixels, settings.seed)
    return FitResult(palette.sorted_by_lightness(), sample_size, model.counts_fitted())


def _refine_from_several_starts(
    model: _PerceptualKMeans, palette: Palette, pixels: NDArray[np.uint8], seed: int
) -> tuple[Palette, int]:
    """The refined palette with the lowest mean ΔE2000 on ``pixels``, from ``palette`` and other k-means starts.

    The k-means run with the least squared error is not always the best start for the ΔE2000 the refinement
    lowers, so ``REFINE_STARTS`` runs are refined and the best result kept.
    """
    starts = [palette] + [
        model.fit_once(len(palette), restarts=1, seed=seed + offset) for offset in range(1, REFINE_STARTS)
    ]
    everything = _Colours.of(pixels)
    refined = [refine_palette(start, pixels) for start in starts]
    errors = [everything.mean_error(candidate.din99o) for candidate, _ in refined]
    return refined[int(np.argmin(errors))]
