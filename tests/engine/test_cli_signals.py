"""Stopping the command line: SIGINT and SIGTERM stop a run soon, with a report of what was written."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, save_png

from pixel_sprites import cli


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    """600 frames of 160x160 whose sprites (at --pixel 1) take a few seconds to write."""
    folder = tmp_path_factory.mktemp("signals") / "renders"
    rng = np.random.default_rng(5)
    ramp = np.linspace(0, 255, 160, dtype=np.uint8)
    base = np.stack(np.broadcast_arrays(ramp[None, :], ramp[:, None], ramp[::-1][None, :]), axis=2)
    for index in range(600):
        noise = rng.integers(0, 24, (160, 160, 3), dtype=np.uint8)
        frame = np.dstack([np.roll(base, index, axis=1) // 2 + noise, np.full((160, 160), 255, np.uint8)])
        save_png(folder / f"{index:04d}.png", frame)
    return folder


def as_from_a_terminal() -> None:
    """SIGINT as a command started from a terminal gets it: a test run started in the background by a
    non-interactive shell (as CI may be) has SIGINT ignored, and a child inherits that (POSIX)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def sprites_in(folder: Path) -> list[Path]:
    return list(folder.glob("0*.png"))


@pytest.mark.parametrize(("stop", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_writing_stops_the_run_with_a_true_report(renders, tmp_path, stop, exit_code):
    before = file_digests(renders)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "pixel_sprites", "process", str(renders), "--out", str(out), "--pixel", "1",
         "--colors", "8", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_from_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not sprites_in(out) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be stopped: give it more frames"
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == exit_code, stderr
    assert f"pixel-sprites: stopped by {stop.name}: " in stderr and "cancelled: partial" in stderr
    written = len(sprites_in(out))
    assert 0 < written < 600
    report = json.loads((out / "palette_report.json").read_text())
    assert report["cancelled"] and report["frames_written"] == written
    assert f"{written}/600 sprites" in stderr
    assert file_digests(renders) == before


def test_bad_input_is_one_line_but_a_bug_shows_its_traceback(tmp_path, monkeypatch, capsys):
    assert cli.main(["process", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"pixel-sprites: error: {tmp_path / 'missing'}: no such file or folder\n"

    save_png(tmp_path / "renders" / "0001.png", np.full((20, 20, 4), 255, np.uint8))

    def broken(*args, **kwargs):
        raise ValueError("a programming error")

    monkeypatch.setattr(cli.engine, "process", broken)
    with pytest.raises(ValueError, match="a programming error"):
        cli.main(["process", str(tmp_path / "renders"), "--out", str(tmp_path / "out")])
