"""The kinds of the files a set's sheets folder holds, and taking away the variant files a run no longer makes.

Base sheets and their engine files are ``sheet``; a variant's copies, the index maps, the variant palettes texture
and the palette-swap shader each have a kind of their own (see ``files.kinds``), so that ``sheet --no-variants``
(or a variant left out) takes away exactly what the tool wrote for variants, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..files import kinds
from ..files.record import claim, forget, recorded_of_kinds
from .index_maps import PALETTES_SUFFIX, SHADER_SUFFIX
from .variants import VariantPlan


def _variant_kind(name: str, runtime: set[str]) -> str:
    if name not in runtime:
        return kinds.VARIANT_SHEET
    if name.endswith(f"{PALETTES_SUFFIX}.png"):
        return kinds.VARIANT_PALETTES
    if name.endswith(f"{SHADER_SUFFIX}.gdshader"):
        return kinds.VARIANT_SHADER
    return kinds.INDEX_MAP  # an index map page, or the Godot resource cut from them (named with INDEX_SUFFIX)


def claim_sheet_files(
    folder: Path, out: Path, base_paths: Sequence[Path], variants: VariantPlan | None
) -> dict[Path, str]:
    """Claim every file of a set's sheets (``base_paths`` and the variants' files, relative to ``out``) in
    ``folder``'s record, each as its kind, before the first is written; returns them (absolute path → kind)."""
    files = {out / path: kinds.SHEET for path in base_paths}
    variant_files = {}
    if variants is not None:
        runtime = set(variants.runtime_names())
        variant_files = {out / path: _variant_kind(path.name, runtime) for path in variants.paths()}
    wanted = kinds.combined(files, variant_files)
    claim(wanted, root=folder)
    return wanted


def remove_unmade_variant_files(folder: Path, out: Path, written: dict[Path, str], names: Sequence[str]) -> list[Path]:
    """Take away the variant files of this set's sheets (named after one of ``names``: its groups and character)
    that the tool wrote before and this run did not (``sheet --no-variants``, a variant left out). Returns them."""
    below = out.relative_to(folder).as_posix()
    old = recorded_of_kinds(folder, kinds.VARIANT_KINDS, below=below)
    unmade = {
        path: kind
        for path, kind in old.items()
        if path not in written and any(path.name.startswith(name) for name in names)
    }
    return forget(unmade, root=folder, remove=True)
