"""Reading and writing palette files: GIMP ``.gpl``, ``.hex``, JASC ``.pal`` and PNG swatches."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import FrameError, PaletteFileError
from ..files.atomic import write_atomically
from ..files.png import encode_png
from ..frames.downscale import read_frame

PALETTE_SUFFIXES = (".gpl", ".hex", ".pal", ".png")
# The palette files a run writes beside its sprites (JASC .pal is read, never written there).
SWATCH_SIZE = 16


# An editor ends a line at CR, LF or CRLF only; str.splitlines() also splits at form feeds, NEL and U+2028,
# which would put a line number in a message that the user cannot find in the file.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# ASCII digits only: str.isdigit() also accepts '²' (which int() refuses) and '٣' or '１' (which no palette
# writer produces, and which int() would quietly read as 3 and 1).
_DIGITS = re.compile(r"[0-9]+")
# Enough of a bad line to recognise it, without a megabyte of it in the message.
_SHOWN_CHARACTERS = 40
# Past this many significant digits a number is nonsense for any palette, and int() must not see it: it refuses
# digit strings over 4300 characters with a ValueError.
_MAX_DIGITS = 9


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut short if long."""
    if len(text) <= _SHOWN_CHARACTERS:
        return repr(text)
    return f"{text[:_SHOWN_CHARACTERS]!r}… ({len(text)} characters)"


def _whole_number(text: str) -> int | None:
    """``text`` as a whole number of at most ``_MAX_DIGITS`` digits (leading zeros aside), or None."""
    if not _DIGITS.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else None


def _component(text: str, path: Path, line_number: int) -> int:
    value = _whole_number(text)
    if value is None or value > 255:
        raise PaletteFileError(path, f"line {line_number}: {_shown(text)} is not a colour component 0..255")
    return value


def _read_gpl(path: Path, lines: list[str]) -> list[tuple[int, int, int]]:
    if not lines or lines[0].strip() != "GIMP Palette":
        raise PaletteFileError(path, "line 1: expected the header 'GIMP Palette'")
    colors = []
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or re.match(r"^(Name|Columns)\s*:", stripped):
            continue
        parts = stripped.split(None, 3)
        if len(parts) < 3:
            raise PaletteFileError(path, f"line {number}: expected 'R G B [name]', got {_shown(stripped)}")
        colors.append(tuple(_component(part, path, number) for part in parts[:3]))
    return colors  # type: ignore[return-value]


def _read_hex(path: Path, lines: list[str]) -> list[tuple[int, int, int]]:
    colors = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        code = stripped.removeprefix("#")
        if not re.fullmatch(r"[0-9a-fA-F]{6}", code):
            raise PaletteFileError(path, f"line {number}: {_shown(stripped)} is not an RRGGBB colour")
        colors.append((int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)))
    return colors


def _jasc_count(path: Path, lines: list[str]) -> int:
    """The colour count on line 3, after the 'JASC-PAL' header and the version line."""
    if not lines or lines[0].strip() != "JASC-PAL":
        raise PaletteFileError(path, "line 1: expected the header 'JASC-PAL'")
    if len(lines) < 3:
        raise PaletteFileError(path, f"line {len(lines)}: the file ends before the colour count on line 3")
    count_text = lines[2].strip()
    count = _whole_number(count_text)
    if count is None:
        raise PaletteFileError(path, f"line 3: expected the colour count, got {_shown(count_text)}")
    return count


def _read_jasc(path: Path, lines: list[str]) -> list[tuple[int, int, int]]:
    count = _jasc_count(path, lines)
    entries = [line for line in lines[3:] if line.strip()]
    if len(entries) != count:
        raise PaletteFileError(path, f"line 3: the header promises {count} colours, the file has {len(entries)}")
    colors = []
    for number, line in enumerate(lines[3:], start=4):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise PaletteFileError(path, f"line {number}: expected 'R G B', got {_shown(line.strip())}")
        colors.append(tuple(_component(part, path, number) for part in parts))
    return colors  # type: ignore[return-value]


def _read_png(path: Path) -> Palette:
    try:
        rgba = read_frame(path).rgba
    except FrameError as error:
        raise PaletteFileError(path, error.reason) from error
    opaque = rgba[:, :, 3] > 0
    if not opaque.any():
        raise PaletteFileError(path, "the image has no opaque pixels to take colours from")
    return Palette.from_colors(rgba[:, :, :3][opaque])


