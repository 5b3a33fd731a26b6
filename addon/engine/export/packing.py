"""MaxRects bin packing of rectangles onto pages, never rotated, deterministic, pages cropped to their content.

MaxRects (Jukka Jylänki, "A Thousand Ways to Pack the Bin", 2010) keeps every maximal free rectangle of a bin;
a new rectangle goes into the free one a heuristic scores best, and every free rectangle it overlaps is split
into the parts left around it. The free list lives in numpy arrays, so scoring, splitting and pruning are a few
vector operations per rectangle, whatever the free list's length.

Like TexturePacker, :func:`pack_page` tries several heuristics, orders and bin widths and keeps the layout of
least area; the number of tries shrinks as the rectangles grow in number, so packing stays fast. Rectangles are
never rotated: Phaser 3 cannot draw a rotated atlas frame (phaser#5012).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# Rectangle insertions the layout search may spend on one page, for the skyline (fast, linear in the skyline's
# segments) and for MaxRects (thorough, linear in its free rectangles): a page of a few dozen rectangles gets every
# try, a page of thousands only the first few skyline tries.
SKYLINE_BUDGET = 30_000
SEARCH_BUDGET = 4_000
# Bin widths tried, as multiples of the square root of the rectangles' total area.
_WIDTH_FACTORS = (1.0, 1.15, 0.9, 1.3, 1.5, 0.8, 2.0)


@dataclass(frozen=True)
class Placement:
    """Where each rectangle of a page lies (its top-left corner, in input order), and the page's cropped size."""

    positions: tuple[tuple[int, int], ...]
    width: int
    height: int

    @property
    def area(self) -> int:
        return self.width * self.height


class FreeRects:
    """A MaxRects bin: the maximal free rectangles, as rows ``x, y, w, h``."""

    def __init__(self, width: int, height: int) -> None:
        self.free: NDArray[np.int64] = np.array([[0, 0, width, height]], dtype=np.int64)

    def find(self, width: int, height: int, heuristic: str) -> tuple[int, int] | None:
        """The top-left corner ``heuristic`` chooses for a ``width`` x ``height`` rectangle, or None if none fits."""
        free = self.free
        fits = (free[:, 2] >= width) & (free[:, 3] >= height)
        if not fits.any():
            return None
        candidates = free[fits]
        spare_w, spare_h = candidates[:, 2] - width, candidates[:, 3] - height
        short, long = np.minimum(spare_w, spare_h), np.maximum(spare_w, spare_h)
        if heuristic == "bottom-left":
            primary, secondary = candidates[:, 1] + height, candidates[:, 0]
        elif heuristic == "best-area":
            primary, secondary = candidates[:, 2] * candidates[:, 3], short
        elif heuristic == "best-long-side":
            primary, secondary = long, short
        else:  # best short side
            primary, secondary = short, long
        # lexsort sorts by its last key first; position breaks the remaining ties, so the choice is deterministic.
        best = int(np.lexsort((candidates[:, 0], candidates[:, 1], secondary, primary))[0])
        return int(candidates[best, 0]), int(candidates[best, 1])

    def place(self, x: int, y: int, width: int, height: int) -> None:
        """Take the rectangle out of the free space: split what it overlaps, drop what another free one holds."""
        free = self.free
        fx, fy, fw, fh = free[:, 0], free[:, 1], free[:, 2], free[:, 3]
        hit = (fx < x + width) & (fx + fw > x) & (fy < y + height) & (fy + fh > y)
        if not hit.any():
            return
        kept, split = free[~hit], free[hit]
        sx, sy, sw, sh = split[:, 0], split[:, 1], split[:, 2], split[:, 3]
        parts = np.concatenate([
            np.stack([sx, sy, x - sx, sh], axis=1),  # left of it
            np.stack([np.full_like(sx, x + width), sy, sx + sw - x - width, sh], axis=1),  # right of it
            np.stack([sx, sy, sw, y - sy], axis=1),  # above it
            np.stack([sx, np.full_like(sy, y + height), sw, sy + sh - y - height], axis=1),  # below it
        ])  # fmt: skip
        parts = parts[(parts[:, 2] > 0) & (parts[:, 3] > 0)]
        parts = parts[~_inside_any(parts, kept)]
        parts = _drop_contained(parts)
        if len(kept):
            kept = kept[~_inside_any(kept, parts)]
        self.free = np.concatenate([kept, parts])


def _inside_any(inner: NDArray[np.int64], outer: NDArray[np.int64]) -> NDArray[np.bool_]:
    """For each row of ``inner``, whether some row of ``outer`` contains it."""
    if len(inner) == 0 or len(outer) == 0:
        return np.zeros(len(inner), dtype=bool)
    a, b = inner[:, None, :], outer[None, :, :]
    inside = (
        (a[..., 0] >= b[..., 0]) & (a[..., 1] >= b[..., 1])
        & (a[..., 0] + a[..., 2] <= b[..., 0] + b[..., 2]) & (a[..., 1] + a[..., 3] <= b[..., 1] + b[..., 3])
    )  # fmt: skip
    return np.asarray(inside.any(axis=1))


def _drop_contained(rects: NDArray[np.int64]) -> NDArray[np.int64]:
    """``rects`` without those another one contains (of equal ones, the first stays)."""
    if len(rects) < 2:
        return rects
    a, b = rects[:, None, :], rects[None, :, :]
    inside = (
        (a[..., 0] >= b[..., 0]) & (a[..., 1] >= b[..., 1])
        & (a[..., 0] + a[..., 2] <= b[..., 0] + b[..., 2]) & (a[..., 1] + a[..., 3] <= b[..., 1] + b[..., 3])
    )  # fmt: skip
    equal = (a == b).all(axis=2)
    index = np.arange(len(rects))
    # i is dropped when j contains it and is not the same rectangle: larger, or equal and listed earlier.
    dropped = (inside & (~equal | (index[None, :] < index[:, None]))).any(axis=1)
    return rects[~dropped]


