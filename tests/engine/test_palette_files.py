import numpy as np
import pytest
from helpers import save_png

from pixel_sprites.engine import Palette, read_palette, write_palette
from pixel_sprites.engine.errors import PaletteFileError

COLOURS = Palette.from_colors([(10, 20, 30), (255, 0, 128), (0, 0, 0), (250, 250, 250)])


@pytest.mark.parametrize("suffix", [".gpl", ".hex", ".pal", ".png"])
def test_palette_files_round_trip(tmp_path, suffix):
    path = write_palette(COLOURS, tmp_path / f"p{suffix}")
    assert read_palette(path) == COLOURS


def test_reads_third_party_gimp_palette(tmp_path):
    path = tmp_path / "game.gpl"
    path.write_text("GIMP Palette\nName: Game\nColumns: 4\n# comment\n  0   0   0\tBlack\n255 255 255 White\n")
    assert read_palette(path).hex_codes() == ["000000", "ffffff"]


def test_png_swatch_gives_its_distinct_opaque_colours_in_reading_order(tmp_path):
    pixels = np.zeros((2, 3, 4), np.uint8)
    pixels[0, 0] = (9, 9, 9, 255)
    pixels[0, 1] = (1, 2, 3, 255)
    pixels[1, 2] = (9, 9, 9, 255)
    pixels[1, 0] = (7, 7, 7, 0)
    assert read_palette(save_png(tmp_path / "swatch.png", pixels)).hex_codes() == ["090909", "010203"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.gpl", "Not GIMP\n", "line 1: expected the header 'GIMP Palette'"),
        ("b.gpl", "GIMP Palette\n10 20\n", "line 2: expected 'R G B [name]'"),
        ("c.gpl", "GIMP Palette\n10 20 300 Too bright\n", "line 2: '300' is not a colour component 0..255"),
        ("d.hex", "ff0000\nnope\n", "line 2: 'nope' is not an RRGGBB colour"),
        ("e.pal", "JASC-PAL\n0100\n3\n1 2 3\n", "the header promises 3 colours, the file has 1"),
        ("f.hex", "\n\n", "holds no colours"),
        ("g.act", "", "unknown palette format"),
        ("missing.gpl", None, "no such file"),
    ],
)
def test_malformed_palette_files_name_file_and_problem(tmp_path, name, text, message):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(PaletteFileError) as error:
        read_palette(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_palette_png_without_opaque_pixels_is_refused(tmp_path):
    with pytest.raises(PaletteFileError, match="no opaque pixels"):
        read_palette(save_png(tmp_path / "clear.png", np.zeros((2, 2, 4), np.uint8)))
