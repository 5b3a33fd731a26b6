"""The benchmark package (scripts/bench): its types are clean, its memory sampler counts a whole process tree, and
a quick run on a few frames made here writes a results JSON with every figure its tables need, consistently."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import dev_tool
from PIL import Image

# Byte identity, the benchmark, ruff, mypy and the package: the same under every Python and bpy (see pyproject).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[1]
FRAMES = 12
RUNS = 2
SPOOL_FRAMES = 30
SHEET_CELLS = 40
# Those that need neither Blender nor minutes.
QUICK_SECTIONS = ("speed", "memory", "spool", "decoders", "cleanup", "sheets", "variants", "safety")


def test_mypy_is_clean_on_the_benchmark():
    # A cache of its own: test_project's mypy may run at the same time (the tests run in two processes), and two
    # mypy runs must not write one cache.
    command = [dev_tool("mypy"), "--cache-dir", ".mypy_cache/benchmark", "scripts/bench"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_memory_is_summed_over_the_process_tree(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from scripts.bench.process_memory import run_measured

    # A Python whose child holds 200 MB for a second: ru_maxrss of the parent would not see it.
    hold = "import time; block = b'x' * 200_000_000; time.sleep(1.0)"
    command = [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {hold!r}])"]
    measured = run_measured(command, cwd=ROOT)
    assert measured.seconds >= 1.0
    assert 200e6 < measured.peak_rss < 400e6


def _write_frames(folder: Path, count: int = 6) -> None:
    """Small RGBA frames of a figure on a transparent background: a flat body and a noisy, moving patch."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(count):
        frame = np.zeros((180, 128, 4), np.uint8)
        frame[20 + index : 160, 30:100] = (*rng.integers(0, 256, 3), 255)
        frame[60 + index : 90 + index, 40:90, :3] = rng.integers(0, 256, (30, 50, 3))
        Image.fromarray(frame).save(folder / f"frame_{index:02d}.png")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[dict[str, Any], Path]:
    folder = tmp_path_factory.mktemp("benchmark")
    _write_frames(folder / "frames")
    results = folder / "results.json"
    command = [
        sys.executable, "-m", "scripts.bench", "--frames-from", str(folder / "frames"), "--work-dir",
        str(folder / "work"), "--results", str(results), "--only", *QUICK_SECTIONS, "--frames", str(FRAMES),
        "--small-frames", "0", "--runs", str(RUNS), "--memory-frames", str(FRAMES), "--spool-frames",
        str(SPOOL_FRAMES), "--sheet-cells", str(SHEET_CELLS), "--safety-frames", str(SPOOL_FRAMES),
    ]  # fmt: skip
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(results.read_text()), results


def test_the_results_say_where_and_when_they_were_made(quick_run):
    results, _ = quick_run
    assert set(results) == {"run", "machine", "section_seconds", "sections"}
    assert list(results["sections"]) == list(QUICK_SECTIONS)
    machine, run = results["machine"], results["run"]
    assert machine["cpu_count"] == os.cpu_count() and machine["cpu_model"] and machine["ram_bytes"] > 0
    assert machine["python"] == ".".join(map(str, sys.version_info[:3]))
    assert machine["packages"]["numpy"] == np.__version__
    if run["git_commit"] is not None:  # a checkout with its history: the commit is HEAD, or was before a new one
        ancestor = ["git", "merge-base", "--is-ancestor", run["git_commit"], "HEAD"]
        assert subprocess.run(ancestor, cwd=ROOT).returncode == 0
    assert run["date"][:4].isdigit() and "--only" in run["command"] and run["options"]["runs"] == RUNS


