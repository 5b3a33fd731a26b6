"""The Steady Colours benchmark section's arithmetic and table (scripts/bench/steady.py), on made-up sprites: flicker
counts the opaque pixels that change, a pixel is stuck only where the reference and the plain sprite changed and
the steadied one did not, and the table gives each character's figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[1]
RED, GREEN, BLUE = (200, 30, 30), (30, 200, 30), (30, 30, 200)


@pytest.fixture
def steady(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from scripts.bench import steady

    return steady


def sprite(colours: list[tuple[int, int, int] | None]) -> np.ndarray:
    """A 1 x n sprite: a colour per pixel, None where transparent."""
    rgba = np.zeros((1, len(colours), 4), np.uint8)
    for column, colour in enumerate(colours):
        if colour is not None:
            rgba[0, column] = (*colour, 255)
    return rgba


def test_flicker_is_the_share_of_opaque_pixels_that_change(steady):
    frames = [sprite([RED, RED, RED, None]), sprite([RED, GREEN, RED, None]), sprite([RED, GREEN, RED, None])]
    assert steady.flicker_percent(frames) == pytest.approx(100 * (1 / 3 + 0) / 2)


def test_a_pixel_is_stuck_where_the_reference_and_the_plain_sprite_change_and_the_steadied_one_does_not(steady):
    truth = [sprite([RED, RED, RED, RED]), sprite([BLUE, RED, BLUE, RED])]
    plain = [sprite([RED, RED, RED, GREEN]), sprite([BLUE, RED, RED, RED])]
    steadied = [sprite([RED, RED, RED, RED]), sprite([RED, RED, RED, RED])]
    figures = steady.moving_figures(truth, {"plain": plain, "steadied": steadied})
    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab

    def lab(colour: tuple[int, int, int]) -> np.ndarray:
        return srgb_to_lab(np.array([colour], np.uint8))[0]

    # Pixel 0 is stuck; pixel 2 changed in the reference only; pixel 3 flickered in the plain sprite alone.
    assert figures["stuck_percent"] == pytest.approx(100 / 4)
    red_blue, red_green = (float(delta_e_2000(lab(RED), lab(other))) for other in (BLUE, GREEN))
    assert figures["plain_delta_e"] == pytest.approx((red_green + red_blue) / 8)  # 8 pixels opaque in both
    assert figures["steadied_delta_e"] == pytest.approx(2 * red_blue / 8)
    assert figures["steadied_over_plain"] == pytest.approx(figures["steadied_delta_e"] / figures["plain_delta_e"])


def test_the_table_has_a_row_per_character_and_sampling(steady):
    figures = {
        "still": {"plain_flicker_percent": 8.1, "steadied_flicker_percent": 0.21,
                  "twice_plain_flicker_percent": 8.0, "twice_steadied_flicker_percent": 0.5},
        "moving": {"plain_delta_e": 3.0, "steadied_delta_e": 3.03, "steadied_over_plain": 1.01, "stuck_percent": 0.1},
        "cost": {"plain_ms_per_sprite": 20.0, "steadied_ms_per_sprite": 21.5, "added_ms_per_sprite": 1.5},
    }  # fmt: skip
    data = {
        "render_size": [640, 900], "sprite_size": [64, 90], "colours": 16, "samples": 16, "reference_samples": 64,
        "still_frames": 8, "real_change": 10.0,
        "rule": {"look_back": 4, "move_limit": 6.0, "region_limit": 1.5},
        "characters": {"golem": {"nearest": figures, "majority": figures}, "alchemist": {"nearest": figures}},
    }  # fmt: skip
    table = steady.steady_table(data)
    rows = [line for line in table.splitlines() if line.startswith("| golem") or line.startswith("| alchemist")]
    assert [row.split(" | ")[0] for row in rows] == ["| golem, nearest", "| golem, majority", "| alchemist, nearest"]
    assert "8.10% → **0.21%**" in rows[0] and "(**1.010x**)" in rows[0] and "(**+1.50**)" in rows[0]
    assert "`look_back` 4, `move_limit` 6, `region_limit` 1.5" in table
    assert "Peak memory" not in table  # a results file from before the memory figure

    data["memory_character"] = "golem"
    data["memory"] = {
        "nearest": {"frames": 3000.0, "plain_peak_bytes": 129 * 2**20, "steadied_peak_bytes": 200 * 2**20}
    }
    assert "golem's moving pose played over to 3,000 frames, plain → steadied: nearest 129 → **200 MiB**." in (
        steady.steady_table(data)
    )


def test_the_docs_give_the_rules_constants_as_the_engine_has_them(steady):
    from pixel_sprites.engine.sprites import stabilise

    page = (ROOT / "docs" / "steady-colours.md").read_text()
    rows = {cells[0].strip("` "): cells[1].strip() for cells in
            (line.strip("|").split("|") for line in page.splitlines() if line.startswith("| `"))}  # fmt: skip
    names = steady.RULE_CONSTANTS
    assert {name: float(rows[name]) for name in names} == {name: float(getattr(stabilise, name)) for name in names}
