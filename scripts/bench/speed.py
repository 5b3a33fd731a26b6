"""The speed and memory sections: the pipelines of ``pipelines``, each in a fresh process, timed from start to
exit with their process tree's peak memory (``process_memory``).

Speed runs the three pipelines ``--runs`` times in turn, so that none gets a quieter machine than the others, at
``--frames`` and at ``--small-frames``. What to read are the ratios, measured in the same run: the original's time
over ours (the speed-up) and ours over the decode-only pass; absolute times vary by 2x between runs and machines.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import ROOT
from .inputs import SPRITE_SIZE, TARGET_COLOURS, Inputs
from .process_memory import run_measured

PIPELINES = ("decode_only", "original", "pixel_sprites")
PHASES = ("read", "fit", "write", "total")  # of the engine's report.timings


def spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def pipeline_command(name: str, frames: Path, out: Path, inputs: Inputs, timings: Path) -> list[str]:
    command = [sys.executable, "-m", "scripts.bench.pipelines", name.replace("_", "-"), str(frames)]
    workers = ["--workers", str(inputs.options.workers)]
    target = ["--out", str(out), "--target", str(inputs.target_palette)]
    if name == "decode_only":
        return command + workers
    if name == "original":
        return command + target
    return command + target + workers + ["--timings", str(timings)]


def measure_pipeline(name: str, frames: Path, inputs: Inputs) -> dict[str, Any]:
    """One run of the pipeline ``name`` on the frames in ``frames``: seconds, memory peaks and, for ours, the
    report's timings by phase."""
    with tempfile.TemporaryDirectory(prefix="pixel_sprites_bench_") as scratch:
        timings = Path(scratch) / "timings.json"
        # Every run writes into a new, empty folder, as a first job does. Not one emptied just before: on this
        # ext4 (mounted with discard) the deletion of the previous run's 1,500 files slows the next run's file
        # creation, more with each round (0.5 → 1.3 s to write 1,500 sprites). They are deleted after the timing.
        out = Path(tempfile.mkdtemp(prefix=f"{name}_", dir=_outputs(inputs)))
        measured = run_measured(pipeline_command(name, frames, out, inputs, timings), cwd=ROOT)
        figures: dict[str, Any] = measured.figures()
        if timings.exists():
            report = json.loads(timings.read_text())
            figures["phases"] = {phase: report[phase] for phase in PHASES if phase in report}
    return figures


def summary(runs: list[dict[str, Any]], frames: int) -> dict[str, Any]:
    """Every run's seconds and peaks, their spread, and milliseconds per frame of the median."""
    seconds = [run["seconds"] for run in runs]
    row: dict[str, Any] = {
        "seconds": seconds,
        "seconds_spread": spread(seconds),
        "ms_per_frame_median": 1000 * statistics.median(seconds) / frames,
        "peak_rss_bytes": [run["peak_rss_bytes"] for run in runs],
        "peak_rss_bytes_max": max(run["peak_rss_bytes"] for run in runs),
    }
    if all("phases" in run for run in runs):
        row["phases"] = [run["phases"] for run in runs]
        row["phases_median"] = {
            phase: statistics.median(run["phases"][phase] for run in runs) for phase in runs[0]["phases"]
        }
    return row


def ratio(numerators: list[float], denominators: list[float]) -> dict[str, Any]:
    """Run by run, with their spread, and the ratio of the medians (what docs/performance.md quotes)."""
    by_run = [top / bottom for top, bottom in zip(numerators, denominators, strict=True)]
    return {
        "of_medians": statistics.median(numerators) / statistics.median(denominators),
        "by_run": by_run,
        "by_run_spread": spread(by_run),
    }


def _outputs(inputs: Inputs) -> Path:
    folder = inputs.options.work / "out" / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def delete_outputs(inputs: Inputs) -> None:
    """The runs' outputs, deleted once every run of a section is timed (see ``measure_pipeline``)."""
    shutil.rmtree(_outputs(inputs), ignore_errors=True)


def time_frames(inputs: Inputs, count: int) -> dict[str, Any]:
    """The three pipelines on ``count`` frames, ``--runs`` times in turn."""
    folder = inputs.linked_frames(count)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in PIPELINES}
    for _ in range(inputs.options.runs):
        for name in PIPELINES:
            runs[name].append(measure_pipeline(name, folder, inputs))
    pipelines = {name: summary(measured, count) for name, measured in runs.items()}
    seconds = {name: row["seconds"] for name, row in pipelines.items()}
    return {
        "frames": count,
        "pipelines": pipelines,
        "ratios": {
            "speed_up_over_original": ratio(seconds["original"], seconds["pixel_sprites"]),
            "time_over_decode_only": ratio(seconds["pixel_sprites"], seconds["decode_only"]),
        },
    }


def speed_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine

    options = inputs.options
    section = {
        "render_size": _frame_size(inputs),
        "sprite_size": list(SPRITE_SIZE),
        "target_colours": TARGET_COLOURS,
        "runs": options.runs,
        "workers": options.workers,
        "engine_default_workers": engine.RunOptions().workers,
        "jobs": [time_frames(inputs, count) for count in (options.frames, options.small_frames) if count > 0],
    }
    delete_outputs(inputs)  # after both jobs: deleting between them would slow the second one's writing
    return section


def memory_section(inputs: Inputs) -> dict[str, Any]:
    """Pixel Sprites alone on ``--memory-frames`` frames (the original would hold them all as float64)."""
    count = inputs.options.memory_frames
    measured = measure_pipeline("pixel_sprites", inputs.linked_frames(count), inputs)
    delete_outputs(inputs)
    return {
        "render_size": _frame_size(inputs),
        "frames": count,
        "workers": inputs.options.workers,
        "ms_per_frame": 1000 * measured["seconds"] / count,
        **measured,
    }


def _frame_size(inputs: Inputs) -> list[int]:
    from PIL import Image

    with Image.open(inputs.base_frames[0]) as image:
        return list(image.size)
