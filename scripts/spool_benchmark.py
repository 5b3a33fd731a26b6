"""Time and peak memory of ``process`` with the spool in the output folder against the old tmpfs spool.

    .venv/bin/python scripts/spool_benchmark.py [--frames 30000] [--work DIR] [--keep]

Between the palette fit and the writing, ``process`` parks the small frames in a
spool file (about 23 KB per 64x90 sprite). It used to be a tempfile in ``$TMPDIR``,
which on a tmpfs sits in RAM; now it is a hidden, unnamed file in the output folder.
This builds ``--frames`` 128x180 RGBA frames (24 drawn with Pillow, the rest hard
links, so building is cheap; under ``--work`` they are kept and reused, else deleted)
and runs ``python -m pixel_sprites process FRAMES --out OUT --pixel 2 --colors 16``
in a subprocess three ways in one run:

    (a) default         the spool in the output folder (on disk)
    (b) --spool-dir shm  the spool in /dev/shm, standing in for the old $TMPDIR on tmpfs: the reference
    (c) --spool-dir disk the spool in another folder on disk, beside the output

For each: the wall time and, sampled every 0.2 s from /proc, the peak of the summed
RSS of the process and all its descendants plus the bytes the run added to /dev/shm
(tmpfs pages are RAM that no process's RSS shows). The ratios against (b) are what to
read. Other processes writing to /dev/shm during the run would count too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
DISTINCT = 24
SHM = Path("/dev/shm")


def build_frames(folder: Path, count: int) -> Path:
    """A render folder of ``count`` frames: DISTINCT drawn ones, the rest hard links to them."""
    frames = folder / f"frames_{count}"
    names = [frames / f"frame_{index:06d}.png" for index in range(count)]
    if frames.is_dir() and all(name.exists() for name in names) and len(os.listdir(frames)) == count:
        print(f"reusing {count} frames in {frames}")
        return frames
    shutil.rmtree(frames, ignore_errors=True)
    frames.mkdir(parents=True)
    colours = [(200, 40, 40), (40, 160, 60), (50, 80, 200), (230, 200, 60), (120, 60, 140), (240, 240, 240)]
    for index, name in enumerate(names[:DISTINCT]):
        image = Image.new("RGBA", (128, 180), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        shift = index * 2
        draw.ellipse((40, 10 + shift // 3, 88, 58 + shift // 3), fill=colours[index % 6] + (255,))
        draw.rectangle((34, 60, 94, 130), fill=colours[(index + 1) % 6] + (255,))
        draw.rectangle((30 + shift, 130, 50 + shift, 175), fill=colours[(index + 2) % 6] + (255,))
        draw.polygon([(70, 130), (98 - shift, 178), (60, 178)], fill=colours[(index + 3) % 6] + (255,))
        draw.line((10, 70 + shift, 34, 90), fill=colours[(index + 4) % 6] + (255,), width=5)
        image.save(name)
    for index, name in enumerate(names[DISTINCT:], DISTINCT):
        os.link(names[index % DISTINCT], name)
    print(f"built {count} frames in {frames}")
    return frames


def shm_used() -> int:
    stats = os.statvfs(SHM)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def tree_rss(root: int) -> int:
    """Summed VmRSS in bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


@dataclass
class Result:
    name: str
    seconds: float
    peak_rss: int
    peak_shm: int
    peak_total: int
    code: int


def run(name: str, frames: Path, out: Path, extra: list[str]) -> Result:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "pixel_sprites", "process", str(frames), "--out", str(out)]
    command += ["--pixel", "2", "--colors", "16", *extra]
    print(f"({name}) {' '.join(command)}", flush=True)
    base_shm = shm_used()
    peak_rss = peak_shm = peak_total = 0
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        rss, shm = tree_rss(process.pid), max(0, shm_used() - base_shm)
        peak_rss, peak_shm, peak_total = max(peak_rss, rss), max(peak_shm, shm), max(peak_total, rss + shm)
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode:
        print(f"    exit code {process.returncode}: {stderr.strip()[-2000:]}")
    sprites = sum(1 for _ in out.rglob("*.png")) if out.is_dir() else 0
    print(f"    {seconds:.1f} s, {sprites} PNGs written", flush=True)
    return Result(name, seconds, peak_rss, peak_shm, peak_total, process.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=30_000, help="frames in the render folder (default 30000)")
    parser.add_argument("--work", type=Path, help="folder for the frames and outputs (default a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the outputs (frames under --work are always kept)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="spool_benchmark_", dir="/var/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    shm_spool = Path(tempfile.mkdtemp(prefix="spool_benchmark_", dir=SHM))
    disk_spool = work / "spool"
    disk_spool.mkdir(exist_ok=True)
    try:
        frames = build_frames(work, args.frames)
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the runs", flush=True)
        results = [
            run("a: default", frames, work / "out_a", []),
            run("b: --spool-dir shm", frames, work / "out_b", ["--spool-dir", str(shm_spool)]),
            run("c: --spool-dir disk", frames, work / "out_c", ["--spool-dir", str(disk_spool)]),
        ]
        print(f"load average {os.getloadavg()[0]:.2f} after the runs")
    finally:
        shutil.rmtree(shm_spool, ignore_errors=True)
        if not args.keep:
            for name in ("out_a", "out_b", "out_c", "spool"):
                shutil.rmtree(work / name, ignore_errors=True)
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    mib = 1024 * 1024
    print(f"\n{args.frames} frames, 128x180 -> 64x90, 16 colours")
    print(f"{'way':<22}{'wall s':>9}{'tree RSS MiB':>14}{'+shm MiB':>10}{'RSS+shm MiB':>13}{'exit':>6}")
    for r in results:
        row = f"{r.seconds:>9.1f}{r.peak_rss / mib:>14.1f}{r.peak_shm / mib:>10.1f}{r.peak_total / mib:>13.1f}"
        print(f"{r.name:<22}{row}{r.code:>6}")
    reference = results[1]
    for r in (results[0], results[2]):
        time_ratio = r.seconds / reference.seconds
        memory_ratio = r.peak_total / reference.peak_total if reference.peak_total else float("nan")
        print(f"{r.name[0]} / b: time {time_ratio:.2f}x, peak memory (RSS+shm) {memory_ratio:.2f}x")


if __name__ == "__main__":
    main()
