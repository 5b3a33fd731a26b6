"""A run killed with SIGKILL while it writes leaves every sprite complete or absent, and the renders untouched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests
from PIL import Image

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")

FRAMES = 300
FRAME_SHAPE = (280, 200)  # (height, width)
PIXEL = 4
SPRITE_SIZE = (FRAME_SHAPE[1] // PIXEL, FRAME_SHAPE[0] // PIXEL)  # Pillow's (width, height)
ATTEMPTS = 3
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


def add_frames(folder: Path, count: int) -> None:
    """Grow the frame set to ``count`` frames with copies of the existing ones under new names."""
    existing = sorted(folder.glob("frame_*.png"))
    for index in range(len(existing), count):
        shutil.copyfile(existing[index % len(existing)], folder / f"frame_{index:04d}.png")


def sprite_names(out: Path) -> set[str]:
    try:
        with os.scandir(out) as entries:
            return {e.name for e in entries if e.name.endswith(".png") and e.name.startswith("frame_")}
    except FileNotFoundError:
        return set()


def group_alive(group: int) -> bool:
    """Whether a process of ``group`` is still running (zombies, already dead, do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            return True
    return False


def run_and_kill(sources: Path, out: Path, log: Path, kill_at: int) -> bool:
    """Start a run; SIGKILL its whole process group once ``kill_at`` sprites are there. Whether it was killed."""
    command = [sys.executable, "-m", "pixel_sprites", "process", str(sources), "--out", str(out)]
    command += ["--pixel", str(PIXEL), "--workers", "2"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    killed = False
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if len(sprite_names(out)) >= kill_at:
                os.killpg(process.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.001)
    finally:
        if process.poll() is None and not killed:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    if killed:
        assert process.returncode == -signal.SIGKILL
        # The workers are in the group too: they must die with it, and nothing writes after this point.
        deadline = time.monotonic() + 10
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not group_alive(process.pid), "worker processes survived the SIGKILL of their group"
    else:
        assert process.returncode == 0, log.read_text()
    return killed


def check_output(out: Path, frame_names: set[str]) -> set[str]:
    """Every sprite decodes fully at the sprite size; anything else is a final file or a hidden ``.tmp``."""
    sprites = set()
    for path in sorted(out.iterdir()):
        assert path.is_file(), f"unexpected folder {path.name}"
        if path.name.startswith("."):
            assert path.name.endswith(".tmp"), f"unexpected hidden file {path.name}"
            continue
        if path.name in FINAL_FILES:
            continue
        assert path.name in frame_names, f"unexpected file {path.name}"
        with Image.open(path) as sprite:
            sprite.load()  # raises on a truncated or corrupt PNG
            assert sprite.size == SPRITE_SIZE, path.name
        sprites.add(path.name)
    return sprites


def test_sigkill_while_writing_leaves_only_complete_sprites(tmp_path):
    sources = tmp_path / "renders"
    write_frames(sources, FRAMES)
    killed_mid_write = []
    for attempt in range(ATTEMPTS):
        count = FRAMES * 2**attempt
        add_frames(sources, count)
        frame_names = {f"frame_{index:04d}.png" for index in range(count)}
        before = file_digests(sources)
        out = tmp_path / f"sprites_{attempt}"

        killed = run_and_kill(sources, out, tmp_path / f"log_{attempt}.txt", kill_at=count // 10)

        sprites = check_output(out, frame_names)
        assert file_digests(sources) == before
        leftovers = sorted(path.name for path in out.iterdir() if path.name.startswith("."))
        if killed and 0 < len(sprites) < count:
            killed_mid_write.append((attempt, len(sprites), count, leftovers))
            # The sprites that survived are the very bytes that a run left to finish writes.
            reference = tmp_path / f"reference_{attempt}"
            command = [sys.executable, "-m", "pixel_sprites", "process", str(sources), "--out", str(reference)]
            finished = subprocess.run([*command, "--pixel", str(PIXEL), "--workers", "2"], capture_output=True)
            assert finished.returncode == 0, finished.stderr
            for name in sorted(sprites):
                assert (out / name).read_bytes() == (reference / name).read_bytes(), name
            break
    assert killed_mid_write, "every run finished writing before it could be killed"
