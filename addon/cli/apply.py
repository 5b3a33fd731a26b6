"""``pixel-sprites apply``: write sprites with a saved palette (a locked palette; a farm's chunk)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.frames.sources import discover_frames
from ..engine.jobs.run import make_sprites
from .arguments import (
    add_frame_options,
    add_normal_options,
    add_output_options,
    add_stabilise_option,
    check_normal_options,
)
from .finish_arguments import add_finish_options, check_finish_options
from .jobs import check_job_folders, run_options, sprite_job
from .rig_arguments import add_rig_option, frames_rig_path, keep_rig_beside_sprites, print_rig_notes
from .running import StopRequests, print_skipped

SUMMARY = "write sprites with a saved palette"


def add_parser(parser: argparse.ArgumentParser) -> None:
    add_frame_options(parser)
    add_stabilise_option(parser)
    parser.add_argument("--palette", type=Path, required=True, metavar="FILE", help="palette file to use")
    add_output_options(parser)
    add_normal_options(parser)
    add_finish_options(parser)
    add_rig_option(parser, default="<root>/rig.json")


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    check_normal_options(parser, args)
    check_finish_options(parser, args)


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    rig = frames_rig_path(args)
    job = sprite_job(args, output=args.out, palette_file=args.palette)
    check_job_folders(job)
    frames = discover_frames(args.sources, exclude=[args.out], root=args.root) if rig is not None else []
    report, _ = make_sprites(job, args.sources, run_options(args, stop))
    if rig is not None:  # a later sheet run of the folder (the farm's chunks, then their sheets) finds it there
        print_rig_notes(keep_rig_beside_sprites(rig, frames, args.out))
    print_skipped(report)
    print(report.summary())
    return 0
