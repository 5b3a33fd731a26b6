"""Facing names and mirrors, and how animations are packed into sheet pages."""

from pathlib import Path

import pytest

from pixel_sprites.engine.errors import SheetError
from pixel_sprites.engine.export.layout import Animation, pack
from pixel_sprites.engine.files.names import safe_name, unique_safe_names
from pixel_sprites.engine.sets.facings import facings
from pixel_sprites.engine.sets.manifest import frame_duration_ms


def names(count, **options):
    return [facing.name for facing in facings(count, **options)]


def test_facing_names_turn_counter_clockwise_from_the_camera():
    assert names(1) == ["S"]
    assert names(2) == ["S", "N"]
    assert names(4) == ["S", "E", "N", "W"]
    assert names(8) == ["S", "SE", "E", "NE", "N", "NW", "W", "SW"]
    assert names(16)[:5] == ["S", "SSE", "SE", "ESE", "E"] and names(16)[-1] == "SSW"
    assert names(3) == ["d00", "d01", "d02"] and len(names(64)) == 64
    assert [facing.angle for facing in facings(8)] == [45.0 * k for k in range(8)]


def test_the_start_facing_turns_the_names():
    assert names(2, start="E") == ["E", "W"]  # a side-scroller whose camera sees the character's right side
    assert names(4, start="E") == ["E", "N", "W", "S"]


def test_mirrored_facings_are_the_left_right_flips_of_rendered_ones():
    mirrors = {facing.name: facing.mirror_of for facing in facings(8, mirror=True)}
    assert mirrors == {"S": None, "SE": None, "E": None, "NE": None, "N": None, "NW": 3, "W": 2, "SW": 1}
    assert [facing.mirror_of for facing in facings(2, start="E", mirror=True)] == [None, 0]
    assert all(facing.mirror_of is None for facing in facings(8))


@pytest.mark.parametrize(("count", "start"), [(0, "S"), (65, "S"), (8, "up")])
def test_bad_facing_settings_are_refused_with_the_option_named(count, start):
    with pytest.raises(ValueError, match=r"--directions|--start-facing"):
        facings(count, start=start)


def test_action_names_become_safe_unique_file_names():
    assert safe_name("Armature|mixamo.com|Layer0") == "Armature_mixamo.com_Layer0"
    assert safe_name("../run: fast?") == "run_fast"
    assert safe_name("CON") == "_CON" and safe_name("...") == "action"
    assert unique_safe_names(["walk", "Walk", "walk?"]) == ["walk", "Walk_2", "walk_3"]


def animation(name, count, duration=83):
    return Animation(name, tuple(Path(f"{name}/{index:04d}.png") for index in range(count)), duration, 12.0)


def test_animations_take_row_groups_that_wrap_and_start_new_pages():
    pages = pack(
        [animation("walk_S", 5), animation("walk_E", 2), animation("walk_N", 3)],
        (10, 20), name="walk", max_size=43, padding=1, margin=1,
    )  # fmt: skip
    # 43 px hold 3 columns of 10 px with 1 px padding and a 1 px margin, and 2 rows of 20 px.
    assert [page.name for page in pages] == ["walk_1", "walk_2"]
    first, second = pages
    assert [(cell.x, cell.y) for cell in first.cells] == [(1, 1), (12, 1), (23, 1), (1, 22), (12, 22)]
    assert (first.width, first.height) == (34, 43)
    assert [(placed.name, placed.first, placed.last) for placed in second.animations] == [
        ("walk_E", 0, 1),
        ("walk_N", 2, 4),
    ]
    assert [(cell.x, cell.y) for cell in second.cells] == [(1, 1), (12, 1), (1, 22), (12, 22), (23, 22)]
    for page in pages:
        for cell in page.cells:
            assert cell.x + 10 + 1 <= page.width and cell.y + 20 + 1 <= page.height <= 43


def test_one_page_needs_no_number_and_sheets_that_cannot_fit_are_refused():
    [page] = pack([animation("idle_S", 3)], (10, 20), name="idle")
    assert page.name == "idle" and (page.width, page.height) == (32, 20)
    with pytest.raises(SheetError, match=r"--max-size 30: the 7 frames of idle_S need 4 rows"):
        pack([animation("idle_S", 7)], (10, 20), name="idle", max_size=30)
    with pytest.raises(SheetError, match=r"--max-size 8: a 10x20 sprite"):
        pack([animation("idle_S", 1)], (10, 20), name="idle", max_size=8)


def test_durations_are_the_frame_period_in_whole_milliseconds():
    assert frame_duration_ms(24) == 42
    assert frame_duration_ms(24, frame_step=2) == 83
    assert frame_duration_ms(30, fps_base=1.001) == 33
    assert frame_duration_ms(12, frame_step=3) == 250
