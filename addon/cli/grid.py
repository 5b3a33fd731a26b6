"""``pixel-sprites grid``: lay sprites on one preview grid PNG (also ``sheet --sheet-out``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..engine.errors import FrameError, SetupError
from ..engine.export.grid import grid_sprites, make_sheet
from ..engine.files.png import write_png
from ..engine.files.record import check_writable, claim
from ..engine.frames.downscale import MAX_FRAME_PIXELS, png_size, read_frame
from .arguments import positive
from .running import StopRequests

SUMMARY = "lay sprites on one preview grid PNG"
GRID_DEFAULTS: dict[str, object] = {"columns": 8, "scale": 1}
# The grid is for looking at sprites: 64 times makes a 64-pixel sprite 4096 pixels wide. Beyond, a factor only asks
# for memory (--scale 100000 asked for 25 GiB and ended in a MemoryError).
MAX_SCALE = 64


def scale_factor(text: str) -> int:
    """``--scale``: a whole number from 1 to :data:`MAX_SCALE`."""
    try:
        factor = int(text)
    except ValueError:
        factor = 0
    if not 1 <= factor <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_SCALE}, got {text!r}")
    return factor


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
    parser.add_argument(
        "--scale", type=scale_factor, default=unset, help=f"enlarge every pixel 1 to {MAX_SCALE} times (default 1)"
    )


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
    _check_grid_size(paths, columns, scale)
    sprites = []
    for path in paths:
        try:
            sprites.append(read_frame(path).rgba)
        except FrameError as error:  # one damaged sprite: the grid shows the others
            print(f"skipped {path}: {error.reason}", file=sys.stderr)
    if not sprites:
        raise SetupError(f"no readable PNG sprites in {', '.join(map(str, sources))}")
    picture = make_sheet(sprites, columns=columns, scale=scale)
    claim({destination: "grid"})
    write_png(picture, destination)
    print(f"{len(sprites)} sprites written to {destination}")
    return 0


def _check_grid_size(paths: Sequence[Path], columns: int, scale: int) -> None:
    """Refuse a grid larger than a frame may be (what this tool could read back), before memory runs out."""
    size = png_size(paths[0])
    if size is None:
        return  # reading it names the problem
    width = min(columns, len(paths)) * size[0] * scale
    height = -(-len(paths) // columns) * size[1] * scale
    if width * height > MAX_FRAME_PIXELS:
        raise SetupError(
            f"the grid of {len(paths)} sprites of {size[0]}x{size[1]} at --scale {scale} would be {width}x{height} "
            f"pixels, over the {MAX_FRAME_PIXELS:,} an image of this tool may have"
            + ("; give a lower --scale" if scale > 1 else "")
        )


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    return write_grid(args.sources, args.sheet_out, columns=args.columns, scale=args.scale)
