"""The sheet options of ``sheet`` and ``process --sheets``, and the check that they are only given where they act.

They are added without defaults (``argparse.SUPPRESS``), so a command can tell the options given from those left
out; :func:`sheet_defaults` fills in the rest once the command has checked them.
"""

from __future__ import annotations

import argparse

from ..engine import options
from ..engine.errors import OptionError
from ..engine.export.variants import PaletteVariant, parse_variant
from .arguments import add_option

# Sheet option (argparse dest) → its default.
SHEET_DEFAULTS: dict[str, object] = {
    "layout": options.LAYOUT.default,
    "max_size": options.MAX_SIZE.default,
    "padding": options.PADDING.default,
    "margin": options.MARGIN.default,
    "pivot_pixel": None,
    "formats": options.SHEET_FORMATS,
    "rgba": False,
    "fps": None,  # not given: a set's manifest keeps its rates, sprites without one play at 24 fps
    "character": None,
    "packed": False,
    "extrude": options.EXTRUDE.default,
    "variant": (),
    "no_variants": False,
}


def _pivot_pixel(text: str) -> tuple[int, int]:
    try:
        x, y = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in sprite pixels such as 32,89, got {text!r}") from None
    if x < 0 or y < 0:
        raise argparse.ArgumentTypeError(f"the pivot pixel must not be negative, got {text!r}")
    return x, y


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(set(chosen) - set(options.SHEET_FORMATS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(unknown)}; choose from {', '.join(options.SHEET_FORMATS)}"
        )
    return chosen


def _variant(text: str) -> PaletteVariant:
    try:
        return parse_variant(text)
    except OptionError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--variant: ")) from None


def add_sheet_options(parser: argparse.ArgumentParser) -> None:
    unset = argparse.SUPPRESS
    group = parser.add_argument_group("sheets")
    add_option(group, options.LAYOUT, default=unset)
    for option in (options.MAX_SIZE, options.PADDING, options.MARGIN):
        add_option(group, option, default=unset)
    group.add_argument(
        "--pivot-pixel", type=_pivot_pixel, metavar="X,Y", default=unset,
        help="the pivot in sprite pixels from the top-left (default: the set's, or the bottom centre)",
    )  # fmt: skip
    group.add_argument(
        "--formats", type=_formats, metavar="LIST", default=unset,
        help=f"files beside each sheet, comma-separated (default {','.join(options.SHEET_FORMATS)})",
    )  # fmt: skip
    group.add_argument(
        "--rgba", action="store_true", default=unset, help="RGBA sheets even where a paletted PNG would do"
    )
    add_option(group, options.FPS, default=unset)
    group.add_argument("--packed", action="store_true", default=unset, help=options.PACKED_HELP)
    add_option(group, options.EXTRUDE, default=unset)
    group.add_argument(
        "--character", default=unset, help="the character whose manifest and palette to use (default: the only one)"
    )
    group.add_argument(
        "--variant", type=_variant, action="append", metavar="NAME=FILE", default=unset, help=options.VARIANT_HELP
    )
    group.add_argument("--no-variants", action="store_true", default=unset, help=options.NO_VARIANTS_HELP)


def given_sheet_options(args: argparse.Namespace) -> list[str]:
    """The sheet options given on the command line, as their flags."""
    return ["--" + name.replace("_", "-") for name in SHEET_DEFAULTS if name in vars(args)]


def sheet_defaults(args: argparse.Namespace) -> None:
    """Fill in the sheet options not given."""
    for name, default in SHEET_DEFAULTS.items():
        if name not in vars(args):
            setattr(args, name, default)
