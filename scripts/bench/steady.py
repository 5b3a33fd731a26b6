"""The steady section: what Steady Colours (``--stabilise``) does to flicker, to moving poses, and what it costs.

On characters no test renders (the golem and the alchemist of ``in_blender/unseen_characters.py``, and the knight
of ``scripts/quality_characters.py``), Cycles renders at the run's size and samples, 64x90 sprites of 16 colours,
for nearest and majority sampling, plain and steadied, all through the engine's ``process`` and ``apply``:

``still``
    8 renders of one still pose that differ only in Cycles' seed, one palette fitted over the 8: flicker, the
    share of opaque pixels that change from one frame to the next (as the sampling section counts it); and the
    same over the 8 played twice, a longer idle, where the rule's blocks of ``LOOK_BACK`` frames hand over;
``moving``
    a pose swinging through 12 frames, rendered twice: at the run's samples (the input) and at 64 samples through
    OpenImageDenoise (the reference); one palette fitted on the reference and locked for both: the mean ΔE2000 of
    the input's sprites against the reference's, plain and steadied, and *stuck* pixels, where the reference's
    sprite changed colour by more than ΔE2000 10 between two frames, the plain sprite changed too, and the
    steadied one kept its colour from the frame before (a share of the opaque pixels);
``cost``
    milliseconds per sprite on one worker, plain and steadied, the fastest of a few runs in turn on the moving
    input looped 8 times (96 frames, one animation), and what steadying adds;
``memory``
    the peak memory of the whole process tree of ``pixel-sprites process`` on the default workers, plain and
    steadied, on the golem's moving input played over to 3,000 frames (one animation, longer than any run).

The renders are kept in the work folder (``steady_<size>_<samples>spp/<character>/{still,moving,reference}``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from .blender_jobs import run_in_bpy
from .inputs import SPRITE_SIZE, Inputs
from .process_memory import run_measured
from .sampling import COLOURS, changed_share, read_sprites, sprites_with

CHARACTERS = ("golem", "alchemist", "knight")
RULE_CONSTANTS = (
    "LOOK_BACK", "FRESH_WEIGHT", "MOVE_LIMIT", "NEAR_MARGIN", "REGION_RADIUS", "REGION_LIMIT", "ALPHA_MOVE",
    "VOTE_MOVE", "SHARE_MARGIN", "VOTE_REGION_RADIUS", "VOTE_REGION_LIMIT", "NORMAL_LIMIT_DEGREES",
)  # fmt: skip
"""The rule's constants (``addon/engine/sprites/stabilise.py``), kept with the figures they gave."""
STILL_FRAMES = 8
MOVING_FRAMES = 12
REFERENCE_SAMPLES = 64
# A reference sprite's pixel changing by more than this (ΔE2000) between two frames is a real change to follow.
REAL_CHANGE = 10.0
TIMING_ROUNDS = 5
TIMING_LOOPS = 8
WAYS = {"plain": False, "steadied": True}
MEMORY_FRAMES = 3000
"""The memory figure's one animation: longer than a run of the longest (``steady_runs.LONGEST_RUN``) on every worker,
so its peak is what any longer animation holds."""
MEMORY_CHARACTER = "golem"
CLI = "import sys; from pixel_sprites.cli import main; sys.exit(main(sys.argv[1:]))"
"""The command line as ``pixel-sprites`` runs it, from this Python."""


def renders(inputs: Inputs, character: str, kind: str) -> list[Path]:
    """The ``still``, ``moving`` or ``reference`` renders of ``character``, rendered unless already there."""
    folder = inputs.options.work / f"steady_{inputs.render_tag}" / character / kind
    frames = STILL_FRAMES if kind == "still" else MOVING_FRAMES
    if len(list(folder.glob("*.png"))) != frames:
        shutil.rmtree(folder, ignore_errors=True)
        job = {
            "character": character,
            "folder": str(folder),
            "resolution": list(inputs.options.render_size),
            "samples": REFERENCE_SAMPLES if kind == "reference" else inputs.options.samples,
            "frames": frames,
            "moving": kind != "still",
            "denoise": kind == "reference",
        }
        run_in_bpy("steady_frames.py", job)
    return sorted(folder.glob("*.png"))


def apply_sprites(paths: list[Path], out: Path, sampling: str, palette: Any, stabilise: bool) -> list[np.ndarray]:
    """``apply`` of the locked ``palette`` to ``paths`` on one worker: the sprites."""
    from pixel_sprites import engine

    shutil.rmtree(out, ignore_errors=True)
    engine.apply(
        engine.discover_frames([paths[0].parent]),
        [paths[0].parent],
        engine.DownscaleSettings(size=SPRITE_SIZE, sampling=sampling),
        palette,
        engine.OutputSettings(folder=out, stabilise=stabilise),
        engine.RunOptions(workers=1),
    )
    return read_sprites(out, paths)


