"""Any file bytes give a palette or a PaletteFileError naming the file (and, in a text format, the line at fault)."""

import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from pixel_sprites.engine import Palette, read_palette
from pixel_sprites.engine.errors import PaletteFileError

# Each example rewrites the same file in the test's own folder, so sharing tmp_path between examples is safe.
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT_SUFFIXES = (".gpl", ".hex", ".pal")
# The only refusals of a text palette that no single line is to blame for.
WHOLE_FILE_REASONS = ("holds no colours",)
BOM = "\ufeff"

# Tokens that look like numbers to someone: str.isdigit() accepts '²', '٣' and '１', int() refuses huge digit strings.
NUMBERISH = st.one_of(
    st.sampled_from(
        ["0", "7", "255", "256", "000255", "-1", "+3", "3.0", "1e3", "0x1f", "²", "٣", "١٢", "１", "nan", "ff00ff"]
    ),
    st.sampled_from(["9" * 5000, "0" * 5000 + "7", "1" * 4301]),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=6),
)
# Mostly real components, so that some near-valid files are valid and the success path is fuzzed too.
COMPONENTS = st.one_of(st.integers(0, 255).map(str), st.integers(0, 255).map(str), NUMBERISH)
SEPARATORS = st.sampled_from([" ", "\t", "  ", " \t ", "\x0b", "\u3000"])
LINE_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def line_count(data: bytes) -> int:
    """Lines as an editor numbers them: CR, LF and CRLF end a line, nothing else does."""
    return len(re.split(rb"\r\n|\r|\n", data))


def read_or_refuse(path) -> Palette | None:
    """Read ``path``; a refusal must be a PaletteFileError that names the file and, for text, a line of it."""
    data = path.read_bytes()
    try:
        palette = read_palette(path)
    except PaletteFileError as error:
        assert str(error).startswith(f"{path}: ")
        if path.suffix in TEXT_SUFFIXES and error.reason not in WHOLE_FILE_REASONS:
            line = re.match(r"line (\d+): ", error.reason)
            assert line, f"no line number in {error.reason!r}"
            assert 1 <= int(line.group(1)) <= line_count(data)
        return None
    assert isinstance(palette, Palette)
    assert len(palette) > 0
    return palette


# Mostly three components, as both formats want; sometimes too few or too many.
WIDTHS = st.sampled_from([3, 3, 3, 0, 1, 2, 4])


@st.composite
def number_lines(draw, names: list[str]) -> str:
    """A line of number-like tokens, followed by one of ``names``."""
    count = draw(WIDTHS)
    tokens = draw(st.lists(COMPONENTS, min_size=count, max_size=count))
    return draw(SEPARATORS).join(tokens) + draw(st.sampled_from(names))


@st.composite
def encoded(draw, lines: list[str]) -> bytes:
    """``lines`` joined by any line ending, maybe with a BOM and a final line ending, as UTF-8 or Latin-1."""
    ending = draw(LINE_ENDINGS)
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    if draw(st.booleans()):
        text = BOM + text
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8", "latin-1"])), errors="replace")


def write(tmp_path, suffix: str, data: bytes):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", [*TEXT_SUFFIXES, ".png"])
@FUZZ
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_give_a_palette_or_a_named_refusal(tmp_path, suffix, data):
    read_or_refuse(write(tmp_path, suffix, data))


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
@FUZZ
@given(text=st.text(max_size=200), bom=st.booleans())
def test_arbitrary_unicode_text_gives_a_palette_or_a_named_refusal(tmp_path, suffix, text, bom):
    read_or_refuse(write(tmp_path, suffix, ((BOM if bom else "") + text).encode("utf-8", errors="surrogatepass")))


@FUZZ
@given(data=st.data())
def test_near_valid_gimp_palettes(tmp_path, data):
    header = data.draw(st.lists(st.sampled_from(["Name: Fuzz", "Columns: 8", "#", "# comment", ""]), max_size=3))
    body = st.one_of(
        number_lines(["", "\tBlack", " Dark red", "\t#ff0000"]), st.sampled_from(["Name:", "Columns : x", "#", "  "])
    )
    lines = ["GIMP Palette", *header, *data.draw(st.lists(body, max_size=12))]
    read_or_refuse(write(tmp_path, ".gpl", data.draw(encoded(lines))))


@FUZZ
@given(data=st.data())
def test_near_valid_hex_palettes(tmp_path, data):
    hex_line = st.from_regex(r"#?[0-9a-fA-F]{5,7}", fullmatch=True)
    body = st.one_of(
        hex_line, st.sampled_from(["; comment", "", "  ", "#ff00ff\tred", "٣٣٣٣٣٣", "ｆｆ００００"]), NUMBERISH
    )
    read_or_refuse(write(tmp_path, ".hex", data.draw(encoded(data.draw(st.lists(body, max_size=12))))))


