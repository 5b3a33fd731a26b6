"""A character's frames across render jobs: one palette, stable sprite paths, locking."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites import engine
from pixel_sprites.engine import Character, update_character

SIZE = engine.DownscaleSettings(size=(64, 90))


def job(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.png"))


@pytest.fixture
def jobs(tmp_path):
    write_truth_set(tmp_path / "walk", 6, 2, seed=4)
    write_truth_set(tmp_path / "idle", 6, 2, seed=4)
    return job(tmp_path / "walk"), job(tmp_path / "idle")


def colours(path):
    pixels = np.asarray(Image.open(path))
    return {tuple(c) for c in pixels[pixels[:, :, 3] == 255][:, :3].tolist()}


def test_second_job_refits_over_all_frames_and_keeps_the_first_jobs_paths(jobs, tmp_path):
    walk, idle = jobs
    out = tmp_path / "hero"
    update_character(Character(out, "hero"), walk, SIZE, engine.PaletteSettings())
    report = update_character(Character(out, "hero"), idle, SIZE, engine.PaletteSettings())
    assert report.frames_written == 4
    palette = {tuple(c) for c in engine.read_palette(out / "hero.gpl").colors.tolist()}
    for relative in ("walk/frame_0000.png", "walk/frame_0001.png", "idle/frame_0000.png", "idle/frame_0001.png"):
        assert colours(out / relative) <= palette
    assert [frame.relative for frame in Character(out, "hero").frames()] == [
        Path("idle/frame_0000.png"),
        Path("idle/frame_0001.png"),
        Path("walk/frame_0000.png"),
        Path("walk/frame_0001.png"),
    ]


def test_locked_palette_writes_only_the_new_job(jobs, tmp_path):
    walk, idle = jobs
    out = tmp_path / "hero"
    update_character(Character(out, "hero"), walk, SIZE, engine.PaletteSettings())
    before = {path: path.read_bytes() for path in (out / "walk").glob("*.png")}
    palette_before = (out / "hero.gpl").read_bytes()
    report = update_character(Character(out, "hero"), idle, SIZE, engine.PaletteSettings(colors=3), locked=True)
    assert report.frames_written == 2
    assert (out / "hero.gpl").read_bytes() == palette_before
    assert {path: path.read_bytes() for path in (out / "walk").glob("*.png")} == before


def test_a_damaged_frame_list_is_reported(tmp_path):
    (tmp_path / "hero.frames.json").write_text("{ not json")
    with pytest.raises(engine.SetupError, match=r"hero\.frames\.json: not a frame list"):
        Character(tmp_path, "hero")


def test_character_names_become_safe_file_names(tmp_path):
    assert Character(tmp_path, "../Hero Knight/").palette_path == tmp_path / "Hero_Knight.gpl"


def test_frames_with_the_same_names_in_folders_with_the_same_names_keep_apart(tmp_path):
    """walk/frames/0001.png and idle/frames/0001.png sharing one output folder must not share a sprite."""
    for action in ("walk", "idle"):
        write_truth_set(tmp_path / action / "frames", 6, 2, seed=4)
    out = tmp_path / "hero"
    for action in ("walk", "idle"):
        report = update_character(
            Character(out, "hero"), job(tmp_path / action / "frames"), SIZE, engine.PaletteSettings()
        )
    assert report.frames_written == 4
    assert sorted(str(frame.relative) for frame in Character(out, "hero").frames()) == [
        f"{action}/frames/frame_000{index}.png" for action in ("idle", "walk") for index in (0, 1)
    ]
    assert len(list(out.rglob("frame_*.png"))) == 4


def test_sprite_paths_stay_unique_whatever_the_folders(tmp_path):
    character = Character(tmp_path / "renders" / "sprites", "hero")
    frames = [tmp_path / "renders" / "0001.png", tmp_path / "elsewhere" / "renders" / "0001.png"]
    character.add(frames)
    relatives = [frame.relative for frame in character.frames()]
    assert len(set(relatives)) == 2 and Path("0001.png") in relatives


def test_a_locked_palette_that_is_missing_is_an_error_naming_it(jobs, tmp_path):
    walk, _ = jobs
    out = tmp_path / "hero"
    with pytest.raises(engine.SetupError, match=r"hero\.gpl: the palette is locked but this file is missing"):
        update_character(Character(out, "hero"), walk, SIZE, engine.PaletteSettings(), locked=True)
    assert not list(out.rglob("*.png"))
