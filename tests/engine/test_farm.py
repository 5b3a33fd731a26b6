"""Render farms: fit once and apply in parts gives what one run gives; several processes share one character."""

from __future__ import annotations

import builtins
import io
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites import engine
from pixel_sprites.cli import main
from pixel_sprites.engine.files.locking import character_lock

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


# Holds the lock until its stdin is closed or it is killed.
HOLD_LOCK = """
import sys
from pixel_sprites.engine.files.locking import character_lock
with character_lock(sys.argv[1], "hero"):
    print("HELD", flush=True)
    sys.stdin.read()
"""


def hold_lock(folder: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "HELD\n"
    return holder


def test_a_lock_held_too_long_is_an_error_naming_the_lock_file_and_its_holder(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        expected = rf"\.hero\.lock: held by host {socket.gethostname()} process {holder.pid} for 0\.5 s"
        with pytest.raises(engine.SetupError, match=expected), character_lock(tmp_path, "hero", 0.5):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_process_does_not_block(tmp_path):
    holder = hold_lock(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    # A timeout of 0 tries once: the lock is free at once, or this raises SetupError.
    with character_lock(tmp_path, "hero", timeout=0) as lock_file:
        assert lock_file == tmp_path / ".hero.lock"


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


@dataclass
class FilesTouched:
    read: set[Path] = field(default_factory=set)
    written: set[Path] = field(default_factory=set)

    def under(self, folder: Path) -> tuple[frozenset[Path], frozenset[Path]]:
        """The files read and written in ``folder`` and below."""
        read = frozenset(path for path in self.read if folder in path.parents)
        return read, frozenset(path for path in self.written if folder in path.parents)


def watch_files(monkeypatch) -> FilesTouched:
    """Note every file this process (any thread) opens by name to read or to write, and every file renamed into
    place; a temporary file counts as the file it is renamed to. Undone by ``monkeypatch.undo()``."""
    touched = FilesTouched()
    real_open, real_os_open, real_replace, real_rename = io.open, os.open, os.replace, os.rename

    def note(path: object, writes: bool) -> None:
        if isinstance(path, (str, os.PathLike)):  # a descriptor (os.fdopen) was named when os.open made it
            path = Path(os.path.realpath(path))
            if not path.name.endswith(".tmp"):
                (touched.written if writes else touched.read).add(path)

    def open_file(file, mode="r", *args, **kwargs):
        note(file, any(letter in mode for letter in "wax+"))
        return real_open(file, mode, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        note(path, bool(flags & (os.O_WRONLY | os.O_RDWR)))
        return real_os_open(path, flags, *args, **kwargs)

    def replace(source, target, *args, **kwargs):
        note(target, True)
        return real_replace(source, target, *args, **kwargs)

    def rename(source, target, *args, **kwargs):
        note(target, True)
        return real_rename(source, target, *args, **kwargs)

    monkeypatch.setattr(io, "open", open_file)
    monkeypatch.setattr(builtins, "open", open_file)  # pathlib and os.fdopen open through io.open
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    return touched


def test_locked_palette_frames_are_made_one_by_one_touching_the_same_files_whatever_the_size(tmp_path, monkeypatch):
    """The cost of adding a frame is the same whatever the character's size: it reads its own frame only, and
    the same few files of the character every time, none of them its frame list or another frame's sprite."""
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 6, seed=3)
    frames = [Path(os.path.realpath(frame)) for frame in sorted(renders.glob("*.png"))]
    folder = Path(os.path.realpath(tmp_path / "hero"))
    with pytest.raises(engine.SetupError, match=r"hero\.gpl: the palette is locked but this file is missing"):
        engine.add_frames_with_locked_palette(folder, "hero", frames[:1], SIZE)
    with engine.locked_character(folder, "hero") as character:  # 3 frames, with a palette fitted over them
        engine.update_character(character, frames[:3], SIZE, engine.PaletteSettings(colors=4))
    frame_list = engine.Character(folder, "hero").list_path

    counts_besides_the_sprite = set()  # (files read, files written) in the character's folder at each size
    for frame in frames[3:]:
        sprites_before = set(folder.rglob("frame_*.png"))
        touched = watch_files(monkeypatch)
        report = engine.add_frames_with_locked_palette(folder, "hero", [frame], SIZE)
        monkeypatch.undo()
        sprite = folder / {source.path: source.relative for source in engine.Character(folder, "hero").frames()}[frame]

        assert (report.frames_in, report.frames_read, report.frames_written) == (1, 1, 1)
        assert touched.under(renders) == ({frame}, frozenset())  # its own frame, and no other, is read
        read, written = touched.under(folder)
        assert sprite in written and sprite.is_file() and sprite not in sprites_before
        assert not (read | written) & (sprites_before | {frame_list})
        counts_besides_the_sprite.add((len(read), len(written - {sprite})))
    assert len(counts_besides_the_sprite) == 1  # as many at 3, 4 and 5 frames
    assert [frame.relative.name for frame in engine.Character(folder, "hero").frames()] == [f.name for f in frames]
