"""Packing animations into sheet pages: fixed cells, one row group per animation, pages within a size limit.

Every cell has the sprite's size, so a character's feet stay on the same pixel
of every frame and nothing jitters. An animation (one action seen from one
facing) takes a group of rows: its frames left to right, wrapping onto further
rows when a row would pass the size limit. Row groups stack top to bottom, and
a group that would pass the limit starts a new page, so an animation never
spans two pages (Phaser and Aseprite's JSON describe one image each).

Packed pages (``--packed``) hold trimmed frames instead, laid out by :mod:`.packed_layout`; their cells carry a
:class:`Trim`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SheetError
from ..options import MAX_SIZE, PADDING

DEFAULT_MAX_SIZE = int(MAX_SIZE.default)
DEFAULT_PADDING = int(PADDING.default)


@dataclass(frozen=True)
class Animation:
    """Frames to play in order: one action seen from one facing."""

    name: str
    sprites: tuple[Path, ...]
    duration_ms: int
    fps: float
    loop: bool = True


@dataclass(frozen=True)
class Trim:
    """A trimmed frame: where its kept pixels start in the full sprite, and their size."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Cell:
    """A sprite's place on a page: the top-left pixel of its cell (of its trimmed pixels when ``trim`` is set)."""

    sprite: Path
    x: int
    y: int
    duration_ms: int
    trim: Trim | None = None


@dataclass(frozen=True)
class PlacedAnimation:
    """An animation on a page: its cells are ``cells[first : last + 1]`` of the page."""

    name: str
    first: int
    last: int
    fps: float
    loop: bool
    duration_ms: int


@dataclass
class Page:
    """One sheet image and what is on it."""

    name: str
    width: int = 0
    height: int = 0
    cells: list[Cell] = field(default_factory=list)
    animations: list[PlacedAnimation] = field(default_factory=list)


def pack(
    animations: Sequence[Animation],
    sprite_size: tuple[int, int],
    *,
    name: str,
    max_size: int = DEFAULT_MAX_SIZE,
    padding: int = DEFAULT_PADDING,
    margin: int = 0,
) -> list[Page]:
    """Lay ``animations`` of ``sprite_size`` (width, height) sprites out on pages at most ``max_size`` square.

    Pages are named ``name``, or ``name_1``, ``name_2``, … when there are several.

    Raises
    ------
    SheetError
        If a padding or margin is negative, or one animation or one sprite cannot fit in ``max_size``.
    """
    if padding < 0 or margin < 0:
        raise SheetError(f"--padding and --margin must not be negative, got {padding} and {margin}")
    width, height = sprite_size
    columns = (max_size - 2 * margin + padding) // (width + padding)
    if columns < 1 or 2 * margin + height > max_size:
        raise SheetError(
            f"--max-size {max_size}: a {width}x{height} sprite with a margin of {margin} does not fit on a page"
        )
    pages: list[Page] = []
    row = 0  # next free row on the last page
    for animation in animations:
        if not animation.sprites:
            continue
        rows = -(-len(animation.sprites) // columns)
        if 2 * margin + rows * (height + padding) - padding > max_size:
            raise SheetError(
                f"--max-size {max_size}: the {len(animation.sprites)} frames of {animation.name} need "
                f"{rows} rows of {height} px and do not fit on one page; raise --max-size"
            )
        if not pages or 2 * margin + (row + rows) * (height + padding) - padding > max_size:
            pages.append(Page(name))
            row = 0
        page = pages[-1]
        first = len(page.cells)
        for index, sprite in enumerate(animation.sprites):
            row_offset, column = divmod(index, columns)
            x = margin + column * (width + padding)
            y = margin + (row + row_offset) * (height + padding)
            page.cells.append(Cell(sprite, x, y, animation.duration_ms))
            page.width = max(page.width, x + width + margin)
            page.height = max(page.height, y + height + margin)
        page.animations.append(
            PlacedAnimation(
                animation.name, first, len(page.cells) - 1, animation.fps, animation.loop, animation.duration_ms
            )
        )
        row += rows
    if len(pages) > 1:
        for number, page in enumerate(pages, start=1):
            page.name = f"{name}_{number}"
    return pages
