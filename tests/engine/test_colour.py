import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from pixel_sprites.engine.colour.nearest import nearest_centres
from pixel_sprites.engine.colour.spaces import (
    delta_e_2000,
    din99o_to_lab,
    din99o_to_srgb,
    lab_to_din99o,
    lab_to_srgb,
    srgb_to_din99o_by_channel,
    srgb_to_lab,
)


def test_srgb_to_lab_matches_scikit_image(rng):
    rgb = rng.integers(0, 256, size=(500, 3), dtype=np.uint8)
    np.testing.assert_allclose(srgb_to_lab(rgb), rgb2lab(rgb[None] / 255.0)[0], atol=0.01)


def test_lab_round_trip_recovers_every_byte_colour(rng):
    rgb = rng.integers(0, 256, size=(2000, 3), dtype=np.uint8)
    np.testing.assert_array_equal(lab_to_srgb(srgb_to_lab(rgb)), rgb)


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # pairs 1, 7, 17 and 25 of Sharma, Wu & Dalal (2005), table 1
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_delta_e_2000_reference_pairs(lab1, lab2, expected):
    assert delta_e_2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_delta_e_2000_matches_scikit_image(rng):
    lab1 = srgb_to_lab(rng.integers(0, 256, size=(1000, 3), dtype=np.uint8))
    lab2 = srgb_to_lab(rng.integers(0, 256, size=(1000, 3), dtype=np.uint8))
    np.testing.assert_allclose(delta_e_2000(lab1, lab2), deltaE_ciede2000(lab1, lab2), atol=1e-6)


def test_srgb_to_lab_rejects_float_input():
    with pytest.raises(ValueError, match="uint8"):
        srgb_to_lab(np.zeros((2, 3)))


@pytest.mark.parametrize(
    ("lab", "expected"),
    [  # colour-science 0.4.7, Lab_to_DIN99(..., method="DIN99b"), its name for DIN99o
        ((50, 20, -30), (54.097652, 15.656424, -22.161346)),
        ((90, -5, 80), (91.357619, 0.317451, 41.781094)),
        ((20, 0, 0), (22.807886, 0.0, 0.0)),
        ((60, 70, 10), (63.849935, 41.282044, 8.038328)),
    ],
)
def test_din99o_matches_published_values(lab, expected):
    np.testing.assert_allclose(lab_to_din99o(np.array(lab, float)), expected, atol=1e-5)


def test_din99o_round_trips_every_srgb_colour_it_is_given(rng):
    rgb = rng.integers(0, 256, size=(5000, 3), dtype=np.uint8)
    din99o = lab_to_din99o(srgb_to_lab(rgb))
    np.testing.assert_allclose(din99o_to_lab(din99o), srgb_to_lab(rgb), atol=1e-9)
    np.testing.assert_array_equal(din99o_to_srgb(din99o), rgb)


def test_din99o_distances_follow_delta_e_2000_better_than_cielab(rng):
    """What the space is for: over nearby pairs, its distance tracks ΔE2000 more closely than CIELAB's."""
    lab1 = srgb_to_lab(rng.integers(0, 256, size=(5000, 3), dtype=np.uint8))
    lab2 = lab1 + rng.normal(0, 3, size=lab1.shape)
    reference = delta_e_2000(lab1, lab2)

    def spread(distance):
        return np.std(np.log(distance / reference))

    din99o = np.linalg.norm(lab_to_din99o(lab1) - lab_to_din99o(lab2), axis=1)
    assert spread(din99o) < 0.7 * spread(np.linalg.norm(lab1 - lab2, axis=1))


def test_float32_din99o_by_channel_agrees_with_the_float64_conversion_on_every_kind_of_colour():
    """The fast conversion Steady Colours reads its means with: dark colours (the linear part of CIELAB's curve),
    greys (no hue), saturated primaries and a grid over the whole cube, to a ten-thousandth of a just-noticeable
    difference, in both layouts it is given (3, n) and (3, 2, n)."""
    levels = np.array([0, 1, 2, 5, 9, 17, 64, 128, 200, 254, 255], dtype=np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    reference = lab_to_din99o(srgb_to_lab(grid))
    fast = srgb_to_din99o_by_channel(np.ascontiguousarray(grid.T))
    assert fast.dtype == np.float32 and fast.shape == (3, len(grid))
    np.testing.assert_allclose(fast.T, reference, atol=2e-4)
    paired = srgb_to_din99o_by_channel(np.stack([grid.T, grid.T[::-1]], axis=1))
    np.testing.assert_array_equal(paired[:, 0], fast)
    np.testing.assert_allclose(paired[:, 1].T, lab_to_din99o(srgb_to_lab(grid[:, ::-1])), atol=2e-4)


@pytest.mark.parametrize("precision", [np.float64, np.float32])
def test_nearest_centres_finds_the_nearest_and_gives_ties_to_the_lowest_index(rng, precision):
    centres = rng.uniform(0, 100, size=(16, 3))
    centres[9] = centres[4]  # a tie: index 4 must win
    points = rng.uniform(0, 100, size=(3000, 3))
    points[:5] = centres[4]
    expected = np.argmin(np.linalg.norm(points[:, None] - centres[None], axis=2), axis=1)
    found = nearest_centres(points.astype(precision), centres)
    assert found.dtype == np.intp
    assert (found[:5] == 4).all()
    distances = np.linalg.norm(points - centres[found], axis=1)
    best = np.linalg.norm(points - centres[expected], axis=1)
    # float32 may pick another centre only where two are equally near to its precision
    np.testing.assert_allclose(distances, best, atol=1e-3 if precision == np.float32 else 0)
    assert (found == expected).mean() > (0.999 if precision == np.float32 else 1 - 1e-12)
