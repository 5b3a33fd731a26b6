"""The spool section: time and peak memory of ``process`` with its spool in the output folder against the old
tmpfs spool.

Between the palette fit and the writing, ``process`` parks the small frames in a spool file (about 23 KB per
64x90 sprite). It used to be a tempfile in ``$TMPDIR``, which on a tmpfs sits in RAM; now it is a hidden, unnamed
file in the output folder. On ``--spool-frames`` 128x180 frames (24 drawn with Pillow, the rest hard links, so
building them is cheap), ``python -m pixel_sprites process FRAMES --out OUT --pixel 2 --colors 16`` runs three
ways in one run:

    default   the spool in the output folder (on disk)
    shm       --spool-dir in /dev/shm, standing in for the old $TMPDIR on a tmpfs: the reference
    disk      --spool-dir another folder on disk, beside the output

Memory is the process tree's RSS plus what the run added to /dev/shm (tmpfs pages are RAM that no process's RSS
shows); the ratios against ``shm`` are what to read.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from . import ROOT
from .inputs import Inputs
from .process_memory import SHM, run_measured

DISTINCT = 24
FRAME_SIZE = (128, 180)
REFERENCE = "shm"
PALETTE = [(200, 40, 40), (40, 160, 60), (50, 80, 200), (230, 200, 60), (120, 60, 140), (240, 240, 240)]


def draw_frame(index: int) -> Image.Image:
    """A figure of a few flat-coloured shapes, its limbs moved by ``index``."""
    image = Image.new("RGBA", FRAME_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    shift = index * 2

    def colour(offset: int) -> tuple[int, int, int, int]:
        return (*PALETTE[(index + offset) % len(PALETTE)], 255)

    draw.ellipse((40, 10 + shift // 3, 88, 58 + shift // 3), fill=colour(0))
    draw.rectangle((34, 60, 94, 130), fill=colour(1))
    draw.rectangle((30 + shift, 130, 50 + shift, 175), fill=colour(2))
    draw.polygon([(70, 130), (98 - shift, 178), (60, 178)], fill=colour(3))
    draw.line((10, 70 + shift, 34, 90), fill=colour(4), width=5)
    return image


def build_frames(work: Path, count: int) -> Path:
    """A render folder of ``count`` frames: ``DISTINCT`` drawn ones, the rest hard links to them; kept for reuse."""
    frames = work / f"spool_frames_{count}"
    names = [frames / f"frame_{index:06d}.png" for index in range(count)]
    if frames.is_dir() and len(os.listdir(frames)) == count and all(name.exists() for name in names):
        return frames
    shutil.rmtree(frames, ignore_errors=True)
    frames.mkdir(parents=True)
    for index, name in enumerate(names[:DISTINCT]):
        draw_frame(index).save(name)
    for index, name in enumerate(names[DISTINCT:], DISTINCT):
        os.link(names[index % DISTINCT], name)
    return frames


def run_way(frames: Path, out: Path, spool_dir: Path | None) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "pixel_sprites", "process", str(frames), "--out", str(out)]
    command += ["--pixel", "2", "--colors", "16"] + (["--spool-dir", str(spool_dir)] if spool_dir else [])
    figures: dict[str, Any] = run_measured(command, cwd=ROOT).figures()
    figures["sprites_written"] = sum(1 for _ in out.glob("frame_*.png"))  # not the palette's swatch
    shutil.rmtree(out)
    return figures


def spool_section(inputs: Inputs) -> dict[str, Any]:
    count, work = inputs.options.spool_frames, inputs.options.work
    frames = build_frames(work, count)
    disk_spool = work / "spool_disk"
    disk_spool.mkdir(exist_ok=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pixel_sprites_bench_", dir=SHM) as shm_spool:
        ways = {
            "default": run_way(frames, work / "spool_out_default", None),
            "shm": run_way(frames, work / "spool_out_shm", Path(shm_spool)),
            "disk": run_way(frames, work / "spool_out_disk", disk_spool),
        }
    reference = ways[REFERENCE]
    return {
        "frames": count,
        "frame_size": list(FRAME_SIZE),
        "sprite_size": [FRAME_SIZE[0] // 2, FRAME_SIZE[1] // 2],
        "colours": 16,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "reference": REFERENCE,
        "ways": ways,
        "ratios": {
            name: {
                "time": way["seconds"] / reference["seconds"],
                "memory": way["peak_rss_plus_shm_bytes"] / reference["peak_rss_plus_shm_bytes"],
            }
            for name, way in ways.items()
            if name != REFERENCE
        },
    }
