"""The cleanup section: what ``--cleanup`` and ``--outline`` do to sprites at 16 colours, and what they cost.

For nearest and majority sampling, on every character, without and with clean-up: isolated pixels (opaque pixels
unlike all four neighbours, as the sampling section counts them: a transparent neighbour counts as unlike) and
enclosed specks (isolated pixels whose four neighbours are all opaque: what clean-up acts on); the share of opaque
pixels clean-up recolours; the share of selout pixels darker (DIN99o lightness) than every pixel they border, and
of those bordering the palette's darkest colour (the rule has no darker one to give them). On
renders of one still pose that differ only in render noise (of the demo character and of each quality character,
raw and denoised): flicker (the share of opaque pixels that change from frame to frame) without and with clean-up,
and the two sides of the difference: changes clean-up takes away (a speck of noise recoloured as its neighbours)
and changes it adds (a pixel of one colour in both frames that is a speck in one of them only, because a neighbour
flickered, or a speck recoloured differently because its neighbours did). And the milliseconds clean-up and each
outline add to a sprite (the sprites are finished again from their palette indices, as the writer does, so the
figure is the finishing's own).
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from .inputs import Inputs
from .sampling import STILL, STILL_FRAMES, speckle_share, sprites_with

# (label, --outline, --outline-neighbours, --cleanup) of the cost table.
FINISHES = (
    ("cleanup", "none", 4, True),
    ("outer", "outer", 4, False),
    ("outer 8 + cleanup", "outer", 8, True),
    ("inner + cleanup", "inner", 4, True),
    ("selout + cleanup", "selout", 4, True),
)
TIMING_ROUNDS = 9


def _indices(sprite: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """A written RGBA sprite as indices into ``colours`` (-1 transparent)."""
    codes = sprite[:, :, :3].astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    palette_codes = colours.astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    indices = np.searchsorted(palette_codes[np.argsort(palette_codes)], codes)
    indices = np.argsort(palette_codes)[np.minimum(indices, len(colours) - 1)]
    return np.where(sprite[:, :, 3] == 255, indices, -1).astype(np.int16)


def _rgba(indices: np.ndarray, colours: np.ndarray) -> np.ndarray:
    rgba = np.zeros((*indices.shape, 4), np.uint8)
    rgba[indices >= 0, :3] = colours[indices[indices >= 0]]
    rgba[indices >= 0, 3] = 255
    return rgba


def enclosed_specks(indices: np.ndarray) -> int:
    """Opaque pixels whose four neighbours are all opaque and all unlike them: the specks ``--cleanup`` is for."""
    padded = np.pad(indices, 1, constant_values=-1)
    height, width = indices.shape
    specks = indices >= 0
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        neighbour = padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
        specks &= (neighbour >= 0) & (neighbour != indices)
    return int(specks.sum())


def _darker_share(indices: np.ndarray, finished: np.ndarray, din99o: np.ndarray) -> tuple[int, int, int]:
    """(selout pixels darker than every opaque 4-neighbour they border, selout pixels bordering one, those of them
    bordering the palette's darkest colour: for these the rule has no darker colour and gives the darkest)."""
    line = (finished >= 0) & (indices < 0)
    padded = np.pad(indices, 1, constant_values=-1)
    rows, cols = np.nonzero(line)
    around = np.stack([padded[1 + rows + dr, 1 + cols + dc] for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))], 1)
    bordering = (around >= 0).any(axis=1)
    darkest = np.where(around >= 0, din99o[around, 0], np.inf).min(axis=1)
    darker = din99o[finished[rows, cols], 0] < darkest
    none_darker = bordering & (darkest <= din99o[:, 0].min())
    return int((darker & bordering).sum()), int(bordering.sum()), int(none_darker.sum())


