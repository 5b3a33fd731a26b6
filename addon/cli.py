"""``pixel-sprites``: turn folders of rendered frames into sprites from the command line."""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from . import engine
from .engine import options

EXAMPLES = """\
examples:
  pixel-sprites process renders/ --out sprites/ --size 64x90
  pixel-sprites process renders/walk renders/idle --out sprites/ --pixel 10 --colors 16
  pixel-sprites process renders/ --out sprites/ --target-palette game.gpl --indexed
  pixel-sprites fit renders/ --palette-out hero.gpl
  pixel-sprites apply renders/new_angle --palette hero.gpl --out sprites/
  pixel-sprites apply renders/walk/E --root renders/ --palette hero.gpl --out sprites/   # a farm's chunk
  pixel-sprites process renders/ --out sprites/ --pixel 10 --sheets   # renders/<action>/<facing>/0001.png
  pixel-sprites sheet sprites/ --layout atlas --max-size 2048 --padding 2 --formats json,godot
  pixel-sprites sheet sprites/ --sheet-out hero_sheet.png --columns 8 --scale 4
"""


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 64x90, got {text!r}") from None
    for option, value in ((options.WIDTH, width), (options.HEIGHT, height)):
        problem = option.problem(value)
        if problem:
            raise argparse.ArgumentTypeError(f"sprite {option.name} {problem}")
    return width, height


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


def add_size_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """Sprite size, alpha threshold and sampling, for every frame-reading command (see :func:`add_colour_options`)."""
    unset = argparse.SUPPRESS
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument(
        "--size", type=_size, default=None if defaults else unset, metavar="WxH", help="sprite size, e.g. 64x90"
    )
    add_option(grid, options.PIXEL, default=None if defaults else unset)
    for option in (options.ALPHA_THRESHOLD, options.SAMPLING):
        add_option(parser, option, default=option.default if defaults else unset)


def _add_frame_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SRC", type=Path, help="folders of PNG frames, or PNG files")
    add_size_options(parser)
    parser.add_argument(
        "--workers", type=_positive, default=os.cpu_count() or 1, help="processes for reading and writing"
    )
    parser.add_argument(
        "--root", type=Path, metavar="DIR",
        help="sprites keep the frames' paths below DIR (default: the source folder, or the common parent of "
        "several): give fit and apply on parts of a render folder the same root, and they write what one process "
        "of the whole folder writes",
    )  # fmt: skip


