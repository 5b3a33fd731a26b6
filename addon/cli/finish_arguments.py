"""The clean-up and outline options of the commands that write sprites (``process``, ``apply``) and of the batch
script, each built from its one definition in ``engine.options``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import options
from ..engine.errors import OptionError, SetupError
from ..engine.frames.depth import DEPTH_FILE, DEPTH_FOLDER, DepthSettings
from ..engine.frames.sources import frames_base
from ..engine.sprites.finishing import FinishSettings


def _outline_colour(text: str) -> str:
    try:
        options.outline_rgb(text)
    except OptionError:
        raise argparse.ArgumentTypeError(f"expected auto or #RRGGBB, got {text!r}") from None
    return text


def add_finish_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """``--outline``, ``--outline-colour``, ``--outline-neighbours`` (with their US spellings), ``--cleanup`` and
    ``--inner-lines`` (with ``--depth-from`` on the command line).

    Without ``defaults`` (the batch script), an option not given is left out of the parsed arguments, and
    ``--no-cleanup`` and ``--no-inner-lines`` turn a scene's clean-up and inner lines off.
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
        group.add_argument("--inner-lines", action="store_true", help=options.INNER_LINES_HELP)
        group.add_argument(
            "--depth-from", type=Path, metavar="DIR",
            help=f"with --inner-lines: the depth frames (16-bit grey, {DEPTH_FILE} beside them) laid out below DIR "
            f"as the frames are below their root (default: {DEPTH_FOLDER}/ below the frames' root)",
        )  # fmt: skip
    else:
        group.add_argument("--cleanup", action=argparse.BooleanOptionalAction, default=unset, help=options.CLEANUP_HELP)
        group.add_argument(
            "--inner-lines", action=argparse.BooleanOptionalAction, default=unset, help=options.INNER_LINES_HELP
        )


def check_finish_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an outline colour or neighbourhood that would do nothing (as the sheet options without --sheets are):
    a colour other than auto without an outer or inner outline, 8 neighbours without an outline."""
    outline = args.outline
    if args.depth_from is not None and not args.inner_lines:
        parser.error("--depth-from only acts with --inner-lines")
    colour_drawn = outline in ("outer", "inner") or args.inner_lines
    if args.outline_colour != options.OUTLINE_COLOUR.default and not colour_drawn:
        parser.error(
            f"--outline-colour {args.outline_colour} only acts with --outline outer or inner or --inner-lines "
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
        inner_lines=depth_settings(args) if getattr(args, "inner_lines", False) else None,
    )
    return settings if settings.active else None


def depth_settings(args: argparse.Namespace) -> DepthSettings:
    """The depth frames of ``--inner-lines``: ``--depth-from``, or ``depth/`` below the frames' root (``--root``,
    or the source folder, or the common parent of several), as Blender writes them below its render folder.

    Raises
    ------
    SetupError
        Naming the folder, before any work, if it holds no depth frames or no depth file.
    """
    folder = args.depth_from
    if folder is None:
        base = frames_base(args.sources, args.root)  # where the sprites keep the frames' paths below
        if base is None:
            raise SetupError("--inner-lines: the frames have no common folder; give --depth-from DIR")
        folder = base / DEPTH_FOLDER
    if not folder.is_dir() or next(folder.rglob("*.png"), None) is None:
        raise SetupError(f"--inner-lines: no depth frames (PNG) in {folder}; render them, or give --depth-from DIR")
    if not (folder / DEPTH_FILE).is_file():
        raise SetupError(f"--inner-lines: {folder / DEPTH_FILE} is missing: it says how the depth frames are encoded")
    return DepthSettings(folder)
