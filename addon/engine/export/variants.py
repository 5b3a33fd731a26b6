"""Palette variants: skins and team colours made from the sheets already written, with no new fit, remap or layout.

A variant is a palette file with as many entries as the palette the variants index (the sprites' palette as
written: the set manifest's ``palette``, which is the character's ``.gpl`` without a target palette and the target
colours the sprites use, in the target's order, with one); entry i replaces entry i. This runs after the base
sheets are written and derives everything from them, whatever their layout:

* ``<stem>.<NAME>.png`` beside every page ``<stem>.png`` (a paletted page gets a new ``PLTE`` only), and its
  ``.json``, the group's ``.tres`` and ``.aseprite`` and the previews, each naming or holding the variant's colours;
* ``<stem>_index.png`` (and ``<group>_index.tres``, the group's frames cut from them), ``<character>_palettes.png``
  and ``<character>_palette_swap.gdshader`` (:mod:`.index_maps`) for swapping palettes at run time.

Every variant file and every name is checked before the first sheet is written.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..colour.spaces import delta_e_2000, srgb_to_lab
from ..errors import OptionError, PaletteFileError, SheetError
from ..files.names import safe_name
from ..palette.entries import read_palette_entries
from ..sets.manifest import SpriteSet
from .colours import colour_codes
from .formats import sheet_format
from .index_maps import INDEX_SUFFIX, PALETTES_SUFFIX, SHADER_SUFFIX
from .recolour import PaletteIndex

VARIANT_FLAG = "--variant"
# The palette file of sprites made without a character (``process``), beside them.
# Below this ΔE2000 two colours are hard to tell apart (about 2 is where people begin to see a difference).
READABLE_DELTA_E = 2.0
# Index maps hold 8-bit indices.
MAX_ENTRIES = 256
_SHOWN_PAIRS = 4


@dataclass(frozen=True)
class PaletteVariant:
    """A variant as the user names it, and its palette file."""

    name: str
    file: Path

    @property
    def file_name(self) -> str:
        """The name in the variant's file names, ``<stem>.<file_name>.png``: safe on every OS."""
        return safe_name(self.name, fallback="variant")


def parse_variant(text: str) -> PaletteVariant:
    """``NAME=FILE`` as given to ``--variant``.

    Raises
    ------
    OptionError
        If there is no ``=``, or the name or the file is empty.
    """
    name, equals, file = text.partition("=")
    if not equals or not name.strip() or not file.strip():
        raise OptionError(f"{VARIANT_FLAG}: expected NAME=FILE such as red=hero_red.gpl, got {text!r}")
    return PaletteVariant(name.strip(), Path(file.strip()))


def manifest_variants(variants: Sequence[PaletteVariant], folder: Path) -> list[dict[str, str]]:
    """The manifest's ``variants``: each file relative to the sprites folder where it lies below it."""
    entries = []
    for variant in variants:
        file = variant.file.resolve()
        shown = file.relative_to(folder.resolve()) if file.is_relative_to(folder.resolve()) else file
        entries.append({"name": variant.name, "file": shown.as_posix()})
    return entries


def chosen_variants(
    kept: Sequence[dict[str, str]], given: Sequence[PaletteVariant], folder: Path, *, keep: bool
) -> list[PaletteVariant]:
    """The manifest's variants (unless not ``keep``), with the ``given`` ones added; a given name replaces a kept
    one of the same name. Kept files are relative to the sprites ``folder``."""
    chosen = {entry["name"]: PaletteVariant(entry["name"], folder / entry["file"]) for entry in kept} if keep else {}
    for variant in given:
        chosen[variant.name] = variant
    return list(chosen.values())


class VariantOptions(Protocol):
    """The sheet options that choose the variants."""

    @property
    def variants(self) -> tuple[PaletteVariant, ...]: ...
    @property
    def keep_variants(self) -> bool: ...


