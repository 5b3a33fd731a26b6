"""Issue 27, item 6: a full disk stops the run with exit code 2 and one line naming the folder, leaves no temporary
file, and its report counts only the sprites on disk. The disk is a real tmpfs mounted small (the tests run as
root in CI, which may mount)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from synthetic import write_banded_frames

from pixel_sprites import cli


@pytest.fixture
def small_disk(tmp_path) -> Iterator[callable]:
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
        folder = tmp_path / f"disk_{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
        if done.returncode != 0:
            if os.environ.get("CI"):
                pytest.fail(f"cannot mount a tmpfs as root: {done.stderr!r}", pytrace=False)
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    # noisy sprites: large PNGs, so that a small disk fills
    return write_banded_frames(tmp_path_factory.mktemp("disk_full") / "renders", 24, 6, noise=60, seed=13)


def temporary_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.name.endswith(".tmp")]


@pytest.mark.parametrize("size", ["40k", "160k"])
def test_a_full_disk_stops_the_run_with_one_line_and_exit_code_2(renders, small_disk, capsys, size):
    disk = small_disk(size)
    out = disk / "sprites"
    code = cli.main(["process", str(renders), "--out", str(out), "--size", "64x90", "--workers", "1"])
    error = capsys.readouterr().err.strip().splitlines()
    assert code == 2, error
    assert len(error) == 1 and "No space left on device" in error[0] and str(disk) in error[0]
    assert temporary_files(disk) == []
    sprites = list(out.glob("frame_*.png")) if out.is_dir() else []
    report = out / "palette_report.json"
    if report.is_file():  # where the disk still took it: it counts what is on disk, and says the run stopped
        data = json.loads(report.read_text())
        assert data["frames_written"] == len(sprites) == len(data.get("written", {})) and data["cancelled"]
        assert data["palette_saved"] is False
    assert not (out / "palette.gpl").exists()  # no palette beside sprites that were not all written