def flicker_percent(sprites: list[np.ndarray]) -> float:
    """The mean share of opaque pixels that change from one frame to the next, in percent."""
    return 100 * mean(changed_share(*pair) for pair in itertools.pairwise(sprites))


def played_over(paths: list[Path], times: int) -> list[Path]:
    """``paths`` played ``times`` times over, as one animation: hard links in a folder beside theirs."""
    folder = paths[0].parent.with_name(f"{paths[0].parent.name}_{times}_times")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for position, path in enumerate(paths * times):
        os.link(path, folder / f"{position + 1:04d}.png")
    return sorted(folder.glob("*.png"))


def still_row(paths: list[Path], work: Path, sampling: str) -> dict[str, float]:
    """Flicker over the 8 renders, and over the 8 played twice (where ``LOOK_BACK`` blocks begin anew)."""
    row = {}
    for name, frames in (("", paths), ("twice_", played_over(paths, 2))):
        for way, stabilise in WAYS.items():
            sprites = sprites_with(sampling, frames, work / f"{name}{way}", stabilise=stabilise)[0]
            row[f"{name}{way}_flicker_percent"] = flicker_percent(sprites)
    return row


def _lab(sprite: np.ndarray) -> np.ndarray:
    from pixel_sprites.engine.colour.spaces import srgb_to_lab

    return srgb_to_lab(np.ascontiguousarray(sprite[:, :, :3]))


def moving_figures(truth: list[np.ndarray], made: dict[str, list[np.ndarray]]) -> dict[str, float]:
    """Mean ΔE2000 of each way's sprites (``plain``, ``steadied``) against the reference's sprites ``truth``, over
    pixels opaque in both, and the share of stuck pixels: opaque in both frames of a pair of consecutive frames,
    the reference's colour changed by more than ``REAL_CHANGE``, the plain sprite's changed too, the steadied
    sprite's did not."""
    from pixel_sprites.engine.colour.spaces import delta_e_2000

    truth_lab = [_lab(sprite) for sprite in truth]
    errors: dict[str, list[np.ndarray]] = {way: [] for way in made}
    stuck = opaque_total = 0
    for frame, expected in enumerate(truth):
        opaque = (expected[:, :, 3] == 255) & (made["plain"][frame][:, :, 3] == 255)
        for way, sprites in made.items():
            errors[way].append(delta_e_2000(_lab(sprites[frame])[opaque], truth_lab[frame][opaque]))
        if frame == 0:
            continue
        both = opaque & (truth[frame - 1][:, :, 3] == 255) & (made["plain"][frame - 1][:, :, 3] == 255)
        real = delta_e_2000(truth_lab[frame], truth_lab[frame - 1]) > REAL_CHANGE
        plain_changed = (made["plain"][frame] != made["plain"][frame - 1]).any(axis=2)
        steady_kept = (made["steadied"][frame] == made["steadied"][frame - 1]).all(axis=2)
        stuck += int((both & real & plain_changed & steady_kept).sum())
        opaque_total += int(both.sum())
    row = {f"{way}_delta_e": float(np.concatenate(values).mean()) for way, values in errors.items()}
    row["steadied_over_plain"] = row["steadied_delta_e"] / row["plain_delta_e"]
    row["stuck_percent"] = 100 * stuck / max(1, opaque_total)
    return row


def moving_row(inputs: Inputs, character: str, work: Path, sampling: str) -> dict[str, float]:
    """Error against the reference's sprites and stuck pixels, plain and steadied, with one locked palette."""
    from pixel_sprites import engine

    moving, reference = renders(inputs, character, "moving"), renders(inputs, character, "reference")
    downscale = engine.DownscaleSettings(size=SPRITE_SIZE, sampling=sampling)
    palette, _ = engine.fit(
        engine.discover_frames([reference[0].parent]), downscale, engine.PaletteSettings(colors=COLOURS)
    )
    truth = apply_sprites(reference, work / "reference", sampling, palette, False)
    made = {way: apply_sprites(moving, work / way, sampling, palette, on) for way, on in WAYS.items()}
    row = moving_figures(truth, made)
    row.update({f"{way}_flicker_percent": flicker_percent(sprites) for way, sprites in made.items()})
    return row


def cost_row(moving: list[Path], work: Path, sampling: str) -> dict[str, float]:
    """Milliseconds per sprite, plain and steadied, on the moving pose looped ``TIMING_LOOPS`` times (so that what
    a run costs once weighs little): the fastest of ``TIMING_ROUNDS`` runs of each, in turn."""
    paths = played_over(moving, TIMING_LOOPS)
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(TIMING_ROUNDS):
        for way, stabilise in WAYS.items():
            times[way].append(sprites_with(sampling, paths, work / way, stabilise=stabilise)[1])
    row = {f"{way}_ms_per_sprite": min(values) for way, values in times.items()}
    row["added_ms_per_sprite"] = row["steadied_ms_per_sprite"] - row["plain_ms_per_sprite"]
    return row


