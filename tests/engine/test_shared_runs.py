"""Issue 27, items 3 to 5: runs that share a folder leave consistent files, reports count each sprite once, and a
run stopped early never leaves a new palette beside old sprites."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from held_run import HeldRun
from PIL import Image
from synthetic import write_banded_frames, write_truth_set

from pixel_sprites import cli, engine
from pixel_sprites.engine.files import atomic
from pixel_sprites.engine.files.locking import character_lock
from pixel_sprites.engine.palette.files import read_palette
from pixel_sprites.engine.sprites import writing

SIZE = ("--size", "32x45", "--workers", "1")
CODE = "import sys; from pixel_sprites.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    return write_banded_frames(tmp_path_factory.mktemp("shared") / "renders", 24, seed=11)


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """More frames than a batch of writes holds, so that a run can stop between batches."""
    return write_banded_frames(tmp_path_factory.mktemp("shared_many") / "renders", 3 * writing.WRITE_BATCH, seed=14)


def colours_of(path: Path) -> set[tuple[int, int, int]]:
    rgba = np.asarray(Image.open(path).convert("RGBA"))
    return {tuple(int(c) for c in pixel[:3]) for pixel in rgba[rgba[..., 3] > 0]}


def palette_colours(path: Path) -> set[tuple[int, int, int]]:
    return {tuple(int(c) for c in colour) for colour in read_palette(path).colors}


def test_two_process_runs_into_one_folder_leave_one_runs_palette_and_sprites(renders, tmp_path):
    """The 12-colour run is held in the middle of its writing (see ``held_run``) while the 4-colour run starts in
    the same folder; it goes on once the other has ended, or after 5 s (the other then waits for its lock)."""
    out = tmp_path / "out"
    arguments = ["process", str(renders), "--out", str(out), *SIZE]
    with HeldRun(tmp_path / "held", "frame_0010.png", hold="release") as held:
        first = subprocess.Popen(
            [sys.executable, "-c", CODE, *arguments, "--colors", "12"], env=held.environment(), stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        second: subprocess.Popen[bytes] | None = None
        try:
            held.wait_for("reached", first)
            second = subprocess.Popen([sys.executable, "-c", CODE, *arguments, "--colors", "4"], stderr=subprocess.PIPE)
            with contextlib.suppress(subprocess.TimeoutExpired):  # the second run waits for the first's lock
                second.wait(timeout=5)
            held.release()
            assert first.wait(timeout=300) == 0, first.communicate()[1]
            assert second.wait(timeout=300) == 0, second.communicate()[1]
        finally:
            for run in (first, second):
                if run is not None and run.poll() is None:
                    run.kill()
    palette = palette_colours(out / "palette.gpl")
    assert palette == palette_colours(out / "palette.hex") == palette_colours(out / "palette.png")
    sprites = sorted(out.glob("frame_*.png"))
    assert len(sprites) == 24
    assert all(colours_of(sprite) <= palette for sprite in sprites)


def test_a_run_that_cannot_have_the_palette_lock_names_its_holder(renders, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["process", str(renders), "--out", str(out), *SIZE]) == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pixel_sprites.engine.files.locking import character_lock\n"
         "with character_lock(sys.argv[1], 'palette'):\n    print('HELD', flush=True); time.sleep(60)", str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "HELD\n"
        capsys.readouterr()
        code = cli.main(["process", str(renders), "--out", str(out), "--lock-timeout", "0.3", *SIZE])
        error = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(error) == 1
        assert f"{out / '.palette.lock'}: held by host " in error[0] and f"process {holder.pid} " in error[0]
    finally:
        holder.kill()
        holder.wait()


def test_apply_chunks_run_side_by_side_while_the_palette_is_not_locked(renders, tmp_path):
    """An apply writes no palette and takes no lock: a farm's chunks never wait for each other."""
    out = tmp_path / "out"
    assert cli.main(["fit", str(renders), "--palette-out", str(tmp_path / "hero.gpl"), *SIZE]) == 0
    with character_lock(out, "palette", timeout=0):
        arguments = ["apply", str(renders), "--palette", str(tmp_path / "hero.gpl"), "--out", str(out), *SIZE]
        assert cli.main(arguments) == 0
    assert len(list(out.glob("frame_*.png"))) == 24


def test_a_chunk_applied_twice_or_retried_counts_each_sprite_once(renders, tmp_path):
    out = tmp_path / "out"
    palette = tmp_path / "hero.gpl"
    assert cli.main(["fit", str(renders), "--palette-out", str(palette), *SIZE]) == 0
    chunk = ["apply", str(renders), "--palette", str(palette), "--out", str(out), *SIZE]
    assert cli.main(chunk) == 0
    assert cli.main(chunk) == 0
    report = json.loads((out / "palette_report.json").read_text())
    on_disk = len(list(out.glob("frame_*.png")))
    assert report["frames_written"] == on_disk == 24 and report["frames_in"] == 24
    assert sorted(report["written"]) == sorted(path.name for path in out.glob("frame_*.png"))


