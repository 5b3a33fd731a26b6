"""Render farms: fit once and apply in parts gives what one run gives; several processes share one character."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites import engine
from pixel_sprites.cli import main

SIZE = engine.DownscaleSettings(pixel=10)


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    """A set's renders: renders/<action>/<facing>/frame_000N.png."""
    root = tmp_path_factory.mktemp("farm") / "renders"
    for seed, (action, facing) in enumerate([("walk", "S"), ("walk", "E"), ("idle", "S"), ("idle", "E")]):
        write_truth_set(root / action / facing, 6, 3, seed=seed)
    return root


def sprites_of(folder: Path) -> dict[str, str]:
    return {name: digest for name, digest in file_digests(folder).items() if "/" in name}


def test_fit_then_apply_in_parts_in_any_order_equals_one_process(renders, tmp_path):
    assert main(["process", str(renders), "--out", str(tmp_path / "one"), "--colors", "8", "--indexed"]) == 0
    palette = tmp_path / "hero.gpl"
    assert main(["fit", str(renders), "--colors", "8", "--palette-out", str(palette)]) == 0
    assert palette.read_bytes() == (tmp_path / "one" / "palette.gpl").read_bytes()
    walk_s = renders / "walk" / "S"
    parts = [renders / "idle" / "E", walk_s / "frame_0002.png", renders / "walk" / "E", renders / "idle" / "S",
             walk_s / "frame_0000.png", walk_s / "frame_0001.png"]  # fmt: skip
    for part in parts:
        code = main(["apply", str(part), "--root", str(renders), "--palette", str(palette),
                     "--out", str(tmp_path / "parts"), "--indexed"])  # fmt: skip
        assert code == 0
    one, in_parts = sprites_of(tmp_path / "one"), sprites_of(tmp_path / "parts")
    assert len(one) == 12 and "walk/E/frame_0000.png" in one
    assert in_parts == one


def test_a_frame_outside_the_root_is_refused(renders, tmp_path, capsys):
    code = main(["apply", str(renders / "walk"), "--root", str(renders / "idle"), "--palette", str(tmp_path / "x.gpl"),
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2 and "not inside --root" in capsys.readouterr().err


def test_apply_before_fit_names_the_missing_palette(renders, tmp_path, capsys):
    missing = tmp_path / "hero.gpl"
    assert main(["apply", str(renders), "--palette", str(missing), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"pixel-sprites: error: {missing}: no such file\n"
    assert not (tmp_path / "out").exists()


HOLD_LOCK = """
import sys, time
from pixel_sprites.engine.locking import character_lock
with character_lock(sys.argv[1], "hero"):
    print("HELD", flush=True)
    time.sleep(120)
"""


def hold_lock(folder: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "HELD\n"
    return holder


def test_a_lock_held_too_long_is_an_error_naming_the_lock_file(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        expected = r"\.hero\.lock: another process has held this character's lock"
        with pytest.raises(engine.SetupError, match=expected), engine.locking.character_lock(tmp_path, "hero", 0.5):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_process_does_not_block(tmp_path):
    holder = hold_lock(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    with engine.locking.character_lock(tmp_path, "hero", timeout=10):
        pass
    assert time.monotonic() - started < 5


def add_job(args: tuple[str, str, int]) -> int:
    """One render process: add its frames to the shared character, refitting under the lock."""
    folder, renders, index = args
    frames = sorted(Path(renders).glob("*.png"))[index::4]
    with engine.locked_character(folder, "hero") as character:
        report = engine.update_character(character, frames, SIZE, engine.PaletteSettings(colors=6))
    return report.frames_written


def test_concurrent_processes_adding_frames_lose_none_and_end_with_one_palette(tmp_path):
    renders = tmp_path / "renders"
    write_truth_set(renders, 6, 12, seed=7)
    out = tmp_path / "hero"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(add_job, [(str(out), str(renders), index) for index in range(4)])
    character = engine.Character(out, "hero")
    assert len(character.frames()) == 12  # no read-modify-write lost another's frames
    palette = {tuple(c) for c in engine.read_palette(out / "hero.gpl").colors.tolist()}
    for frame in character.frames():
        pixels = np.asarray(Image.open(out / frame.relative).convert("RGBA"))
        assert {tuple(c) for c in pixels[pixels[:, :, 3] == 255][:, :3].tolist()} <= palette


def test_recorded_frames_join_the_list_on_the_next_load_and_a_save_folds_them_in(tmp_path):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 3, seed=2)
    frames = sorted(renders.glob("*.png"))
    engine.record_frames(tmp_path / "hero", "hero", frames[:2])
    engine.record_frames(tmp_path / "hero", "hero", frames[2:])
    character = engine.Character(tmp_path / "hero", "hero")
    assert [frame.relative.as_posix() for frame in character.frames()] == [
        f"renders/frame_000{i}.png" for i in range(3)
    ]
    character.save()
    assert not character.log_path.exists() and len(engine.Character(tmp_path / "hero", "hero").frames()) == 3


def test_locked_palette_frames_are_made_one_by_one_at_a_constant_cost(tmp_path):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 3, seed=3)
    frames = sorted(renders.glob("*.png"))
    folder = tmp_path / "hero"
    with pytest.raises(engine.SetupError, match=r"hero\.gpl: the palette is locked but this file is missing"):
        engine.add_frames_with_locked_palette(folder, "hero", frames[:1], SIZE)
    engine.write_palette(engine.Palette.from_hex_codes(["000000", "ff0000", "00ff00", "0000ff"]), folder / "hero.gpl")
    for frame in frames:
        report = engine.add_frames_with_locked_palette(folder, "hero", [frame], SIZE)
        assert report.frames_written == 1
    assert [frame.relative.name for frame in engine.Character(folder, "hero").frames()] == [f.name for f in frames]
