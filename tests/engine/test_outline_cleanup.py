"""Clean-up and outlines on palette indices: exact expected arrays for every mode, 4 and 8 neighbours, sprites
that touch their border, L-corners, selout's shading, normals, and mirrored sprites."""

from __future__ import annotations

import numpy as np
import pytest

from pixel_sprites.engine.colour.palette import Palette
from pixel_sprites.engine.palette.remap import Remapper
from pixel_sprites.engine.sprites.cleanup import remove_strays
from pixel_sprites.engine.sprites.finishing import (
    FinishSettings,
    finish_indices,
    finish_sprite,
    outline_colour,
    outlined_normals,
)
from pixel_sprites.engine.sprites.outline import l_corners, outline_mask

# Light to dark: white, light red, red, dark red, light grey, black.
PALETTE = Palette(np.array([[255, 255, 255], [255, 150, 150], [220, 30, 30], [90, 10, 10], [180, 180, 180], [0, 0, 0]]))
DARK = 5


def grid(text: str) -> np.ndarray:
    """Rows of characters: '.' transparent, a digit its palette index, 'o' the outline (index 5)."""
    rows = [line.split() for line in text.strip().splitlines()]
    return np.array([[-1 if c == "." else DARK if c == "o" else int(c) for c in row] for row in rows], np.int16)


SQUARE = grid("""
. . . . .
. . . . .
. . 1 1 .
. . 1 1 .
. . . . .
""")


@pytest.mark.parametrize(
    ("outline", "neighbours", "expected"),
    [
        (
            "outer",
            4,
            """
. . . . .
. . o o .
. o 1 1 o
. o 1 1 o
. . o o .
""",
        ),
        (
            "outer",
            8,
            """
. . . . .
. o o o o
. o 1 1 o
. o 1 1 o
. o o o o
""",
        ),
        (
            "inner",
            4,
            """
. . . . .
. . . . .
. . o o .
. . o o .
. . . . .
""",
        ),
    ],
)
def test_outlines_are_exactly_as_defined(outline: str, neighbours: int, expected: str) -> None:
    settings = FinishSettings(outline=outline, neighbours=neighbours)
    finished = finish_indices(SQUARE, PALETTE, settings, DARK)
    np.testing.assert_array_equal(finished.indices, grid(expected))
    added = finished.indices >= 0
    np.testing.assert_array_equal(finished.added, added & (SQUARE < 0) if outline != "inner" else ~added & added)


def test_a_sprite_touching_its_border_gets_no_line_along_or_beyond_it() -> None:
    touching = grid("""
1 1 . .
1 1 . .
1 1 1 .
""")
    outer = finish_indices(touching, PALETTE, FinishSettings(outline="outer", neighbours=8), DARK)
    np.testing.assert_array_equal(
        outer.indices,
        grid("""
1 1 o .
1 1 o o
1 1 1 o
"""),
    )
    inner4 = finish_indices(touching, PALETTE, FinishSettings(outline="inner", neighbours=4), DARK)
    np.testing.assert_array_equal(
        inner4.indices,
        grid("""
1 o . .
1 o . .
1 1 o .
"""),
    )  # the canvas's edge is no transparent pixel
    inner8 = finish_indices(touching, PALETTE, FinishSettings(outline="inner", neighbours=8), DARK)
    np.testing.assert_array_equal(
        inner8.indices,
        grid("""
1 o . .
1 o . .
1 o o .
"""),
    )


def test_inner_8_neighbours_reaches_pixels_that_touch_the_outside_at_a_corner_only() -> None:
    staircase = grid("""
1 . . .
1 1 . .
1 1 1 .
1 1 1 1
""")
    inner8 = finish_indices(staircase, PALETTE, FinishSettings(outline="inner", neighbours=8), DARK)
    np.testing.assert_array_equal(
        inner8.indices,
        grid("""
o . . .
o o . .
1 o o .
1 1 o o
"""),
    )
    inner4 = finish_indices(staircase, PALETTE, FinishSettings(outline="inner", neighbours=4), DARK)
    np.testing.assert_array_equal(
        inner4.indices,
        grid("""
o . . .
1 o . .
1 1 o .
1 1 1 o
"""),
    )