def test_a_chunk_retried_after_a_stop_counts_each_sprite_once(many, tmp_path):
    palette = tmp_path / "hero.gpl"
    assert cli.main(["fit", str(many), "--palette-out", str(palette), *SIZE]) == 0
    stopped = tmp_path / "stopped"
    frames = engine.discover_frames([many])
    options = engine.RunOptions(workers=1, should_cancel=lambda: len(list(stopped.glob("frame_*.png"))) >= 5)
    with pytest.raises(engine.Cancelled):
        engine.apply(frames, [many], engine.DownscaleSettings(size=(32, 45)), read_palette(palette),
                     engine.OutputSettings(stopped), options)  # fmt: skip
    partial = json.loads((stopped / "palette_report.json").read_text())
    assert partial["frames_written"] == len(list(stopped.glob("frame_*.png"))) < len(frames)
    assert cli.main(["apply", str(many), "--palette", str(palette), "--out", str(stopped), *SIZE]) == 0
    report = json.loads((stopped / "palette_report.json").read_text())
    assert report["frames_written"] == len(list(stopped.glob("frame_*.png"))) == len(frames)


def test_an_apply_with_another_palette_than_the_folders_is_refused_naming_both(renders, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["fit", str(renders), "--palette-out", str(tmp_path / "hero.gpl"), *SIZE]) == 0
    assert cli.main(["fit", str(renders), "--colors", "3", "--palette-out", str(tmp_path / "other.gpl"), *SIZE]) == 0
    assert cli.main(["apply", str(renders), "--palette", str(tmp_path / "hero.gpl"), "--out", str(out), *SIZE]) == 0
    # The same colours from a copy at another path (another machine's mount) are the same palette.
    (tmp_path / "copy.gpl").write_bytes((tmp_path / "hero.gpl").read_bytes())
    assert cli.main(["apply", str(renders), "--palette", str(tmp_path / "copy.gpl"), "--out", str(out), *SIZE]) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    capsys.readouterr()
    assert cli.main(["apply", str(renders), "--palette", str(tmp_path / "other.gpl"), "--out", str(out), *SIZE]) == 2
    error = capsys.readouterr().err
    assert str(tmp_path / "other.gpl") in error and str(out / "palette_report.json") in error
    assert "3 colours differ" in error
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()} == before


def test_a_rerun_stopped_while_writing_keeps_the_palette_its_sprites_were_written_with(many, tmp_path):
    out = tmp_path / "out"
    assert cli.main(["process", str(many), "--out", str(out), "--colors", "12", *SIZE]) == 0
    palette_files = {name: (out / name).read_bytes() for name in ("palette.gpl", "palette.hex", "palette.png")}
    frames = engine.discover_frames([many])
    stop = {"asked": False}

    def progress(stage: str, done: int, total: int) -> None:
        stop["asked"] = stop["asked"] or stage == "writing"

    options = engine.RunOptions(workers=1, progress=progress, should_cancel=lambda: stop["asked"])
    with pytest.raises(engine.Cancelled) as cancelled:
        engine.process(frames, [many], engine.DownscaleSettings(size=(32, 45)), engine.PaletteSettings(colors=3),
                       engine.OutputSettings(out), options)  # fmt: skip
    assert {name: (out / name).read_bytes() for name in palette_files} == palette_files
    report = json.loads((out / "palette_report.json").read_text())
    assert report["cancelled"] and report["palette_saved"] is False
    assert 0 < len(report["written"]) < len(frames) and len(report["stale"]) == len(frames) - len(report["written"])
    assert not set(report["stale"]) & set(report["written"])
    assert "sprites stale" in cancelled.value.report.summary()
    old = palette_colours(out / "palette.gpl")
    assert all(colours_of(out / name) <= old for name in report["stale"])  # the stale ones match the files


def test_a_run_stopped_hard_takes_its_own_temporary_files_and_no_others(renders, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    other = out / f".frame_0000.png.{'ab' * 3}{'cd' * 3}.tmp"  # another live run's write
    other.write_bytes(b"theirs")
    writes = {"count": 0}
    write = writing.write_atomically

    def killed_on_the_third(path, data, **kwargs):
        writes["count"] += 1
        if writes["count"] == 3:  # half a write, then the run is stopped hard
            atomic.temporary_path(Path(path)).write_bytes(data[: len(data) // 2])
            raise KeyboardInterrupt
        write(path, data, **kwargs)

    monkeypatch.setattr(writing, "write_atomically", killed_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        engine.process(
            engine.discover_frames([renders]),
            [renders],
            engine.DownscaleSettings(size=(32, 45)),
            engine.PaletteSettings(colors=4),
            engine.OutputSettings(out),
            engine.RunOptions(workers=1),
        )
    assert [path.name for path in out.glob(".*.tmp")] == [other.name]


def test_a_frame_name_near_the_file_systems_limit_gets_a_short_temporary_name(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 2, seed=12)
    long_name = "f" * 245 + ".png"
    os.rename(renders / "frame_0001.png", renders / long_name)
    assert cli.main(["process", str(renders), "--out", str(tmp_path / "out"), *SIZE]) == 0
    assert (tmp_path / "out" / long_name).is_file() and "2/2 sprites" in capsys.readouterr().out


def test_the_record_and_the_palette_files_are_flushed_to_the_disk(renders, tmp_path, monkeypatch):
    flushed: list[int] = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda handle: (flushed.append(handle), fsync(handle))[1])
    names: list[str] = []
    replace = os.replace
    monkeypatch.setattr(
        os, "replace", lambda source, target: (names.append(Path(target).name), replace(source, target))[1]
    )
    assert cli.main(["process", str(renders), "--out", str(tmp_path / "out"), *SIZE]) == 0
    durable = {"palette.gpl", "palette.hex", "palette.png", ".pixel_sprites_files.json"}
    assert durable <= set(names)
    # file and folder, for each durable file; never for a sprite
    assert len(flushed) == 2 * sum(1 for name in names if name in durable)
