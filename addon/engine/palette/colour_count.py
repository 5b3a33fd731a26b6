"""The colour count of a palette: the fewest colours within the tolerance, then a low BIC at or below that.

The search (see :mod:`.fit` for why it works this way) fits k-means at a dozen counts and a Gaussian mixture at
most of them, one after the other, since each step depends on the last. Given helpers (other processes, idle
while this one fits), the model has them compute the fits and BICs the search is likely to ask for next; one
asked for before a helper started on it is computed here instead. Either way every number is the one this
process would have computed: the same functions of the same arrays.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import nearest_centres
from ..colour.palette import Palette
from ..colour.spaces import delta_e_2000, din99o_to_lab, din99o_to_srgb, distinct_colours, lab_to_din99o, srgb_to_lab
from .kmeans import kmeans
from .mixture import mixture_bic

# k-means runs per colour count in the search: with two, a run that merges two colours can mislead the BIC
# (16 colours under heavy noise came out as 17).
KMEANS_RESTARTS = 4
# Added to mixture covariances (squared DIN99o units, about ΔE²) so that a pile of identical 8-bit colours
# (a flat or clipped material) does not pass for a colour of its own.
MIXTURE_REGULARISATION = 1.0
MIN_PIXELS_PER_MIXTURE_COLOUR = 10
# Started from the k-means colours, the mixture needs few EM steps for a comparable BIC.
MIXTURE_ITERATIONS = 15
MIXTURE_TOLERANCE = 1e-2

_Value = TypeVar("_Value")


@dataclass
class Colours:
    """The distinct colours of a sample, in sRGB, CIELAB and DIN99o, with their pixel counts."""

    rgb: NDArray[np.uint8]
    lab: NDArray[np.float64]
    din99o: NDArray[np.float64]
    weights: NDArray[np.float64]

    @classmethod
    def of(cls, pixels: NDArray[np.uint8]) -> Colours:
        colours, _, counts = distinct_colours(pixels)
        lab = srgb_to_lab(colours)
        return cls(colours, lab, lab_to_din99o(lab), counts.astype(np.float64))

    def matched_errors(self, centres: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Each colour's nearest centre (DIN99o) and its ΔE2000 to it."""
        labels = nearest_centres(self.din99o, centres)
        return labels, delta_e_2000(self.lab, din99o_to_lab(centres)[labels])

    def mean_error(self, centres: NDArray[np.float64]) -> float:
        return float(np.average(self.matched_errors(centres)[1], weights=self.weights))


def k_means_palette(
    points: NDArray[np.float64], weights: NDArray[np.float64], count: int, *, restarts: int, seed: int
) -> Palette:
    """The palette of a weighted k-means of ``count`` centres in DIN99o: the best of ``restarts`` runs, by squared
    error. Two centres can round to one 8-bit colour; the palette keeps it once."""
    return Palette.from_colors(din99o_to_srgb(kmeans(points, weights, count, restarts=restarts, seed=seed)))


def _result_if_started(future: Future[_Value] | None) -> _Value | None:
    """The result of a helper's work, waited for if it has started; None if there is none or it had not."""
    if future is None or future.cancel():
        return None
    return future.result()


class PerceptualKMeans:
    """k-means in DIN99o on the distinct colours of a sample, weighted by how often each occurs.

    ``helpers`` (other processes, or None) take the fits and BICs asked for with :meth:`ahead`;
    :meth:`stop_ahead` drops those they have not started.
    """

    def __init__(self, pixels: NDArray[np.uint8], seed: int, helpers: Executor | None = None) -> None:
        colours = Colours.of(pixels)
        self.colors, self.lab, self.din99o, self.weights = colours.rgb, colours.lab, colours.din99o, colours.weights
        self.pixel_count = len(pixels)
        self.seed = seed
        self._helpers = helpers
        self._fits: dict[int, tuple[Palette, NDArray[np.intp]]] = {}
        self._bics: dict[int, float] = {}
        self._fits_ahead: dict[int, Future[tuple[Palette, float | None]]] = {}
        self._bics_ahead: dict[int, Future[float]] = {}

    def fit(self, count: int) -> tuple[Palette, NDArray[np.intp]]:
        """The palette of ``count`` colours and each distinct colour's palette index."""
        if count not in self._fits:
            self._fits[count] = self._fit(count)
        return self._fits[count]

    def _fit(self, count: int) -> tuple[Palette, NDArray[np.intp]]:
        if count >= len(self.colors):
            return Palette(self.colors), np.arange(len(self.colors))
        fitted = _result_if_started(self._fits_ahead.pop(count, None))
        if fitted is None:
            palette = self.fit_once(count, restarts=KMEANS_RESTARTS, seed=self.seed)
        else:
            palette, bic = fitted
            if bic is not None:
                self._bics[count] = bic
        return palette, nearest_centres(self.din99o, palette.din99o)

    def fit_once(self, count: int, *, restarts: int, seed: int) -> Palette:
        """A k-means palette of at most ``count`` colours: the best of ``restarts`` runs, by squared error."""
        return k_means_palette(self.din99o, self.weights, min(count, len(self.colors)), restarts=restarts, seed=seed)

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
            bic = _result_if_started(self._bics_ahead.pop(count, None))
            if bic is None:
                palette, labels = self.fit(count)  # a helper's fit may bring its BIC along
                bic = self._bics.get(count)
                if bic is None:
                    bic = _bic_of_clusters(self.din99o, self.weights, palette.din99o, labels)
            self._bics[count] = bic
        return self._bics[count]

    def ahead(self, *counts: int, bic: bool = False) -> None:
        """Have an idle helper fit the first of ``counts`` not known yet (and find its BIC, with ``bic``) while this
        process goes on.

        Only an idle one: work queued behind a guess that proved wrong would keep this process waiting for both,
        when it could have done the one it needs sooner itself.
        """
        if self._helpers is None or self._helper_busy():
            return
        for count in counts:
            if not 1 <= count < len(self.colors) or count in self._fits_ahead:
                continue
            if count not in self._fits:
                arguments = (self.din99o, self.weights, count, self.seed, bic)
                self._fits_ahead[count] = self._helpers.submit(_fitted, *arguments)
                return
            if bic and count not in self._bics and count not in self._bics_ahead:
                palette, labels = self._fits[count]
                clusters = (self.din99o, self.weights, palette.din99o, labels)
                self._bics_ahead[count] = self._helpers.submit(_bic_of_clusters, *clusters)
                return

    def _helper_busy(self) -> bool:
        fitting = any(not future.done() for future in self._fits_ahead.values())
        return fitting or any(not future.done() for future in self._bics_ahead.values())

    def stop_ahead(self) -> None:
        """Drop the work asked for ahead that no helper has started: the helpers are free for other work sooner."""
        for fit in self._fits_ahead.values():
            fit.cancel()
        for bic in self._bics_ahead.values():
            bic.cancel()
        self._fits_ahead.clear()
        self._bics_ahead.clear()


