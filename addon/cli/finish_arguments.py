"""The clean-up and outline options of the commands that write sprites (``process``, ``apply``) and of the batch
script, each built from its one definition in ``engine.options``."""

from __future__ import annotations

import argparse

from ..engine import options
from ..engine.errors import OptionError
from ..engine.sprites.finishing import FinishSettings


def _outline_colour(text: str) -> str:
    try:
        options.outline_rgb(text)
    except OptionError:
        raise argparse.ArgumentTypeError(f"expected auto or #RRGGBB, got {text!r}") from None
    return text


def add_finish_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """``--outline``, ``--outline-colour``, ``--outline-neighbours`` (with their US spellings) and ``--cleanup``.

    Without ``defaults`` (the batch script), an option not given is left out of the parsed arguments, and
    ``--no-cleanup`` turns a scene's clean-up off.
    """
    unset = argparse.SUPPRESS
    group = parser.add_argument_group("clean-up and outline")
    outline, colour, neighbours = options.OUTLINE, options.OUTLINE_COLOUR, options.OUTLINE_NEIGHBOURS
    group.add_argument(
        outline.flag, choices=outline.choices, default=outline.default if defaults else unset,
        help=f"{outline.help} (default {outline.default})",
    )  # fmt: skip
    group.add_argument(
        colour.flag, "--outline-color", dest="outline_colour", type=_outline_colour, metavar="auto|#RRGGBB",
        default=colour.default if defaults else unset, help=f"{colour.help} (default {colour.default})",
    )  # fmt: skip
    group.add_argument(
        neighbours.flag, "--outline-neighbors", dest="outline_neighbours", choices=neighbours.choices,
        default=neighbours.default if defaults else unset, help=f"{neighbours.help} (default {neighbours.default})",
    )  # fmt: skip
    if defaults:
        group.add_argument("--cleanup", action="store_true", help=options.CLEANUP_HELP)
    else:
        group.add_argument("--cleanup", action=argparse.BooleanOptionalAction, default=unset, help=options.CLEANUP_HELP)


def check_finish_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an outline colour or neighbourhood that would do nothing (as the sheet options without --sheets are):
    a colour other than auto without an outer or inner outline, 8 neighbours without an outline."""
    outline = args.outline
    if args.outline_colour != options.OUTLINE_COLOUR.default and outline not in ("outer", "inner"):
        parser.error(
            f"--outline-colour {args.outline_colour} only acts with --outline outer or inner "
            f"(selout takes its colours from the palette), not --outline {outline}"
        )
    if args.outline_neighbours != options.OUTLINE_NEIGHBOURS.default and outline == "none":
        parser.error(f"--outline-neighbours {args.outline_neighbours} only acts with an --outline")


def finish_settings(args: argparse.Namespace) -> FinishSettings | None:
    """The clean-up and outline the arguments ask for; None when they ask for neither."""
    settings = FinishSettings(
        outline=str(getattr(args, "outline", options.OUTLINE.default)),
        colour=options.outline_rgb(str(getattr(args, "outline_colour", options.OUTLINE_COLOUR.default))),
        neighbours=int(str(getattr(args, "outline_neighbours", options.OUTLINE_NEIGHBOURS.default))),
        cleanup=bool(getattr(args, "cleanup", False)),
    )
    return settings if settings.active else None
