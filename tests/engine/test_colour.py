import numpy as np
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from pixel_sprites.engine.colour import delta_e_2000, lab_to_srgb, srgb_to_lab


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
