"""Normal-map sheets: beside every sheet page ``<stem>.png``, ``<stem>_n.png`` with every cell at the same place.

A cell takes the normal sprite at ``<sprites folder>/normals/<the colour sprite's path>``. Where that file is
missing, damaged or of another size, the cell gets the flat normal with the colour sprite's alpha, and the report
names it: the colour sheet is never held back by its normals. Empty sheet areas hold the flat normal with alpha 0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError
from ..frames.downscale import read_frame
from ..frames.normals import FLAT_NORMAL, NORMALS_FOLDER, flat_normals
from .layout import Page

NORMAL_SUFFIX = "_n"


def normal_page_name(page_name: str) -> str:
    """The file stem of a page's normal sheet."""
    return f"{page_name}{NORMAL_SUFFIX}"


def compose_normals(
    page: Page,
    colour_sprites: dict[Path, NDArray[np.uint8]],
    folder: Path,
    size: tuple[int, int],
    skipped: list[tuple[str, str]],
) -> NDArray[np.uint8]:
    """The normal sheet of ``page``, whose colour sprites (read already, by path) lie in ``folder``."""
    width, height = size
    image = np.zeros((page.height, page.width, 4), dtype=np.uint8)
    image[:, :, :3] = FLAT_NORMAL
    for cell in page.cells:
        colour = colour_sprites[cell.sprite]
        image[cell.y : cell.y + height, cell.x : cell.x + width] = normal_sprite(cell.sprite, colour, folder, skipped)
    return image


def normal_sprite(
    sprite: Path, colour: NDArray[np.uint8], folder: Path, skipped: list[tuple[str, str]]
) -> NDArray[np.uint8]:
    """The normal sprite of the colour sprite ``sprite`` (below ``folder``), or the flat normal where it is unusable
    (the reason goes to ``skipped``), with the colour sprite's alpha."""
    opaque = colour[:, :, 3] > 0
    path = folder / NORMALS_FOLDER / sprite.relative_to(folder)
    try:
        normals = read_frame(path).rgba
    except FrameError as error:
        skipped.append((str(path), f"{error.reason}; its cell holds the flat normal"))
        return flat_normals(opaque)
    if normals.shape != colour.shape:
        shown = f"{normals.shape[1]}x{normals.shape[0]}"
        skipped.append((str(path), f"size {shown} differs from its sprite's; its cell holds the flat normal"))
        return flat_normals(opaque)
    # The colour sprite's alpha is the truth: a normal sprite written by another run may not match it.
    normals = normals.copy()
    normals[:, :, 3] = np.where(opaque, 255, 0)
    normals[~opaque, :3] = FLAT_NORMAL
    return normals
