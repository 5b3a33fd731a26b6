"""The sheets section: packing sheets for ``--sheet-cells`` 64x90 sprites (one action, 8 facings, random blocky
sprites of 16 colours), with JSON only and with every engine file (JSON, Godot, ``.aseprite``, preview); seconds
per 1,000 cells."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from .inputs import SPRITE_SIZE, Inputs

FACINGS = 8
BLOCK = (6, 4)  # rows, columns of sprite pixels per random colour block


def write_sprite_set(folder: Path, cells: int) -> None:
    from pixel_sprites import engine

    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    width, height = SPRITE_SIZE
    for facing in engine.facings(FACINGS):
        for frame in range(cells // FACINGS):
            indices = rng.integers(0, 16, (height // BLOCK[0], width // BLOCK[1]))
            sprite = np.zeros((height, width, 4), np.uint8)
            sprite[:, :, :3] = np.repeat(np.repeat(colours[indices], BLOCK[0], axis=0), BLOCK[1], axis=1)
            sprite[:, :, 3] = 255
            engine.write_png(sprite, folder / "run" / facing.name / f"{frame + 1:04d}.png")


def sheets_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine

    work = inputs.options.work / "sheet_packing"
    shutil.rmtree(work, ignore_errors=True)
    write_sprite_set(work, inputs.options.sheet_cells)
    seconds_per_thousand = {}
    for formats in (("json",), tuple(engine.SHEET_FORMATS)):
        sprite_set = engine.open_sprite_set(work)
        started = time.perf_counter()
        report = engine.write_sheets(work, sprite_set, engine.SheetOptions(formats=formats))
        seconds_per_thousand["+".join(formats)] = (time.perf_counter() - started) * 1000 / report.cells
    return {"cells": FACINGS * (inputs.options.sheet_cells // FACINGS), "seconds_per_1000_cells": seconds_per_thousand}