def finish_figures(paths: list[Path], sampling: str, out: Path, *, still: bool) -> dict[str, Any]:
    """The figures of one set of frames made with ``sampling``."""
    from pixel_sprites.engine.palette.files import read_palette
    from pixel_sprites.engine.sprites.finishing import FinishSettings, finish_indices

    sprites, _ = sprites_with(sampling, paths, out)
    palette = read_palette(out / "palette.gpl")
    indices = [_indices(sprite, palette.colors) for sprite in sprites]
    cleanup = FinishSettings(cleanup=True)
    cleaned = [finish_indices(sprite, palette, cleanup, None).indices for sprite in indices]
    selout = [finish_indices(sprite, palette, FinishSettings(outline="selout"), None).indices for sprite in indices]
    darker = np.array([_darker_share(a, b, palette.din99o) for a, b in zip(indices, selout, strict=True)]).sum(0)
    opaque = sum(int((sprite >= 0).sum()) for sprite in indices)
    changed = sum(int((a != b).sum()) for a, b in zip(indices, cleaned, strict=True))
    figures: dict[str, Any] = {
        "frames": len(paths),
        "isolated_percent": 100 * mean(speckle_share(sprite) for sprite in sprites),
        "isolated_cleaned_percent": 100 * mean(speckle_share(_rgba(c, palette.colors)) for c in cleaned),
        "cleanup_changed_percent": 100 * changed / opaque,
        "enclosed_percent": 100 * sum(enclosed_specks(sprite) for sprite in indices) / opaque,
        "enclosed_cleaned_percent": 100 * sum(enclosed_specks(sprite) for sprite in cleaned) / opaque,
        "silhouette_kept": all(((a >= 0) == (b >= 0)).all() for a, b in zip(indices, cleaned, strict=True)),
        "selout_darker_percent": 100 * darker[0] / max(1, darker[1]),
        "selout_bordering_darkest_percent": 100 * darker[2] / max(1, darker[1]),
    }
    if still:
        figures |= flicker_figures(indices, cleaned)
    figures["ms_per_sprite"] = finish_costs(indices, palette)
    return figures


def flicker_figures(indices: list[np.ndarray], cleaned: list[np.ndarray]) -> dict[str, float]:
    """Flicker without and with clean-up, and the changes clean-up takes away and adds, as shares of the opaque
    pixels of each pair of consecutive frames (averaged over the pairs)."""
    shares: dict[str, list[float]] = {"flicker": [], "flicker_cleaned": [], "flicker_removed": [], "flicker_added": []}
    for (first, second), (first_cleaned, second_cleaned) in zip(
        itertools.pairwise(indices), itertools.pairwise(cleaned), strict=True
    ):
        opaque = max(1, int(((first >= 0) | (second >= 0)).sum()))
        changed, changed_cleaned = first != second, first_cleaned != second_cleaned
        for key, pixels in (
            ("flicker", changed),
            ("flicker_cleaned", changed_cleaned),
            ("flicker_removed", changed & ~changed_cleaned),
            ("flicker_added", changed_cleaned & ~changed),
        ):
            shares[key].append(int(pixels.sum()) / opaque)
    return {f"{key}_percent": 100 * mean(values) for key, values in shares.items()}


def finish_costs(indices: list[np.ndarray], palette: Any) -> dict[str, float]:
    """Milliseconds per sprite of each finish in ``FINISHES``: the best of ``TIMING_ROUNDS`` rounds."""
    from pixel_sprites.engine.sprites.finishing import FinishSettings, finish_indices

    dark = int(np.argmin(palette.din99o[:, 0]))
    costs = {}
    for label, outline, neighbours, cleanup in FINISHES:
        settings = FinishSettings(outline=outline, neighbours=neighbours, cleanup=cleanup)
        rounds = []
        for _ in range(TIMING_ROUNDS):
            started = time.perf_counter()
            for sprite in indices:
                finish_indices(sprite, palette, settings, dark)
            rounds.append(1000 * (time.perf_counter() - started) / len(indices))
        costs[label] = min(rounds)
    return costs


def cleanup_rows(sets: dict[str, list[Path]], work: Path, stills: set[str]) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for name, paths in sets.items():
        folder = work / "cleanup" / name.replace(" ", "_")
        rows[name] = {
            sampling: finish_figures(paths, sampling, folder / sampling, still=name in stills)
            for sampling in ("nearest", "majority")
        }
    return rows


def cleanup_section(inputs: Inputs) -> dict[str, Any]:
    """With ``--frames-from``, the given frames alone (no Blender); else still poses (the demo character's and each
    quality character's, raw and denoised) and every character."""
    if inputs.options.frames_from is not None:
        return {"colours": 16, "sets": cleanup_rows({inputs.base_name: inputs.base_frames}, inputs.options.work, set())}
    stills = {STILL: inputs.still_pose(STILL_FRAMES)}
    for name in (name for name in inputs.characters if name != inputs.base_name):
        stills[f"still {name}"] = inputs.still_pose(STILL_FRAMES, name)
        stills[f"still {name} denoised"] = inputs.still_pose(STILL_FRAMES, name, denoised=True)
    sets = stills | inputs.characters
    return {"colours": 16, "sets": cleanup_rows(sets, inputs.options.work, set(stills))}
