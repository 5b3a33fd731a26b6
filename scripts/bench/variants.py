"""The variants section: what each palette variant adds to writing a set's sheets with every engine file (the
sheets section's ``--sheet-cells`` sprites), for paletted and for RGBA sheets. Each run writes the sheets with 4
variants; the variants' post-stage (``write_variants``, which also writes the index maps and the palette swap
files) is timed on its own, inside the same call, so a variant's cost is the post-stage's time over 4 as a share
of the rest, the base sheets (goal: at most 10% each). Medians of ``RUNS`` runs."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .inputs import Inputs
from .sheets import write_sprite_set

VARIANTS = 4
RUNS = 5


def _variant_files(folder: Path, palette: np.ndarray) -> list[tuple[str, Path]]:
    rng = np.random.default_rng(1)
    files = []
    for number in range(VARIANTS):
        colours = rng.integers(0, 256, palette.shape, dtype=np.uint8)
        path = folder / f"variant_{number}.hex"
        path.write_text("".join(f"{r:02x}{g:02x}{b:02x}\n" for r, g, b in colours.tolist()))
        files.append((f"v{number}", path))
    return files


def _timed(function: Callable[..., None], spent: list[float]) -> Callable[..., None]:
    def run(*args: Any, **keywords: Any) -> None:
        started = time.perf_counter()
        function(*args, **keywords)
        spent.append(time.perf_counter() - started)

    return run


def variants_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine
    from pixel_sprites.engine.export import sheets
    from pixel_sprites.engine.export.variants import PaletteVariant

    work = inputs.options.work / "sheet_variants"
    shutil.rmtree(work, ignore_errors=True)
    write_sprite_set(work, inputs.options.sheet_cells)
    cells = [engine.read_frame(path).rgba for path in sorted(work.glob("run/*/*.png"))]
    palette = engine.Palette.from_colors(np.concatenate([cell[:, :, :3][cell[:, :, 3] == 255] for cell in cells]))
    variants = tuple(PaletteVariant(name, path) for name, path in _variant_files(work, palette.colors))
    kinds: dict[str, Any] = {}
    write_variants = sheets.write_variants
    post_stage: list[float] = []
    sheets.write_variants = _timed(write_variants, post_stage)  # type: ignore[assignment]
    try:
        for kind, rgba in (("paletted", False), ("RGBA", True)):
            base, variant = [], []
            for _ in range(RUNS):
                options = engine.SheetOptions(rgba=rgba, variants=variants, keep_variants=False)
                started = time.perf_counter()
                engine.write_sheets(work, engine.open_sprite_set(work), options, palette)
                total = time.perf_counter() - started
                base.append(total - post_stage[-1])
                variant.append(post_stage[-1] / VARIANTS)
            kinds[kind] = {
                "base_seconds": base, "per_variant_seconds": variant,
                "per_variant_percent": [100 * each / whole for each, whole in zip(variant, base, strict=True)],
            }  # fmt: skip
    finally:
        sheets.write_variants = write_variants
    return {"cells": len(cells), "variants": VARIANTS, "runs": RUNS, "kinds": kinds}
