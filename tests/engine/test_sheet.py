import numpy as np
import pytest

from pixel_sprites.engine import make_sheet


def sprite(value):
    pixels = np.zeros((3, 2, 4), np.uint8)
    pixels[0, 0] = (value, value, value, 255)
    return pixels


def test_sprites_fill_rows_left_to_right_and_scale_repeats_pixels():
    sheet = make_sheet([sprite(10), sprite(20), sprite(30)], columns=2, scale=2)
    assert sheet.shape == (12, 8, 4)
    assert sheet[0, 0, 0] == sheet[1, 1, 0] == 10
    assert sheet[0, 4, 0] == 20
    assert sheet[6, 0, 0] == 30
    assert (sheet[6:, 4:] == 0).all()  # the empty cell stays transparent


@pytest.mark.parametrize(
    ("sprites", "options"),
    [([], {}), ([sprite(1), np.zeros((4, 2, 4), np.uint8)], {}), ([sprite(1)], {"columns": 0})],
)
def test_bad_sheets_are_refused(sprites, options):
    with pytest.raises(ValueError):
        make_sheet(sprites, **options)
