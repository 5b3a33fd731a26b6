"""Packed pages: trimmed frames, one rectangle per distinct frame on a page, packed densely (``--packed``).

Animations go onto pages in order, each whole on one page while it fits beside what is there; only an
animation that one empty page cannot hold is spread over several, frame by frame. Frames of a page whose trimmed
pixels (and normals) are the same share one rectangle, so an idle loop's held poses cost nothing. Each page is
then packed anew for the least area (:func:`.packing.pack_page`) and cropped to its content: no power-of-two
sizes, and no padding after the last column or row. Everything is in a fixed order, so the same sprites give
the same pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import SheetError
from ..frames.normals import FLAT_NORMAL
from .layout import Animation, Cell, Page, PlacedAnimation
from .normal_sheets import normal_sprite
from .packing import Placement, Skyline, pack_page
from .trimming import TrimmedFrame, extruded, trim_frame


@dataclass(frozen=True)
class Spacing:
    """The space around packed rectangles: ``padding`` between them, ``margin`` around the page, ``extrude``
    repeated edge pixels around each frame (inside its padding)."""

    padding: int = 0
    margin: int = 0
    extrude: int = 0


@dataclass
class _PagePlan:
    """What goes on one page: distinct frames by key, and the animations (or parts) in order."""

    room: Skyline
    frames: dict[bytes, TrimmedFrame] = field(default_factory=dict)
    parts: list[tuple[Animation, tuple[Path, ...]]] = field(default_factory=list)
    corners: dict[bytes, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PackedPages:
    """The pages, and how many frames share a rectangle with an earlier identical one."""

    pages: list[Page]
    merged: int


def pack_trimmed(
    animations: Sequence[Animation],
    frames: Mapping[Path, TrimmedFrame],
    *,
    name: str,
    max_size: int,
    spacing: Spacing,
) -> PackedPages:
    """Lay out the trimmed ``frames`` of ``animations`` on pages at most ``max_size`` square.

    Raises
    ------
    SheetError
        If one trimmed frame, with its extrusion and the margin, is larger than ``max_size``.
    """
    usable = max_size - 2 * spacing.margin + spacing.padding
    keys = {path: frame.key() for path, frame in frames.items()}

    def slot(frame: TrimmedFrame) -> tuple[int, int]:
        width, height = frame.size
        grow = 2 * spacing.extrude + spacing.padding
        return width + grow, height + grow

    for path, frame in frames.items():
        width, height = slot(frame)
        if width > usable or height > usable:
            raise SheetError(
                f"--max-size {max_size}: {path.name}'s {frame.trim.width}x{frame.trim.height} pixels with an "
                f"extrusion of {spacing.extrude} and a margin of {spacing.margin} do not fit on a page"
            )

    def add(plan: _PagePlan, paths: Sequence[Path]) -> bool:
        new = {keys[path]: frames[path] for path in paths if keys[path] not in plan.frames}
        room, corners = plan.room.copy(), {}
        for key in sorted(new, key=lambda key: (-slot(new[key])[1], -slot(new[key])[0])):
            corner = room.find(*slot(new[key]))
            if corner is None:
                return False
            room.place(*corner, *slot(new[key]))
            corners[key] = corner
        plan.room = room
        plan.frames.update(new)
        plan.corners.update(corners)
        return True

    plans = [_PagePlan(Skyline(usable, usable))]
    for animation in animations:
        if add(plans[-1], animation.sprites):
            plans[-1].parts.append((animation, animation.sprites))
            continue
        if plans[-1].parts:
            plans.append(_PagePlan(Skyline(usable, usable)))
            if add(plans[-1], animation.sprites):
                plans[-1].parts.append((animation, animation.sprites))
                continue
        start = 0  # one page cannot hold the animation: its frames continue on the next pages
        for index, path in enumerate(animation.sprites):
            if not add(plans[-1], [path]):
                plans[-1].parts.append((animation, animation.sprites[start:index]))
                plans.append(_PagePlan(Skyline(usable, usable)))
                add(plans[-1], [path])
                start = index
        plans[-1].parts.append((animation, animation.sprites[start:]))
    plans = [plan for plan in plans if plan.parts]
    sizes = {keys[path]: slot(frame) for path, frame in frames.items()}
    pages = [_page(plan, name, usable, spacing, sizes, frames, keys) for plan in plans]
    if len(pages) > 1:
        for number, page in enumerate(pages, start=1):
            page.name = f"{name}_{number}"
    placed = sum(len(paths) for plan in plans for _, paths in plan.parts)
    return PackedPages(pages, placed - sum(len(plan.frames) for plan in plans))


def _page(
    plan: _PagePlan, name: str, usable: int, spacing: Spacing, sizes: dict[bytes, tuple[int, int]],
    frames: Mapping[Path, TrimmedFrame], keys: Mapping[Path, bytes],
) -> Page:  # fmt: skip
    distinct = list(plan.frames)
    slots = [sizes[key] for key in distinct]
    # The assignment's own layout is a candidate too; the search keeps whichever is smaller.
    first = [plan.corners[key] for key in distinct]
    fallback = Placement(
        tuple(first),
        max(x + w for (x, _), (w, _) in zip(first, slots, strict=True)),
        max(y + h for (_, y), (_, h) in zip(first, slots, strict=True)),
    )
    best = pack_page(slots, usable, usable)
    if best is None or (fallback.area, fallback.height) < (best.area, best.height):
        best = fallback
    corners = dict(zip(distinct, best.positions, strict=True))
    offset = spacing.margin + spacing.extrude
    page = Page(
        name,
        width=2 * spacing.margin + best.width - spacing.padding,
        height=2 * spacing.margin + best.height - spacing.padding,
    )
    for animation, paths in plan.parts:
        first_cell = len(page.cells)
        for path in paths:
            x, y = corners[keys[path]]
            page.cells.append(Cell(path, x + offset, y + offset, animation.duration_ms, trim=frames[path].trim))
        page.animations.append(
            PlacedAnimation(
                animation.name, first_cell, len(page.cells) - 1, animation.fps, animation.loop, animation.duration_ms
            )
        )
    return page


def compose_packed(
    page: Page, frames: Mapping[Path, TrimmedFrame], extrude: int, *, normals: bool = False
) -> NDArray[np.uint8]:
    """The page's image: each distinct frame's pixels (or normals) once, with its edges extruded. Empty areas of
    a normal page hold the flat normal with alpha 0, as the fixed-cell normal sheets do."""
    image = np.zeros((page.height, page.width, 4), dtype=np.uint8)
    if normals:
        image[:, :, :3] = FLAT_NORMAL
    drawn: set[tuple[int, int]] = set()
    for cell in page.cells:
        if (cell.x, cell.y) in drawn:
            continue
        drawn.add((cell.x, cell.y))
        frame = frames[cell.sprite]
        source = frame.normals if normals else frame.pixels
        assert source is not None  # normal pages are composed only from frames trimmed with their normals
        pixels = extruded(source, extrude)
        height, width = pixels.shape[:2]
        image[cell.y - extrude : cell.y - extrude + height, cell.x - extrude : cell.x - extrude + width] = pixels
    return image


def trimmed_frames(
    paths: Sequence[Path],
    sprites: Mapping[Path, NDArray[np.uint8]],
    folder: Path | None,
    skipped: list[tuple[str, str]],
) -> dict[Path, TrimmedFrame]:
    """Each sprite trimmed, with its normal sprite (from ``normals/`` below ``folder``) when ``folder`` is given."""
    trimmed = {}
    for path in paths:
        colour = sprites[path]
        normals = None if folder is None else normal_sprite(path, colour, folder, skipped)
        trimmed[path] = trim_frame(colour, normals)
    return trimmed
