"""The game-data benchmark section's arithmetic and table (scripts/bench/game_data.py), on made-up timings of the
shape ``in_blender/game_data_cost.py`` writes: the capture is summed over the runs with Game Data on and set against
their renders' own time, and the table says whether the 1% goal at full size is met."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[1]


def _run(render: float, steps: float, write: float, *, frames: int = 12) -> dict:
    parts = {"capture_steps": steps, "write": write, "in_place": steps / 4, "project": steps / 2,
             "projection": steps / 8, "sprite_work": 1.0}  # fmt: skip
    return {"set_seconds": render + 2, "render_seconds": render, "renders": 2, "frames": frames,
            "parts_seconds": parts, "rig_json_frames": frames if steps else 0}  # fmt: skip


@pytest.fixture
def game_data(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from scripts.bench import game_data

    return game_data


def test_the_share_is_the_capture_over_the_renders_of_the_runs_with_game_data(game_data):
    off = [_run(50.0, 0.0, 0.0), _run(54.0, 0.0, 0.0)]
    on = [_run(60.0, 0.09, 0.01), _run(40.0, 0.07, 0.03)]
    figures = game_data.capture_figures(off, on)
    assert figures["runs_each_way"] == 2 and figures["frames"] == 12
    assert figures["capture_seconds"] == pytest.approx(0.2)
    assert figures["capture_share_percent"] == pytest.approx(100 * 0.2 / 100.0)
    assert figures["capture_ms_per_frame"] == pytest.approx(1000 * 0.2 / 24)
    assert figures["render_ms_per_frame_off"] == pytest.approx(1000 * 104.0 / 24)
    assert (figures["set_seconds_off"], figures["set_seconds_on"]) == pytest.approx((54.0, 52.0))
    parts = figures["capture_parts_ms_per_frame"]
    assert parts["frame_changes"] == pytest.approx(1000 * (0.08 - 0.02) / 24)
    assert parts["write"] == pytest.approx(1000 * 0.04 / 24)
    assert figures["rig_json_frames"] == [12, 12]


@pytest.mark.parametrize(("capture", "verdict"), [(0.5, "met."), (2.0, "**not met**.")])
def test_the_table_says_whether_the_goal_is_met_at_full_size(game_data, capture, verdict):
    full = game_data.capture_figures([_run(100.0, 0.0, 0.0)], [_run(100.0, capture, 0.0)])
    sprite = game_data.capture_figures([_run(1.0, 0.0, 0.0)], [_run(1.0, 0.05, 0.0)])
    rig = {"bones": 30, "skinned_vertices": 861, "points": 5, "boxes": 5, "hidden_boxes": 2, "facings": 2}
    sizes = {"full": full, "sprite": sprite}
    data = {"blender": "5.0.1", "render_size": [640, 900], "sprite_size": [64, 90], "samples": 16, "rig": rig,
            "in_place": True, "goal_percent": game_data.GOAL_PERCENT, "sizes": sizes}  # fmt: skip
    markdown = game_data.game_data_table(data)
    assert f"at most 1% of the render time: {verdict}" in markdown
    full_row = f"| full size, 640x900, 12 frames a set | 8333 / 8333 | {1000 * capture / 12:.2f} | **{capture:.2f}%** |"
    assert full_row in markdown
    assert "| sprite size (Render at Sprite Size), 64x90, 12 frames a set |" in markdown and "**5.00%**" in markdown
    assert "a 30-bone rig skinning 861 vertices, 5 points, 5 boxes of which 2 hidden from renders" in markdown