@FUZZ
@given(data=st.data())
def test_near_valid_jasc_palettes(tmp_path, data):
    body = number_lines(["", "", "", " ", "\tBlack"])
    entries = data.draw(st.lists(body, max_size=8))
    count = data.draw(st.one_of(st.just(str(len(entries))), st.just(f"00{len(entries)}"), NUMBERISH))
    whole = ["JASC-PAL", "0100", count, *entries]
    lines = data.draw(st.sampled_from([whole, whole, whole[:2], whole[:1]]))  # some cut short before the count
    read_or_refuse(write(tmp_path, ".pal", data.draw(encoded(lines))))


colours = st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=1, max_size=400)


@FUZZ
@given(rows=colours, ending=LINE_ENDINGS, bom=st.booleans(), separator=SEPARATORS)
def test_valid_text_palettes_of_any_size_read_back_exactly(tmp_path, rows, ending, bom, separator):
    expected = Palette.from_colors(rows)
    texts = {
        ".gpl": ["GIMP Palette", "Name: Big", *(separator.join(map(str, row)) + "\tname" for row in rows)],
        ".hex": [f"#{r:02x}{g:02X}{b:02x}" for r, g, b in rows],
        ".pal": ["JASC-PAL", "0100", str(len(rows)), *(separator.join(map(str, row)) for row in rows)],
    }
    for suffix, lines in texts.items():
        path = write(tmp_path, suffix, ((BOM if bom else "") + ending.join(lines) + ending).encode("utf-8"))
        assert read_palette(path) == expected


def png_bytes(pixels: np.ndarray, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


images = arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 6), st.just(4)))
MODES = st.sampled_from(["RGBA", "RGB", "L", "LA", "P", "1", "I;16"])


@FUZZ
@given(pixels=images, mode=MODES)
def test_any_small_png_gives_its_opaque_colours_or_says_it_has_none(tmp_path, pixels, mode):
    path = write(tmp_path, ".png", png_bytes(pixels, mode))
    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"))
    opaque = rgba[:, :, 3] > 0
    if not opaque.any():
        with pytest.raises(PaletteFileError, match="no opaque pixels"):
            read_palette(path)
        return
    # Pillow's own conversion of 16-bit grey is not the engine's rounding, so compare the count there.
    palette = read_palette(path)
    if mode == "I;16":
        assert 0 < len(palette) <= len(np.unique(rgba[opaque][:, :3], axis=0))
    else:
        assert palette == Palette.from_colors(rgba[opaque][:, :3])


@FUZZ
@given(
    pixels=images,
    mode=MODES,
    cut=st.integers(0, 200),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255))),
)
def test_damaged_pngs_give_a_palette_or_a_named_refusal(tmp_path, pixels, mode, cut, flips):
    data = bytearray(png_bytes(pixels, mode))
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    read_or_refuse(write(tmp_path, ".png", bytes(data[: len(data) - cut])))


BAD_LINES = [
    ("a.gpl", "GIMP Palette\n# sky\n10 ² 30\n", "line 3: '²' is not a colour component 0..255"),
    ("b.gpl", "GIMP Palette\n# sky\n10 ٣ 30\n", "line 3: '٣' is not a colour component 0..255"),
    ("c.gpl", "GIMP Palette\r\r10 20 -1\r", "line 3: '-1' is not a colour component 0..255"),
    ("d.gpl", "GIMP Palette\n" + "9" * 5000 + " 0 0\n", "line 2: '9999999999"),
    ("e.pal", "JASC-PAL\n0100\n" + "9" * 5000 + "\n1 2 3\n", "line 3: expected the colour count, got '9999"),
    ("f.pal", "JASC-PAL\r\n0100\r\n³\r\n1 2 3\r\n", "line 3: expected the colour count, got '³'"),
    ("g.pal", "JASC-PAL\n0100\n3\n1 2 3\n", "line 3: the header promises 3 colours, the file has 1"),
    ("h.pal", "JASC-PAL\n0100", "line 2: the file ends before the colour count on line 3"),
    ("i.hex", "ff0000\n\x0c\nnope\n", "line 3: 'nope' is not an RRGGBB colour"),
    ("j.hex", b"ff0000\r\n00ff00\r\n\xff\xfe\r\n", "line 3: not UTF-8 text"),
    ("k.gpl", BOM + "GIMP Palette\n1 2 3\n4 5\n", "line 3: expected 'R G B [name]', got '4 5'"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_LINES, ids=[case[0] for case in BAD_LINES])
def test_bad_lines_are_named_by_number(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with pytest.raises(PaletteFileError) as error:
        read_palette(path)
    assert str(error.value).startswith(f"{path}: {message}")


def test_a_long_bad_line_is_shortened_in_the_message(tmp_path):
    path = tmp_path / "long.hex"
    path.write_text("x" * 5000 + "\n")
    with pytest.raises(PaletteFileError) as error:
        read_palette(path)
    assert len(str(error.value)) < len(str(path)) + 120


def test_a_palette_of_more_than_256_colours_is_read_whole(tmp_path):
    rows = [(i % 256, i // 256, 7) for i in range(300)]
    path = tmp_path / "big.pal"
    path.write_text("JASC-PAL\n0100\n300\n" + "".join(f"{r} {g} {b}\n" for r, g, b in rows))
    assert len(read_palette(path)) == 300