@dataclass(frozen=True)
class GroupFiles:
    """What the base wrote for one action (or the atlas), by file name in the sheets folder."""

    pages: tuple[str, ...]
    """Each page's stem: ``<stem>.png``."""
    files: dict[str, tuple[str, ...]]
    """Each sheet format's files of the group (see ``formats``), in the registry's order."""
    indexed: Palette | None
    """The palette of the group's paletted files, which holds every colour of its sprites; None for RGBA."""
    cells: Sequence[NDArray[np.uint8]]

    def variant_names(self, variant: str) -> list[str]:
        names = [f"{page}.{variant}.png" for page in self.pages]
        for name, written in self.files.items():
            names += sheet_format(name).variant_files(written, variant)
        return names

    def runtime_names(self) -> list[str]:
        """What the run-time palette swap adds for the group's formats (Godot: its frames on the index maps)."""
        return [
            name for fmt, written in self.files.items() for name in sheet_format(fmt).runtime_files(written, self.pages)
        ]

    def colours(self) -> NDArray[np.uint8]:
        """The colours of the group's sprites (or a palette that holds them all)."""
        if self.indexed is not None:
            return self.indexed.colors
        return np.unique(np.concatenate([cell[:, :, :3][cell[:, :, 3] > 0] for cell in self.cells]), axis=0)


@dataclass
class VariantPlan:
    """The variants to write after the base sheets, read and checked."""

    character: str
    base: NDArray[np.uint8]
    variants: list[tuple[str, NDArray[np.uint8]]]
    groups: list[GroupFiles]
    notes: list[str]

    def runtime_names(self) -> list[str]:
        """The index maps (and a ``.tres`` of each group cut from them), the palettes texture and the shader."""
        names = [f"{page}{INDEX_SUFFIX}.png" for group in self.groups for page in group.pages]
        names += [name for group in self.groups for name in group.runtime_names()]
        return [*names, f"{self.character}{PALETTES_SUFFIX}.png", f"{self.character}{SHADER_SUFFIX}.gdshader"]

    def paths(self) -> list[Path]:
        """Every file :func:`~.variant_writing.write_variants` writes, relative to the sheets folder."""
        names = self.runtime_names()
        for variant, _ in self.variants:
            names += [name for group in self.groups for name in group.variant_names(variant)]
        return [Path(name) for name in names]


def plan_variants(
    folder: Path,
    sprite_set: SpriteSet,
    options: VariantOptions,
    palette: Palette | None,
    groups: Sequence[GroupFiles],
    base_paths: Sequence[Path],
) -> VariantPlan | None:
    """Read and check the variants (the manifest's, unless not ``options.keep_variants``, and ``options.variants``)
    before any sheet is written; None without variants. The set's manifest entry is updated.

    ``palette`` is what the variants index when the manifest keeps no palette; ``base_paths`` are the base files
    (relative to the sheets folder).

    Raises
    ------
    SheetError
        Naming the variant: a file of another length, a palette file that cannot be read, a name whose files repeat
        or clash with another output, or sprites with colours outside the palette.
    """
    variants = chosen_variants(sprite_set.variants, options.variants, folder, keep=options.keep_variants)
    sprite_set.variants = manifest_variants(variants, folder)
    if not variants:
        return None
    base = indexed_palette(sprite_set, palette, folder)
    index = PaletteIndex(base)
    for group in groups:
        index.indices(group.colours(), f"{VARIANT_FLAG}: the sprites of {group.pages[0]}")
    read = []
    for variant in variants:
        shown = f"{VARIANT_FLAG} {variant.name}={variant.file}"
        try:
            entries = read_palette_entries(variant.file)
        except PaletteFileError as error:
            raise SheetError(f"{shown}: {error}") from error
        if len(entries) != len(base):
            raise SheetError(
                f"{shown}: {len(entries)} colours, and the sprites' palette has {len(base)}; a variant replaces "
                "entry i with its entry i, so it needs exactly as many (start from `pixel-sprites palette-variant`)"
            )
        read.append((variant.file_name, entries))
    plan = VariantPlan(sprite_set.character, base, read, list(groups), [])
    _check_names(variants, plan, base_paths)
    for variant, (_, entries) in zip(variants, read, strict=True):
        warning = _readability(variant.name, base, entries)
        if warning is not None:
            plan.notes.append(warning)
    return plan


