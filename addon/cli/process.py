"""``pixel-sprites process``: fit one palette over all frames and write their sprites (and, with --sheets, the
set's sheets)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import options
from ..engine.errors import OptionError
from ..engine.frames.sources import discover_frames
from ..engine.jobs.run import make_sprites
from .arguments import (
    add_colour_options,
    add_frame_options,
    add_lock_option,
    add_normal_options,
    add_output_options,
    add_stabilise_option,
    check_normal_options,
)
from .finish_arguments import add_finish_options, check_finish_options
from .jobs import check_job_folders, check_sheets_before_work, run_options, sprite_job
from .rig_arguments import add_rig_option, frames_rig_path, keep_rig_beside_sprites, print_rig_notes
from .running import StopRequests, print_skipped
from .sheet import print_sheets
from .sheet_arguments import add_sheet_options, given_sheet_options, sheet_defaults

SUMMARY = "fit one palette over all frames and write the sprites"


def add_parser(parser: argparse.ArgumentParser) -> None:
    add_frame_options(parser)
    add_stabilise_option(parser)
    add_colour_options(parser)
    add_output_options(parser)
    add_lock_option(parser)
    add_normal_options(parser)
    add_finish_options(parser)
    add_rig_option(parser, default="<root>/rig.json")
    parser.add_argument(
        "--spool-dir", type=Path, metavar="DIR",
        help="where the small frames wait between the fit and the writing, in a hidden temporary file "
        "(default: the output folder; about 23 KB a frame at 64x90)",
    )  # fmt: skip
    parser.add_argument(
        "--sheets", action="store_true", help="also write sheets and engine files (see the sheet command)"
    )
    add_sheet_options(parser)


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    try:  # before any frame is read, with the other options
        options.check_indexed_fits(args.indexed, args.colors, args.max_colors, args.method)
    except OptionError as error:
        parser.error(str(error))
    check_normal_options(parser, args)
    check_finish_options(parser, args)
    given = given_sheet_options(args)
    if given and not args.sheets:
        parser.error(f"{', '.join(given)} only act with --sheets: add --sheets, or leave them out")
    sheet_defaults(args)


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    rig = frames_rig_path(args)
    job = sprite_job(args, output=args.out, rig_file=rig)
    check_job_folders(job)
    frames = discover_frames(args.sources, exclude=[args.out], root=args.root) if job.sheets or rig else []
    if job.sheets is not None:
        # The sprites' paths, found as the run finds them, say before any is written whether they form a set.
        check_sheets_before_work(args.out, job.sheets, adding=[frame.relative for frame in frames])
    report, sheets = make_sprites(job, args.sources, run_options(args, stop))
    if rig is not None:
        notes = keep_rig_beside_sprites(rig, frames, args.out, lock_timeout=args.lock_timeout)
        if sheets is None:  # with sheets, the sheets' report names the frames without data
            print_rig_notes(notes)
    print_skipped(report)
    print(report.summary())
    if sheets is not None:
        print_sheets(sheets)
    return 0
