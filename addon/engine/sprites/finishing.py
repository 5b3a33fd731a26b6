"""The pixel-art finish of a sprite whose colours are final: clean-up, then the outline, then its L-corners, then
the inner lines (from depth frames; see ``inner_lines``), which change colours only.

It runs on palette indices, after the target palette, before the sprite is written; the normal sprite gets the
same alpha change. Off (the defaults), nothing here runs and no byte changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import SetupError
from ..frames.depth import DepthSettings
from ..frames.normals import encode_normals
from ..options import OUTLINE_COLOUR, OUTLINES
from ..palette.remap import RemappedFrame, Remapper
from .cleanup import remove_strays
from .outline import l_corners, outline_mask, selout_colours

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class FinishSettings:
    """``--outline``, ``--outline-colour`` (None for auto), ``--outline-neighbours``, ``--cleanup`` and
    ``--inner-lines`` (the depth frames to draw them from; None for none)."""

    outline: str = OUTLINES[0]
    colour: RGB | None = None
    neighbours: int = 4
    cleanup: bool = False
    inner_lines: DepthSettings | None = None

    def __post_init__(self) -> None:
        if self.outline not in OUTLINES:
            raise SetupError(f"--outline: expected one of {', '.join(OUTLINES)}, got {self.outline!r}")
        if self.neighbours not in (4, 8):
            raise SetupError(f"--outline-neighbours: expected 4 or 8, got {self.neighbours!r}")

    @property
    def active(self) -> bool:
        return self.outline != "none" or self.cleanup or self.inner_lines is not None

    @property
    def draws_outline_colour(self) -> bool:
        """Whether anything is drawn in the outline colour: an outer or inner outline, or inner lines."""
        return self.outline in ("outer", "inner") or self.inner_lines is not None

    @property
    def adds_colour(self) -> bool:
        """Whether a given outline colour may add one to the palette (selout adds none)."""
        return self.colour is not None and self.draws_outline_colour


def outline_colour(settings: FinishSettings | None, palette: Palette, target: Palette | None) -> RGB | None:
    """The colour an outer or inner outline and inner lines are drawn in: the given one, or the darkest (DIN99o
    lightness) of the final palette, ``target`` if there is one; None without such an outline or inner lines."""
    if settings is None or not settings.draws_outline_colour:
        return None
    if settings.colour is not None:
        return settings.colour
    final = target if target is not None else palette
    darkest = final.colors[int(np.argmin(final.din99o[:, 0]))]
    return int(darkest[0]), int(darkest[1]), int(darkest[2])


def _has(palette: Palette, colour: RGB) -> bool:
    return bool((palette.colors == np.array(colour, dtype=np.uint8)).all(axis=1).any())


def check_outline_colour(settings: FinishSettings | None, palette: Palette | None, target: Palette | None) -> None:
    """Refuse, before any work, a given outline colour outside a palette the run may not add to: a locked or given
    ``palette`` (None for one still to be fitted) or the game's ``target`` palette."""
    if settings is None or not settings.adds_colour:
        return
    assert settings.colour is not None
    code = "#{:02x}{:02x}{:02x}".format(*settings.colour)
    for fixed, what in ((palette, "the locked palette"), (target, "the target palette")):
        if fixed is not None and not _has(fixed, settings.colour):
            raise SetupError(f"{OUTLINE_COLOUR.flag} {code} is not in {what}: give one of its colours, or auto")


def with_outline_colour(palette: Palette, settings: FinishSettings | None) -> Palette:
    """``palette`` as its files are written: with a given outline colour added at the end if it is not there."""
    if settings is None or not settings.adds_colour or settings.colour is None or _has(palette, settings.colour):
        return palette
    return Palette(np.vstack([palette.colors, np.array([settings.colour], dtype=np.uint8)]))


@dataclass(frozen=True)
class Finished:
    """A finished sprite's palette indices (-1 transparent), and the pixels its outline made opaque."""

    indices: NDArray[np.int16]
    added: NDArray[np.bool_]


def finish_indices(
    indices: NDArray[np.int16],
    palette: Palette,
    settings: FinishSettings,
    outline_index: int | None,
    inner_lines: NDArray[np.bool_] | None = None,
) -> Finished:
    """Clean-up, outline, L-corners and ``inner_lines`` (opaque pixels) of a sprite's ``indices`` into ``palette``,
    in that order.

    ``outline_index`` is the palette index of the outer or inner outline's and the inner lines' colour (unused
    for selout). The inner lines come last, so a selout outline is shaded from the colours they cover.
    """
    finished = _outlined(indices, palette, settings, outline_index)
    if inner_lines is None or not inner_lines.any():
        return finished
    assert outline_index is not None, "inner lines have a colour"
    result = finished.indices.copy()
    result[inner_lines & (indices >= 0)] = outline_index
    return Finished(result, finished.added)


def _outlined(
    indices: NDArray[np.int16], palette: Palette, settings: FinishSettings, outline_index: int | None
) -> Finished:
    din99o = palette.din99o
    cleaned = remove_strays(indices, din99o) if settings.cleanup else indices
    opaque = cleaned >= 0
    if settings.outline == "none":
        return Finished(cleaned, np.zeros_like(opaque))
    inner = settings.outline == "inner"
    line = outline_mask(opaque, settings.neighbours, inner=inner)
    if settings.cleanup:
        line &= ~l_corners(line, ~opaque if inner else opaque)
    result = cleaned.copy()
    if settings.outline == "selout":
        result[line] = selout_colours(cleaned, line, din99o)
    else:
        assert outline_index is not None, "an outer or inner outline has a colour"
        result[line] = outline_index
    return Finished(result, np.zeros_like(opaque) if inner else line)


def outlined_normals(normals: NDArray[np.uint8], added: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """A normal sprite with the ``added`` outline pixels opaque, each the renormalised mean normal of the opaque
    4-neighbours it borders (as encoded, so a y-down sprite stays y-down)."""
    if not added.any():
        return normals
    opaque = normals[:, :, 3] > 0
    vectors = normals[:, :, :3].astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0)
    height, width = opaque.shape
    padded = np.pad(vectors * opaque[:, :, None], ((1, 1), (1, 1), (0, 0)))
    total = np.zeros_like(vectors)
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        total += padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
    encoded = encode_normals(total, added)  # renormalised; neighbours whose normals cancel out give the flat normal
    result = normals.copy()
    result[added] = encoded[added]
    return result


def finish_sprite(
    sprite: RemappedFrame,
    normals: NDArray[np.uint8] | None,
    remapper: Remapper,
    settings: FinishSettings,
    inner_lines: NDArray[np.bool_] | None = None,
) -> tuple[RemappedFrame, NDArray[np.uint8] | None]:
    """:func:`finish_indices` of a sprite remapped by ``remapper``, its RGBA rebuilt, and its normal sprite given
    the same alpha change."""
    palette = remapper.output_palette
    colour = outline_colour(settings, remapper.palette, remapper.target)
    outline_index = None if colour is None else int(np.flatnonzero((palette.colors == colour).all(axis=1))[0])
    finished = finish_indices(sprite.indices, palette, settings, outline_index, inner_lines)
    rgba = np.zeros_like(sprite.rgba)
    opaque = finished.indices >= 0
    rgba[opaque, :3] = palette.colors[finished.indices[opaque]]
    rgba[opaque, 3] = 255
    finished_normals = None if normals is None else outlined_normals(normals, finished.added)
    return replace(sprite, rgba=rgba, indices=finished.indices), finished_normals