def test_l_corners_keep_outlines_one_pixel_thin() -> None:
    settings = FinishSettings(outline="outer", neighbours=8, cleanup=True)
    finished = finish_indices(SQUARE, PALETTE, settings, DARK)
    np.testing.assert_array_equal(
        finished.indices,
        grid("""
. . . . .
. . o o .
. o 1 1 o
. o 1 1 o
. . o o .
"""),
    )  # the 8-outline's corners were L-corners
    staircase = grid("""
1 . . . . .
1 1 . . . .
1 1 1 . . .
1 1 1 1 . .
1 1 1 1 1 .
""")
    thin = finish_indices(staircase, PALETTE, settings, DARK).indices
    np.testing.assert_array_equal(
        thin,
        grid("""
1 o . . . .
1 1 o . . .
1 1 1 o . .
1 1 1 1 o .
1 1 1 1 1 o
"""),
    )  # a two-pixel staircase loses the pixels that touch the sprite only at a corner, never both of a pair
    inner = finish_indices(staircase, PALETTE, FinishSettings(outline="inner", neighbours=8, cleanup=True), DARK)
    np.testing.assert_array_equal(
        inner.indices,
        grid("""
o . . . . .
1 o . . . .
1 1 o . . .
1 1 1 o . .
1 1 1 1 o .
"""),
    )  # inner: an L-corner gets its own colour back; alpha stays


def test_a_lone_l_corner_goes_and_straight_lines_stay() -> None:
    line = np.zeros((4, 4), bool)
    line[1, 1:3] = line[2, 1] = True  # ┌ shape: (1, 1) is the L-corner
    opaque = np.zeros((4, 4), bool)
    expected = np.zeros((4, 4), bool)
    expected[1, 1] = True
    np.testing.assert_array_equal(l_corners(line, opaque), expected)
    straight = np.zeros((3, 5), bool)
    straight[1] = True
    assert not l_corners(straight, np.zeros((3, 5), bool)).any()


def test_outline_masks_touch_the_silhouette_and_only_it() -> None:
    rng = np.random.default_rng(1)
    opaque = rng.random((20, 24)) < 0.4
    for neighbours in (4, 8):
        outer = outline_mask(opaque, neighbours, inner=False)
        inner = outline_mask(opaque, neighbours, inner=True)
        assert not (outer & opaque).any() and (inner <= opaque).all()
        assert outline_mask(opaque, 4, inner=False).sum() <= outline_mask(opaque, 8, inner=False).sum()


def test_cleanup_recolours_specks_by_their_neighbours_majority_and_keeps_thin_lines() -> None:
    sprite = grid("""
2 2 2 2 . 4 4 4
2 1 2 2 . 4 1 4
2 2 4 2 . 4 1 4
2 2 2 2 . 4 1 4
""")
    cleaned = remove_strays(sprite, PALETTE.din99o)
    np.testing.assert_array_equal(
        cleaned,
        grid("""
2 2 2 2 . 4 4 4
2 2 2 2 . 4 1 4
2 2 2 2 . 4 1 4
2 2 2 2 . 4 1 4
"""),
    )  # (1, 1) and (2, 2) were specks; the column of 1s has like neighbours; pixels beside a hole never change


def test_cleanup_chooses_among_edge_neighbours_and_breaks_ties_by_din99o_distance() -> None:
    # The speck 0 (white) has edge neighbours 1, 2, 1, 2: two votes each, and 3 at every corner (four votes, but
    # no edge neighbour, so no candidate). Light red (1) is nearer white than red (2) is.
    sprite = grid("""
3 1 3
2 0 2
3 1 3
""")
    assert remove_strays(sprite, PALETTE.din99o)[1, 1] == 1
    majority = grid("""
2 1 2
2 0 2
3 1 3
""")
    assert remove_strays(majority, PALETTE.din99o)[1, 1] == 2  # four red among the eight


def test_selout_is_darker_than_what_it_borders_in_its_hue() -> None:
    sprite = grid("""
. . . . .
. 1 1 4 .
. 1 1 4 .
. . . . .
""")
    finished = finish_indices(sprite, PALETTE, FinishSettings(outline="selout"), None)
    np.testing.assert_array_equal(
        finished.indices,
        grid("""
. 3 3 5 .
3 1 1 4 5
3 1 1 4 5
. 3 3 5 .
"""),
    )  # beside light red the darker red of the nearest hue and chroma; black beside grey: no darker grey