def memory_row(moving: list[Path], work: Path, sampling: str) -> dict[str, float]:
    """The peak memory of the whole process tree of ``pixel-sprites process`` (the engine's default workers), plain
    and steadied, on the moving pose played over to :data:`MEMORY_FRAMES` frames, one animation."""
    paths = played_over(moving, -(-MEMORY_FRAMES // len(moving)))
    row = {"frames": float(len(paths))}
    work.mkdir(parents=True, exist_ok=True)
    for way, stabilise in WAYS.items():
        out = work / way
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-c", CLI, "process", str(paths[0].parent), "--out", str(out),
                   "--size", "x".join(map(str, SPRITE_SIZE)), "--colors", str(COLOURS), "--sampling", sampling,
                   *(["--stabilise"] if stabilise else [])]  # fmt: skip
        measured = run_measured(command, cwd=work)
        row[f"{way}_peak_bytes"] = float(measured.peak_rss_plus_shm)
        shutil.rmtree(out, ignore_errors=True)
    return row


def steady_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine
    from pixel_sprites.engine.sprites import stabilise

    work = inputs.options.work / "steady_outputs"
    characters: dict[str, Any] = {}
    for character in CHARACTERS:
        still = renders(inputs, character, "still")
        rows: dict[str, Any] = {}
        for sampling in engine.options.SAMPLINGS:
            folder = work / character / sampling
            rows[sampling] = {
                "still": still_row(still, folder / "still", sampling),
                "moving": moving_row(inputs, character, folder / "moving", sampling),
                "cost": cost_row(renders(inputs, character, "moving"), folder / "cost", sampling),
            }
        characters[character] = rows
    moving = renders(inputs, MEMORY_CHARACTER, "moving")
    memory = {
        sampling: memory_row(moving, work / "memory" / sampling, sampling) for sampling in engine.options.SAMPLINGS
    }
    return {
        "colours": COLOURS,
        "render_size": list(inputs.options.render_size),
        "sprite_size": list(SPRITE_SIZE),
        "samples": inputs.options.samples,
        "reference_samples": REFERENCE_SAMPLES,
        "still_frames": STILL_FRAMES,
        "moving_frames": MOVING_FRAMES,
        "real_change": REAL_CHANGE,
        "rule": {name.lower(): getattr(stabilise, name) for name in RULE_CONSTANTS},
        "characters": characters,
        "memory_character": MEMORY_CHARACTER,
        "memory": memory,
    }


def steady_table(data: dict[str, Any]) -> str:
    """The section's table: one row per character and sampling."""
    from .section_tables import table  # section_tables imports this module for its renderer

    width, height = data["render_size"]
    headers = [
        f"{width}x{height} → {data['sprite_size'][0]}x{data['sprite_size'][1]}, {data['colours']} colours",
        f"still pose, {data['still_frames']} seeds: flicker plain → steadied",
        "the seeds played twice: flicker plain → steadied",
        f"moving pose: ΔE2000 to the {data['reference_samples']}-sample reference, plain → steadied",
        f"stuck pixels (reference changed by ΔE2000 > {data['real_change']:g})",
        "ms per sprite, one worker: plain → steadied (added)",
    ]
    rows = []
    for character, by_sampling in data["characters"].items():
        for sampling, row in by_sampling.items():
            still, moving, cost = row["still"], row["moving"], row["cost"]
            rows.append([
                f"{character}, {sampling}",
                f"{still['plain_flicker_percent']:.2f}% → **{still['steadied_flicker_percent']:.2f}%**",
                f"{still['twice_plain_flicker_percent']:.2f}% → {still['twice_steadied_flicker_percent']:.2f}%",
                f"{moving['plain_delta_e']:.2f} → {moving['steadied_delta_e']:.2f} "
                f"(**{moving['steadied_over_plain']:.3f}x**)",
                f"{moving['stuck_percent']:.2f}%",
                f"{cost['plain_ms_per_sprite']:.1f} → {cost['steadied_ms_per_sprite']:.1f} "
                f"(**{cost['added_ms_per_sprite']:+.2f}**)",
            ])  # fmt: skip
    constants = ", ".join(f"`{name}` {value:g}" for name, value in data["rule"].items())
    note = (
        f"Cycles, {data['samples']} samples (the reference: {data['reference_samples']}, denoised); the rule's "
        f"constants (`stabilise`): {constants}."
    )
    if "memory" in data:
        peaks = "; ".join(
            f"{sampling} {row['plain_peak_bytes'] / 2**20:.0f} → **{row['steadied_peak_bytes'] / 2**20:.0f} MiB**"
            for sampling, row in data["memory"].items()
        )
        frames = int(next(iter(data["memory"].values()))["frames"])
        note += (
            f" Peak memory of the whole process tree, `pixel-sprites process` on the default workers over the "
            f"{data['memory_character']}'s moving pose played over to {frames:,} frames, plain → steadied: {peaks}."
        )
    return table(headers, rows) + "\n\n" + note