def test_speed_gives_every_run_their_spread_and_consistent_ratios(quick_run):
    speed = quick_run[0]["sections"]["speed"]
    from pixel_sprites import engine

    assert speed["workers"] == speed["engine_default_workers"] == engine.RunOptions().workers
    assert speed["runs"] == RUNS and [job["frames"] for job in speed["jobs"]] == [FRAMES]
    job = speed["jobs"][0]
    seconds = {name: row["seconds"] for name, row in job["pipelines"].items()}
    assert set(seconds) == {"decode_only", "original", "pixel_sprites"}
    for name, row in job["pipelines"].items():
        assert len(row["seconds"]) == RUNS and all(value > 0 for value in row["seconds"]), name
        assert row["seconds_spread"] == {
            "min": min(row["seconds"]), "median": statistics.median(row["seconds"]), "max": max(row["seconds"])
        }  # fmt: skip
        assert row["ms_per_frame_median"] == pytest.approx(1000 * statistics.median(row["seconds"]) / FRAMES)
        assert all(peak > 10e6 for peak in row["peak_rss_bytes"]), name  # at least a Python with numpy
    ours = job["pipelines"]["pixel_sprites"]
    for phases, wall in zip(ours["phases"], ours["seconds"], strict=True):
        assert {"read", "fit", "write", "total"} <= set(phases) and min(phases.values()) > 0
        assert phases["total"] < wall  # the process's wall time holds its start-up too
    speed_up, over_decode = job["ratios"]["speed_up_over_original"], job["ratios"]["time_over_decode_only"]
    expected = statistics.median(seconds["original"]) / statistics.median(seconds["pixel_sprites"])
    assert speed_up["of_medians"] == pytest.approx(expected)
    speed_ups = [o / p for o, p in zip(seconds["original"], seconds["pixel_sprites"], strict=True)]
    assert speed_up["by_run"] == pytest.approx(speed_ups)
    decode_ratio = [p / d for p, d in zip(seconds["pixel_sprites"], seconds["decode_only"], strict=True)]
    assert over_decode["by_run"] == pytest.approx(decode_ratio)
    assert over_decode["by_run_spread"]["min"] == pytest.approx(min(decode_ratio))


def test_the_safety_section_measures_the_lock_and_the_flushes_against_a_run_without(quick_run):
    safety = quick_run[0]["sections"]["safety"]
    assert safety["reference"] == "without" and set(safety["ways"]) == {"without", "lock", "default"}
    for name, way in safety["ways"].items():
        assert way["sprites_written"] == SPOOL_FRAMES and len(way["runs_seconds"]) == RUNS
        assert way["flushes"] > 0  # counted in every way, done only in the default one
        if name != "without":
            assert safety["ratios"][name] == pytest.approx(way["seconds"] / safety["ways"]["without"]["seconds"])


def test_memory_spool_decoders_and_sheets_hold_their_figures(quick_run):
    sections = quick_run[0]["sections"]
    memory = sections["memory"]
    assert memory["frames"] == FRAMES and memory["peak_rss_bytes"] > 10e6
    assert memory["ms_per_frame"] == pytest.approx(1000 * memory["seconds"] / FRAMES)
    spool = sections["spool"]
    assert set(spool["ways"]) == {"default", "shm", "disk"} and spool["reference"] == "shm"
    for name, way in spool["ways"].items():
        assert way["sprites_written"] == SPOOL_FRAMES and way["peak_rss_plus_shm_bytes"] >= way["peak_rss_bytes"]
        if name != "shm":
            assert spool["ratios"][name]["time"] == pytest.approx(way["seconds"] / spool["ways"]["shm"]["seconds"])
    decoders = sections["decoders"]["decoders"]
    assert {"pillow", "pixel_sprites"} <= set(decoders) and decoders["pillow"]["processes_over_pillow_processes"] == 1
    for row in decoders.values():
        assert min(row["one_core_ms"], row["threads_ms"], row["processes_ms"]) > 0
    sheets = sections["sheets"]
    assert sheets["cells"] == SHEET_CELLS and "json" in sheets["seconds_per_1000_cells"]
    assert len(sheets["seconds_per_1000_cells"]) == 2 and min(sheets["seconds_per_1000_cells"].values()) > 0
    variants = sections["variants"]
    assert variants["cells"] == SHEET_CELLS and set(variants["kinds"]) == {"paletted", "RGBA"}
    for kind in variants["kinds"].values():
        assert min(kind["base_seconds"]) > 0 and min(kind["per_variant_seconds"]) > 0
        assert len(kind["per_variant_percent"]) == variants["runs"]