def _positive(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return count


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the sprites")
    parser.add_argument("--target-palette", type=Path, metavar="FILE", help="game palette (.png, .gpl, .hex, .pal)")
    parser.add_argument("--indexed", action="store_true", help="write paletted PNGs instead of RGBA")
    parser.add_argument("--report", type=Path, metavar="FILE", help="JSON report (default DIR/palette_report.json)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pixel-sprites",
        description="Turn rendered frames into pixel-art sprites that share one palette.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=summary, epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
        )

    process = command("process", "fit one palette over all frames and write the sprites")
    _add_frame_options(process)
    add_colour_options(process)
    _add_output_options(process)
    process.add_argument(
        "--spool-dir", type=Path, metavar="DIR",
        help="where the small frames wait between the fit and the writing, in a hidden temporary file "
        "(default: the output folder; about 23 KB a frame at 64x90)",
    )  # fmt: skip
    fit = command("fit", "fit a palette and save it, to lock it for later runs")
    _add_frame_options(fit)
    add_colour_options(fit)
    fit.add_argument("--palette-out", type=Path, required=True, metavar="FILE", help="palette file to write")
    apply = command("apply", "write sprites with a saved palette")
    _add_frame_options(apply)
    apply.add_argument("--palette", type=Path, required=True, metavar="FILE", help="palette file to use")
    _add_output_options(apply)
    process.add_argument(
        "--sheets", action="store_true", help="also write sheets and engine files (see the sheet command)"
    )
    _add_sheet_options(process)
    sheet = command(
        "sheet",
        "write a sprite set's sheets, JSON (Phaser, PixiJS, Aseprite), Godot .tres, .aseprite and previews; "
        "or, with --sheet-out, lay sprites on one preview grid",
    )
    sheet.add_argument(
        "sources", nargs="+", metavar="SRC", type=Path,
        help="the sprites folder of a set: with its <character>.set.json, or as <action>/<facing>/<frame>.png",
    )  # fmt: skip
    _add_sheet_options(sheet)
    grid = sheet.add_argument_group("preview grid")
    grid.add_argument(
        "--sheet-out", type=Path, metavar="FILE", help="write one grid of all SRC sprites to FILE instead"
    )
    grid.add_argument("--columns", type=_positive, default=8, help="sprites per row (default 8)")
    grid.add_argument("--scale", type=_positive, default=1, help="enlarge every pixel this many times (default 1)")
    return parser


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
    unknown = sorted(set(chosen) - set(engine.SHEET_FORMATS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(engine.SHEET_FORMATS)}")
    return chosen


def _add_sheet_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sheets")
    group.add_argument(
        "--layout", choices=engine.SHEET_LAYOUTS, default="action",
        help="one sheet per action (rows of facings, columns of frames), or one atlas for the set (default action)",
    )  # fmt: skip
    for option in (options.MAX_SIZE, options.PADDING, options.MARGIN):
        add_option(group, option, default=option.default)
    group.add_argument(
        "--pivot-pixel", type=_pivot_pixel, metavar="X,Y",
        help="the pivot in sprite pixels from the top-left (default: the set's, or the bottom centre)",
    )  # fmt: skip
    group.add_argument(
        "--formats", type=_formats, default=engine.SHEET_FORMATS, metavar="LIST",
        help=f"files beside each sheet, comma-separated (default {','.join(engine.SHEET_FORMATS)})",
    )  # fmt: skip
    group.add_argument("--rgba", action="store_true", help="RGBA sheets even where a paletted PNG would do")
    add_option(group, options.FPS, default=options.FPS.default)
    group.add_argument("--character", default=None, help="the character whose manifest and palette to use")


class _ProgressBar:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or (done % 8 and done != total):
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{stage:8s} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _print_skipped(report: engine.Report) -> None:
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)


def write_grid(args: argparse.Namespace) -> int:
    engine.check_writable({args.sheet_out: "grid"})
    paths, left_out = engine.grid_sprites(args.sources, leave_out=args.sheet_out)
    for line in left_out:
        print(f"left out {line}", file=sys.stderr)
    sprites = [engine.read_frame(path).rgba for path in paths]
    grid = engine.make_sheet(sprites, columns=args.columns, scale=args.scale)
    engine.claim({args.sheet_out: "grid"})
    engine.write_png(grid, args.sheet_out)
    print(f"{len(sprites)} sprites written to {args.sheet_out}")
    return 0


class _StopRequests:
    """SIGINT and SIGTERM set a flag that the run checks between stages and batches.

    A ``KeyboardInterrupt`` raised wherever the main thread happens to be can be swallowed by compiled code
    (scikit-learn's k-means prints "Exception ignored" and goes on); a flag is never lost, and the run then
    stops at its next check, writes its report and exits with 128 + the signal number. A second Ctrl-C
    stops at once. A SIGINT the shell set to be ignored (a background job) stays ignored.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_number: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopRequests:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                previous = signal.getsignal(number)
                if previous is not signal.SIG_IGN:
                    self._previous[number] = previous
                    signal.signal(number, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)  # type: ignore[arg-type]

    def _handle(self, number: int, _frame: object) -> None:
        if self.event.is_set() and number == signal.SIGINT:
            raise KeyboardInterrupt
        self.signal_number = number
        self.event.set()

    @property
    def exit_code(self) -> int:
        return 128 + (self.signal_number or signal.SIGINT)


def write_set_sheets(folder: Path, args: argparse.Namespace, palette: engine.Palette | None = None) -> None:
    """The sheets of the sprite set in ``folder``, from its manifest if it has one, else from its folders."""
    sprite_set = engine.open_sprite_set(folder, character=args.character, fps=args.fps)
    if args.pivot_pixel is not None:
        sprite_set.pivot = args.pivot_pixel
    palette_path = folder / f"{sprite_set.character}.gpl"
    if palette is None and palette_path.is_file():
        palette = engine.read_palette(palette_path)
    options = engine.SheetOptions(
        layout=args.layout, max_size=args.max_size, padding=args.padding, margin=args.margin,
        rgba=args.rgba, formats=args.formats,
    )  # fmt: skip
    report = engine.write_sheets(folder, sprite_set, options, palette)
    manifest = sprite_set.save(folder)
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    sheets = sum(1 for path in report.files if path.suffix == ".png" and not path.stem.endswith("_preview"))
    print(f"{report.cells} sprites on {sheets} sheets, {len(report.files)} files in {folder / 'sheets'}")
    print(f"manifest {manifest}")


def run(args: argparse.Namespace, stop: _StopRequests) -> int:
    if args.command == "sheet":
        if args.sheet_out is not None:
            return write_grid(args)
        if len(args.sources) != 1 or not args.sources[0].is_dir():
            raise engine.SetupError("sheet: give one sprites folder (or --sheet-out FILE for a preview grid)")
        write_set_sheets(args.sources[0], args)
        return 0
    downscale = engine.DownscaleSettings(
        size=args.size, pixel=args.pixel, alpha_threshold=args.alpha_threshold, sampling=args.sampling
    )
    run_options = engine.RunOptions(
        workers=args.workers,
        processes=True,
        progress=_ProgressBar(sys.stderr),
        should_cancel=stop.event.is_set,
        spool_dir=getattr(args, "spool_dir", None),
    )
    exclude = [args.out] if getattr(args, "out", None) else []
    frames = engine.discover_frames(args.sources, exclude=exclude, root=args.root)
    if not frames:
        raise engine.SetupError(f"no PNG frames found in {', '.join(map(str, args.sources))}")

    if args.command == "apply":
        palette = engine.read_palette(args.palette)
    else:
        palette_settings = engine.PaletteSettings(
            method=args.method,
            colors=args.colors,
            tolerance=args.tolerance,
            max_colors=args.max_colors,
            seed=args.seed,
        )
    if args.command == "fit":
        engine.check_writable({args.palette_out: "palette"})  # before the work, not only before the write
        palette, report = engine.fit(frames, downscale, palette_settings, run_options)
        engine.claim({args.palette_out: "palette"})
        engine.write_palette(palette, args.palette_out)
        _print_skipped(report)
        print(f"{len(palette)} colours from {report.frames_read} frames written to {args.palette_out}")
        return 0

    target = engine.read_palette(args.target_palette) if args.target_palette else None
    output = engine.OutputSettings(folder=args.out, indexed=args.indexed, target=target, report_path=args.report)
    if args.command == "process":
        report = engine.process(frames, args.sources, downscale, palette_settings, output, run_options)
    else:
        report = engine.apply(frames, args.sources, downscale, palette, output, run_options)
    _print_skipped(report)
    print(report.summary())
    if getattr(args, "sheets", False):
        assert report.output_folder is not None
        write_set_sheets(report.output_folder, args, engine.Palette.from_hex_codes(report.sprite_colors))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Bad input (a file, a folder or an option) gives one line naming it and exit code 2; anything else is a
    bug, and its traceback is shown.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "process":
        try:  # before any frame is read, with the other options
            options.check_indexed_fits(args.indexed, args.colors, args.max_colors, args.method)
        except options.OptionError as error:
            parser.error(str(error))
    with _StopRequests() as stop:
        try:
            return run(args, stop)
        except (
            engine.SetupError,
            engine.PaletteFileError,
            engine.FrameError,
            options.OptionError,
            engine.SheetError,
        ) as error:
            print(f"pixel-sprites: error: {error}", file=sys.stderr)
            return 2
        except engine.Cancelled as cancelled:
            name = signal.Signals(stop.exit_code - 128).name
            print(f"pixel-sprites: stopped by {name}: {cancelled.report.summary()}", file=sys.stderr)
            if cancelled.report.report_path is not None:
                print(f"pixel-sprites: report: {cancelled.report.report_path}", file=sys.stderr)
            return stop.exit_code
        except KeyboardInterrupt:
            print("pixel-sprites: interrupted", file=sys.stderr)
            return 130