def indexed_palette(sprite_set: SpriteSet, palette: Palette | None, folder: Path) -> NDArray[np.uint8]:
    """The palette variants index: the sprites' colours as written (the manifest's, else ``palette``, which the
    caller decided: see ``jobs.set_files``)."""
    if sprite_set.palette:
        colours = Palette.from_hex_codes(sprite_set.palette).colors
    elif palette is not None:
        colours = palette.colors
    else:
        # Shared by `sheet --variant` and `palette-variant`: worded for both, naming neither's options.
        raise SheetError(
            f"{folder}: no palette for palette variants to replace: no set manifest, run report or .gpl palette "
            "beside the sprites (process or apply writes them with the sprites)"
        )
    if len(colours) > MAX_ENTRIES:
        raise SheetError(
            f"{folder}: the sprites' palette has {len(colours)} colours, and palette variants swap at most "
            f"{MAX_ENTRIES} (what an index map holds)"
        )
    return np.ascontiguousarray(colours)


def _check_names(variants: Sequence[PaletteVariant], plan: VariantPlan, base_paths: Sequence[Path]) -> None:
    by_file_name: dict[str, PaletteVariant] = {}
    for variant in variants:
        earlier = by_file_name.setdefault(variant.file_name.casefold(), variant)
        if earlier is not variant:
            raise SheetError(
                f"{VARIANT_FLAG}: {earlier.name!r} and {variant.name!r} both give files named "
                f"<sheet>.{variant.file_name}.png; rename one"
            )
    owners = {path.as_posix().casefold(): "a sheet's file" for path in base_paths}
    for name in plan.runtime_names():
        if name.casefold() in owners:
            raise SheetError(
                f"{VARIANT_FLAG}: the palette swap file {name} would be {owners[name.casefold()]} too; rename the "
                "action whose sheet has that name"
            )
        owners[name.casefold()] = "an index map or a palette swap file"
    for variant in variants:
        for group in plan.groups:
            for name in group.variant_names(variant.file_name):
                owner = owners.get(name.casefold())
                if owner is not None:
                    raise SheetError(
                        f"{VARIANT_FLAG} {variant.name}: its file {name} would be {owner} too; rename the variant"
                    )
                owners[name.casefold()] = f"a file of variant {variant.name!r}"


def _readability(name: str, base: NDArray[np.uint8], variant: NDArray[np.uint8]) -> str | None:
    """A warning naming the colours that differ in the base but come within ΔE2000 2 of each other in ``variant``."""
    base_lab, variant_lab = srgb_to_lab(base), srgb_to_lab(variant)
    first, second = np.triu_indices(len(base), k=1)
    apart = delta_e_2000(base_lab[first], base_lab[second]) >= READABLE_DELTA_E
    close = delta_e_2000(variant_lab[first], variant_lab[second])
    pairs = np.flatnonzero(apart & (close < READABLE_DELTA_E))
    if pairs.size == 0:
        return None

    def code(colour: NDArray[np.uint8]) -> str:
        return f"#{int(colour_codes(colour)):06x}"

    shown = [
        f"{i} {code(base[i])} and {j} {code(base[j])} → {code(variant[i])} and {code(variant[j])} (ΔE {close[p]:.1f})"
        for p, i, j in ((p, int(first[p]), int(second[p])) for p in itertools.islice(pairs, _SHOWN_PAIRS))
    ]
    more = f", and {pairs.size - _SHOWN_PAIRS} more" if pairs.size > _SHOWN_PAIRS else ""
    return (
        f"variant {name}: {pairs.size} pairs of colours that differ in the sprites' palette come within ΔE2000 "
        f"{READABLE_DELTA_E:g} of each other and may not be told apart (entries {'; '.join(shown)}{more})"
    )
