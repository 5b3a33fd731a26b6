"""The packer on its own: valid, deterministic layouts within the page; animations kept whole on a page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixel_sprites.engine.errors import SheetError
from pixel_sprites.engine.export.layout import Animation
from pixel_sprites.engine.export.packed_layout import Spacing, pack_trimmed
from pixel_sprites.engine.export.packing import FreeRects, Skyline, fill, pack_page
from pixel_sprites.engine.export.trimming import trim_frame


def covered(sizes, placement) -> np.ndarray:
    image = np.zeros((placement.height, placement.width), np.int32)
    for (x, y), (w, h) in zip(placement.positions, sizes, strict=True):
        image[y : y + h, x : x + w] += 1
    return image


@pytest.mark.parametrize("count", [1, 7, 60, 250])
def test_every_layout_tried_is_valid_and_the_best_is_kept(count):
    rng = np.random.default_rng(count)
    sizes = [(int(rng.integers(1, 40)), int(rng.integers(1, 70))) for _ in range(count)]
    best = pack_page(sizes, 512, 512)
    assert best is not None and best.width <= 512 and best.height <= 512
    assert covered(sizes, best).max() == 1  # nothing overlaps
    assert best.width == max(x + w for (x, _), (w, _) in zip(best.positions, sizes, strict=True))  # cropped
    assert pack_page(sizes, 512, 512) == best  # deterministic
    order = list(range(count))
    for heuristic in ("skyline", "bottom-left", "best-short-side", "best-area", "best-long-side"):
        placement = fill(sizes, 300, 512, heuristic, order)
        if placement is not None:
            assert covered(sizes, placement).max() == 1, heuristic


def test_a_rectangle_larger_than_the_page_has_no_place():
    assert pack_page([(10, 10), (600, 5)], 512, 512) is None
    assert FreeRects(8, 8).find(9, 1, "best-short-side") is None and Skyline(8, 8).find(1, 9) is None


def sprites(count: int, width: int, seed: int = 0) -> dict[Path, np.ndarray]:
    rng = np.random.default_rng(seed)
    made = {}
    for index in range(count):
        rgba = np.zeros((20, width, 4), np.uint8)
        rgba[2 : 2 + int(rng.integers(5, 18)), 1 : int(rng.integers(3, width))] = [*rng.integers(0, 256, 3), 255]
        made[Path(f"{index:04d}.png")] = rgba
    return made


def test_animations_stay_whole_on_a_page_unless_one_page_cannot_hold_them():
    frames = {path: trim_frame(rgba) for path, rgba in sprites(40, 16).items()}
    paths = list(frames)
    animations = [Animation(f"a{i}", tuple(paths[i * 5 : i * 5 + 5]), 42, 24.0) for i in range(8)]
    packed = pack_trimmed(animations, frames, name="set", max_size=48, spacing=Spacing(padding=1))
    assert len(packed.pages) > 1 and [page.name for page in packed.pages][:2] == ["set_1", "set_2"]
    names = [placed.name for page in packed.pages for placed in page.animations]
    assert sorted(names) == sorted(animation.name for animation in animations)  # none split: each fits a page
    long = [Animation("long", tuple(paths), 42, 24.0)]
    spread = pack_trimmed(long, frames, name="long", max_size=48, spacing=Spacing(padding=1))
    assert len(spread.pages) > 1
    assert [cell.sprite for page in spread.pages for cell in page.cells] == paths  # in order, over the pages
    with pytest.raises(SheetError, match="--max-size 12"):
        pack_trimmed(long, frames, name="long", max_size=12, spacing=Spacing())


def test_empty_frames_share_one_transparent_pixel():
    empty = trim_frame(np.zeros((20, 16, 4), np.uint8))
    assert (empty.trim.x, empty.trim.y, empty.size) == (0, 0, (1, 1)) and not empty.pixels.any()
    other = np.zeros((20, 16, 4), np.uint8)
    other[5, 5, :3] = 9  # colour under alpha 0 is still empty
    assert trim_frame(other).key() == empty.key()