class Skyline:
    """A skyline bin: the top edge of what is placed, as segments left to right (``xs[i]`` starts segment ``i``,
    which ends where the next starts, and ``tops[i]`` is its height). Each rectangle rests where its top is lowest
    (then leftmost), so rows of similar sprites fill like shelves, in time linear in the number of segments."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.xs: list[int] = [0]
        self.tops: list[int] = [0]

    def find(self, width: int, height: int) -> tuple[int, int] | None:
        xs, tops, count = self.xs, self.tops, len(self.xs)
        best_top, best_x = self.height - height + 1, -1
        limit = self.width - width
        for first in range(count):
            x = xs[first]
            if x > limit:
                break
            top = tops[first]
            if top >= best_top:
                continue  # resting here cannot be lower than the best found
            right, index = x + width, first + 1
            while index < count and xs[index] < right and top < best_top:
                if tops[index] > top:
                    top = tops[index]
                index += 1
            if top < best_top:
                best_top, best_x = top, x
        return None if best_x < 0 else (best_x, best_top)

    def place(self, x: int, y: int, width: int, height: int) -> None:
        xs, tops = self.xs, self.tops
        right = x + width
        first = bisect.bisect_right(xs, x) - 1
        after = bisect.bisect_left(xs, right)
        end = xs[after] if after < len(xs) else self.width
        tail = [right] if end > right else []
        tail_top = [tops[after - 1]] if end > right else []
        head = [x] if xs[first] == x else [xs[first], x]
        head_top = [y + height] if xs[first] == x else [tops[first], y + height]
        xs[first:after] = head + tail
        tops[first:after] = head_top + tail_top
        # Neighbours of one height become one segment.
        for index in range(min(first + len(head) + len(tail), len(xs) - 1), max(first - 1, 0), -1):
            if tops[index] == tops[index - 1]:
                del xs[index], tops[index]

    def copy(self) -> Skyline:
        twin = Skyline(self.width, self.height)
        twin.xs, twin.tops = list(self.xs), list(self.tops)
        return twin


_ORDERS: dict[str, Callable[[tuple[int, int]], tuple[int, ...]]] = {
    "height": lambda size: (-size[1], -size[0]),
    "area": lambda size: (-size[0] * size[1], -size[1]),
    "long-side": lambda size: (-max(size), -min(size), -size[1]),
    "width": lambda size: (-size[0], -size[1]),
}
_MAXRECTS_HEURISTICS = ("bottom-left", "best-short-side", "best-area", "best-long-side")


def fill(
    sizes: Sequence[tuple[int, int]], bin_width: int, bin_height: int, heuristic: str, order: Sequence[int]
) -> Placement | None:
    """Place ``sizes`` in ``order`` into one ``bin_width`` x ``bin_height`` bin; None if one does not fit."""
    bin_: FreeRects | Skyline = (
        Skyline(bin_width, bin_height) if heuristic == "skyline" else FreeRects(bin_width, bin_height)
    )
    positions: list[tuple[int, int]] = [(0, 0)] * len(sizes)
    width = height = 0
    for index in order:
        w, h = sizes[index]
        corner = bin_.find(w, h) if isinstance(bin_, Skyline) else bin_.find(w, h, heuristic)
        if corner is None:
            return None
        bin_.place(corner[0], corner[1], w, h)
        positions[index] = corner
        width, height = max(width, corner[0] + w), max(height, corner[1] + h)
    return Placement(tuple(positions), width, height)


def pack_page(sizes: Sequence[tuple[int, int]], max_width: int, max_height: int) -> Placement | None:
    """The least-area layout found for ``sizes`` within ``max_width`` x ``max_height``, or None if none fits.

    Tries the skyline with every order in bins of several widths (the height is the page's limit; the page is
    cropped to its content), then MaxRects with every heuristic, order and width, best candidates first, as long
    as :data:`SEARCH_BUDGET` allows.
    """
    if not sizes:
        return Placement((), 0, 0)
    widest = max(w for w, _ in sizes)
    if widest > max_width or max(h for _, h in sizes) > max_height:
        return None
    side = math.sqrt(sum(w * h for w, h in sizes))
    widths = sorted({min(max_width, max(widest, math.ceil(side * factor))) for factor in _WIDTH_FACTORS})
    widths.sort(key=lambda width: abs(width - side))
    widths = list(dict.fromkeys([*widths, max_width]))
    orders = {
        name: sorted(range(len(sizes)), key=lambda i, key=key: (*key(sizes[i]), i))  # type: ignore[misc]
        for name, key in _ORDERS.items()
    }
    skyline = [(width, "skyline", order) for width in widths for order in orders]
    skyline = skyline[: max(1, SKYLINE_BUDGET // len(sizes))]
    maxrects = [(width, heuristic, order) for width in widths for heuristic in _MAXRECTS_HEURISTICS for order in orders]
    maxrects = maxrects[: SEARCH_BUDGET // len(sizes)]
    best: Placement | None = None
    for width, heuristic, order in skyline + maxrects:
        placement = fill(sizes, width, max_height, heuristic, orders[order])
        if placement is not None and (best is None or (placement.area, placement.height) < (best.area, best.height)):
            best = placement
    return best
