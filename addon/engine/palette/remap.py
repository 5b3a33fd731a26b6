"""Mapping every opaque pixel to its nearest palette colour, then to a target palette."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import MatchedColours, match_to_palette, nearest_centres
from ..colour.palette import Palette
from ..colour.spaces import delta_e_2000, srgb_to_lab

# ΔE2000 histogram bins for percentiles over any number of frames in fixed memory.
ERROR_BIN_WIDTH = 0.1
ERROR_BINS = 1000


@dataclass
class ErrorStats:
    """Running ΔE2000 statistics of sprites against their downscaled frames."""

    pixels: int = 0
    total: float = 0.0
    histogram: NDArray[np.int64] = field(default_factory=lambda: np.zeros(ERROR_BINS, np.int64))

    def add(self, errors: NDArray[np.float64]) -> None:
        self.pixels += len(errors)
        self.total += float(errors.sum())
        bins = np.minimum((errors / ERROR_BIN_WIDTH).astype(np.int64), ERROR_BINS - 1)
        self.histogram += np.bincount(bins, minlength=ERROR_BINS)

    def merge(self, other: ErrorStats) -> None:
        self.pixels += other.pixels
        self.total += other.total
        self.histogram += other.histogram

    @property
    def mean(self) -> float:
        return self.total / self.pixels if self.pixels else 0.0

    def percentile(self, q: float) -> float:
        """The upper edge of the histogram bin holding the ``q``-th percentile."""
        if not self.pixels:
            return 0.0
        rank = np.searchsorted(np.cumsum(self.histogram), q / 100 * self.pixels)
        return float((rank + 1) * ERROR_BIN_WIDTH)


@dataclass(frozen=True)
class RemappedFrame:
    """A sprite and its colours as indices into :attr:`Remapper.output_palette`.

    ``indices`` is -1 where the sprite is transparent.
    """

    rgba: NDArray[np.uint8]
    indices: NDArray[np.int16]
    errors: ErrorStats


class Remapper:
    """Remap frames to ``palette`` and then, if given, to ``target``.

    Each fitted colour goes to its nearest target colour, so the sprites use
    at most ``len(palette)`` target colours and every frame of a character
    still shares one set of colours. Distances are Euclidean in DIN99o, the
    space the palette was fitted in, where they follow ΔE2000. An ``extra`` colour (an outline's) ends the
    output palette, if it is not in it already; no pixel is mapped to it.
    """

    def __init__(
        self, palette: Palette, target: Palette | None = None, extra: tuple[int, int, int] | None = None
    ) -> None:
        self.palette = palette
        self.target = target
        if target is None:
            self.output_palette = palette
            self._output_of_fitted = np.arange(len(palette))
        else:
            nearest_target = nearest_centres(palette.din99o, target.din99o)
            used = np.unique(nearest_target)  # in target order
            self.output_palette = Palette(target.colors[used])
            self._output_of_fitted = np.searchsorted(used, nearest_target)
        if extra is not None and not (self.output_palette.colors == extra).all(axis=1).any():
            self.output_palette = Palette(np.vstack([self.output_palette.colors, np.array([extra], dtype=np.uint8)]))
        opaque_alpha = np.full((len(self.output_palette), 1), 255, dtype=np.uint8)
        self._output_rgba = np.hstack([self.output_palette.colors, opaque_alpha])

    def remap(self, small: NDArray[np.uint8], compared_to: NDArray[np.uint8] | None = None) -> RemappedFrame:
        """Remap a downscaled frame whose alpha is 0 or 255.

        The errors are those of the sprite against ``small``, or against ``compared_to`` (a frame of the same
        shape, such as the nearest-downscaled frame when ``small`` came from another sampling) where both are
        opaque.
        """
        if compared_to is None:
            return self.remap_frames([small])[0]
        pixels = small.reshape(-1, 4)
        opaque = np.flatnonzero(pixels[:, 3] == 255)
        unique_output, inverse, _ = self._match(pixels[opaque, :3])
        pixel_output = unique_output[inverse]
        errors = ErrorStats()
        errors.add(self._errors_against(compared_to.reshape(-1, 4), opaque, pixel_output))
        return self._frame(small, opaque, pixel_output, errors)

    def remap_palette_indices(
        self,
        indices: Sequence[NDArray[np.integer]],
        compared_to: Sequence[NDArray[np.uint8]],
        compared_colours: MatchedColours | None = None,
    ) -> list[RemappedFrame]:
        """The sprites whose pixels are the palette's colours at ``indices`` (h, w each; -1 where transparent),
        mapped on to the output palette; their errors are against ``compared_to`` (h, w, 4 each), as :meth:`remap`
        measures them. ``compared_colours``, if given, are the opaque pixels of every ``compared_to`` matched to
        the palette, frame after frame (``match_colours``; each sprite's opaque pixels are its frame's): then each
        distinct colour's error is measured once, and again only where a pixel's index is not its colour's
        nearest."""
        flats = [np.asarray(frame).reshape(-1) for frame in indices]
        opaque = [np.flatnonzero(flat >= 0) for flat in flats]
        outputs = [self._output_of_fitted[flat[where]] for flat, where in zip(flats, opaque, strict=True)]
        if compared_colours is None:
            errors = [
                self._errors_against(reference.reshape(-1, 4), where, output)
                for reference, where, output in zip(compared_to, opaque, outputs, strict=True)
            ]
        else:
            every = self._errors_of_matched(compared_colours, np.concatenate(outputs or [np.zeros(0, np.intp)]))
            errors = np.split(every, np.cumsum([len(where) for where in opaque])[:-1])
        frames = []
        for reference, where, output, frame_errors in zip(compared_to, opaque, outputs, errors, strict=True):
            stats = ErrorStats()
            stats.add(frame_errors)
            frames.append(self._frame(reference, where, output, stats))
        return frames

    def _errors_of_matched(self, matched: MatchedColours, pixel_output: NDArray[np.intp]) -> NDArray[np.float64]:
        """Each pixel's ΔE2000 from its colour in ``matched`` to its ``pixel_output`` colour."""
        nearest_output = self._output_of_fitted[matched.indices]
        output_lab = self.output_palette.lab
        errors = delta_e_2000(matched.lab, output_lab[nearest_output])[matched.inverse]
        other = np.flatnonzero(pixel_output != nearest_output[matched.inverse])
        if len(other):
            errors[other] = delta_e_2000(matched.lab[matched.inverse[other]], output_lab[pixel_output[other]])
        return errors

    def remap_frames(self, smalls: Sequence[NDArray[np.uint8]]) -> list[RemappedFrame]:
        """Remap several downscaled frames at once, each as :meth:`remap` would.

        The frames of a character share most of their colours, so each distinct colour of them all is
        converted, matched and measured once.
        """
        flat = [small.reshape(-1, 4) for small in smalls]
        opaque = [np.flatnonzero(pixels[:, 3] == 255) for pixels in flat]
        unique_output, inverse, unique_lab = self._match(
            np.concatenate([pixels[where, :3] for pixels, where in zip(flat, opaque, strict=True)])
        )
        unique_errors = delta_e_2000(unique_lab, self.output_palette.lab[unique_output])
        remapped = []
        for small, where, frame_inverse in zip(
            smalls, opaque, np.split(inverse, np.cumsum([len(where) for where in opaque])[:-1]), strict=True
        ):
            errors = ErrorStats()
            errors.add(unique_errors[frame_inverse])
            remapped.append(self._frame(small, where, unique_output[frame_inverse], errors))
        return remapped

    def _match(self, rgb: NDArray[np.uint8]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
        """Output-palette index of each distinct colour of ``rgb``, each pixel's distinct colour, and their CIELAB."""
        fitted, inverse, unique_lab = match_to_palette(rgb, self.palette)
        return self._output_of_fitted[fitted], inverse, unique_lab

    def _frame(
        self, small: NDArray[np.uint8], opaque: NDArray[np.intp], pixel_output: NDArray[np.intp], errors: ErrorStats
    ) -> RemappedFrame:
        indices = np.full(small.shape[0] * small.shape[1], -1, dtype=np.int16)
        indices[opaque] = pixel_output
        sprite = np.zeros((len(indices), 4), dtype=np.uint8)
        sprite[opaque] = self._output_rgba[pixel_output]
        return RemappedFrame(rgba=sprite.reshape(small.shape), indices=indices.reshape(small.shape[:2]), errors=errors)

    def _errors_against(
        self, reference: NDArray[np.uint8], opaque: NDArray[np.intp], pixel_output: NDArray[np.intp]
    ) -> NDArray[np.float64]:
        """ΔE2000 of the output colours against ``reference`` at the pixels opaque in both, each distinct pair once."""
        both = reference[opaque, 3] == 255
        rgb = reference[opaque[both], :3].astype(np.int64)
        pairs = (((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]) << 16) | pixel_output[both]
        unique_pairs, inverse = np.unique(pairs, return_inverse=True)
        codes = unique_pairs >> 16
        colours = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)
        output_lab = self.output_palette.lab[unique_pairs & 0xFFFF]
        return delta_e_2000(srgb_to_lab(colours), output_lab)[inverse.reshape(-1)]
