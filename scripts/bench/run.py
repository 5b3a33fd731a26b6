"""Runs the benchmark's sections and writes every figure, with the machine, the date and the commit, to one JSON
file; ``tables`` makes the tables of docs/performance.md from it. Run from the repository's root:

    .venv/bin/python -m scripts.bench [--only SECTION ...] [--skip SECTION ...] [--results FILE] [sizes ...]

A quick run:

    .venv/bin/python -m scripts.bench --frames 60 --small-frames 30 --runs 1 --memory-frames 0 --spool-frames 0

Sections, in the order they run (a size of 0 skips its section):

    speed        Pixel Sprites, the original script's pipeline and a Pillow decode-only pass, --runs times in turn,
                 on --frames and --small-frames frames; ratios, spreads, the engine's phases
    memory       Pixel Sprites on --memory-frames frames: its process tree's peak memory
    spool        the spool in the output folder against one in /dev/shm, on --spool-frames drawn frames
    decoders     the PNG decoders, on one core, threads and processes
    quality      palette error against k-means on four rendered characters (Blender)
    ground-truth colour counts found and error on characters of known colours
    sampling     nearest against majority sampling: cost, speckle, flicker (Blender)
    sprite-size  rendering at sprite size against render + downscale (Blender)
    sets         Render Sprite Set against plain renders: the set's overhead (Blender)
    normals      what Normal Maps add to a sprite set, at full size and at sprite size (Blender)
    cleanup      --cleanup and --outline: isolated pixels, pixels recoloured, selout, flicker, cost (Blender, or
                 the --frames-from frames alone)
    steady       Steady Colours (--stabilise): flicker of still poses, error and stuck pixels of moving ones against
                 a 64-sample reference, cost, on characters no test renders (Blender)
    sheets       sheet packing with every engine file, per 1,000 cells
    packing      packed sheets (--packed): --packing-sprites sprites trimmed, merged and packed (time, memory), and
                 the pages' area against maxrects-packer and fixed cells (two drawn characters, --packing-demo)
    variants     what each palette variant adds to the sheets' writing time (paletted and RGBA sheets)
    safety       what the palette lock held for a whole run and the flushes to the disk (fsync) cost, on
                 --safety-frames drawn frames
    frame-list   what sprites add to Debian's blender -a and --render-frame (skipped without a blender binary)
    game-data    what Game Data (a 30-bone rig, 5 points, 5 boxes, In Place) adds to a set's Cycles renders, at full
                 size and at sprite size (Blender)
    preview      the live preview's latency in Debian's Blender with its interface under xvfb-run, against the
                 floor of the same run, scrubbing, and FAST against EXACT (skipped without blender or xvfb-run)

The base frames are Cycles renders of the demo character (24 at --render-size, kept in --work-dir), or the PNGs of
--frames-from. Every memory figure is the peak of the summed RSS of a process and all its descendants, sampled
every 50 ms (``process_memory``). Ratios are what to read: absolute times vary by 2x between runs and machines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import (
    cleanup,
    decoders,
    frame_list,
    game_data,
    packing,
    preview,
    quality,
    rendering,
    safety,
    sampling,
    sheets,
    speed,
    spool,
    steady,
    tables,
    variants,
)
from .inputs import Inputs, Options
from .machine import describe_machine, describe_run, portable_path

SECTIONS: dict[str, Callable[[Inputs], dict[str, Any]]] = {
    "speed": speed.speed_section,
    "memory": speed.memory_section,
    "spool": spool.spool_section,
    "decoders": decoders.decoders_section,
    "quality": quality.quality_section,
    "ground-truth": quality.ground_truth_section,
    "sampling": sampling.sampling_section,
    "sprite-size": rendering.sprite_size_section,
    "sets": rendering.sets_section,
    "normals": rendering.normals_section,
    "cleanup": cleanup.cleanup_section,
    "steady": steady.steady_section,
    "sheets": sheets.sheets_section,
    "packing": packing.packing_section,
    "variants": variants.variants_section,
    "safety": safety.safety_section,
    "frame-list": frame_list.frame_list_section,
    "game-data": game_data.game_data_section,
    "preview": preview.preview_section,
}
# The size options of a section: when they are all 0, the section is left out.
SIZES = {"speed": ("frames", "small_frames"), "memory": ("memory_frames",), "spool": ("spool_frames",),
         "sheets": ("sheet_cells",), "packing": ("packing_sprites",), "variants": ("sheet_cells",),
         "safety": ("safety_frames",)}  # fmt: skip
# /var/tmp, not /tmp: /tmp is a tmpfs on many systems, and the spool section needs its output folder on disk.
DEFAULT_WORK = Path("/var/tmp/pixel_sprites_benchmark")


def render_size(text: str) -> tuple[int, int]:
    """``640x900`` as (640, 900)."""
    width, _, height = text.partition("x")
    return int(width), int(height)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    from pixel_sprites import engine

    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    choose = parser.add_mutually_exclusive_group()
    choose.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION", help="run these sections alone")
    choose.add_argument("--skip", nargs="+", choices=SECTIONS, default=[], metavar="SECTION", help="leave these out")
    parser.add_argument("--results", type=Path, help="the results JSON (default: results.json in --work-dir)")
    parser.add_argument(
        "--work-dir", type=Path, default=DEFAULT_WORK, help=f"renders and outputs (default {DEFAULT_WORK})"
    )
    parser.add_argument("--frames-from", type=Path, help="a folder of PNG frames to use instead of the demo renders")
    parser.add_argument("--frames", type=int, default=1500, help="speed: the large job (default 1500)")
    parser.add_argument("--small-frames", type=int, default=300, help="speed: the small job, one action at 8 facings")
    parser.add_argument("--runs", type=int, default=3, help="speed: runs of each pipeline, in turn (default 3)")
    parser.add_argument("--memory-frames", type=int, default=30_000, help="memory: frames (default 30000)")
    parser.add_argument("--spool-frames", type=int, default=30_000, help="spool: frames (default 30000)")
    parser.add_argument("--safety-frames", type=int, default=1500, help="safety: frames (default 1500)")
    parser.add_argument("--sheet-cells", type=int, default=1000, help="sheets: sprites packed (default 1000)")
    parser.add_argument("--packing-sprites", type=int, default=10_000, help="packing: sprites (default 10000)")
    parser.add_argument("--packing-demo", type=Path, help="packing: the demo set's sprites folder, to measure too")
    parser.add_argument("--workers", type=int, default=engine.RunOptions().workers, help="default: the engine's")
    parser.add_argument(
        "--render-size", type=render_size, default=(640, 900), help="Cycles renders, WxH (default 640x900)"
    )
    parser.add_argument("--samples", type=int, default=16, help="Cycles samples per pixel (default 16)")
    return parser.parse_args(argv)


def chosen_sections(args: argparse.Namespace) -> list[str]:
    wanted = set(args.only or SECTIONS) - set(args.skip)
    sized_out = {name for name, sizes in SIZES.items() if all(getattr(args, size) == 0 for size in sizes)}
    return [name for name in SECTIONS if name in wanted and name not in sized_out]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_arguments(argv)
    work = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    options = Options(
        work=work,
        frames=args.frames,
        small_frames=args.small_frames,
        runs=args.runs,
        memory_frames=args.memory_frames,
        spool_frames=args.spool_frames,
        safety_frames=args.safety_frames,
        sheet_cells=args.sheet_cells,
        packing_sprites=args.packing_sprites,
        packing_demo=args.packing_demo.resolve() if args.packing_demo else None,
        workers=args.workers,
        render_size=args.render_size,
        samples=args.samples,
        frames_from=args.frames_from.resolve() if args.frames_from else None,
    )
    inputs = Inputs(options)
    results_path = args.results or work / "results.json"
    results: dict[str, Any] = {
        "run": describe_run(argv) | {"options": portable_options(options)},
        "machine": describe_machine(),
        "section_seconds": {},
        "sections": {},
    }
    for name in chosen_sections(args):
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        results["sections"][name] = SECTIONS[name](inputs)
        results["section_seconds"][name] = time.perf_counter() - started
        # Written after every section, so that a failure late in a long run keeps what was measured before it.
        write_results(results_path, results)
        print(tables.section_markdown(name, results), flush=True)
    print(f"results in {results_path}; tables: python -m scripts.bench.tables {results_path}")
    return 0


def portable_options(options: Options) -> dict[str, Any]:
    """The options as the results keep them: JSON values, and no path of this machine (``portable_path``)."""
    fields = asdict(options)
    kept = {name: portable_path(value) if isinstance(value, Path) else value for name, value in fields.items()}
    return json.loads(json.dumps(kept))


def write_results(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    os.replace(partial, path)  # never a half-written file where a reader looks