def _text_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file (a BOM allowed), numbered from 1 as an editor numbers them."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PaletteFileError(path, f"cannot be read ({error.strerror or error})") from error
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        # Everything before the bad byte decoded, so its lines can be counted to name the one at fault.
        number = len(_LINE_BREAK.split(data[: error.start].decode("utf-8")))
        raise PaletteFileError(path, f"line {number}: not UTF-8 text (byte 0x{data[error.start]:02x})") from error
    return _LINE_BREAK.split(text)


def checked_palette_file(path: Path | str) -> tuple[Path, str]:
    """``path`` and its lower-case suffix, once it is known to be an existing palette file of a known kind.

    Raises
    ------
    PaletteFileError
        If the file is of an unknown kind or missing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PALETTE_SUFFIXES:
        raise PaletteFileError(path, f"unknown palette format; use one of {', '.join(PALETTE_SUFFIXES)}")
    if not path.is_file():
        raise PaletteFileError(path, "no such file")
    return path, suffix


def text_palette_colours(path: Path, suffix: str) -> NDArray[np.uint8]:
    """The ``(n, 3)`` colours of a ``.gpl``, ``.hex`` or ``.pal`` file, in order, repeats kept.

    Raises
    ------
    PaletteFileError
        If the file is malformed or holds no colours.
    """
    readers = {".gpl": _read_gpl, ".hex": _read_hex, ".pal": _read_jasc}
    colors = readers[suffix](path, _text_lines(path))
    if not colors:
        raise PaletteFileError(path, "holds no colours")
    return np.array(colors, dtype=np.uint8).reshape(-1, 3)


def read_palette(path: Path | str) -> Palette:
    """Read a palette from a ``.gpl``, ``.hex``, ``.pal`` or ``.png`` file.

    A PNG's distinct opaque colours, in reading order, are the palette.

    Raises
    ------
    PaletteFileError
        If the file is missing, of an unknown kind, malformed or empty.
    """
    path, suffix = checked_palette_file(path)
    if suffix == ".png":
        return _read_png(path)
    return Palette.from_colors(text_palette_colours(path, suffix))


def palette_text(palette: Palette, suffix: str, name: str = "Pixel Sprites") -> str:
    """The text of ``palette`` in the format of ``suffix`` (``.gpl``, ``.hex`` or ``.pal``)."""
    rows = palette.colors.tolist()
    if suffix == ".gpl":
        body = "".join(f"{r:3d} {g:3d} {b:3d}\t#{r:02x}{g:02x}{b:02x}\n" for r, g, b in rows)
        return f"GIMP Palette\nName: {name}\nColumns: 8\n#\n{body}"
    if suffix == ".hex":
        return "".join(f"{code}\n" for code in palette.hex_codes())
    if suffix == ".pal":
        body = "".join(f"{r} {g} {b}\n" for r, g, b in rows)
        return f"JASC-PAL\n0100\n{len(rows)}\n{body}"
    raise ValueError(f"no text format for {suffix!r}")


def palette_strip(palette: Palette) -> np.ndarray:
    """A one-row strip of square swatches, left to right in palette order."""
    strip = np.repeat(palette.colors[None, :, :], SWATCH_SIZE, axis=1)
    strip = np.repeat(strip, SWATCH_SIZE, axis=0)
    alpha = np.full((*strip.shape[:2], 1), 255, dtype=np.uint8)
    return np.concatenate([strip, alpha], axis=2)


def palette_data(palette: Palette, path: Path | str, name: str = "Pixel Sprites") -> bytes:
    """The bytes of ``palette`` in the format ``path``'s suffix names.

    Raises
    ------
    PaletteFileError
        If the suffix names no palette format.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        data = encode_png(palette_strip(palette))
    elif suffix in PALETTE_SUFFIXES:
        data = palette_text(palette, suffix, name).encode("utf-8")
    else:
        raise PaletteFileError(path, f"unknown palette format; use one of {', '.join(PALETTE_SUFFIXES)}")
    return data


def write_palette(palette: Palette, path: Path | str, name: str = "Pixel Sprites") -> Path:
    """Write ``palette`` to ``path`` atomically, in the format its suffix names, flushed to the disk (the palette
    files say which colours the sprites beside them hold)."""
    data = palette_data(palette, path, name)
    write_atomically(path, data, durable=True)
    return Path(path)
