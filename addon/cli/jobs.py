"""From parsed arguments to the engine's job spec: the one adapter of the command line (and the batch script)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from ..engine import options
from ..engine.errors import SetupError
from ..engine.export.sheets import SheetOptions
from ..engine.frames.downscale import DownscaleSettings
from ..engine.frames.normals import NormalSettings
from ..engine.jobs.spec import SetSheets, SpriteJob
from ..engine.palette.fit import PaletteSettings
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


def set_sheets(args: argparse.Namespace) -> SetSheets:
    options = sheet_options(args)
    if getattr(args, "normals_from", None) is not None or getattr(args, "normals", False):
        options = replace(options, normals=True)
    return SetSheets(options, character=args.character, fps=args.fps, pivot=args.pivot_pixel)


def sprite_job(args: argparse.Namespace, *, output: Path, palette_file: Path | None = None) -> SpriteJob:
    """The job the arguments ask for; ``palette_file`` for a job with a given palette (``apply``)."""
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
        sheets=set_sheets(args) if getattr(args, "sheets", False) else None,
        normals=normal_settings(args),
        finish=finish_settings(args),
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
