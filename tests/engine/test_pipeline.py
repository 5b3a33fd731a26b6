"""Whole runs: bad input is skipped and reported, renders are never touched, results are reproducible."""

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, save_png
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites import engine
from pixel_sprites.engine.sprites import pipeline

SIZE = engine.DownscaleSettings(size=(64, 90))


@pytest.fixture
def renders(tmp_path):
    folder = tmp_path / "renders"
    write_truth_set(folder, 8, 4, seed=3)
    return folder


def process(renders, out, palette_settings=None, **output_options):
    return engine.process(
        engine.discover_frames([renders], exclude=[out]),
        [renders],
        SIZE,
        palette_settings or engine.PaletteSettings(),
        engine.OutputSettings(folder=out, **output_options),
    )


def test_bad_frames_are_skipped_with_reasons_and_nothing_is_lost(renders, tmp_path, rng):
    (renders / "empty.png").write_bytes(b"")
    (renders / "notes.png").write_text("not an image")
    good = (renders / "frame_0000.png").read_bytes()
    (renders / "truncated.png").write_bytes(good[: len(good) // 3])
    save_png(renders / "small.png", rng.integers(0, 256, size=(450, 320, 4), dtype=np.uint8))
    before = file_digests(renders)

    report = process(renders, tmp_path / "sprites")

    assert file_digests(renders) == before
    reasons = {path.split("/")[-1]: reason for path, reason in report.skipped}
    assert reasons["empty.png"] == "empty file"
    assert reasons["notes.png"] == "not a PNG file"
    assert reasons["truncated.png"].startswith("corrupt PNG")
    assert reasons["small.png"] == "size 320x450 differs from 640x900, the size of 5 of the 8 frames"
    assert report.frames_written == 4
    written = sorted(path.name for path in (tmp_path / "sprites").glob("frame_*.png"))
    assert written == [f"frame_{index:04d}.png" for index in range(4)]
    saved = json.loads((tmp_path / "sprites" / "palette_report.json").read_text())
    assert {entry["reason"] for entry in saved["skipped"]} == set(reasons.values())


def test_conversions_are_noted_in_the_report(tmp_path, rng):
    folder = tmp_path / "renders"
    save_png(folder / "rgb.png", rng.integers(0, 256, size=(90, 64, 3), dtype=np.uint8))
    Image.fromarray(rng.integers(0, 65536, size=(90, 64), dtype=np.uint16)).save(folder / "grey16.png")
    report = process(folder, tmp_path / "out", engine.PaletteSettings(colors=4))
    notes = {(path.split("/")[-1], note) for path, note in report.notes}
    assert ("rgb.png", "no alpha channel: every pixel is opaque") in notes
    assert ("grey16.png", "16-bit samples reduced to 8-bit") in notes
    assert report.frames_written == 2


def test_no_usable_frame_is_a_setup_error(tmp_path):
    folder = tmp_path / "renders"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"")
    with pytest.raises(engine.SetupError, match="none of the 1 frames could be used"):
        process(folder, tmp_path / "out")


def test_fully_transparent_frames_are_a_setup_error(tmp_path):
    save_png(tmp_path / "renders" / "a.png", np.zeros((20, 20, 4), np.uint8))
    with pytest.raises(engine.SetupError, match="fully transparent"):
        process(tmp_path / "renders", tmp_path / "out")


def test_output_folder_equal_to_input_is_refused(renders):
    before = file_digests(renders)
    with pytest.raises(engine.SetupError, match="the output folder is an input folder"):
        process(renders, renders)
    assert file_digests(renders) == before


def test_sprite_that_would_replace_a_render_is_refused(tmp_path):
    write_truth_set(tmp_path / "a", 3, 1)
    write_truth_set(tmp_path / "b", 3, 1)
    sources = [tmp_path / "a", tmp_path / "b"]
    frames = engine.discover_frames(sources)
    before = file_digests(tmp_path)
    with pytest.raises(engine.SetupError, match="a sprite would replace this render"):
        engine.process(frames, sources, SIZE, engine.PaletteSettings(), engine.OutputSettings(folder=tmp_path))
    assert file_digests(tmp_path) == before


def test_unwritable_output_folder_is_refused(renders, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(engine.SetupError, match="cannot write to the output folder"):
        process(renders, blocker / "sprites")


def test_same_seed_gives_byte_identical_sprites_and_palettes(renders, tmp_path):
    process(renders, tmp_path / "one")
    process(renders, tmp_path / "two")
    one, two = file_digests(tmp_path / "one"), file_digests(tmp_path / "two")
    one.pop("palette_report.json")
    two.pop("palette_report.json")
    assert one == two


def test_locked_palette_reproduces_the_sprites(renders, tmp_path):
    frames = engine.discover_frames([renders])
    palette, _ = engine.fit(frames, SIZE, engine.PaletteSettings())
    engine.write_palette(palette, tmp_path / "locked.gpl")
    process(renders, tmp_path / "processed")
    engine.apply(
        frames,
        [renders],
        SIZE,
        engine.read_palette(tmp_path / "locked.gpl"),
        engine.OutputSettings(tmp_path / "applied"),
    )
    for frame in frames:
        assert (tmp_path / "applied" / frame.relative).read_bytes() == (
            tmp_path / "processed" / frame.relative
        ).read_bytes()


def test_target_palette_colours_are_the_only_ones_used(renders, tmp_path, rng):
    target = engine.Palette.from_colors(rng.integers(0, 256, size=(47, 3)))
    report = process(renders, tmp_path / "out", target=target)
    allowed = {tuple(colour) for colour in target.colors.tolist()}
    for path in sorted((tmp_path / "out").glob("frame_*.png")):
        sprite = np.asarray(Image.open(path))
        used = {tuple(colour) for colour in sprite[sprite[:, :, 3] == 255][:, :3].tolist()}
        assert used <= allowed
    assert set(report.sprite_colors) <= set(target.hex_codes())


def test_indexed_sprites_hold_the_same_pixels_as_rgba(renders, tmp_path):
    process(renders, tmp_path / "rgba")
    process(renders, tmp_path / "indexed", indexed=True)
    for path in sorted((tmp_path / "rgba").glob("frame_*.png")):
        indexed = Image.open(tmp_path / "indexed" / path.name)
        assert indexed.mode == "P"
        np.testing.assert_array_equal(np.asarray(indexed.convert("RGBA")), np.asarray(Image.open(path)))


def test_frames_in_several_folders_share_one_palette_and_keep_their_layout(tmp_path):
    write_truth_set(tmp_path / "hero" / "walk", 6, 2, seed=5)
    write_truth_set(tmp_path / "hero" / "idle", 6, 2, seed=5)
    sources = [tmp_path / "hero" / "walk", tmp_path / "hero" / "idle"]
    report = engine.process(
        engine.discover_frames(sources),
        sources,
        SIZE,
        engine.PaletteSettings(),
        engine.OutputSettings(tmp_path / "out"),
    )
    assert sorted(str(path.relative_to(tmp_path / "out")) for path in (tmp_path / "out").rglob("frame_*.png")) == [
        "idle/frame_0000.png",
        "idle/frame_0001.png",
        "walk/frame_0000.png",
        "walk/frame_0001.png",
    ]
    assert report.frames_written == 4


def test_palette_files_and_report_are_written(renders, tmp_path):
    report = process(renders, tmp_path / "out")
    assert engine.read_palette(tmp_path / "out" / "palette.gpl").hex_codes() == report.palette
    assert engine.read_palette(tmp_path / "out" / "palette.hex").hex_codes() == report.palette
    assert engine.read_palette(tmp_path / "out" / "palette.png").hex_codes() == report.palette
    saved = json.loads((tmp_path / "out" / "palette_report.json").read_text())
    assert saved["frames_written"] == 4
    assert 0 < saved["delta_e_mean"] <= saved["delta_e_p95"]
    assert set(saved["timings"]) >= {"read", "fit", "write", "total"}


def test_cancel_during_reading_writes_nothing(renders, tmp_path):
    options = engine.RunOptions(should_cancel=lambda: True)
    frames = engine.discover_frames([renders])
    with pytest.raises(engine.Cancelled):
        engine.process(
            frames, [renders], SIZE, engine.PaletteSettings(), engine.OutputSettings(tmp_path / "o"), options
        )
    assert not list((tmp_path / "o").glob("*.png"))


def test_no_temporary_files_are_left_behind_and_files_get_usual_permissions(renders, tmp_path):
    process(renders, tmp_path / "out")
    hidden = {path.name for path in (tmp_path / "out").rglob("*") if path.name.startswith(".")}
    # the record of what it wrote, and the palette's lock, which the run held while it wrote the palette and sprites
    assert hidden == {".pixel_sprites_files.json", ".pixel_sprites_files.lock", ".palette.lock"}
    umask = os.umask(0)
    os.umask(umask)
    assert {path.stat().st_mode & 0o777 for path in (tmp_path / "out").iterdir()} == {0o666 & ~umask}


def many_small_frames(folder, count, seed=0):
    """``count`` distinct 24x24 RGBA frames: quick to write, and enough batches to cancel in the middle of."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (24, 24, 4), dtype=np.uint8)
    base[:, :, 3] = 255
    for index in range(count):
        frame = np.roll(base, index, axis=1)
        save_png(folder / f"{index:05d}.png", frame)
    return folder


@pytest.mark.parametrize("processes", [False, True])
def test_cancel_while_writing_stops_soon_and_the_report_counts_what_is_on_disk(tmp_path, processes):
    renders = many_small_frames(tmp_path / "renders", 1500)
    out = tmp_path / "out"
    stop = {"asked": False}

    def progress(stage, done, total):
        if stage == "writing":
            stop["asked"] = True

    options = engine.RunOptions(workers=2, processes=processes, progress=progress, should_cancel=lambda: stop["asked"])
    frames = engine.discover_frames([renders])
    with pytest.raises(engine.Cancelled) as cancelled:
        engine.process(
            frames, [renders], engine.DownscaleSettings(pixel=2), engine.PaletteSettings(colors=8),
            engine.OutputSettings(out), options,
        )  # fmt: skip
    report = cancelled.value.report
    on_disk = list(out.glob("0*.png"))
    assert report.cancelled and report.frames_written == len(on_disk)
    # Batches handed to the workers finish (a worker cannot be stopped mid-batch: at most 3 per worker are in
    # flight, a fraction of a second of work); no other batch starts.
    assert len(on_disk) <= 2 * 3 * pipeline.WRITE_BATCH < len(frames)
    saved = json.loads((out / "palette_report.json").read_text())
    assert saved["cancelled"] and saved["frames_written"] == len(on_disk)


def test_a_stop_asked_for_during_the_fit_is_not_lost(renders, tmp_path, monkeypatch):
    """The fit cannot be interrupted; the run checks once it returns and writes nothing."""
    stop = {"asked": False}
    fit_palette = pipeline.fit_palette

    def fit_then_stop(*args, **kwargs):
        stop["asked"] = True  # as a signal handler would, while compiled k-means runs
        return fit_palette(*args, **kwargs)

    monkeypatch.setattr(pipeline, "fit_palette", fit_then_stop)
    options = engine.RunOptions(should_cancel=lambda: stop["asked"])
    with pytest.raises(engine.Cancelled):
        engine.process(
            engine.discover_frames([renders]), [renders], SIZE, engine.PaletteSettings(),
            engine.OutputSettings(tmp_path / "out"), options,
        )  # fmt: skip
    assert not list((tmp_path / "out").glob("*.png"))


def test_too_many_colours_for_a_paletted_png_are_refused_before_any_frame_is_read(tmp_path):
    missing = [engine.FrameSource(tmp_path / "not_read.png", Path("not_read.png"))]
    with pytest.raises(engine.OptionError, match=r"--colors 256 with --indexed"):
        engine.process(
            missing,
            [tmp_path],
            SIZE,
            engine.PaletteSettings(colors=256),
            engine.OutputSettings(tmp_path / "o", indexed=True),
        )
    with pytest.raises(engine.OptionError, match=r"--max-colors 256 with --indexed"):
        engine.process(
            missing,
            [tmp_path],
            SIZE,
            engine.PaletteSettings(max_colors=256),
            engine.OutputSettings(tmp_path / "o", indexed=True),
        )
    assert not (tmp_path / "o").exists()


def test_two_frames_with_one_sprite_path_are_refused(renders, tmp_path):
    first, second = engine.discover_frames([renders])[:2]
    clash = [first, engine.FrameSource(second.path, first.relative)]
    with pytest.raises(engine.SetupError, match=r"would both be written here"):
        engine.process(clash, [renders], SIZE, engine.PaletteSettings(), engine.OutputSettings(tmp_path / "out"))


def test_temporary_files_left_by_a_killed_run_are_removed_by_the_next(renders, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale, fresh = out / ".frame_0000.png.0123456789ab.tmp", out / ".frame_0001.png.ba9876543210.tmp"
    lookalike = out / ".notes.tmp"  # not a name write_atomically gives: never ours to remove
    for path in (stale, fresh, lookalike):
        path.write_bytes(b"partial")
    an_hour_ago = time.time() - 3600
    for path in (stale, lookalike):
        os.utime(path, (an_hour_ago, an_hour_ago))
    process(renders, out)
    assert not stale.exists() and fresh.exists() and lookalike.exists()
