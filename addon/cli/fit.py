"""``pixel-sprites fit``: fit one palette over all frames and save it, to lock it for later runs (``apply``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.errors import SetupError
from ..engine.files.writable import check_folders_writable
from ..engine.frames.sources import discover_frames
from ..engine.jobs.run import fit_palette_file
from .arguments import add_colour_options, add_frame_options, add_lock_option
from .jobs import run_options, sprite_job
from .running import StopRequests, print_skipped

SUMMARY = "fit a palette and save it, to lock it for later runs"


def add_parser(parser: argparse.ArgumentParser) -> None:
    # No --sampling: the fit always reads nearest-downscaled frames; sampling only changes how sprites are written.
    add_frame_options(parser, sampling=False)
    add_colour_options(parser)
    parser.add_argument("--palette-out", type=Path, required=True, metavar="FILE", help="palette file to write")
    add_lock_option(parser)


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Nothing beyond what the parser checks."""


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    job = sprite_job(args, output=args.palette_out.parent)
    check_folders_writable([args.palette_out.parent])  # before the fit, not after it
    frames = discover_frames(args.sources, root=args.root)
    if not frames:
        raise SetupError(f"no PNG frames found in {', '.join(map(str, args.sources))}")
    palette, report = fit_palette_file(job, frames, args.palette_out, run_options(args, stop))
    print_skipped(report)
    print(f"{len(palette)} colours from {report.frames_read} frames written to {args.palette_out}")
    return 0
