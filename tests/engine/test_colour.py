import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from pixel_sprites.engine.colour.spaces import (
    delta_e_2000,
    din99o_to_lab,
    din99o_to_srgb,
    lab_to_din99o,
    lab_to_srgb,
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
