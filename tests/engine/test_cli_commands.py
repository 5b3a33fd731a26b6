"""One module per command: the grid command and its older spelling, and options refused where they do nothing."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import save_png
from PIL import Image

from pixel_sprites.cli import main


@pytest.fixture
def sprites(tmp_path):
    folder = tmp_path / "sprites"
    for index in range(3):
        rgba = np.zeros((6, 4, 4), np.uint8)
        rgba[1:5, 1:3] = [40 * index, 200, 90, 255]
        save_png(folder / f"{index + 1:04d}.png", rgba)
    return folder


def test_grid_is_a_command_and_sheet_out_its_older_spelling_gives_the_same_bytes(sprites, tmp_path, capsys):
    assert main(["grid", str(sprites), "--out", str(tmp_path / "grid.png"), "--columns", "2", "--scale", "3"]) == 0
    assert "3 sprites written to" in capsys.readouterr().out
    spelled = ["sheet", str(sprites), "--sheet-out", str(tmp_path / "alias.png"), "--columns", "2", "--scale", "3"]
    assert main(spelled) == 0
    grid = np.asarray(Image.open(tmp_path / "grid.png"))
    assert grid.shape[:2] == (2 * 6 * 3, 2 * 4 * 3)  # 2 columns, 2 rows of 4x6 sprites, each pixel 3x3
    assert (tmp_path / "grid.png").read_bytes() == (tmp_path / "alias.png").read_bytes()
    assert main(["grid", str(sprites), "--sheet-out", str(tmp_path / "third.png")]) == 0  # --out's other name


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["process", "{src}", "--out", "{out}", "--layout", "atlas"], "--layout only act with --sheets"),
        (["process", "{src}", "--out", "{out}", "--max-size", "512", "--rgba"], "--max-size, --rgba only act"),
        (["process", "{src}", "--out", "{out}", "--fps", "12"], "--fps only act with --sheets"),
        (["fit", "{src}", "--palette-out", "{out}/p.gpl", "--sampling", "majority"], "unrecognized arguments"),
        (["sheet", "{src}", "--columns", "4"], "--columns only act with --sheet-out"),
        (["sheet", "{src}", "--sheet-out", "{out}/g.png", "--layout", "atlas"], "--layout do nothing with"),
    ],
)
def test_an_option_that_would_do_nothing_is_refused_naming_it(sprites, tmp_path, capsys, arguments, message):
    filled = [part.format(src=sprites, out=tmp_path / "out") for part in arguments]
    with pytest.raises(SystemExit) as exit_info:
        main(filled)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_process_takes_sheet_options_with_sheets(tmp_path):
    renders = tmp_path / "renders"
    for facing in ("S", "N"):
        for frame in range(2):
            rgba = np.zeros((8, 6, 4), np.uint8)
            rgba[2:7, 1:5] = [200, 60 * frame, 40, 255]
            save_png(renders / "walk" / facing / f"{frame + 1:04d}.png", rgba)
    out = tmp_path / "out"
    assert main(["process", str(renders), "--out", str(out), "--pixel", "1", "--sheets", "--layout", "atlas"]) == 0
    assert (out / "sheets" / "character_atlas.png").is_file()
