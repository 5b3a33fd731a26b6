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

The count search itself is in :mod:`.colour_count`. Given helper processes,
they take part of it and some of the refinement's starts.

``meanshift-seed`` reproduces the original script (MeanShift in sRGB with
``estimate_bandwidth(quantile=0.14)`` and bin seeding on 2000 pixels) for
comparison.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import options
from ..colour.palette import Palette
from ..colour.spaces import din99o_to_srgb
from .colour_count import Colours, PerceptualKMeans, auto_count, k_means_palette
from .kmeans import weighted_means

MEANSHIFT_SAMPLE = 2000
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


@dataclass(frozen=True)
class PaletteSettings:
    """How to fit the palette.

    ``colors`` is the palette size, or ``None`` for the fewest colours within
    ``tolerance``; ``max_colors`` caps that search.
    """

    method: str = options.METHOD.default  # type: ignore[assignment]
    colors: int | None = None
    tolerance: float = options.TOLERANCE.default  # type: ignore[assignment]
    max_colors: int = options.MAX_COLORS.default  # type: ignore[assignment]
    seed: int = options.SEED.default  # type: ignore[assignment]

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


class _Slices:
    """The distinct colours of slices of one sample, each found once for all the refinements that ask."""

    def __init__(self, pixels: NDArray[np.uint8]) -> None:
        self.pixels = pixels
        self._found: dict[tuple[int, int], Colours] = {}

    def colours(self, start: int, stop: int) -> Colours:
        if (start, stop) not in self._found:
            self._found[start, stop] = Colours.of(self.pixels[start:stop])
        return self._found[start, stop]


def _weiszfeld_steps(centres: NDArray[np.float64], colours: Colours) -> tuple[NDArray[np.float64], float]:
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
    return _refine(palette, _Slices(pixels), start)


def _refine(palette: Palette, slices: _Slices, start: int = SEARCH_SAMPLE) -> tuple[Palette, int]:
    centres = palette.din99o
    size = min(start, len(slices.pixels))
    while True:
        centres, seen_error = _weiszfeld_steps(centres, slices.colours(0, size))
        unseen_size = min(size, len(slices.pixels) - size)
        if unseen_size == 0:
            break
        unseen = slices.colours(size, size + unseen_size)
        if unseen.mean_error(centres) <= seen_error * (1 + GENERALISATION_GAP):
            break
        size += unseen_size
    return Palette.from_colors(din99o_to_srgb(centres)), size


def _refined_k_means_start(
    points: NDArray[np.float64], weights: NDArray[np.float64], count: int, seed: int, pixels: NDArray[np.uint8]
) -> tuple[Palette, int]:
    """A one-run k-means palette of the search's colours, refined on ``pixels``: a start a helper can take."""
    return refine_palette(k_means_palette(points, weights, count, restarts=1, seed=seed), pixels)


def _fit_meanshift_seed(pixels: NDArray[np.uint8]) -> Palette:
    from sklearn.cluster import MeanShift, estimate_bandwidth

    data = pixels[:MEANSHIFT_SAMPLE].astype(np.float64)
    bandwidth = estimate_bandwidth(data, quantile=0.14, n_samples=len(data))
    if bandwidth <= 0:  # a single colour: MeanShift cannot run with a zero bandwidth
        return Palette.from_colors(pixels[:1])
    model = MeanShift(bandwidth=bandwidth, bin_seeding=True).fit(data)
    return Palette.from_colors(model.cluster_centers_.astype(np.uint8))


def fit_palette(pixels: NDArray[np.uint8], settings: PaletteSettings, helpers: Executor | None = None) -> FitResult:
    """Fit a palette to ``pixels``.

    Parameters
    ----------
    pixels : ndarray of uint8, shape (n, 3)
        Opaque sRGB pixels in random order, typically a :class:`~.sampling.PixelReservoir` sample: the
        count is searched on the first ``SEARCH_SAMPLE`` and the palette refined on as many as it needs.
    settings : PaletteSettings
        Method, colour count or tolerance, and seed.
    helpers : Executor, optional
        Other processes, idle meanwhile, that take part of the work (see :mod:`.colour_count`); the palette is
        the same without them.

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
    model = PerceptualKMeans(pixels[:SEARCH_SAMPLE], settings.seed, helpers)
    if settings.colors is not None:
        count = settings.colors
    else:
        count = auto_count(model, settings.tolerance, settings.max_colors)
    palette, _ = model.fit(count)
    if len(palette) == len(model.colors) and len(pixels) <= SEARCH_SAMPLE:
        return FitResult(palette.sorted_by_lightness(), len(pixels), model.counts_fitted())  # every colour kept: exact
    palette, sample_size = _refine_from_several_starts(model, palette, pixels, settings.seed, helpers)
    return FitResult(palette.sorted_by_lightness(), sample_size, model.counts_fitted())


def _refine_from_several_starts(
    model: PerceptualKMeans, palette: Palette, pixels: NDArray[np.uint8], seed: int, helpers: Executor | None
) -> tuple[Palette, int]:
    """The refined palette with the lowest mean ΔE2000 on ``pixels``, from ``palette`` and other k-means starts.

    The k-means run with the least squared error is not always the best start for the ΔE2000 the refinement
    lowers, so ``REFINE_STARTS`` runs are refined and the best result kept. Helpers take the later starts.
    """
    count = min(len(palette), len(model.colors))
    offsets = range(1, REFINE_STARTS)
    ahead: dict[int, Future[tuple[Palette, int]]] = {}
    if helpers is not None:  # a helper refines the later starts while this process does the first ones
        for offset in offsets[len(offsets) // 2 :]:
            arguments = (model.din99o, model.weights, count, seed + offset, pixels)
            ahead[offset] = helpers.submit(_refined_k_means_start, *arguments)
    slices = _Slices(pixels)

    def refined_here(offset: int) -> tuple[Palette, int]:
        return _refine(model.fit_once(count, restarts=1, seed=seed + offset), slices)

    refined = {0: _refine(palette, slices)}
    refined.update({offset: refined_here(offset) for offset in offsets if offset not in ahead})
    everything = slices.colours(0, len(pixels))  # while the helper finishes its starts
    for offset, future in ahead.items():
        refined[offset] = refined_here(offset) if future.cancel() else future.result()
    candidates = [refined[offset] for offset in range(REFINE_STARTS)]  # in order: a tie goes to the first
    errors = [everything.mean_error(candidate.din99o) for candidate, _ in candidates]
    return candidates[int(np.argmin(errors))]
