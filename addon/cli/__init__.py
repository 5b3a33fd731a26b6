"""``pixel-sprites``: turn folders of rendered frames into sprites from the command line.

One module per command says what it does: :mod:`.process`, :mod:`.fit`, :mod:`.apply`, :mod:`.sheet` and
:mod:`.grid`; each adds its options (``add_parser``), refuses options that would do nothing there (``check``) and
runs (``run``) through the engine's job spec (:mod:`.jobs`).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from ..engine.errors import FATAL_WRITE_ERRORS, Cancelled, FrameError, OptionError, PaletteFileError, SetupError
from . import apply, fit, grid, palette_variant, process, sheet
from .running import StopRequests

COMMANDS = {
    "process": process,
    "fit": fit,
    "apply": apply,
    "sheet": sheet,
    "grid": grid,
    "palette-variant": palette_variant,
}

EXAMPLES = """\
examples:
  pixel-sprites process renders/ --out sprites/ --size 64x90
  pixel-sprites process renders/walk renders/idle --out sprites/ --pixel 10 --colors 16
  pixel-sprites process renders/ --out sprites/ --target-palette game.gpl --indexed
  pixel-sprites process renders/ --out sprites/ --size 64x90 --stabilise   # steady colours from frame to frame
  pixel-sprites fit renders/ --palette-out hero.gpl
  pixel-sprites apply renders/new_angle --palette hero.gpl --out sprites/
  pixel-sprites apply renders/walk/E --root renders/ --palette hero.gpl --out sprites/   # a farm's chunk
  pixel-sprites process renders/ --out sprites/ --pixel 10 --sheets   # renders/<action>/<facing>/0001.png
  pixel-sprites sheet sprites/ --layout atlas --max-size 2048 --padding 2 --formats json,godot
  pixel-sprites sheet sprites/ --packed --extrude 1   # trimmed, merged, densely packed pages
  pixel-sprites grid sprites/ --out hero_sheet.png --columns 8 --scale 4
  pixel-sprites palette-variant sprites/ hero_red.gpl   # recolour it, then:
  pixel-sprites sheet sprites/ --variant red=hero_red.gpl
"""


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="pixel-sprites",
        description="Turn rendered frames into pixel-art sprites that share one palette.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parsers = {}
    for name, module in COMMANDS.items():
        parsers[name] = commands.add_parser(
            name, help=module.SUMMARY, epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        module.add_parser(parsers[name])
    return parser, parsers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Bad input (a file, a folder or an option) gives one line naming it and exit code 2; anything else is a
    bug, and its traceback is shown.
    """
    parser, parsers = build_parser()
    args = parser.parse_args(argv)
    command = COMMANDS[args.command]
    command.check(parsers[args.command], args)
    with StopRequests() as stop:
        try:
            return command.run(args, stop)
        except (SetupError, PaletteFileError, FrameError, OptionError) as error:
            print(f"pixel-sprites: error: {error}", file=sys.stderr)
            return 2
        except Cancelled as cancelled:
            name = signal.Signals(stop.exit_code - 128).name
            print(f"pixel-sprites: stopped by {name}: {cancelled.report.summary()}", file=sys.stderr)
            if cancelled.report.report_path is not None:
                print(f"pixel-sprites: report: {cancelled.report.report_path}", file=sys.stderr)
            return stop.exit_code
        except KeyboardInterrupt:
            print("pixel-sprites: interrupted", file=sys.stderr)
            return 130
        except OSError as error:
            if error.errno not in FATAL_WRITE_ERRORS:
                raise  # a bug: its traceback is shown
            # A full disk, a quota or a read-only file system met outside the sprite stage (a sheet, a manifest).
            where = error.filename if error.filename is not None else "an output file"
            print(f"pixel-sprites: error: {where}: {error.strerror or error}", file=sys.stderr)
            return 2
