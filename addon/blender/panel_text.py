"""Text of the Sprites tab that Blender would cut short: wrapped to the sidebar's real width, paths broken at their
separators, and folders shown as the user wrote them (``//renders/sprites``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import bpy

# Blender's interface font at scale 1 averages about 7 px a character: the estimate where blf cannot measure.
CHARACTER_PIXELS = 7.0
# At scale 1: what a panel's layout loses of the sidebar's width (the tab strip and the panel's margins; measured in
# Blender 3.4, where a full-width button of a 229 px sidebar is 173 px wide), and what a label loses of its text's.
LAYOUT_MARGIN_PIXELS = 54
TEXT_MARGIN_PIXELS = 10
ICON_PIXELS = 20
FALLBACK_REGION_WIDTH = 229  # the sidebar's default width at scale 1
# A path breaks after a separator; the separator stays at the end of the line, as a file manager wraps it.
_PATH_PIECE = re.compile(r"[^/\\]*[/\\]|[^/\\]+")


def interface_scale(context: bpy.types.Context) -> float:
    """Blender's interface scale; 1 in background mode, where there is no window to scale."""
    preferences = context.preferences
    if preferences is None:
        return 1.0
    return float(preferences.system.ui_scale or preferences.view.ui_scale or 1.0)


def layout_width(context: bpy.types.Context) -> float:
    """The pixels across a panel's layout in this region, whatever its width and the interface scale."""
    scale = interface_scale(context)
    region_width = context.region.width if context.region is not None else FALLBACK_REGION_WIDTH * scale
    return region_width - LAYOUT_MARGIN_PIXELS * scale


def label_width(context: bpy.types.Context, *, icon: bool = False, inset: float = 0) -> float:
    """The pixels a label's text has across the layout; ``inset`` is what a box or an indent takes at scale 1."""
    return layout_width(context) - (TEXT_MARGIN_PIXELS + inset + (ICON_PIXELS if icon else 0)) * interface_scale(
        context
    )


def measure(context: bpy.types.Context) -> Callable[[str], float]:
    """How many pixels a text takes in the interface font: measured by blf, else estimated."""
    scale = interface_scale(context)
    points = context.preferences.ui_styles[0].widget.points if context.preferences is not None else 11
    try:
        import blf

        blf.size(0, points * scale)
        blf.dimensions(0, "M")
    except Exception:  # a build without the font module or its font: the average width will do
        return lambda text: len(text) * CHARACTER_PIXELS * scale
    return lambda text: float(blf.dimensions(0, text)[0])


def text_fits(context: bpy.types.Context, *, icon: bool = False, inset: float = 0) -> Callable[[str], bool]:
    """Whether a line fits a label of this region."""
    width = label_width(context, icon=icon, inset=inset)
    pixels = measure(context)
    return lambda line: pixels(line) <= width


def characters_fit(count: int) -> Callable[[str], bool]:
    """Lines of at most ``count`` characters: the tests' stand-in for a measured width."""
    return lambda line: len(line) <= count


def wrapped(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` in lines that ``fits``: broken between words, a word too long for a line broken after its ``/``
    (or ``\\``), and only a piece too long even then broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for number, piece in enumerate(_pieces(word, fits)):
            glue = " " if number == 0 else ""
            if line and fits(line + glue + piece):
                line += glue + piece
            else:
                if line:
                    lines.append(line)
                line = piece
    return [*lines, line] if line else lines


def _pieces(word: str, fits: Callable[[str], bool]) -> list[str]:
    if fits(word):
        return [word]
    return [piece for part in _PATH_PIECE.findall(word) for piece in _split_to_fit(part, fits)]


def _split_to_fit(part: str, fits: Callable[[str], bool]) -> list[str]:
    pieces = []
    while part:
        size = len(part)
        while size > 1 and not fits(part[:size]):
            size -= 1
        pieces.append(part[:size])
        part = part[size:]
    return pieces


def label_lines(
    layout: bpy.types.UILayout,
    context: bpy.types.Context,
    text: str,
    icon: str = "NONE",
    *,
    greyed: bool = False,
    inset: float = 0,
) -> None:
    """``text`` as labels wrapped to the region's width, the icon on the first line only; greyed as a hint is."""
    column = layout.column(align=True)
    column.active = not greyed
    following = "BLANK1" if icon != "NONE" else "NONE"
    for number, line in enumerate(wrapped(text, text_fits(context, icon=icon != "NONE", inset=inset))):
        column.label(text=line, icon=icon if number == 0 else following)


def shown_folder(folder: Path | str) -> str:
    """A folder as the user would write it: relative to the saved .blend (``//renders/sprites``) where it is below
    its folder, else whole."""
    text = str(folder)
    return bpy.path.relpath(text) if bpy.data.filepath and bpy.path.is_subdir(text, bpy.path.abspath("//")) else text