def test_selout_takes_the_darkest_where_nothing_is_darker() -> None:
    sprite = grid("""
. . .
. 5 .
. . .
""")
    finished = finish_indices(sprite, PALETTE, FinishSettings(outline="selout", neighbours=8), None)
    assert (finished.indices[finished.added] == DARK).all() and finished.added.sum() == 8


def test_auto_outline_colour_is_the_darkest_of_the_final_palette() -> None:
    fitted = Palette(np.array([[200, 200, 200], [40, 40, 90], [90, 40, 40]]))
    target = Palette(np.array([[250, 250, 250], [10, 20, 10], [60, 60, 60]]))
    settings = FinishSettings(outline="outer")
    assert outline_colour(settings, fitted, None) == (40, 40, 90)
    assert outline_colour(settings, fitted, target) == (10, 20, 10)
    assert outline_colour(FinishSettings(outline="selout"), fitted, None) is None
    remapper = Remapper(fitted, target, outline_colour(settings, fitted, target))
    assert (10, 20, 10) in map(tuple, remapper.output_palette.colors.tolist())


def test_outline_pixels_take_the_mean_normal_of_their_opaque_edge_neighbours() -> None:
    normals = np.zeros((3, 4, 4), np.uint8)
    normals[1, 1] = (255, 128, 128, 255)  # +x
    normals[1, 2] = (128, 128, 255, 255)  # +z
    added = np.zeros((3, 4), bool)
    added[0, 1] = added[1, 3] = added[0, 0] = True
    result = outlined_normals(normals, added)
    np.testing.assert_array_equal(result[0, 1], (255, 128, 128, 255))  # borders the +x pixel alone
    np.testing.assert_array_equal(result[1, 3], (128, 128, 255, 255))
    np.testing.assert_array_equal(result[0, 0], (128, 128, 255, 255))  # borders none: facing the camera
    np.testing.assert_array_equal(result[~added], normals[~added])
    normals[0, 2] = (128, 128, 255, 255)  # +z beside (0, 1) too
    mean = outlined_normals(normals, added)
    np.testing.assert_array_equal(mean[0, 1], (218, 128, 218, 255))  # (+x + +z) / √2


def test_finishing_a_mirrored_sprite_gives_the_mirror_of_the_finished_one() -> None:
    rng = np.random.default_rng(7)
    for trial in range(20):
        sprite = np.where(rng.random((18, 15)) < 0.65, rng.integers(0, 6, (18, 15)), -1).astype(np.int16)
        for outline in ("outer", "inner", "selout"):
            for neighbours in (4, 8):
                settings = FinishSettings(outline=outline, neighbours=neighbours, cleanup=bool(trial % 2))
                finished = finish_indices(sprite, PALETTE, settings, DARK).indices
                mirrored = finish_indices(sprite[:, ::-1].copy(), PALETTE, settings, DARK).indices
                np.testing.assert_array_equal(mirrored, finished[:, ::-1])


def test_a_finished_sprite_and_its_normals_keep_one_alpha() -> None:
    remapper = Remapper(PALETTE, None, (0, 0, 0))
    sprite = remapper.remap(np.pad(np.full((3, 3, 4), 255, np.uint8), ((2, 2), (2, 2), (0, 0))))
    normals = np.zeros((7, 7, 4), np.uint8)
    normals[sprite.indices >= 0] = (128, 128, 255, 255)
    settings = FinishSettings(outline="outer", neighbours=8, cleanup=True)
    finished, finished_normals = finish_sprite(sprite, normals, remapper, settings)
    assert finished_normals is not None
    np.testing.assert_array_equal(finished.rgba[:, :, 3] > 0, finished.indices >= 0)
    np.testing.assert_array_equal(finished_normals[:, :, 3] > 0, finished.indices >= 0)
    assert (finished.rgba[finished.indices == DARK, :3] == 0).all() and (finished.indices == DARK).sum() == 12
