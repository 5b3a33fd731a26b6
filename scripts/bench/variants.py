"""The variants section: what each palette variant adds to writing a set's sheets with every engine file (the
sheets section's ``--sheet-cells`` sprites), for paletted and for RGBA sheets. Each way (no variant, 4 variants)
runs ``RUNS`` times in turn; a variant's cost is the median difference over 4, as a share of the base sheets'
median time (goal: at most 10% each)."""

from __future__ import annotations

import shutil
import statistics
import time
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


def variants_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine
    from pixel_sprites.engine.export.variants import PaletteVariant

    work = inputs.options.work / "sheet_variants"
    shutil.rmtree(work, ignore_errors=True)
    write_sprite_set(work, inputs.options.sheet_cells)
    cells = [engine.read_frame(path).rgba for path in sorted(work.glob("run/*/*.png"))]
    opaque = np.concatenate([cell[:, :, :3][cell[:, :, 3] == 255] for cell in cells])
    palette = engine.Palette.from_colors(opaque)
    variants = tuple(PaletteVariant(name, path) for name, path in _variant_files(work, palette.colors))
    kinds: dict[str, Any] = {}
    for kind, rgba in (("paletted", False), ("RGBA", True)):
        seconds: dict[int, list[float]] = {0: [], VARIANTS: []}
        for _ in range(RUNS):
            for count in seconds:
                options = engine.SheetOptions(rgba=rgba, variants=variants[:count], keep_variants=False)
                sprite_set = engine.open_sprite_set(work)
                started = time.perf_counter()
                engine.write_sheets(work, sprite_set, options, palette)
                seconds[count].append(time.perf_counter() - started)
        base, with_variants = statistics.median(seconds[0]), statistics.median(seconds[VARIANTS])
        per_variant = (with_variants - base) / VARIANTS
        kinds[kind] = {
            "base_seconds": seconds[0], "with_variants_seconds": seconds[VARIANTS],
            "per_variant_seconds": per_variant, "per_variant_percent": 100 * per_variant / base,
        }  # fmt: skip
    return {"cells": len(cells), "variants": VARIANTS, "runs": RUNS, "kinds": kinds}
