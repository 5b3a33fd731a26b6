"""The registry of sheet formats: the files game engines import, written beside a set's sheet pages.

Each format is one module of this package holding ``FORMAT``, a :class:`.base.SheetFormat`: which files it writes
for a group of pages (an action's, or the atlas's), how it writes them, and what a palette variant does to them.
:data:`REGISTERED` lists them, in the order they are written and chosen by default; ``options.SHEET_FORMATS`` is
its names. Adding a format is a module here, its name in :data:`REGISTERED`, and a test in its real reader.

This module imports no format at its own import (``options`` reads the names, and every stage reads ``options``):
:func:`sheet_format` loads one when it is first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import SheetFormat

REGISTERED = ("json", "godot", "aseprite", "preview")
"""Every sheet format, by its module's name: Aseprite/TexturePacker JSON pages (Phaser, PixiJS), Godot 4
``SpriteFrames``, ``.aseprite`` files (Aseprite, Unity's importer), animated previews."""


def sheet_format(name: str) -> SheetFormat:
    """The format registered as ``name``."""
    if name not in REGISTERED:
        raise KeyError(f"no sheet format {name!r}; the formats are {', '.join(REGISTERED)}")
    module = importlib.import_module(f"{__name__}.{name}")
    found: SheetFormat = module.FORMAT
    return found


def chosen_formats(names: tuple[str, ...]) -> list[SheetFormat]:
    """The formats ``names`` asks for, in the registry's order (the order their files are written)."""
    return [sheet_format(name) for name in REGISTERED if name in names]
