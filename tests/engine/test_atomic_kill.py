"""A run killed with SIGKILL while it writes leaves every sprite complete or absent, and the renders untouched.

The run is killed at the same point on every machine: in the middle of the write of one sprite (``HELD``), which
the run's hooks (see ``held_run``) hold there with half of its bytes written, while the other worker goes on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from held_run import HeldRun
from helpers import file_digests
from PIL import Image

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")

FRAMES = 96
FRAME_SHAPE = (112, 80)  # (height, width)
PIXEL = 4
SPRITE_SIZE = (FRAME_SHAPE[1] // PIXEL, FRAME_SHAPE[0] // PIXEL)  # Pillow's (width, height)
# Three quarters in: the run has written sprites before it, and has others to write after it.
HELD = "frame_0072.png"
FINAL_FILES = {"palette.gpl", "palette.hex", "palette.png", "palette_report.json"}


def write_frames(folder: Path, count: int) -> None:
    """``count`` different render-like frames: a body of flat materials that moves, with noise and a soft edge."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    height, width = FRAME_SHAPE
    rows, cols = np.mgrid[0:height, 0:width] / np.array([height, width])[:, None, None]
    materials = np.array([[200, 60, 50], [60, 150, 70], [50, 80, 200], [230, 200, 90], [90, 50, 110]], np.float64)
    noise = rng.normal(0, 3, (2 * height, 2 * width, 3))
    for index in range(count):
        phase = 2 * np.pi * index / count
        band = np.clip(((rows + 0.3 * cols + 0.2 * np.sin(phase)) * 4).astype(int), 0, len(materials) - 1)
        rgba = np.empty((height, width, 4))
        row, col = rng.integers(0, height), rng.integers(0, width)
        rgba[:, :, :3] = materials[band] + noise[row : row + height, col : col + width]
        centre_col = 0.5 + 0.1 * np.sin(phase)
        distance = ((rows - 0.5) / 0.42) ** 2 + ((cols - centre_col) / 0.35) ** 2
        rgba[:, :, 3] = np.clip((1.1 - distance) * 2550, 0, 255)
        rgba[rgba[:, :, 3] == 0] = 0  # a renderer's empty background
        pixels = np.clip(np.round(rgba), 0, 255).astype(np.uint8)
        Image.fromarray(pixels, "RGBA").save(folder / f"frame_{index:04d}.png", compress_level=1)


def running(pid: int) -> bool:
    """Whether process ``pid`` still runs. A zombie (dead, waiting for its new parent to reap it) does not run:
    Linux shows it in ``/proc``; where there is no ``/proc`` (macOS), launchd reaps orphans at once."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user: the id was reused, and it runs
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return not Path("/proc/self/stat").exists()  # gone since os.kill, or no /proc at all
    return state not in ("Z", "X")


def survivors(pids: set[int]) -> set[int]:
    """The processes of ``pids`` still running once every killed one has had time to be reaped (60 s at most,
    which only guards against a process that does not die)."""
    for _ in range(1200):
        alive = {pid for pid in pids if running(pid)}
        if not alive:
            return alive
        time.sleep(0.05)
    return alive


def check_output(out: Path, frame_names: set[str]) -> set[str]:
    """Every file named as a sprite decodes fully at the sprite size; the others are final files, or hidden
    ones (temporary files, the tool's own records) of which those that name a sprite are temporary files."""
    sprites = set()
    for path in sorted(out.iterdir()):
        assert path.is_file(), f"unexpected folder {path.name}"
        if path.name.startswith("."):
            names_a_sprite = any(path.name.startswith(f".{name}.") for name in frame_names)
            assert not names_a_sprite or path.name.endswith(".tmp"), f"unexpected hidden file {path.name}"
            continue
        if path.name in FINAL_FILES:
            continue
        assert path.name in frame_names, f"unexpected file {path.name}"
        with Image.open(path) as sprite:
            sprite.load()  # raises on a truncated or corrupt PNG
            assert sprite.size == SPRITE_SIZE, path.name
        sprites.add(path.name)
    return sprites


def process_command(sources: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pixel_sprites", "process", str(sources), "--out", str(out),
            "--pixel", str(PIXEL), "--workers", "2"]  # fmt: skip


def test_sigkill_while_writing_leaves_only_complete_sprites(tmp_path):
    sources = tmp_path / "renders"
    write_frames(sources, FRAMES)
    frame_names = {f"frame_{index:04d}.png" for index in range(FRAMES)}
    before = file_digests(sources)
    out = tmp_path / "sprites"

    with HeldRun(tmp_path / "held", HELD, hold="kill") as held, (tmp_path / "log.txt").open("wb") as log:
        run = subprocess.Popen(process_command(sources, out), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, env=held.environment())  # fmt: skip
        try:
            held.wait_for("reached", run)  # half of the held sprite is written, and the other worker goes on
        finally:
            os.killpg(run.pid, signal.SIGKILL)  # the whole group: the command and its workers
            run.wait(timeout=60)
        held.drain()
    assert run.returncode == -signal.SIGKILL, (tmp_path / "log.txt").read_text()
    assert len(held.pids) > 1, "no worker process started: the check of the workers below would check nothing"
    assert not survivors(held.pids), "processes of the run survived the SIGKILL of their group"

    sprites = check_output(out, frame_names)
    assert file_digests(sources) == before
    assert 0 < len(sprites) < FRAMES
    assert HELD not in sprites  # the interrupted write left no sprite under its name...
    [temporary] = out.glob(f".{HELD}.*.tmp")  # ...only its temporary file, with the bytes it had written
    # The sprites that survived are the very bytes that a run left to finish writes.
    reference = tmp_path / "reference"
    finished = subprocess.run(process_command(sources, reference), capture_output=True)
    assert finished.returncode == 0, finished.stderr
    for name in sorted(sprites):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    written, whole = temporary.read_bytes(), (reference / HELD).read_bytes()
    assert 0 < len(written) < len(whole) and whole.startswith(written)
