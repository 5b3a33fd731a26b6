"""``pixel-sprites grid``: lay sprites on one preview grid PNG (also ``sheet --sheet-out``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..engine.export.grid import grid_sprites, make_sheet
from ..engine.files.png import write_png
from ..engine.files.record import check_writable, claim
from ..engine.frames.downscale import read_frame
from .arguments import positive
from .running import StopRequests

SUMMARY = "lay sprites on one preview grid PNG"
GRID_DEFAULTS: dict[str, object] = {"columns": 8, "scale": 1}


def add_grid_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, alias: bool = False) -> None:
    """The grid's options; as ``sheet``'s alias the output is optional (``--sheet-out`` chooses the grid)."""
    unset = argparse.SUPPRESS
    if alias:
        parser.add_argument("--sheet-out", type=Path, metavar="FILE", help="write one grid of all SRC sprites to FILE")
    else:
        parser.add_argument(
            "--out", "--sheet-out", dest="sheet_out", type=Path, required=True, metavar="FILE",
            help="the grid PNG to write",
        )  # fmt: skip
    parser.add_argument("--columns", type=positive, default=unset, help="sprites per row (default 8)")
    parser.add_argument("--scale", type=positive, default=unset, help="enlarge every pixel this many times (default 1)")


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SRC", type=Path, help="sprite PNGs, or folders of them")
    add_grid_options(parser)


def given_grid_options(args: argparse.Namespace) -> list[str]:
    return ["--" + name for name in GRID_DEFAULTS if name in vars(args)]


def grid_defaults(args: argparse.Namespace) -> None:
    for name, default in GRID_DEFAULTS.items():
        if name not in vars(args):
            setattr(args, name, default)


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    grid_defaults(args)


def write_grid(sources: Sequence[Path], destination: Path, *, columns: int, scale: int) -> int:
    check_writable({destination: "grid"})
    paths, left_out = grid_sprites(sources, leave_out=destination)
    for line in left_out:
        print(f"left out {line}", file=sys.stderr)
    sprites = [read_frame(path).rgba for path in paths]
    picture = make_sheet(sprites, columns=columns, scale=scale)
    claim({destination: "grid"})
    write_png(picture, destination)
    print(f"{len(sprites)} sprites written to {destination}")
    return 0


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    return write_grid(args.sources, args.sheet_out, columns=args.columns, scale=args.scale)
