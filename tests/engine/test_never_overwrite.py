"""Nothing the tool did not write is ever replaced: renders, input frames, anything unknown (issue 14.1)."""

import json

import numpy as np
import pytest
from helpers import file_digests, save_png
from synthetic import write_truth_set

from pixel_sprites import cli
from pixel_sprites.engine.files.record import RECORD_NAME

SIZE = ("--size", "32x45", "--workers", "1")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Two actions' renders; every test leaves them as they are (and checks it where it writes near them)."""
    renders = tmp_path_factory.mktemp("never_overwrite") / "renders"
    write_truth_set(renders / "walk", 5, 6, seed=1)
    write_truth_set(renders / "idle", 5, 6, seed=2)
    return renders


def refused(capsys, *args):
    """Run the command line; it must refuse with exit 2 and one line; returns that line."""
    assert cli.main([str(arg) for arg in args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_process_refuses_to_write_sprites_over_another_jobs_renders(project, capsys):
    before = file_digests(project)
    line = refused(capsys, "process", project / "walk", "--out", project / "idle", *SIZE)
    assert str(project / "idle") in line and "was not written by Pixel Sprites" in line
    assert file_digests(project) == before


def test_a_report_or_a_palette_is_never_written_over_a_render(project, tmp_path, capsys):
    before = file_digests(project)
    line = refused(
        capsys, "process", project / "walk", "--out", tmp_path / "sprites", "--report", project / "idle/frame_0003.png",
        *SIZE,
    )  # fmt: skip
    assert "frame_0003.png" in line
    assert not list((tmp_path / "sprites").glob("*.png"))  # refused before any sprite
    line = refused(capsys, "fit", project / "walk", "--palette-out", project / "idle/frame_0004.png", *SIZE)
    assert "frame_0004.png" in line
    assert file_digests(project) == before


def test_its_own_outputs_are_replaced_and_an_unknown_file_is_not(project, tmp_path, capsys):
    out = tmp_path / "sprites"
    assert cli.main(["process", str(project / "walk"), "--out", str(out), *SIZE]) == 0
    assert cli.main(["process", str(project / "walk"), "--out", str(out), "--colors", "4", *SIZE]) == 0
    record = json.loads((out / RECORD_NAME).read_text())["files"]
    assert record["frame_0000.png"] == "sprite" and record["palette.gpl"] == "palette"
    assert record["palette_report.json"] == "report"
    capsys.readouterr()
    (out / "notes.png").write_bytes(b"mine")
    assert cli.main(["fit", str(project / "walk"), "--palette-out", str(out / "palette.png"), *SIZE]) == 0
    line = refused(capsys, "fit", project / "walk", "--palette-out", out / "notes.png", *SIZE)
    assert "notes.png" in line and (out / "notes.png").read_bytes() == b"mine"


def test_sheets_and_grids_never_replace_a_file_not_ours(tmp_path, capsys):
    renders = tmp_path / "renders"
    for facing in ("S", "N"):
        write_truth_set(renders / "walk" / facing, 4, 3, seed=3)
    out = tmp_path / "sprites"
    (out / "sheets").mkdir(parents=True)
    (out / "sheets" / "walk.png").write_bytes(b"an artist's sheet")
    line = refused(capsys, "process", renders, "--out", out, "--sheets", *SIZE)
    assert str(out / "sheets" / "walk.png") in line
    assert (out / "sheets" / "walk.png").read_bytes() == b"an artist's sheet"
    assert not list((out / "sheets").glob("walk.json"))  # no file of any sheet was written
    (out / "sheets" / "walk.png").unlink()
    assert cli.main(["process", str(renders), "--out", str(out), "--sheets", *SIZE]) == 0
    assert cli.main(["sheet", str(out)]) == 0  # its own sheets it replaces
    capsys.readouterr()
    line = refused(capsys, "sheet", out, "--sheet-out", renders / "walk/S/frame_0001.png")
    assert "frame_0001.png" in line


def test_a_folder_with_only_a_report_to_show_is_not_adopted(project, tmp_path, capsys):
    """Issue 27: a report proves nothing (any tool may write one); only a frame list of ours names sprites that an
    earlier version wrote (see test_output_kinds)."""
    out = tmp_path / "sprites"
    assert cli.main(["process", str(project / "walk"), "--out", str(out), *SIZE]) == 0
    (out / RECORD_NAME).unlink()  # as an earlier version left it: palette_report.json, palette.*, sprites
    before = file_digests(out)
    line = refused(capsys, "process", project / "walk", "--out", out, *SIZE)
    assert "was not written by Pixel Sprites" in line and file_digests(out) == before


def test_a_folder_without_this_tools_files_is_not_adopted(project, tmp_path, capsys):
    out = tmp_path / "sprites"
    save_png(out / "frame_0000.png", np.zeros((45, 32, 4), np.uint8))  # someone else's, no report beside it
    line = refused(capsys, "process", project / "walk", "--out", out, *SIZE)
    assert "frame_0000.png" in line
