"""What a sheet format is: the files it writes beside a group's pages, and its palette variants' copies of them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ...colour.palette import Palette
from ...sets.manifest import SpriteSet
from ..layout import Animation, Page
from ..preview import SpriteImages
from ..recolour import Recolour

Write = Callable[[str, bytes], None]
"""Writes a file of the sheets folder by name, recording it as written."""


@dataclass(frozen=True)
class GroupPages:
    """A group's pages (an action's, or the atlas's) once they are planned, and what a format writes from."""

    name: str
    sprite_set: SpriteSet
    animations: Sequence[Animation]
    pages: Sequence[Page]
    cells: Sequence[NDArray[np.uint8]]
    sprites: SpriteImages
    indexed_palette: Palette | None
    """The palette of the group's paletted files, which holds every colour of its sprites; None for RGBA."""
    previews: Sequence[tuple[str, list[Animation], Palette | None]]
    """Each action of the group with its animations and the palette of its preview (None: RGBA)."""
    preview_scale: int

    @property
    def image_names(self) -> list[str]:
        return [f"{page.name}.png" for page in self.pages]


@dataclass(frozen=True)
class WrittenPages:
    """What the pages themselves became: each page's PNG format (``I8`` or ``RGBA8888``) and normal sheet."""

    image_formats: Sequence[str]
    normal_names: Sequence[str | None]


@dataclass
class FormatOutcome:
    """What a format wrote for a group: its files (names in the sheets folder) and the manifest's entry for them."""

    files: list[str]
    manifest_key: str | None = None
    """The key of the group's manifest entry naming its first file (``godot``, ``aseprite``, ``preview``)."""
    note: str | None = None


class SheetFormat(ABC):
    """One sheet format of the registry (see ``formats``): what a format must say, with the defaults most share."""

    name: str

    def check(self, sprite_set: SpriteSet) -> str | None:
        """Why this format cannot be written for ``sprite_set`` at all, before any sheet is; None if it can."""
        return None

    @abstractmethod
    def files(self, group: GroupPages) -> list[str]:
        """The names of the files :meth:`write` writes for ``group``, in the sheets folder."""

    @abstractmethod
    def write(self, out: Path, group: GroupPages, pages: WrittenPages) -> FormatOutcome:
        """Write this format's files of ``group`` into the sheets folder ``out``."""

    def runtime_files(self, written: Sequence[str], pages: Sequence[str]) -> list[str]:
        """The files the palette swap at run time adds beside ``written`` (this format's files of a group whose
        pages are ``pages``, by stem); none by default."""
        return []

    def variant_files(self, written: Sequence[str], variant: str) -> list[str]:
        """The names of variant ``variant``'s copies of ``written``: ``walk.tres`` → ``walk.<variant>.tres``."""
        return [with_variant(name, variant) for name in written]

    def write_variants(
        self,
        out: Path,
        written: Sequence[str],
        pages: Sequence[str],
        variants: Sequence[tuple[str, Recolour]],
        write: Write,
    ) -> None:
        """Write the run-time files and each variant's copies of ``written``, each file read back from ``out`` once."""
        for name in written:
            data = (out / name).read_bytes()
            for runtime in self.runtime_files([name], pages):
                write(runtime, self.runtime_copy(data, pages))
            for variant, recolour in variants:
                write(with_variant(name, variant), self.variant_copy(data, name, pages, variant, recolour))

    def runtime_copy(self, data: bytes, pages: Sequence[str]) -> bytes:
        """A file of this format made for the palette swap at run time (a format with :meth:`runtime_files`)."""
        raise NotImplementedError(f"{self.name} writes no run-time files")

    @abstractmethod
    def variant_copy(self, data: bytes, name: str, pages: Sequence[str], variant: str, recolour: Recolour) -> bytes:
        """Variant ``variant``'s copy of the file ``name`` (its bytes ``data``), in the variant's colours or naming
        the variant's pages."""


def with_variant(name: str, variant: str) -> str:
    """``walk.tres`` → ``walk.<variant>.tres``: the name of a variant's copy of a file."""
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{variant}.{suffix}"
