"""``pixel-sprites palette-variant``: write a palette variant file to start from, a copy of the palette the set's
variants index (``sheet --variant NAME=FILE`` takes it back once recoloured)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.errors import SetupError
from ..engine.files.writable import check_folders_writable
from ..engine.jobs.variant_start import write_variant_start
from .running import StopRequests

SUMMARY = "write a palette variant file to recolour: a copy of the palette a set's variants replace, entry by entry"


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sprites", type=Path, metavar="SPRITES", help="the sprites folder of a set")
    parser.add_argument(
        "out", type=Path, metavar="FILE", help="the variant file to write: .gpl, .hex, .pal (JASC) or .png (swatches)"
    )
    parser.add_argument(
        "--character", help="the character whose palette to copy, in a folder of several (default: the only one)"
    )


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Nothing beyond what the parser checks."""


def run(args: argparse.Namespace, stop: StopRequests) -> int:
    if not args.sprites.is_dir():
        raise SetupError(f"{args.sprites}: no such sprites folder")
    check_folders_writable([args.out.parent])
    palette = write_variant_start(args.sprites, args.out, character=args.character)
    print(f"{len(palette)} entries written to {args.out}: recolour entry i to make variant colour i")
    return 0
