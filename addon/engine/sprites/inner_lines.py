"""Inner lines: where one part of a character overlaps another (an arm before the body), a line on the nearer part.

A sprite pixel takes the line when an opaque 4-neighbour is farther than it by a JUMP: more than
``INNER_LINE_STEP`` sprite pixels (the world size of a sprite pixel at the nearer pixel's depth), and more than
twice the step the surface behind takes one pixel further on. The second test tells an overlap from a surface
curving away: near the silhouette of a round part the steps grow pixel by pixel, and no line is drawn there, while
behind an overlap the far surface goes on smoothly. Transparent pixels never count, so the silhouette gets no line
here (that is the outline's), and every rule looks only at neighbours, so a mirrored sprite gets mirrored lines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError
from ..frames.depth import DepthSettings, read_depth
from ..palette.majority import block_edges

# A depth step counts as an overlap beyond this many sprite pixels (measured at the nearer pixel): steeper than a
# surface at 63 degrees to the view, which a part of the body facing the camera rarely is.
INNER_LINE_STEP = 2.0
_EDGE = ((-1, 0), (1, 0), (0, -1), (0, 1))


def nearest_block_depth(
    depth: NDArray[Any], opaque: NDArray[np.bool_], out_shape: tuple[int, int]
) -> NDArray[np.float32]:
    """The depth of each sprite pixel under majority sampling: the nearest of its block's opaque render pixels
    (``opaque``; inf where a block has none). ``depth`` may be world depths or the grey values they come from
    (compared as they are stored, half the bytes of float32)."""
    rows = block_edges(depth.shape[0], out_shape[0])[:-1]
    cols = block_edges(depth.shape[1], out_shape[1])[:-1]

    def per_block(values: NDArray[Any], reduce: np.ufunc) -> NDArray[Any]:
        return reduce.reduceat(reduce.reduceat(values, rows, axis=0), cols, axis=1)  # type: ignore[no-any-return]

    farthest = np.inf if np.issubdtype(depth.dtype, np.floating) else np.iinfo(depth.dtype).max
    nearest = per_block(np.where(opaque, depth, depth.dtype.type(farthest)), np.minimum)
    return np.where(per_block(opaque, np.logical_or), nearest.astype(np.float32), np.float32(np.inf))


def _shifted(values: NDArray[np.float32], dr: int, dc: int, steps: int) -> NDArray[np.float32]:
    """``values`` seen from each pixel's neighbour ``steps`` away toward (``dr``, ``dc``): NaN beyond the canvas."""
    pad = steps
    padded = np.pad(values, pad, constant_values=np.nan)
    height, width = values.shape
    top, left = pad + dr * steps, pad + dc * steps
    return padded[top : top + height, left : left + width]


def inner_line_mask(
    depth: NDArray[np.float32], opaque: NDArray[np.bool_], sprite_pixel_size: NDArray[np.float32]
) -> NDArray[np.bool_]:
    """The opaque pixels that take an inner line, from the sprite's ``depth`` (world units, per sprite pixel) and
    the world size of each sprite pixel at its depth."""
    near = np.where(opaque, depth, np.nan).astype(np.float32)
    threshold = np.float32(INNER_LINE_STEP) * sprite_pixel_size
    line = np.zeros_like(opaque)
    with np.errstate(invalid="ignore"):  # NaN (transparent, or beyond the canvas) fails every comparison
        for dr, dc in _EDGE:
            neighbour, beyond = _shifted(near, dr, dc, 1), _shifted(near, dr, dc, 2)
            step = neighbour - near
            line |= (step > threshold) & (step > 2 * (beyond - neighbour))
    return line & opaque


def sprite_inner_lines(
    settings: DepthSettings,
    frame: Path,
    relative: Path,
    frame_shape: tuple[int, int],
    sampled: Callable[[NDArray[Any]], NDArray[Any]],
    opaque: NDArray[np.bool_],
    problems: list[tuple[Path, str]],
) -> NDArray[np.bool_] | None:
    """The inner lines of the sprite (alpha ``opaque``) of the colour frame ``frame`` (of ``frame_shape``), whose
    sprite is ``relative``: ``sampled`` takes its depth frame's grey values to one per sprite pixel. None, and the
    problem in ``problems``, if its depth frame is missing or damaged."""
    path = settings.frame_for(frame, relative)
    try:
        scale = settings.scale_for(path)
        depth = read_depth(path, frame_shape, scale, sampled)
    except FrameError as error:
        problems.append((error.path, f"{error.reason}; its sprite has no inner lines"))
        return None
    return inner_line_mask(depth, opaque, scale.sprite_pixel_size(depth, opaque.shape[1]))