def test_cleanup_measures_the_given_frames_with_both_samplings(quick_run):
    rows = quick_run[0]["sections"]["cleanup"]["sets"]
    assert list(rows) == ["given frames"] and set(rows["given frames"]) == {"nearest", "majority"}
    for figures in rows["given frames"].values():
        assert figures["frames"] == 6 and figures["silhouette_kept"] is True
        assert figures["isolated_cleaned_percent"] <= figures["isolated_percent"]
        assert 0 < figures["ms_per_sprite"]["selout + cleanup"] < 50


def test_the_tables_render_every_section_with_its_run(quick_run):
    results, path = quick_run
    tables = subprocess.run(
        [sys.executable, "-m", "scripts.bench.tables", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert tables.returncode == 0, tables.stderr
    markdown = tables.stdout
    for name in QUICK_SECTIONS:
        assert f"### {name}\n" in markdown
    commit = (results["run"]["git_commit"] or "unknown")[:10]
    assert markdown.count(f"_Run of {results['run']['date']}, commit {commit}") == len(QUICK_SECTIONS)
    speed_up = results["sections"]["speed"]["jobs"][0]["ratios"]["speed_up_over_original"]["of_medians"]
    assert f"**{FRAMES:,} frames: {speed_up:.2f}x faster than the original pipeline**" in markdown
    assert "| **Pixel Sprites** (libdeflate, then libspng) |" in markdown
    one_section = subprocess.run(
        [sys.executable, "-m", "scripts.bench.tables", str(path), "--section", "memory"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert one_section.startswith("### memory\n") and "### speed" not in one_section


def test_the_old_entry_points_still_run_the_benchmark():
    for script in ("benchmark.py", "spool_benchmark.py"):
        help_text = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / script), "--help"], capture_output=True, text=True, check=True
        ).stdout
        assert "--frames" in help_text, script


def test_flicker_is_split_into_the_changes_cleanup_takes_away_and_adds(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from pixel_sprites.engine.sprites.cleanup import remove_strays
    from scripts.bench.cleanup import flicker_figures

    first = np.zeros((5, 5), np.int16)  # colour 0 everywhere, two specks of 1
    first[2, 2] = first[3, 1] = 1
    second = np.zeros((5, 5), np.int16)  # the specks gone (render noise)
    third = second.copy()  # colour 2 at (1, 1) and (1, 2): a domino, then a speck of noise-flickered neighbours
    third[1, 1] = third[1, 2] = 2
    fourth = third.copy()
    fourth[1, 1] = 0  # (1, 2) is now a speck: clean-up recolours it, though its own colour did not change
    frames = [first, second, third, fourth]
    cleaned = [second, second, third, second]  # what clean-up makes of each (checked below against the engine)
    din99o = np.array([[50.0, 0, 0], [60.0, 10, 0], [40.0, 0, 10]])
    assert all((remove_strays(f, din99o) == c).all() for f, c in zip(frames, cleaned, strict=True))
    figures = flicker_figures(frames, cleaned)
    pixels = 25
    assert figures["flicker_percent"] == pytest.approx(100 * (2 + 2 + 1) / 3 / pixels)
    assert figures["flicker_cleaned_percent"] == pytest.approx(100 * (0 + 2 + 2) / 3 / pixels)
    assert figures["flicker_removed_percent"] == pytest.approx(100 * 2 / 3 / pixels)
    assert figures["flicker_added_percent"] == pytest.approx(100 * 1 / 3 / pixels)
