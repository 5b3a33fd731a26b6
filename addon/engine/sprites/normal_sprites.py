"""The normal-map sprite of each sprite, from the same samples as its colours, written to ``normals/`` beside it.

With nearest sampling a sprite pixel takes the normal of the very render pixel its colour came from; with majority
sampling, the mean normal of the block's pixels that voted for its colour. Either way its alpha is the colour
sprite's. A normal frame that is missing, damaged or of another size gives the flat normal and a note naming it:
the colour sprite is written all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError
from ..frames.normals import NORMALS_FOLDER, NormalSettings, encode_normals, flat_normals, read_normals, to_camera

# (path, note) of a sprite whose normal frame could not be used.
NormalProblem = tuple[Path, str]


def normal_sprite_path(output_folder: Path, relative: Path) -> Path:
    """Where the normal sprite of the sprite at ``output_folder / relative`` is written."""
    return output_folder / NORMALS_FOLDER / relative


def frame_normals(settings: NormalSettings, frame: Path, relative: Path, shape: tuple[int, int]) -> NDArray[np.float32]:
    """The camera-space normals of the colour frame ``frame`` (whose sprite is ``relative``), at full size.

    Raises
    ------
    FrameError
        Naming the normal frame, if it is missing, damaged or not of ``shape``.
    """
    path = settings.frame_for(frame, relative)
    return to_camera(read_normals(path, shape), settings.rotation_for(path))


def normal_sprite(
    settings: NormalSettings,
    colour: NDArray[np.uint8],
    sampled: Callable[[], NDArray[np.float32]],
    problems: list[NormalProblem],
) -> NDArray[np.uint8]:
    """The normal sprite for the colour sprite ``colour``: ``sampled()`` gives its normals, one per sprite pixel; if
    that raises, the flat normal, and the problem goes to ``problems``."""
    opaque = colour[:, :, 3] > 0
    try:
        normals = sampled()
    except FrameError as error:
        problems.append((error.path, f"{error.reason}; its normal sprite is flat"))
        return flat_normals(opaque)
    return encode_normals(normals, opaque, flip_green=settings.flip_green)
