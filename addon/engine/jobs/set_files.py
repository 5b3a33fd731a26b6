"""The one way a sprite set's files are written after its sprites: its sheets, engine files, normal sheets, palette
variants and manifest. The command line (``process --sheets``, ``sheet``), the set's update after a render and the
farm's sheets task all end here.

The palette the sheets use is decided once, by the caller: a job hands on the palette its sprites were just written
in (:meth:`SetPalettes.known`); a run with no job behind it (``sheet``, ``palette-variant``, the farm's sheets task)
takes what the folder holds (:func:`palettes_on_disk`), the one place a run's report is read for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..colour.palette import Palette
from ..export.sheets import SheetOptions, SheetReport, write_sheets
from ..palette.files import read_palette
from ..sets.manifest import SpriteSet
from .spec import FOLDER_PALETTE_NAME


@dataclass(frozen=True)
class SetPalettes:
    """The palettes a set's files are written with, decided once."""

    sheets: Palette | None
    """The palette of the paletted sheets, ``.aseprite`` files and previews; None: each group's colours decide."""
    variants: Palette | None
    """What palette variants index where the manifest keeps no palette (entry i of a variant replaces entry i)."""

    @classmethod
    def known(cls, palette: Palette | None) -> SetPalettes:
        """A job's: the palette its sprites were just written in, for the sheets and the variants alike."""
        return cls(palette, palette)


def palettes_on_disk(folder: Path, character: str) -> SetPalettes:
    """What a folder says, with no job behind the run: the character's ``.gpl`` for the sheets; for the variants,
    that, else the colours its last run wrote the sprites in (its report's ``sprite_colors``: with a target palette
    the target's it used), else the folder's ``palette.gpl``."""
    own = folder / f"{character}.gpl"
    sheets = read_palette(own) if own.is_file() else None
    variants = sheets
    for stem in (character, FOLDER_PALETTE_NAME):
        if variants is None and (codes := _sprite_colours(folder / f"{stem}_report.json")):
            variants = Palette.from_hex_codes(codes)
    folder_palette = folder / f"{FOLDER_PALETTE_NAME}.gpl"
    if variants is None and folder_palette.is_file():
        variants = read_palette(folder_palette)
    return SetPalettes(sheets, variants)


def _sprite_colours(report: Path) -> list[str]:
    try:
        codes = json.loads(report.read_text(encoding="utf-8")).get("sprite_colors", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [str(code) for code in codes] if isinstance(codes, list) else []


@dataclass
class SheetsOutcome:
    """What :func:`write_set_files` wrote."""

    report: SheetReport
    manifest: Path


def write_set_files(folder: Path, sprite_set: SpriteSet, sheets: SheetOptions, palettes: SetPalettes) -> SheetsOutcome:
    """Write the sheets of ``sprite_set`` (its sprites in ``folder``), every format's files beside them, their
    normal sheets, the palette variants, and then the set's manifest.

    A set with normal maps (its manifest says so) gets normal sheets on every run, whatever ``sheets`` asks.
    """
    if sprite_set.normals is not None:
        sheets = replace(sheets, normals=True)
    report = write_sheets(folder, sprite_set, sheets, palettes.sheets, palettes.variants)
    return SheetsOutcome(report, sprite_set.save(folder))
