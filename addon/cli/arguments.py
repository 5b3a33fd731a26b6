"""The options every command shares, each built from its one definition in ``engine.options``.

The batch script (``scripts/render_sprites.py``) builds its options with these too, without defaults, so that
only the options given change a scene's saved settings.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
from pathlib import Path

from ..engine import options
from ..engine.files.locking import DEFAULT_LOCK_TIMEOUT


def size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 64x90, got {text!r}") from None
    for option, value in ((options.WIDTH, width), (options.HEIGHT, height)):
        problem = option.problem(value)
        if problem:
            raise argparse.ArgumentTypeError(f"sprite {option.name} {problem}")
    return width, height


def positive(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return count


def _parse_number(option: options.Option, text: str) -> int | float:
    kind = type(option.default)
    try:
        value = kind(text)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    problem = option.problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value  # type: ignore[return-value]  # int or float, as the option's default


def _parse_colors(text: str) -> int | None:
    if text == "auto":
        return None
    try:
        return int(_parse_number(options.COLORS, text))
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a number of colours; {error}") from None


def add_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    option: options.Option,
    *,
    default: object,
) -> None:
    """Add ``option`` as its ``--flag``, with its range checked when the arguments are parsed."""
    if option.choices:
        help_text = f"{option.help} (default {option.default})"
        parser.add_argument(option.flag, choices=option.choices, default=default, help=help_text)
        return
    help_text = f"{option.help} ({option.minimum}..{option.maximum}; default {option.default})"
    parser.add_argument(option.flag, type=functools.partial(_parse_number, option), default=default, help=help_text)


def add_colour_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """The palette options of ``process`` and ``fit``.

    Without ``defaults`` (the batch script), an option not given is left out of the parsed arguments, so that
    only the options given override the scene's settings.
    """
    unset = argparse.SUPPRESS
    parser.add_argument(
        options.COLORS.flag,
        type=_parse_colors,
        default=None if defaults else unset,
        metavar="auto|N",
        help=f"palette size ({options.COLORS.minimum}..{options.COLORS.maximum}), "
        "or 'auto' for the fewest colours within the tolerance (default auto)",
    )
    for option in (options.TOLERANCE, options.MAX_COLORS, options.METHOD, options.SEED):
        add_option(parser, option, default=option.default if defaults else unset)


def add_size_options(parser: argparse.ArgumentParser, *, defaults: bool = True, sampling: bool = True) -> None:
    """Sprite size and alpha threshold for every frame-reading command, and the sampling where sprites are written
    (see :func:`add_colour_options` for ``defaults``)."""
    unset = argparse.SUPPRESS
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument(
        "--size", type=size, default=None if defaults else unset, metavar="WxH", help="sprite size, e.g. 64x90"
    )
    add_option(grid, options.PIXEL, default=None if defaults else unset)
    add_option(parser, options.ALPHA_THRESHOLD, default=options.ALPHA_THRESHOLD.default if defaults else unset)
    if sampling:
        add_option(parser, options.SAMPLING, default=options.SAMPLING.default if defaults else unset)


def add_stabilise_option(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """``--stabilise`` (also spelled ``--stabilize``) where sprites are written; without ``defaults`` (the batch
    script) left out of the parsed arguments unless given, with ``--no-stabilise`` to turn a scene's off."""
    option = options.STABILISE
    spellings = (option.flag, option.flag.replace("stabilise", "stabilize"))
    if defaults:
        parser.add_argument(*spellings, dest=option.name, action="store_true", help=f"{option.label}: {option.help}")
        return
    parser.add_argument(
        *spellings, dest=option.name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
        help=f"{option.label}: {option.help} (--no-stabilise: off)",
    )  # fmt: skip


def add_frame_options(parser: argparse.ArgumentParser, *, sampling: bool = True) -> None:
    """The frames to read and how: ``SRC``, the sprite size, the workers and the root."""
    parser.add_argument("sources", nargs="+", metavar="SRC", type=Path, help="folders of PNG frames, or PNG files")
    add_size_options(parser, sampling=sampling)
    parser.add_argument(
        "--workers", type=positive, default=os.cpu_count() or 1, help="processes for reading and writing"
    )
    parser.add_argument(
        "--root", type=Path, metavar="DIR",
        help="sprites keep the frames' paths below DIR (default: the source folder, or the common parent of "
        "several): give fit and apply on parts of a render folder the same root, and they write what one process "
        "of the whole folder writes",
    )  # fmt: skip


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number of seconds, 0 or more, got {text!r}")
    return value


def add_lock_option(parser: argparse.ArgumentParser) -> None:
    """How long a run that writes a palette waits for another run holding the palette's lock (see ``locking``)."""
    parser.add_argument(
        "--lock-timeout", type=seconds, default=DEFAULT_LOCK_TIMEOUT, metavar="SECONDS",
        help="how long to wait for another run writing this palette (its lock names it) before giving up "
        f"(default {DEFAULT_LOCK_TIMEOUT:g}; 0: give up at once)",
    )  # fmt: skip


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the sprites")
    parser.add_argument("--target-palette", type=Path, metavar="FILE", help="game palette (.png, .gpl, .hex, .pal)")
    parser.add_argument("--indexed", action="store_true", help="write paletted PNGs instead of RGBA")
    parser.add_argument("--report", type=Path, metavar="FILE", help="JSON report (default DIR/palette_report.json)")


def add_normal_options(parser: argparse.ArgumentParser) -> None:
    """Normal-map sprites beside the sprites, from normal renders laid out as the colour frames are."""
    group = parser.add_argument_group("normal maps")
    group.add_argument(
        "--normals-from", type=Path, metavar="DIR",
        help="normal renders (RGB = n·0.5+0.5, 8 or 16 bits) laid out below DIR as the frames are below their root; "
        "writes normal-map sprites to OUT/normals/ (DIR/camera.json, if there, turns world normals to camera space)",
    )  # fmt: skip
    group.add_argument(
        "--normals-y-down", action="store_true", help="normal maps with green pointing down (DirectX's convention)"
    )


def check_normal_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse ``--normals-y-down`` without the normal renders it would turn."""
    if args.normals_y_down and args.normals_from is None:
        parser.error("--normals-y-down only acts with --normals-from DIR")
