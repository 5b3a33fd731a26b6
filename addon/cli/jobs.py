"""From parsed arguments to the engine's job spec: the one adapter of the command line (and the batch script)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..engine import options
from ..engine.errors import PaletteFileError, SetupError
from ..engine.export.sheets import SHEETS_FOLDER, SheetOptions
from ..engine.export.variants import VARIANT_FLAG, chosen_variants
from ..engine.files.locking import DEFAULT_LOCK_TIMEOUT
from ..engine.files.writable import check_folders_writable
from ..engine.frames.downscale import DownscaleSettings
from ..engine.frames.normals import NORMALS_FOLDER, NormalSettings
from ..engine.jobs.spec import SetSheets, SpriteJob
from ..engine.palette.entries import read_palette_entries
from ..engine.palette.fit import PaletteSettings
from ..engine.sets.manifest import check_set_before_work
from ..engine.sprites.worker_pool import RunOptions
from .finish_arguments import finish_settings
from .running import ProgressBar, StopRequests


def downscale_settings(args: argparse.Namespace) -> DownscaleSettings:
    return DownscaleSettings(
        size=args.size,
        pixel=args.pixel,
        alpha_threshold=args.alpha_threshold,
        sampling=str(getattr(args, "sampling", options.SAMPLING.default)),  # fit has none: it samples nearest
    )


def palette_settings(args: argparse.Namespace) -> PaletteSettings:
    if not hasattr(args, "colors"):  # apply: the palette is given
        return PaletteSettings()
    return PaletteSettings(
        method=args.method, colors=args.colors, tolerance=args.tolerance, max_colors=args.max_colors, seed=args.seed
    )


def sheet_options(args: argparse.Namespace) -> SheetOptions:
    return SheetOptions(
        layout=args.layout, max_size=args.max_size, padding=args.padding, margin=args.margin,
        rgba=args.rgba, formats=args.formats, packed=args.packed, extrude=args.extrude,
        variants=tuple(args.variant), keep_variants=not args.no_variants,
    )  # fmt: skip


def set_sheets(args: argparse.Namespace, rig_file: Path | None = None) -> SetSheets:
    """The sheets the arguments ask for, with the game data of ``rig_file`` (see ``rig_arguments``)."""
    options = sheet_options(args)
    if getattr(args, "normals_from", None) is not None or getattr(args, "normals", False):
        options = replace(options, normals=True)
    return SetSheets(options, character=args.character, fps=args.fps, pivot=args.pivot_pixel, rig_file=rig_file)


def sprite_job(
    args: argparse.Namespace, *, output: Path, palette_file: Path | None = None, rig_file: Path | None = None
) -> SpriteJob:
    """The job the arguments ask for; ``palette_file`` for a job with a given palette (``apply``), ``rig_file`` for
    its sheets' game data."""
    return SpriteJob(
        output=output,
        downscale=downscale_settings(args),
        palette=palette_settings(args),
        palette_mode="file" if palette_file is not None else "fit",
        palette_file=palette_file,
        target_palette=getattr(args, "target_palette", None),
        indexed=getattr(args, "indexed", False),
        root=args.root,
        report_path=getattr(args, "report", None),
        sheets=set_sheets(args, rig_file) if getattr(args, "sheets", False) else None,
        normals=normal_settings(args),
        finish=finish_settings(args),
        lock_timeout=getattr(args, "lock_timeout", DEFAULT_LOCK_TIMEOUT),
        stabilise=bool(getattr(args, options.STABILISE.name, False)),  # fit has none: it writes no sprites
    )


def normal_settings(args: argparse.Namespace) -> NormalSettings | None:
    folder = getattr(args, "normals_from", None)
    if folder is None:
        return None
    if not folder.is_dir():
        raise SetupError(f"--normals-from {folder}: no such folder of normal renders")
    return NormalSettings.reading(folder, flip_green=args.normals_y_down)


def run_options(args: argparse.Namespace, stop: StopRequests) -> RunOptions:
    return RunOptions(
        workers=args.workers,
        processes=True,
        progress=ProgressBar(sys.stderr),
        should_cancel=stop.event.is_set,
        spool_dir=getattr(args, "spool_dir", None),
    )


def check_job_folders(job: SpriteJob) -> None:
    """Refuse, before any work, a job whose files could not all be written: the sprites folder, the report's, the
    normal sprites' and the sheets' (a read-only ``sheets/`` would otherwise fail after every sprite is written).

    Raises
    ------
    SetupError
        Naming the folder.
    """
    folders = [job.output]
    if job.report_path is not None:
        folders.append(job.report_path.parent)
    if job.normals is not None:
        folders.append(job.output / NORMALS_FOLDER)
    if job.sheets is not None:
        folders.append(job.output / SHEETS_FOLDER)
    check_folders_writable(folders)


def check_sheets_before_work(folder: Path, wanted: SetSheets, *, adding: Sequence[Path] | None = None) -> None:
    """Refuse, before any work, sheets that would fail once the sprites are written: with ``adding`` (the sprites a
    run writes first, relative to ``folder``), sprites that form no set, an unknown character or an unusable
    manifest; and, always, a variant file (given, or kept in the manifest) that is missing or no palette.

    Raises
    ------
    SetupError
        Naming the folder, the manifest or the variant.
    """
    manifest = None
    if adding is not None:
        manifest = check_set_before_work(folder, character=wanted.character, adding=adding)
    kept = manifest.variants if manifest is not None else []
    given = {variant.name for variant in wanted.options.variants}
    for variant in chosen_variants(kept, wanted.options.variants, folder, keep=wanted.options.keep_variants):
        try:
            read_palette_entries(variant.file)
        except PaletteFileError as error:
            source = "" if variant.name in given else " (kept in the manifest; --no-variants leaves it out)"
            raise SetupError(f"{VARIANT_FLAG} {variant.name}={variant.file}{source}: {error}") from error
