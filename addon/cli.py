"""``pixel-sprites``: turn folders of rendered frames into sprites from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import engine

EXAMPLES = """\
examples:
  pixel-sprites process renders/ --out sprites/ --size 64x90
  pixel-sprites process renders/walk renders/idle --out sprites/ --pixel 10 --colors 16
  pixel-sprites process renders/ --out sprites/ --target-palette game.gpl --indexed
  pixel-sprites fit renders/ --palette-out hero.gpl
  pixel-sprites apply renders/new_angle --palette hero.gpl --out sprites/
  pixel-sprites sheet sprites/ --sheet-out hero_sheet.png --columns 8 --scale 4
"""


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 64x90, got {text!r}") from None
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    return width, height


def _colors(text: str) -> int | None:
    if text == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a number of colours, got {text!r}") from None


def _add_frame_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SRC", type=Path, help="folders of PNG frames, or PNG files")
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument("--size", type=_size, metavar="WxH", help="sprite size, e.g. 64x90")
    grid.add_argument("--pixel", type=int, metavar="N", help="render pixels per sprite pixel (default 10)")
    parser.add_argument(
        "--alpha-threshold",
        type=int,
        default=128,
        metavar="A",
        help="alpha at or above A is opaque, below is transparent (default 128)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="threads for reading and writing")


def _add_fit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--colors",
        type=_colors,
        default=None,
        metavar="auto|N",
        help="palette size, or 'auto' for the fewest colours within the tolerance (default auto)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=engine.DEFAULT_TOLERANCE,
        metavar="T",
        help="with --colors auto: the mean ΔE2000 every palette colour must keep its pixels within "
        f"(default {engine.DEFAULT_TOLERANCE}; about 2-3 is where people begin to see a difference)",
    )
    parser.add_argument("--max-colors", type=int, default=32, metavar="N", help="upper bound for auto (default 32)")
    parser.add_argument("--method", choices=engine.METHODS, default="kmeans-lab", help="palette fitting method")
    parser.add_argument("--seed", type=int, default=0, help="seed for sampling and clustering (default 0)")


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
    _add_fit_options(process)
    _add_output_options(process)
    fit = command("fit", "fit a palette and save it, to lock it for later runs")
    _add_frame_options(fit)
    _add_fit_options(fit)
    fit.add_argument("--palette-out", type=Path, required=True, metavar="FILE", help="palette file to write")
    apply = command("apply", "write sprites with a saved palette")
    _add_frame_options(apply)
    apply.add_argument("--palette", type=Path, required=True, metavar="FILE", help="palette file to use")
    _add_output_options(apply)
    sheet = command("sheet", "lay sprites out on a grid in one PNG")
    sheet.add_argument("sources", nargs="+", metavar="SRC", type=Path, help="folders of sprites, or sprite files")
    sheet.add_argument("--sheet-out", type=Path, required=True, metavar="FILE", help="the sheet PNG to write")
    sheet.add_argument("--columns", type=int, default=8, help="sprites per row (default 8)")
    sheet.add_argument("--scale", type=int, default=1, help="enlarge every pixel this many times (default 1)")
    return parser


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


def write_sheet(args: argparse.Namespace) -> int:
    frames = [frame for frame in engine.discover_frames(args.sources) if frame.path != args.sheet_out.resolve()]
    if not frames:
        raise engine.SetupError(f"no PNG sprites found in {', '.join(map(str, args.sources))}")
    sprites = [engine.read_frame(frame.path).rgba for frame in frames]
    engine.write_png(engine.make_sheet(sprites, columns=args.columns, scale=args.scale), args.sheet_out)
    print(f"{len(sprites)} sprites written to {args.sheet_out}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.command == "sheet":
        return write_sheet(args)
    downscale = engine.DownscaleSettings(size=args.size, pixel=args.pixel, alpha_threshold=args.alpha_threshold)
    options = engine.RunOptions(workers=args.workers, processes=True, progress=_ProgressBar(sys.stderr))
    exclude = [args.out] if getattr(args, "out", None) else []
    frames = engine.discover_frames(args.sources, exclude=exclude)
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
        palette, report = engine.fit(frames, downscale, palette_settings, options)
        engine.write_palette(palette, args.palette_out)
        _print_skipped(report)
        print(f"{len(palette)} colours from {report.frames_read} frames written to {args.palette_out}")
        return 0

    target = engine.read_palette(args.target_palette) if args.target_palette else None
    output = engine.OutputSettings(folder=args.out, indexed=args.indexed, target=target, report_path=args.report)
    if args.command == "process":
        report = engine.process(frames, args.sources, downscale, palette_settings, output, options)
    else:
        report = engine.apply(frames, args.sources, downscale, palette, output, options)
    _print_skipped(report)
    print(report.summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (engine.SetupError, engine.PaletteFileError, engine.FrameError, ValueError) as error:
        print(f"pixel-sprites: error: {error}", file=sys.stderr)
        return 2
    except engine.Cancelled as cancelled:
        print(f"pixel-sprites: cancelled: {cancelled.report.summary()}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("pixel-sprites: interrupted", file=sys.stderr)
        return 130
