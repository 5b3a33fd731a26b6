"""A palette variant file to start from: a copy of the palette the variants of a sprite set index, in its order,
ready to be recoloured in any palette editor (GIMP, Aseprite, Lospec) and given back with ``--variant``."""

from __future__ import annotations

from pathlib import Path

from ..colour.palette import Palette
from ..export.variants import indexed_palette
from ..files import kinds
from ..files.atomic import write_atomically
from ..files.record import claim
from ..palette.files import palette_data
from ..sets.manifest import open_sprite_set
from .set_files import palettes_on_disk


def write_variant_start(folder: Path, destination: Path, *, character: str | None = None) -> Palette:
    """Write the palette the variants of the set in ``folder`` index to ``destination`` (``.gpl``, ``.hex``,
    ``.pal`` or ``.png``, by its suffix) and return it.

    Raises
    ------
    SetupError
        If the folder holds no set, the set no palette, or ``destination`` is a file this tool did not write.
    """
    sprite_set = open_sprite_set(folder, character=character)
    palette = Palette(indexed_palette(sprite_set, palettes_on_disk(folder, sprite_set.character).variants, folder))
    data = palette_data(palette, destination, name=f"{sprite_set.character} variant")  # an unknown format: not claimed
    claim({destination: kinds.PALETTE_VARIANT}, root=destination.parent)
    write_atomically(destination, data)
    return palette
