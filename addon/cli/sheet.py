"""``pixel-sprites sheet``: a sprite set's sheets, JSON (Phaser, PixiJS, Aseprite), Godot ``.tres``, ``.aseprite``
and previews, from its manifest or its ``<action>/<facing>/<frame>.png`` folders. With ``--sheet-out`` it is
``pixel-sprites grid`` under its older name."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..engine.errors import SetupError
from ..engine.export.sheets import SHEETS_FOLDER
from ..engine.files.writable import check_folders_writable
from ..engine.frames.normals import NORMALS_FOLDER
from ..engine.jobs.run import SheetsOutcome, write_set_sheets
from . import grid
from .jobs import check_sheets_before_work, set_sheets
from .rig_arguments import RIG_FROM_FLAG, add_rig_option, rig_path
from .running import StopRequests
from .sheet_arguments import add_sheet_options, given_sheet_options, sheet_defaults

SUMMARY = (
    "write a sprite set's sheets, JSON (Phaser, PixiJS, Aseprite), Godot .tres, .aseprite and previews; "
    "or, with --sheet-out, lay sprites on one preview grid (the grid command)"
)


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="+", metavar="SRC", type=Path,
        help="the sprites folder of a set: with its <character>.set.json, or as <action>/<facing>/<frame>.png",
    )  # fmt: skip
    add_sheet_options(parser)
    parser.add_argument(
        "--normals", action="store_true",
        help="a normal sheet <sheet>_n.png beside every sheet, from SPRITES/normals/ (a set whose manifest has normal "
        "maps gets them anyway)",
    )  # fmt: skip
    add_rig_option(parser, default="SPRITES/rig.json, which process and apply keep")
    grid.add_grid_options(parser.add_argument_group("preview grid (as the grid command)"), alias=True)


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    sheet_given = given_sheet_options(args)
    grid_given = grid.given_grid_options(args)
    if args.normals:
        sheet_given.append("--normals")
    if args.rig_from is not None:
        sheet_given.append(RIG_FROM_FLAG)
    if args.sheet_out is not None and sheet_given:
        parser.error(f"{', '.join(sheet_given)} do nothing with --sheet-out, which lays sprites on one grid")
    if args.sheet_out is None and grid_given:
        parser.error(f"{', '.join(grid_given)} only act with --sheet-out FILE (or in the grid command)")
    sheet_defaults(args)
    grid.grid_defaults(args)


def print_sheets(outcome: SheetsOutcome) -> None:
    report = outcome.report
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    # The pages the manifest lists: variants, normal sheets, index maps and previews are files beside them.
    entries = json.loads(outcome.manifest.read_text(encoding="utf-8"))["sheets"]
    sheets = sum(1 for entry in entries for key in entry if key == "image" or key.startswith("image_"))
    folder = outcome.manifest.parent / "sheets"
    print(f"{report.cells} sprites on {sheets} sheets, {len(report.files)} files in {folder}")
    print(f"manifest {outcome.manifest}")


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    if args.sheet_out is not None:
        return grid.write_grid(args.sources, args.sheet_out, columns=args.columns, scale=args.scale)
    if len(args.sources) != 1 or not args.sources[0].is_dir():
        raise SetupError("sheet: give one sprites folder (or --sheet-out FILE for a preview grid)")
    folder = args.sources[0]
    if args.normals and not (folder / NORMALS_FOLDER).is_dir():
        # Without it every cell would get a flat normal: sheets that look made and light nothing.
        raise SetupError(
            f"--normals: {folder / NORMALS_FOLDER} does not exist; process or apply with --normals-from DIR write "
            "the normal-map sprites there"
        )
    check_folders_writable([folder, folder / SHEETS_FOLDER])
    wanted = set_sheets(args, rig_path(args, folder))
    check_sheets_before_work(folder, wanted)
    outcome = write_set_sheets(folder, wanted)
    print_sheets(outcome)
    return 0
