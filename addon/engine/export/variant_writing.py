"""Writing the variants of :mod:`.variants` from the base sheets just written: each page is read back once, its
palette indices found, and every variant file derived from the base file of its kind."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..files.atomic import write_atomically
from ..files.png_fast import encode_png_fast
from .index_maps import INDEX_SUFFIX, PALETTES_SUFFIX, SHADER, SHADER_SUFFIX, index_map_png, palettes_png
from .palette_chunks import (
    png_is_paletted,
    png_palette,
    repaint_aseprite_palette,
    repaint_gif_palettes,
    repaint_png_palette,
)
from .recolour import PaletteIndex, Recolour
from .variants import GroupFiles, VariantPlan, index_resource_name


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
            if group.json:
                text = (out / f"{page}.json").read_text(encoding="utf-8")
                write(f"{page}.{name}.json", _with_image(text, f"{page}.png", f"{page}.{name}.png").encode("utf-8"))
    if group.tres:
        text = (out / group.tres).read_text(encoding="utf-8")
        write(index_resource_name(group.tres), _with_pages(text, group.pages, INDEX_SUFFIX).encode("utf-8"))
    for name, recolour in recolours:
        if group.tres:
            write(_with_variant(group.tres, name), _with_pages(text, group.pages, f".{name}").encode("utf-8"))
        if group.aseprite:
            data = (out / group.aseprite).read_bytes()
            write(_with_variant(group.aseprite, name), repaint_aseprite_palette(data, recolour, group.aseprite))
        for preview in group.previews:
            data = (out / preview).read_bytes()
            if preview.endswith(".gif"):
                repainted = repaint_gif_palettes(data, recolour, preview)
            else:
                repainted = _repaint_animated_png(data, recolour, preview)
            write(_with_variant(preview, name), repainted)


def _with_image(text: str, image: str, variant_image: str) -> str:
    """A page's JSON text naming ``variant_image`` in ``meta.image`` and otherwise the same, byte for byte (only
    ``meta`` has an ``image`` key; the JSON is parsed when the text does not show it exactly once)."""
    old, new = (f'"image": {json.dumps(name, ensure_ascii=False)}' for name in (image, variant_image))
    if text.count(old) == 1:
        return text.replace(old, new)
    sheet = json.loads(text)
    sheet["meta"]["image"] = variant_image
    return json.dumps(sheet, indent=1, ensure_ascii=False) + "\n"


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


def _with_pages(tres: str, pages: tuple[str, ...], suffix: str) -> str:
    """A ``.tres`` whose pages ``<page>.png`` are ``<page><suffix>.png``; normal sheets stay as they are."""
    for page in pages:
        tres = tres.replace(f' path="{page}.png" ', f' path="{page}{suffix}.png" ')
    return tres


def _with_variant(name: str, variant: str) -> str:
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{variant}.{suffix}"


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


def _repaint_animated_png(data: bytes, recolour: Recolour, where: str) -> bytes:
    """An RGBA preview (APNG) with every frame's colours recoloured, timing and looping kept."""
    from PIL import Image, ImageSequence

    source = Image.open(io.BytesIO(data))
    frames = []
    for frame in ImageSequence.Iterator(source):
        rgba = np.array(frame.convert("RGBA"))
        opaque = rgba[..., 3] > 0
        rgba[..., :3][opaque] = recolour(rgba[..., :3][opaque], where)
        frames.append(Image.fromarray(rgba, "RGBA"))
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="PNG", save_all=True, append_images=frames[1:], duration=source.info.get("duration", 100),
        loop=0, disposal=1,
    )  # fmt: skip
    return buffer.getvalue()