def _fitted(
    points: NDArray[np.float64], weights: NDArray[np.float64], count: int, seed: int, with_bic: bool
) -> tuple[Palette, float | None]:
    """:meth:`PerceptualKMeans.fit`'s palette of ``count`` colours, with its BIC if asked for: a helper's task."""
    palette = k_means_palette(points, weights, count, restarts=KMEANS_RESTARTS, seed=seed)
    if not with_bic:
        return palette, None
    return palette, _bic_of_clusters(points, weights, palette.din99o, nearest_centres(points, palette.din99o))


def _bic_of_clusters(
    points: NDArray[np.float64],
    multiplicities: NDArray[np.float64],
    means: NDArray[np.float64],
    labels: NDArray[np.intp],
) -> float:
    """BIC of a full-covariance Gaussian mixture of ``points`` started where k-means ended: at ``means``, with
    the weights and covariance matrices of the clusters ``labels``."""
    count = len(means)
    weights = np.bincount(labels, weights=multiplicities, minlength=count) + 1e-9
    covariances = np.empty((count, 3, 3))
    for index in range(count):
        members = labels == index
        covariances[index] = np.eye(3) * MIXTURE_REGULARISATION
        if members.sum() > 1:
            covariances[index] += np.cov(points[members].T, aweights=multiplicities[members], bias=True)
    return mixture_bic(
        points, means, weights / weights.sum(), covariances, multiplicities=multiplicities,
        regularisation=MIXTURE_REGULARISATION, iterations=MIXTURE_ITERATIONS, tolerance=MIXTURE_TOLERANCE,
    )  # fmt: skip


def _tolerance_bound(model: PerceptualKMeans, tolerance: float, max_colors: int) -> int:
    """The fewest colours within the tolerance, or the colour limit if even that is not."""

    def within_tolerance(count: int) -> bool:
        palette, labels = model.fit(count)
        return model.worst_colour_error(palette, labels) <= tolerance

    limit = min(max_colors, len(model.colors))
    model.ahead(limit)  # the costliest fit the doubling may come to, started at once
    # Double until the tolerance holds, then bisect: about 2·log2(n) fits, not n.
    low, high = 0, 1
    while high < limit and not within_tolerance(high):
        low, high = high, min(2 * high, limit)
    while high - low > 1:
        middle = (low + high) // 2
        model.ahead((middle + high) // 2)  # the next middle should this one not be within the tolerance
        if within_tolerance(middle):
            high = middle
        else:
            low = middle
    return high


def _lowest_bic_below(model: PerceptualKMeans, bound: int) -> int:
    """A count in 1..``bound`` with a low BIC, from a coarse scan and a walk down.

    The BIC curve is noisy, so a doubling scan first finds the region of its
    minimum; the walk then starts from the scanned count above that minimum
    and goes down while dropping colours lowers the BIC, with steps that grow
    while they pay and fall back to one colour when they overshoot.
    """
    scan = sorted({min(2**power, bound) for power in range(bound.bit_length() + 1)})
    model.ahead(scan[-1], bic=True)  # the costliest, while this process goes up from the cheapest
    lowest = min(range(len(scan)), key=lambda index: model.bic(scan[index]))
    count, step = scan[min(lowest + 1, len(scan) - 1)], 1
    while True:
        candidate = count - step
        model.ahead(candidate - 2 * step, count - 1, bic=True)  # the next candidate, if this one pays and if not
        if candidate >= 1 and model.bic(candidate) < model.bic(count):
            count, step = candidate, step * 2
        elif step > 1:
            step = 1
        else:
            return count


def auto_count(model: PerceptualKMeans, tolerance: float, max_colors: int) -> int:
    """The fewest colours within ``tolerance`` (at most ``max_colors``), or fewer where a mixture has a lower BIC."""
    bound = _tolerance_bound(model, tolerance, max_colors)
    # A mixture needs several pixels per colour to say anything; with fewer, the bound stands.
    enough_pixels = model.pixel_count >= MIN_PIXELS_PER_MIXTURE_COLOUR * bound
    count = _lowest_bic_below(model, bound) if enough_pixels and bound < len(model.colors) else bound
    model.stop_ahead()
    return count
