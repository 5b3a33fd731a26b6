"""Stopping the command line: SIGINT and SIGTERM stop a run soon, with a report of what was written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from held_run import HeldRun
from helpers import file_digests, save_png

from pixel_sprites import cli
from pixel_sprites.engine.jobs import run as run_module

FRAMES = 600
# Early in the writing: the run has begun to write, and most of its sprites are still to come.
HELD = "0040.png"


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    """600 different 32x32 frames."""
    folder = tmp_path_factory.mktemp("signals") / "renders"
    rng = np.random.default_rng(5)
    ramp = np.linspace(0, 255, 32, dtype=np.uint8)
    base = np.stack(np.broadcast_arrays(ramp[None, :], ramp[:, None], ramp[::-1][None, :]), axis=2)
    for index in range(FRAMES):
        noise = rng.integers(0, 24, (32, 32, 3), dtype=np.uint8)
        frame = np.dstack([np.roll(base, index, axis=1) // 2 + noise, np.full((32, 32), 255, np.uint8)])
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
    """The signal comes while a worker's write of ``HELD`` is held (see ``held_run``), and the write goes on
    once the command has taken the signal: the stop lands at the same point on every machine."""
    before = file_digests(renders)
    out = tmp_path / "out"
    with HeldRun(tmp_path / "held", HELD, hold="release") as held:
        run = subprocess.Popen(
            [sys.executable, "-m", "pixel_sprites", "process", str(renders), "--out", str(out), "--pixel", "1",
             "--colors", "8", "--workers", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_from_a_terminal,
            start_new_session=True, env=held.environment(),
        )  # fmt: skip
        try:
            held.wait_for("reached", run)
            run.send_signal(stop)
            assert held.wait_for("handled", run) == stop.name
            held.release()
            _, stderr = run.communicate(timeout=120)  # a hang guard: the run stops within a second
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)  # its workers too, which a held write would keep waiting
                run.communicate()

    assert run.returncode == exit_code, stderr
    assert f"pixel-sprites: stopped by {stop.name}: " in stderr and "cancelled: partial" in stderr
    written = len(sprites_in(out))
    assert (out / HELD).is_file()  # the batch being written when the signal came was finished...
    assert written < FRAMES  # ...and the batches not started were not
    report = json.loads((out / "palette_report.json").read_text())
    assert report["cancelled"] and report["frames_written"] == written
    assert f"{written}/{FRAMES} sprites" in stderr
    assert file_digests(renders) == before


def test_bad_input_is_one_line_but_a_bug_shows_its_traceback(tmp_path, monkeypatch, capsys):
    assert cli.main(["process", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"pixel-sprites: error: {tmp_path / 'missing'}: no such file or folder\n"

    save_png(tmp_path / "renders" / "0001.png", np.full((20, 20, 4), 255, np.uint8))

    def broken(*args, **kwargs):
        raise ValueError("a programming error")

    monkeypatch.setattr(run_module, "process", broken)
    with pytest.raises(ValueError, match="a programming error"):
        cli.main(["process", str(tmp_path / "renders"), "--out", str(tmp_path / "out")])
