"""One frame, held in memory, made into the finished sprite: what the live preview in Blender shows.

The sprite is made as the sprite writer makes it (``sprites.writing._SpriteWriter``): downscaled, remapped to the
character's palette and then the target palette, finished (clean-up, outline), and flipped for a mirrored facing.
Nothing is read but the palette files, and nothing is written. The palette is the one a run would use if the
frame were added now: the locked or given one, else the last fitted one on disk; with none yet, one fitted on
this frame alone, which the preview says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import SetupError
from ..palette.files import read_palette
from ..palette.fit import fit_palette
from ..palette.majority import MajorityDownscaler
from ..palette.remap import Remapper
from ..sprites.finishing import finish_sprite, outline_colour
from .spec import SpriteJob

# Where the palette of a preview comes from, as the panel says it.
LOCKED, GIVEN, LAST_FITTED, THIS_FRAME = "locked", "given", "last fitted", "fitted on this frame"


@dataclass(frozen=True)
class PreviewPalette:
    palette: Palette
    source: str
    """One of LOCKED, GIVEN, LAST_FITTED or THIS_FRAME."""


@dataclass(frozen=True)
class PreviewSprite:
    rgba: NDArray[np.uint8]
    """The finished sprite, (height, width, 4), top row first: the pixels its PNG would hold."""
    palette: PreviewPalette


def saved_palette(job: SpriteJob) -> PreviewPalette | None:
    """The palette a run of ``job`` would use as it stands on disk, or None when there is none yet: the given
    file, the locked palette, or the last one fitted.

    Raises
    ------
    SetupError
        If the palette is locked and there is none on disk.
    """
    if job.palette_mode == "file" and job.palette_file is not None:
        return PreviewPalette(read_palette(job.palette_file), GIVEN)
    path = job.output / f"{job.palette_name}.gpl"
    if not path.is_file():
        if job.locked:
            raise SetupError(f"{path}: the palette is locked, and there is no saved palette; fit one, or unlock it")
        return None
    return PreviewPalette(read_palette(path), LOCKED if job.locked else LAST_FITTED)


def preview_sprite(
    frame: NDArray[np.uint8],
    job: SpriteJob,
    *,
    palette: PreviewPalette | None = None,
    mirrored: bool = False,
) -> PreviewSprite:
    """The finished sprite of ``frame`` (RGBA, top row first, at render or at sprite size) under ``job``.

    ``palette`` is the one to use (see :func:`saved_palette`); None fits one on this frame. Inner lines need the
    frame's depth pass, which a preview does not have: they are left out.

    Raises
    ------
    SetupError
        If the frame has no opaque pixel to fit a palette to, or a palette file cannot be read.
    """
    shape = (frame.shape[0], frame.shape[1])
    small = job.downscale.downscaler(shape)(frame)
    if palette is None:
        opaque = small.reshape(-1, 4)
        opaque = opaque[opaque[:, 3] == 255, :3]
        if len(opaque) == 0:
            raise SetupError("the frame has no opaque pixel: nothing of the character is in the camera's view")
        palette = PreviewPalette(fit_palette(opaque, job.palette).palette, THIS_FRAME)
    output = job.output_settings()
    remapper = Remapper(palette.palette, output.target, outline_colour(output.finish, palette.palette, output.target))
    small_shape = (small.shape[0], small.shape[1])
    if job.downscale.sampling == "majority" and small_shape != shape:
        voted = MajorityDownscaler(shape, small_shape, palette.palette, job.downscale.alpha_threshold)(frame)
        sprite = remapper.remap(voted, compared_to=small)
    else:
        sprite = remapper.remap(small)
    finish = output.finish
    if finish is not None and finish.active:
        sprite, _ = finish_sprite(sprite, None, remapper, finish, None)
    rgba = sprite.rgba[:, ::-1] if mirrored else sprite.rgba
    return PreviewSprite(np.ascontiguousarray(rgba), palette)
