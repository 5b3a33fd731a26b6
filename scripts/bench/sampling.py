"""The sampling section: ``--sampling nearest`` against ``majority`` at 16 colours, one worker.

For each way: milliseconds per frame, speckle (opaque pixels whose colour differs from all four neighbours) on
every character, and on renders of one still pose that differ only in their render noise (Cycles' seed), as
consecutive frames of a character standing still do, flicker (pixels that change from frame to frame) and the
error against each block's average colour.
"""

from __future__ import annotations

import itertools
import shutil
import time
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from .inputs import SPRITE_SIZE, Inputs

COLOURS = 16
STILL_FRAMES = 8
STILL = "still pose"


def speckle_share(sprite: np.ndarray) -> float:
    """The share of opaque pixels whose colour differs from all four neighbours (inside the sprite)."""
    codes = sprite[:, :, :3].astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    opaque = sprite[:, :, 3] == 255
    lonely = opaque[1:-1, 1:-1].copy()
    for neighbour in (codes[:-2, 1:-1], codes[2:, 1:-1], codes[1:-1, :-2], codes[1:-1, 2:]):
        lonely &= codes[1:-1, 1:-1] != neighbour
    return float(lonely.sum() / max(1, opaque.sum()))


def changed_share(first: np.ndarray, second: np.ndarray) -> float:
    """The share of pixels opaque in either frame whose RGBA differs between the two."""
    either = (first[:, :, 3] == 255) | (second[:, :, 3] == 255)
    return float((first != second).any(axis=2)[either].sum() / max(1, either.sum()))


def error_to_block_average(sprite: np.ndarray, rgba: np.ndarray) -> float:
    """Mean ΔE2000 of each opaque sprite pixel against the mean CIELAB colour of its block's opaque pixels."""
    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab
    from pixel_sprites.engine.palette.majority import block_edges

    rows, cols = block_edges(rgba.shape[0], sprite.shape[0]), block_edges(rgba.shape[1], sprite.shape[1])
    lab = srgb_to_lab(rgba[:, :, :3])
    opaque = rgba[:, :, 3] >= 128
    errors = []
    for row, col in zip(*np.nonzero(sprite[:, :, 3] == 255), strict=True):
        block = (slice(rows[row], rows[row + 1]), slice(cols[col], cols[col + 1]))
        if opaque[block].any():
            average = lab[block][opaque[block]].mean(axis=0)
            errors.append(float(delta_e_2000(srgb_to_lab(sprite[row, col, :3]), average)))
    return float(np.mean(errors))


def read_sprites(out: Path, paths: list[Path]) -> list[np.ndarray]:
    """The sprites in ``out`` of the frames ``paths``, in their order, as RGBA arrays."""
    from PIL import Image

    return [np.asarray(Image.open(out / path.name).convert("RGBA")) for path in paths]


def sprites_with(
    sampling: str, paths: list[Path], out: Path, *, stabilise: bool = False
) -> tuple[list[np.ndarray], float]:
    """The sprites of ``paths`` made with ``sampling`` (one ``process`` on one worker, one palette over them, with
    Steady Colours if ``stabilise``), and the milliseconds per frame it took."""
    from pixel_sprites import engine

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    engine.process(
        engine.discover_frames([paths[0].parent]),
        [paths[0].parent],
        engine.DownscaleSettings(size=SPRITE_SIZE, sampling=sampling),
        engine.PaletteSettings(colors=COLOURS),
        engine.OutputSettings(folder=out, stabilise=stabilise),
        engine.RunOptions(workers=1),
    )
    milliseconds = 1000 * (time.perf_counter() - started) / len(paths)
    return read_sprites(out, paths), milliseconds


def sampling_row(name: str, paths: list[Path], work: Path) -> dict[str, Any]:
    from pixel_sprites import engine

    row: dict[str, Any] = {"frames": len(paths)}
    for sampling in engine.options.SAMPLINGS:
        sprites, milliseconds = sprites_with(sampling, paths, work / "sampling" / name.replace(" ", "_") / sampling)
        figures = {"ms_per_frame": milliseconds, "speckle_percent": 100 * mean(speckle_share(s) for s in sprites)}
        if name == STILL:
            figures["flicker_percent"] = 100 * mean(changed_share(*pair) for pair in itertools.pairwise(sprites))
            figures["delta_e_to_block_average"] = mean(
                error_to_block_average(sprite, engine.read_frame(path).rgba)
                for sprite, path in zip(sprites, paths, strict=True)
            )
        row[sampling] = figures
    row["majority_cost_ms_per_frame"] = row["majority"]["ms_per_frame"] - row["nearest"]["ms_per_frame"]
    return row


def sampling_section(inputs: Inputs) -> dict[str, Any]:
    sets = {STILL: inputs.still_pose(STILL_FRAMES), **inputs.characters}
    return {
        "colours": COLOURS,
        "render_size": list(inputs.options.render_size),
        "samples": inputs.options.samples,
        "sets": {name: sampling_row(name, paths, inputs.options.work) for name, paths in sets.items()},
    }
