"""Sprite sheets: sprites laid out on a grid, for previews and game engines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import SetupError
from ..files.paths import absolute
from ..files.record import recorded
from ..frames.downscale import no_size_reason, sizes_by_count
from ..frames.sources import discover_frames


def make_sheet(sprites: Sequence[NDArray[np.uint8]], *, columns: int = 8, scale: int = 1) -> NDArray[np.uint8]:
    """Lay RGBA ``sprites`` of one size on a grid, row by row, each enlarged ``scale`` times.

    Enlarging repeats pixels, so the sheet keeps hard pixel edges.

    Raises
    ------
    ValueError
        If there are no sprites, their sizes differ, or ``columns`` or ``scale`` is below 1.
    """
    if not sprites:
        raise ValueError("a sheet needs at least one sprite")
    if columns < 1 or scale < 1:
        raise ValueError(f"`columns` and `scale` must be at least 1, got {columns} and {scale}")
    height, width = sprites[0].shape[:2]
    if any(sprite.shape != (height, width, 4) for sprite in sprites):
        raise ValueError("every sprite of a sheet must be RGBA and of one size")
    rows = -(-len(sprites) // columns)
    sheet = np.zeros((rows * height, min(columns, len(sprites)) * width, 4), dtype=np.uint8)
    for index, sprite in enumerate(sprites):
        row, column = divmod(index, columns)
        sheet[row * height : (row + 1) * height, column * width : (column + 1) * width] = sprite
    return np.repeat(np.repeat(sheet, scale, axis=0), scale, axis=1)


def grid_sprites(sources: Sequence[Path | str], *, leave_out: Path | str | None = None) -> tuple[list[Path], list[str]]:
    """The sprites in ``sources`` for a preview grid, and what was left out, each line naming a file.

    Only sprites, and all of them: in a folder this tool wrote, the sprites its record names (never its palette
    strip or its sheets); elsewhere the PNGs of the size most of them have. ``leave_out`` is the grid itself.

    Raises
    ------
    SetupError
        If no sprite is found.
    """
    excluded = absolute(leave_out) if leave_out is not None else None
    found = [frame.path for frame in discover_frames(sources) if frame.path != excluded]
    known: set[Path] = set()
    ours: set[Path] = set()  # palette strips, sheets: left out without a word
    for source in map(absolute, sources):
        if source.is_dir():
            for name, kind in recorded(source).items():
                (known if kind == "sprite" else ours).add(absolute(source / name))
    left_out: list[str] = []
    if known:
        chosen = [path for path in found if path in known]
        left_out = [f"{path}: not a sprite of this folder" for path in found if path not in known | ours]
    else:
        sizes, counts = sizes_by_count(found)
        size = counts[0][0] if counts else None
        chosen = [path for path, own in zip(found, sizes, strict=True) if own is not None and own == size]
        other_size = "not of the sprites' size"
        left_out = [
            f"{path}: {other_size if own is not None else no_size_reason(path)}"
            for path, own in zip(found, sizes, strict=True)
            if own is None or own != size
        ]
    if not chosen:
        shown = "; ".join(left_out[:3]) + ("; …" if len(left_out) > 3 else "")  # why, or the line says nothing
        raise SetupError(f"no PNG sprites found in {', '.join(map(str, sources))}" + (f" ({shown})" if shown else ""))
    return chosen, left_out
