"""One-pixel outlines of a sprite's silhouette, and the L-corners that keep them one pixel thin.

``outer`` lines the transparent pixels that touch the silhouette (at an edge, or with 8 neighbours at a corner
too); ``inner`` the silhouette's own pixels that touch a transparent one. The canvas's edge is no transparent
pixel: a sprite cut off by its border gets no line along it, and no line beyond it. Every rule looks only at a
pixel's neighbours, never at where it is, so the outline of a mirrored sprite is the mirror of its outline.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_EDGE = ((-1, 0), (1, 0), (0, -1), (0, 1))
_CORNER = ((-1, -1), (-1, 1), (1, -1), (1, 1))
_STEP_ROWS = np.array([dr for dr, _ in _EDGE + _CORNER])
_STEP_COLS = np.array([dc for _, dc in _EDGE + _CORNER])


def _padded(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    padded = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), dtype=bool)
    padded[1:-1, 1:-1] = mask
    return padded


def _seen(padded: NDArray[np.bool_], dr: int, dc: int) -> NDArray[np.bool_]:
    """A padded mask seen from each pixel's neighbour at (``dr``, ``dc``): a view, False beyond the canvas."""
    height, width = padded.shape[0] - 2, padded.shape[1] - 2
    return padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]


def touching(mask: NDArray[np.bool_], neighbourhood: int) -> NDArray[np.bool_]:
    """Pixels with a 4-neighbour (or an 8-neighbour) in ``mask``."""
    padded = _padded(mask)
    steps = _EDGE + _CORNER if neighbourhood == 8 else _EDGE
    result = np.zeros_like(mask)
    for dr, dc in steps:
        result |= _seen(padded, dr, dc)
    return result


def outline_mask(opaque: NDArray[np.bool_], neighbourhood: int, *, inner: bool) -> NDArray[np.bool_]:
    """The pixels an outline colours: outside the silhouette ``opaque`` (outer), or its own edge (inner)."""
    if inner:
        return opaque & touching(~opaque, neighbourhood)
    return ~opaque & touching(opaque, neighbourhood)


def l_corners(line: NDArray[np.bool_], hugged: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The pixels of ``line`` to take out so it stays one pixel thin.

    An L-corner is a line pixel with exactly two line 4-neighbours, one across and one up or down. Where two
    L-corners touch (a two-pixel staircase, as an 8-neighbour outline makes along a diagonal), taking both out
    would cut the line: there only the one whose diagonal pixel, between its two neighbours, is on the side the
    line hugs (``hugged``: the silhouette for an outer line, the outside for an inner one) goes.
    """
    padded_line, padded_hugged = _padded(line), _padded(hugged)
    up, down, left, right = (_seen(padded_line, dr, dc) for dr, dc in _EDGE)
    across, upright = left ^ right, up ^ down  # exactly one of each: two neighbours that form an L
    corners = line & across & upright
    diagonal_hugged = (
        (up & left & _seen(padded_hugged, -1, -1))
        | (up & right & _seen(padded_hugged, -1, 1))
        | (down & left & _seen(padded_hugged, 1, -1))
        | (down & right & _seen(padded_hugged, 1, 1))
    )
    lone = ~touching(corners, 4)
    return corners & (diagonal_hugged | lone)


def selout_colours(
    indices: NDArray[np.int16], line: NDArray[np.bool_], din99o: NDArray[np.float64]
) -> NDArray[np.intp]:
    """The palette index of each pixel of an outer ``line`` (in row-major order), shaded from what it borders.

    Each takes a colour darker (lower DIN99o lightness) than every opaque 4-neighbour it borders, of the hue
    nearest theirs: nearest, in DIN99o's a-b plane (hue and chroma, so a grey stays grey), to their mean. Where
    no palette colour is that dark, the darkest colour. A pixel of an 8-neighbour line that touches the
    silhouette only at corners is shaded from its corner neighbours.
    """
    rows, cols = np.nonzero(line)
    padded = np.full((indices.shape[0] + 2, indices.shape[1] + 2), -1, dtype=np.intp)
    padded[1:-1, 1:-1] = indices
    around = padded[rows[:, None] + 1 + _STEP_ROWS, cols[:, None] + 1 + _STEP_COLS]  # (n, 8): edges, then corners
    at_edge = (around[:, :4] >= 0).any(axis=1, keepdims=True)
    bordered = (around >= 0) & np.hstack([np.repeat(at_edge, 4, axis=1), np.repeat(~at_edge, 4, axis=1)])
    lightness = np.where(bordered, din99o[around, 0], np.inf).min(axis=1)
    count = bordered.sum(axis=1, keepdims=True)
    hue = (din99o[around, 1:] * bordered[:, :, None]).sum(axis=1) / np.maximum(count, 1)
    darker = din99o[None, :, 0] < lightness[:, None]  # (n, colours)
    gap = (din99o[None, :, 1] - hue[:, 0:1]) ** 2 + (din99o[None, :, 2] - hue[:, 1:2]) ** 2
    chosen = np.argmin(np.where(darker, gap, np.inf), axis=1)
    darkest = int(np.argmin(din99o[:, 0]))
    return np.where(darker.any(axis=1), chosen, darkest)
