"""The command-line tool, run as a user runs it: a separate process."""

import subprocess
import sys

import numpy as np
import pytest
from helpers import file_digests
from PIL import Image
from synthetic import write_truth_set


def pixel_sprites(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "pixel_sprites", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "renders"
    write_truth_set(folder, 6, 3, seed=11)
    return folder


def test_help_shows_examples():
    result = pixel_sprites("--help")
    assert result.returncode == 0
    assert "pixel-sprites process renders/ --out sprites/ --size 64x90" in result.stdout


def test_process_writes_sprites_and_prints_a_summary(renders, tmp_path):
    before = file_digests(renders)
    result = pixel_sprites("process", renders, "--out", tmp_path / "out", "--size", "32x45", "--colors", "auto")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3/3 sprites, 6 colours")
    sprite = Image.open(tmp_path / "out" / "frame_0000.png")
    assert sprite.size == (32, 45)
    assert file_digests(renders) == before
    assert result.stderr == ""  # no progress bar when not on a terminal


def test_fit_then_apply_with_target_palette_and_indexed_output(renders, tmp_path):
    target = tmp_path / "game.hex"
    target.write_text("000000\nffffff\nff0000\n00ff00\n0000ff\nffff00\n")
    fitted = pixel_sprites("fit", renders, "--pixel", "10", "--colors", "4", "--palette-out", tmp_path / "hero.gpl")
    assert fitted.returncode == 0, fitted.stderr
    assert "4 colours from 3 frames" in fitted.stdout
    applied = pixel_sprites(
        "apply",
        renders,
        "--palette",
        tmp_path / "hero.gpl",
        "--out",
        tmp_path / "out",
        "--target-palette",
        target,
        "--indexed",
    )
    assert applied.returncode == 0, applied.stderr
    sprite = np.asarray(Image.open(tmp_path / "out" / "frame_0001.png").convert("RGBA"))
    colours = {tuple(c) for c in sprite[sprite[:, :, 3] == 255][:, :3].tolist()}
    assert colours <= {(0, 0, 0), (255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["process", "{renders}", "--out", "{renders}"], "the output folder is an input folder"),
        (["process", "{tmp}/missing", "--out", "{tmp}/o"], "missing: no such file or folder"),
        (
            ["apply", "{renders}", "--palette", "{tmp}/bad.gpl", "--out", "{tmp}/o"],
            "bad.gpl: line 1: expected the header",
        ),
        (["process", "{empty}", "--out", "{tmp}/o"], "no PNG frames found in"),
    ],
)
def test_fatal_errors_exit_non_zero_with_one_clear_line(renders, tmp_path, args, message):
    (tmp_path / "bad.gpl").write_text("hello\n")
    (tmp_path / "empty").mkdir()
    args = [a.format(renders=renders, tmp=tmp_path, empty=tmp_path / "empty") for a in args]
    result = pixel_sprites(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pixel-sprites: error:") and message in lines[0]


def test_bad_frames_are_listed_and_the_run_succeeds(tmp_path):
    write_truth_set(tmp_path / "renders", 4, 2, seed=2)
    (tmp_path / "renders" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    result = pixel_sprites("process", tmp_path / "renders", "--out", tmp_path / "out")
    assert result.returncode == 0
    assert "broken.png: corrupt PNG" in result.stderr
    assert "1 skipped" in result.stdout


def test_sheet_lays_out_sprites(tmp_path):
    for index in range(3):
        Image.fromarray(np.full((9, 4, 4), 40 * index + 10, np.uint8)).save(tmp_path / f"{index}.png")
    result = pixel_sprites(
        "sheet", tmp_path, "--sheet-out", tmp_path / "sheet" / "s.png", "--columns", "2", "--scale", "3"
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "sheet" / "s.png").size == (24, 54)
