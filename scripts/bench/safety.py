"""The safety section: what the palette lock held for a whole run and the flushes to the disk (``fsync`` of the
record and the palette files, issue 27) cost a ``process`` run of ``--safety-frames`` sprites.

On the spool section's drawn 128x180 frames, ``process FRAMES --out OUT --pixel 2 --colors 16`` runs three ways,
in turn, ``--runs`` times, each in a fresh process started by a small driver:

    without   the lock taken at once without an OS lock, and ``os.fsync`` a no-op: the run as before issue 27,
              the reference
    lock      the palette lock held for the whole run; no flush
    default   both, as shipped

The driver replaces the two in the run's own process only (where both happen: sprites are never flushed), so the
engine carries no switch for the benchmark. Medians of the runs; the ratios against ``without`` are what to read,
and the flushes are counted and timed in every way (done only in ``default``): their cost is far below the runs'
spread.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import ROOT
from .inputs import Inputs
from .spool import build_frames

REFERENCE = "without"
_DRIVER = """
import contextlib, json, os, sys, time
from pixel_sprites.cli import main
from pixel_sprites.engine.sprites import pipeline
way, out = sys.argv[1], sys.argv[2]
flushes = []
fsync = os.fsync
def counted(handle):
    started = time.perf_counter()
    if way == "default":  # else counted, not done
        fsync(handle)
    flushes.append(time.perf_counter() - started)
os.fsync = counted
if way == "without":
    pipeline.character_lock = lambda *args, **kwargs: contextlib.nullcontext()
started = time.perf_counter()
code = main(sys.argv[3:])
print(json.dumps({"seconds": time.perf_counter() - started, "flushes": len(flushes), "flush_seconds": sum(flushes),
                  "code": code}))
"""


def run_way(way: str, frames: Path, out: Path, workers: int) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    arguments = ["process", str(frames), "--out", str(out), "--pixel", "2", "--colors", "16"]
    arguments += ["--workers", str(workers)]
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, way, str(out), *arguments], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"process ({way}) failed with exit code {done.returncode}:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["sprites_written"] = sum(1 for _ in out.glob("frame_*.png"))
    shutil.rmtree(out)
    return figures


def safety_section(inputs: Inputs) -> dict[str, Any]:
    options = inputs.options
    count, work = options.safety_frames, options.work
    frames = build_frames(work, count)
    runs: dict[str, list[dict[str, Any]]] = {"without": [], "lock": [], "default": []}
    started = time.perf_counter()
    for _ in range(max(options.runs, 1)):
        for way in runs:  # in turn, so that a slow spell of the machine falls on every way alike
            runs[way].append(run_way(way, frames, work / f"safety_out_{way}", options.workers))
    ways = {
        way: {
            "seconds": statistics.median(run["seconds"] for run in measured),
            "runs_seconds": [run["seconds"] for run in measured],
            "flushes": measured[0]["flushes"],
            "flush_ms": statistics.median(run["flush_seconds"] for run in measured) * 1000,
            "sprites_written": measured[0]["sprites_written"],
        }
        for way, measured in runs.items()
    }
    reference = ways[REFERENCE]["seconds"]
    return {
        "frames": count,
        "workers": options.workers,
        "reference": REFERENCE,
        "ways": ways,
        "ratios": {way: figures["seconds"] / reference for way, figures in ways.items() if way != REFERENCE},
        "added_ms_per_1500_sprites": {
            way: (figures["seconds"] - reference) * 1000 * 1500 / count
            for way, figures in ways.items()
            if way != REFERENCE
        },
        "section_seconds": time.perf_counter() - started,
    }


WAYS = {
    "without": "without the lock or flushes (before issue 27)",
    "lock": "the palette lock for the whole run",
    "default": "the lock and the flushes (as shipped)",
}


def safety_table(data: dict[str, Any]) -> str:
    """The table of the section in docs/performance.md."""
    rows = [
        f"| {WAYS.get(name, name)} | {way['seconds']:.2f} | "
        + ", ".join(f"{seconds:.2f}" for seconds in way["runs_seconds"])
        + f" | {way['flushes']} ({way['flush_ms']:.1f} ms) | "
        + (f"{data['ratios'][name]:.3f}x | {data['added_ms_per_1500_sprites'][name]:+.0f}" if name in data["ratios"]
           else "1 | 0")
        + " |"
        for name, way in data["ways"].items()
    ]  # fmt: skip
    return (
        f"`process` of {data['frames']:,} sprites, {data['workers']} workers, medians of the runs (in turn):\n\n"
        "| run | median s | runs s | fsync calls (time in them) | time vs without | ms added per 1,500 sprites |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(rows)
    )
