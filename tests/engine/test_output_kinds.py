"""Issue 27, items 1, 2 and 8: no output replaces a file of another owner or another kind, adoption needs proof,
and a source folder skipped as an earlier run's outputs is named."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import file_digests, save_png, write_set_renders
from synthetic import write_truth_set

from pixel_sprites import cli
from pixel_sprites.engine.errors import SetupError
from pixel_sprites.engine.files.record import RECORD_NAME, check_writable
from pixel_sprites.engine.palette.files import read_palette

SIZE = ("--size", "32x45", "--workers", "1")


def refused(capsys, *args) -> str:
    """Run the command line; it must refuse with exit 2 and one line; returns that line."""
    assert cli.main([str(arg) for arg in args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def record(folder) -> dict[str, str]:
    return json.loads((folder / RECORD_NAME).read_text())["files"]


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds") / "renders"
    write_truth_set(folder, 5, 6, seed=4)
    return folder


@pytest.fixture
def sprites(renders, tmp_path, capsys):
    out = tmp_path / "S"
    assert cli.main(["process", str(renders), "--out", str(out), *SIZE]) == 0
    capsys.readouterr()
    return out


def small_sprite(action: str, facing: int, frame: int) -> np.ndarray:
    body = np.full((6, 4, 4), 60 * (facing + 1) + 20 * frame, np.uint8)
    body[:, :, 3] = 255
    return np.pad(body, ((2, 2), (2, 2), (0, 0)))


@pytest.fixture
def set_sprites(tmp_path, capsys):
    """The sprites of a set (walk, S and N): what palette-variant and sheet take."""
    renders = write_set_renders(tmp_path / "renders", [("walk", 2)], ["S", "N"], small_sprite)
    out = tmp_path / "sprites"
    assert cli.main(["process", str(renders), "--out", str(out), "--pixel", "1", "--colors", "4"]) == 0
    capsys.readouterr()
    return out


# 1. Adoption needs proof


def test_a_strangers_report_does_not_make_their_pngs_ours(renders, tmp_path, capsys):
    mine = tmp_path / "mine"
    save_png(mine / "frame_0001.png", np.full((45, 32, 4), 7, np.uint8))
    (mine / "weekly_report.json").write_text('{"hours": 40}')
    before = file_digests(mine)
    line = refused(capsys, "process", renders, "--out", mine, *SIZE)
    assert str(mine / "frame_0001.png") in line and "was not written by Pixel Sprites" in line
    assert file_digests(mine) == before and not (mine / RECORD_NAME).exists()


def test_an_output_folder_that_is_a_symlink_to_the_renders_is_refused(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 3, seed=5)
    (renders / "render_report.json").write_text('{"frames_in": 3}')
    (tmp_path / "link").symlink_to(renders, target_is_directory=True)
    before = file_digests(renders)
    line = refused(capsys, "process", renders, "--out", tmp_path / "link", *SIZE)
    assert "the output folder is an input folder" in line
    assert file_digests(renders) == before


def test_a_folder_an_earlier_version_wrote_is_adopted_only_for_the_files_its_frame_list_names(
    renders, sprites, tmp_path, capsys
):
    # As an earlier version left a CLI folder: no record, a report and palette files: nothing proves the PNGs ours.
    (sprites / RECORD_NAME).unlink()
    line = refused(capsys, "process", renders, "--out", sprites, *SIZE)
    assert "was not written by Pixel Sprites" in line
    # A character folder of an earlier version: its frame list names its sprites; only those are adopted.
    character = tmp_path / "character"
    frames = sorted(renders.glob("*.png"))
    for frame in frames[:3]:
        save_png(character / frame.name, np.zeros((45, 32, 4), np.uint8))
    save_png(character / "frame_0003.png", np.zeros((45, 32, 4), np.uint8))  # not named: someone else's
    entries = [{"frame": str(frame), "sprite": frame.name} for frame in frames[:3]]
    (character / "hero.frames.json").write_text(json.dumps({"character": "hero", "frames": entries}))
    check_writable({character / frame.name: "sprite" for frame in frames[:3]})
    with pytest.raises(SetupError, match=r"frame_0003\.png"):
        check_writable({character / "frame_0003.png": "sprite"})


# 2. Kinds


def test_a_report_never_replaces_a_palette_or_a_sprite(renders, sprites, capsys):
    before = file_digests(sprites)
    line = refused(capsys, "process", renders, "--out", sprites, "--report", sprites / "palette.gpl", *SIZE)
    assert "palette.gpl" in line and "palette" in line and "report" in line
    line = refused(capsys, "process", renders, "--out", sprites, "--report", sprites / "frame_0001.png", *SIZE)
    assert "frame_0001.png" in line and "sprite" in line and "report" in line
    assert file_digests(sprites) == before


def test_a_palette_variant_never_replaces_the_fitted_palette(set_sprites, capsys):
    sprites = set_sprites
    before = file_digests(sprites)
    for name in ("palette.gpl", "palette.hex"):
        line = refused(capsys, "palette-variant", sprites, sprites / name)
        assert name in line and "as a palette" in line and "palette variant" in line
    assert file_digests(sprites) == before
    assert cli.main(["palette-variant", str(sprites), str(sprites / "red.gpl")]) == 0
    assert record(sprites)["red.gpl"] == "palette variant"


def test_a_failed_palette_variant_leaves_nothing_in_the_record(set_sprites, capsys):
    sprites = set_sprites
    line = refused(capsys, "palette-variant", sprites, sprites / "red.txt")
    assert "red.txt" in line and "unknown palette format" in line
    assert "red.txt" not in record(sprites) and not (sprites / "red.txt").exists()


def test_a_grid_never_replaces_the_palette_strip(sprites, capsys):
    before = file_digests(sprites)
    line = refused(capsys, "grid", sprites, "--out", sprites / "palette.png")
    assert "palette.png" in line and "palette strip" in line
    assert file_digests(sprites) == before


def test_a_frame_named_like_the_palette_strip_is_a_conflict_named_before_anything_is_written(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 3, seed=6)
    (renders / "frame_0002.png").rename(renders / "palette.png")
    out = tmp_path / "out"
    line = refused(capsys, "process", renders, "--out", out, *SIZE)
    assert str(out / "palette.png") in line and "sprite" in line and "palette strip" in line
    assert not list(out.glob("*.png"))


def test_kinds_are_recorded_finely(sprites, tmp_path):
    kinds = record(sprites)
    assert kinds["palette.gpl"] == kinds["palette.hex"] == "palette"
    assert kinds["palette.png"] == "palette strip" and kinds["palette_report.json"] == "report"
    assert kinds["frame_0000.png"] == "sprite"
    assert json.loads((sprites / RECORD_NAME).read_text())["version"] == 2


def test_a_record_of_version_1_is_read_in_todays_kinds(renders, sprites, capsys):
    data = json.loads((sprites / RECORD_NAME).read_text())
    data["version"] = 1
    data["files"] = {name: "palette" if kind == "palette strip" else kind for name, kind in data["files"].items()}
    (sprites / RECORD_NAME).write_text(json.dumps(data))
    assert cli.main(["process", str(renders), "--out", str(sprites), *SIZE]) == 0
    assert record(sprites)["palette.png"] == "palette strip"


def test_sheets_without_variants_take_away_the_variant_files_the_tool_wrote(set_sprites, tmp_path, capsys):
    out = set_sprites
    assert cli.main(["palette-variant", str(out), str(tmp_path / "red.gpl")]) == 0
    variant = ["--variant", f"red={tmp_path / 'red.gpl'}"]
    assert cli.main(["sheet", str(out), *variant]) == 0
    kinds = record(out)
    made = {name: kind for name, kind in kinds.items() if kind in ("variant sheet", "index map", "variant palettes")}
    assert "sheets/walk.red.png" in made and made["sheets/walk.red.png"] == "variant sheet"
    assert kinds["sheets/walk.png"] == "sheet" and "index map" in made.values()
    (out / "sheets" / "notes.red.png").write_bytes(b"an artist's file")
    assert cli.main(["sheet", str(out), "--no-variants"]) == 0
    assert not any((out / name).exists() for name in made)
    assert (out / "sheets" / "walk.png").is_file() and (out / "sheets" / "notes.red.png").read_bytes()
    assert not set(made) & set(record(out))


# 8. Source folders holding outputs


def test_a_palette_saved_into_a_render_folder_does_not_hide_its_frames(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders / "walk", 4, 4, seed=7)
    write_truth_set(renders / "idle", 4, 4, seed=8)
    assert cli.main(["fit", str(renders / "walk"), "--palette-out", str(renders / "walk" / "walk.png"), *SIZE]) == 0
    assert cli.main(["process", str(renders), "--out", str(tmp_path / "out"), *SIZE]) == 0
    captured = capsys.readouterr()
    assert "8/8 sprites" in captured.out and "skipped" not in captured.err
    assert not (tmp_path / "out" / "walk" / "walk.png").exists()  # the palette strip is not a frame


def test_a_source_folder_holding_sprites_is_named_when_skipped(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders / "walk", 4, 4, seed=7)
    assert cli.main(["process", str(renders / "walk"), "--out", str(renders / "old"), *SIZE]) == 0
    report_path = tmp_path / "out" / "palette_report.json"
    assert cli.main(["process", str(renders), "--out", str(tmp_path / "out"), *SIZE]) == 0
    captured = capsys.readouterr()
    assert f"skipped {renders / 'old'}: holds outputs of an earlier run" in captured.err
    report = json.loads(report_path.read_text())
    assert {"file": str(renders / "old"), "reason": "holds outputs of an earlier run"} in report["skipped"]
    assert read_palette(tmp_path / "out" / "palette.gpl")
