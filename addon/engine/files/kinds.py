"""The kinds of file Pixel Sprites writes, as its record of written files names them.

A recorded file is replaced only by a file of the same kind: a report never turns a palette into JSON, a grid never
replaces a palette strip, a variant file never replaces the palette it was copied from. And the files one run would
write are checked against each other before any is written (see :func:`combined`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import SetupError

SPRITE = "sprite"
"""A sprite, a mirrored facing's sprite, or a normal-map sprite (below ``normals/``)."""
PALETTE = "palette"
"""A character's fitted palette as text (``.gpl``, ``.hex``), or a palette file ``fit --palette-out`` wrote."""
PALETTE_STRIP = "palette strip"
"""A palette as a PNG of swatches: the fitted palette's ``.png``, or ``fit --palette-out`` to a ``.png``."""
PALETTE_VARIANT = "palette variant"
"""A file ``palette-variant`` wrote, to be recoloured."""
REPORT = "report"
SHEET = "sheet"
"""A sheet and its engine files: page PNGs, JSON, Godot ``.tres``, ``.aseprite``, previews, normal sheets."""
VARIANT_SHEET = "variant sheet"
"""A palette variant's copy of a sheet file."""
INDEX_MAP = "index map"
"""A page of palette indices, and the Godot resource cut from them."""
VARIANT_PALETTES = "variant palettes"
"""The texture holding every variant's colours, one row each."""
VARIANT_SHADER = "variant shader"
"""The Godot shader that recolours an index map with a row of the variant palettes."""
MANIFEST = "manifest"
FRAME_LIST = "frame list"
FRAME_LOG = "frame log"
GRID = "grid"
RIG = "rig"
"""``rig.json``: the game data Blender projected from the rig, beside the renders."""

VARIANT_KINDS = (VARIANT_SHEET, INDEX_MAP, VARIANT_PALETTES, VARIANT_SHADER)
"""What a set's palette variants add to its sheets folder, and what ``sheet --no-variants`` takes away."""
DATA_KINDS = (PALETTE, PALETTE_STRIP, PALETTE_VARIANT, REPORT, FRAME_LOG, RIG)
"""Kinds that may sit beside frames: a folder holding only these is still a folder of frames."""

_VERSION_1_SHEET = "sheet (version 1)"
"""A file of a sheets folder recorded before kinds were told apart (all were ``sheet``): any of them may replace it."""
_SHEETS_FOLDER_KINDS = (SHEET, *VARIANT_KINDS)


def palette_kind(path: Path | str) -> str:
    """The kind of a palette file, by what it is: swatches in a PNG, or text."""
    return PALETTE_STRIP if Path(path).suffix.lower() == ".png" else PALETTE


def upgraded(files: Mapping[str, str]) -> dict[str, str]:
    """A record written before kinds were told apart (version 1), in today's kinds where its names tell them."""
    kinds = {}
    for name, kind in files.items():
        if kind == PALETTE:
            kind = palette_kind(name)
        elif kind == SHEET:
            kind = _VERSION_1_SHEET
        kinds[name] = kind
    return kinds


def replaceable(recorded: str, wanted: str) -> bool:
    """Whether a file recorded as ``recorded`` may be replaced by one of kind ``wanted``."""
    return recorded == wanted or (recorded == _VERSION_1_SHEET and wanted in _SHEETS_FOLDER_KINDS)


def combined(*parts: Mapping[Path, str]) -> dict[Path, str]:
    """The files of one run (path → kind), from its parts (sprites, palette files, report, ...).

    Raises
    ------
    SetupError
        Naming the path and both kinds, when two parts would write one path as different kinds (a frame named
        ``palette.png`` and the palette strip ``palette.png``): one would silently replace the other.
    """
    files: dict[Path, str] = {}
    for part in parts:
        for path, kind in part.items():
            earlier = files.setdefault(path, kind)
            if earlier != kind:
                raise SetupError(
                    f"{path}: this run would write both a {earlier} and a {kind} here, and one would replace the "
                    "other; rename the frame or choose another output path"
                )
    return files
