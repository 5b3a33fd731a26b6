"""Writing the variants of :mod:`.variants` from the base sheets just written: each page is read back once, its
palette indices found, and every variant file derived from the base file of its kind."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..files.atomic import write_atomically
from ..files.png_fast import encode_png_fast
from .formats import sheet_format
from .index_maps import INDEX_SUFFIX, PALETTES_SUFFIX, SHADER, SHADER_SUFFIX, index_map_png, palettes_png
from .palette_chunks import (
    png_is_paletted,
    png_palette,
    repaint_png_palette,
)
from .recolour import PaletteIndex, Recolour
from .variants import GroupFiles, VariantPlan


def write_variants(out: Path, plan: VariantPlan, written: list[Path]) -> None:
    """Every file of ``plan`` into the sheets folder ``out``, beside the base files; each path is added to
    ``written``. The paths were claimed with the base sheets."""
    index = PaletteIndex(plan.base)
    recolours = [(name, Recolour(index, colours)) for name, colours in plan.variants]

    def write(name: str, data: bytes) -> None:
        write_atomically(out / name, data)
        written.append(out / name)

    for group in plan.groups:
        _write_group(out, group, index, recolours, write)
    write(f"{plan.character}{PALETTES_SUFFIX}.png", palettes_png([plan.base, *(c for _, c in plan.variants)]))
    write(f"{plan.character}{SHADER_SUFFIX}.gdshader", SHADER.encode("utf-8"))


def _write_group(
    out: Path,
    group: GroupFiles,
    index: PaletteIndex,
    recolours: list[tuple[str, Recolour]],
    write: Callable[[str, bytes], None],
) -> None:
    """The group's index maps and each variant's pages, then each format's run-time files and variant copies."""
    for page in group.pages:
        data = (out / f"{page}.png").read_bytes()
        indices, alpha = _page_indices(data, index, f"{page}.png")
        write(f"{page}{INDEX_SUFFIX}.png", index_map_png(indices, alpha))
        slots = np.where(alpha > 0, indices, index.size)  # each pixel's row of a colour table, the last transparent
        for name, recolour in recolours:
            if png_is_paletted(data):
                variant = repaint_png_palette(data, recolour, f"{page}.png")
            else:
                variant = encode_png_fast(_recoloured_rgba(slots, alpha, recolour.variant))
            write(f"{page}.{name}.png", variant)
    for name, written in group.files.items():
        sheet_format(name).write_variants(out, written, group.pages, recolours, write)


def _recoloured_rgba(slots: NDArray[np.intp], alpha: NDArray[np.uint8], colours: NDArray[np.uint8]) -> NDArray:
    """The page in the variant's ``colours``, alpha unchanged, transparent pixels all 0 (as the sheets have them):
    one look-up of whole pixels in a table of the colours, opaque, and a transparent last row."""
    table = np.zeros((len(colours) + 1, 4), np.uint8)
    table[:-1, :3] = colours
    table[:-1, 3] = 255
    rgba = table.view(np.uint32).ravel()[slots].view(np.uint8).reshape(*slots.shape, 4)
    if not ((alpha == 0) | (alpha == 255)).all():  # never from this tool's sheets, whose alpha is 0 or 255
        rgba[..., 3] = alpha
    return rgba


def _page_indices(data: bytes, index: PaletteIndex, where: str) -> tuple[NDArray[np.intp], NDArray[np.uint8]]:
    """Each pixel's index into the palette the variants index (0 where transparent), and its alpha."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    if png_is_paletted(data):
        entries, entry_alpha = png_palette(data, where)
        pixels = np.asarray(image)
        known, entry_index = index.known(entries)
        used = np.bincount(pixels.ravel(), minlength=len(entries))[: len(entries)] > 0
        opaque_used = used & (entry_alpha > 0)
        if (opaque_used & ~known).any():
            index.indices(entries[opaque_used], where)  # raises, naming the colour
        return entry_index[pixels], entry_alpha[pixels]
    rgba = np.asarray(image if image.mode == "RGBA" else image.convert("RGBA"))
    return index.pixel_indices(rgba, where), rgba[..., 3].copy()
