"""Godot ``SpriteFrames`` .tres files from pages built by hand: their bytes, and what the real Godot 4.6 engine
(``tests/godot_runner.py``) loads and draws from them, strange names included."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from godot_runner import SpriteFramesCheck, check_sprite_frames, require_godot
from helpers import save_png

from pixel_sprites.engine.export.godot import sprite_frames_text, write_sprite_frames
from pixel_sprites.engine.export.layout import Cell, Page, PlacedAnimation

SPRITE = (16, 24)
PADDING = 1
COLUMNS = 3


# --- Pages built by hand ------------------------------------------------------------------------------------


def page_of(name: str, animations: list[tuple[str, int, float, bool]]) -> Page:
    """A page with ``animations`` (name, frames, fps, loop), each in its own rows of ``COLUMNS`` cells."""
    width, height = SPRITE
    page = Page(name)
    row = 0
    for animation_name, frames, fps, loop in animations:
        first = len(page.cells)
        for index in range(frames):
            rows, column = divmod(index, COLUMNS)
            x, y = column * (width + PADDING), (row + rows) * (height + PADDING)
            page.cells.append(Cell(Path(f"{animation_name}/{index:04}.png"), x, y, 83))
            page.width, page.height = max(page.width, x + width), max(page.height, y + height)
        page.animations.append(PlacedAnimation(animation_name, first, len(page.cells) - 1, fps, loop, 83))
        row += -(-frames // COLUMNS)
    return page


def two_pages() -> list[Page]:
    return [
        page_of("knight_1", [("walk_S", 5, 12.0, True), ("idle_S", 2, 8.0, True)]),
        page_of("knight_2", [("die_S", 4, 10.5, False)]),
    ]


IMAGES = ["knight_1.png", "knight_2.png"]


STRANGE_NAMES = ['say "hi"', "back\\slash", "Läufer_南", "dragon 🐉", "tab\tand\nnewline", "bell\x07", "quote'?"]
STRANGE_PAGES = ['sheet "1" Läufer.png', "sheet 南 🐉.png"]


def strange_pages() -> list[Page]:
    return [
        page_of("p", [(name, 2, 12.0, True) for name in STRANGE_NAMES[:4]]),
        page_of("q", [(name, 1, 6.0, False) for name in STRANGE_NAMES[4:]]),
    ]


def page_pixels(page: Page, number: int) -> np.ndarray:
    """A page image whose every pixel says where it is and which page it is on, so a wrong region shows."""
    y, x = np.mgrid[0 : page.height, 0 : page.width]
    rgba = np.stack([x * 7 % 256, y * 5 % 256, np.full_like(x, 40 * number), np.full_like(x, 255)], axis=-1)
    return rgba.astype(np.uint8)


def write_case(folder: Path, pages: list[Page], images: list[str]) -> Path:
    for number, (page, image) in enumerate(zip(pages, images, strict=True)):
        if page.width and page.height:
            save_png(folder / image, page_pixels(page, number))
    return write_sprite_frames(folder / "frames.tres", pages, images, SPRITE)


CASES = {
    "two_pages": (two_pages, IMAGES),
    "strange": (strange_pages, STRANGE_PAGES),
    "empty": (lambda: [Page("empty")], ["empty.png"]),
}


@pytest.fixture(scope="module")
def godot_check(tmp_path_factory) -> dict[str, tuple[Path, SpriteFramesCheck]]:
    require_godot()
    written = {
        name: write_case(tmp_path_factory.mktemp(name), make(), images) for name, (make, images) in CASES.items()
    }
    check = check_sprite_frames(list(written.values()))
    assert check.run.exit_code == 0 and check.run.errors == [] and check.refused == {}, check.run.errors
    return {name: (tres, check) for name, tres in written.items()}


def held(godot_check, case: str) -> tuple[list[Page], list[str], dict]:
    tres, check = godot_check[case]
    make, images = CASES[case]
    return make(), images, check.loaded[tres]


@pytest.mark.parametrize("case", ["two_pages", "strange"])
def test_godot_holds_every_animation_with_its_speed_loop_and_regions_on_its_page(godot_check, case):
    pages, images, loaded = held(godot_check, case)
    width, height = SPRITE
    placed = {
        animation.name: (page, image, animation)
        for page, image in zip(pages, images, strict=True)
        for animation in page.animations
    }
    assert set(loaded.animations) == set(placed)  # names with quotes, backslashes and Unicode come back unchanged
    for name, (page, image, animation) in placed.items():
        godot = loaded.animations[name]
        assert (godot["speed"], godot["loop"]) == (animation.fps, animation.loop)
        cells = page.cells[animation.first : animation.last + 1]
        assert len(godot["frames"]) == len(cells)
        for frame, cell in zip(godot["frames"], cells, strict=True):
            assert frame["class"] == "AtlasTexture" and frame["filter_clip"] is True
            assert Path(frame["atlas"]).name == image  # the ext_resource, found beside the .tres
            assert frame["region"] == [cell.x, cell.y, width, height] and frame["margin"] == [0, 0, 0, 0]
            assert frame["duration"] == 1.0


@pytest.mark.parametrize("case", ["two_pages", "strange"])
def test_each_frame_godot_draws_is_its_cell_of_the_page(godot_check, case):
    pages, _, loaded = held(godot_check, case)
    width, height = SPRITE
    for number, page in enumerate(pages):
        pixels = page_pixels(page, number)
        for animation in page.animations:
            for index, cell in enumerate(page.cells[animation.first : animation.last + 1]):
                expected = pixels[cell.y : cell.y + height, cell.x : cell.x + width]
                assert np.array_equal(loaded.drawn[animation.name, index], expected), (animation.name, index)


def test_no_animations_give_an_empty_resource_godot_loads(godot_check):
    text = sprite_frames_text([Page("empty")], ["empty.png"], SPRITE)
    assert text.startswith('[gd_resource type="SpriteFrames" format=3]')  # load_steps only when above 1
    _, _, loaded = held(godot_check, "empty")
    assert loaded.animations == {} and loaded.drawn == {}


def test_ids_have_godots_shapes_and_load_steps_counts_what_godot_counts():
    text = sprite_frames_text(two_pages(), IMAGES, SPRITE)
    ext_ids = re.findall(r'\[ext_resource type="Texture2D" path="[^"]+" id="([^"]+)"\]', text)
    sub_ids = re.findall(r'\[sub_resource type="AtlasTexture" id="([^"]+)"\]', text)
    assert ext_ids == [f"{number}_{ext_id[-5:]}" for number, ext_id in enumerate(ext_ids, start=1)]
    assert all(re.fullmatch(r"\d+_[a-z0-9]{5}", ext_id) for ext_id in ext_ids)
    assert all(re.fullmatch(r"AtlasTexture_[a-z0-9]{5}", sub_id) for sub_id in sub_ids)
    assert len(set(sub_ids)) == len(sub_ids) == 11
    # ResourceFormatSaverTextInstance::save: sub-resources + the main resource + external resources.
    assert text.startswith(f'[gd_resource type="SpriteFrames" load_steps={len(sub_ids) + 1 + len(ext_ids)} format=3]')
    # Godot re-reads strings as UTF-8, so non-ASCII is written raw, never as a \u escape.
    strange = sprite_frames_text(strange_pages(), STRANGE_PAGES, SPRITE)
    assert "Läufer_南" in strange and "🐉" in strange and "\\u00" not in strange.replace("\\u0007", "")


def test_the_same_pages_give_the_same_bytes(tmp_path):
    text = sprite_frames_text(two_pages(), IMAGES, SPRITE)
    assert sprite_frames_text(two_pages(), IMAGES, SPRITE) == text
    written = write_sprite_frames(tmp_path / "knight_walk.tres", two_pages(), IMAGES, SPRITE)
    assert written == tmp_path / "knight_walk.tres"
    assert written.read_bytes() == text.encode("utf-8")
    write_sprite_frames(written, two_pages(), IMAGES, SPRITE)
    assert written.read_bytes() == text.encode("utf-8")
    assert [path.name for path in tmp_path.iterdir()] == ["knight_walk.tres"]  # no temporary file left


def test_a_small_file_is_byte_for_byte_what_godot_writes():
    page = page_of("walk", [("walk_S", 2, 12.0, True)])
    assert sprite_frames_text([page], ["walk.png"], SPRITE) == (
        '[gd_resource type="SpriteFrames" load_steps=4 format=3]\n'
        "\n"
        '[ext_resource type="Texture2D" path="walk.png" id="1_n04re"]\n'
        "\n"
        '[sub_resource type="AtlasTexture" id="AtlasTexture_di2y0"]\n'
        'atlas = ExtResource("1_n04re")\n'
        "region = Rect2(0, 0, 16, 24)\n"
        "filter_clip = true\n"
        "\n"
        '[sub_resource type="AtlasTexture" id="AtlasTexture_7hehm"]\n'
        'atlas = ExtResource("1_n04re")\n'
        "region = Rect2(17, 0, 16, 24)\n"
        "filter_clip = true\n"
        "\n"
        "[resource]\n"
        "animations = [{\n"
        '"frames": [{\n'
        '"duration": 1.0,\n'
        '"texture": SubResource("AtlasTexture_di2y0")\n'
        "}, {\n"
        '"duration": 1.0,\n'
        '"texture": SubResource("AtlasTexture_7hehm")\n'
        "}],\n"
        '"loop": true,\n'
        '"name": &"walk_S",\n'
        '"speed": 12.0\n'
        "}]\n"
    )


@pytest.mark.parametrize(
    ("pages", "images", "size", "message"),
    [
        (two_pages(), IMAGES[:1], SPRITE, "image names"),
        (two_pages(), ["a.png", "A.PNG"], SPRITE, "must differ"),
        (two_pages(), ["sub/knight_1.png", "knight_2.png"], SPRITE, "file name"),
        (two_pages(), ["res://knight_1.png", "knight_2.png"], SPRITE, "file name"),
        (two_pages(), IMAGES, (0, 24), "sprite size"),
        (two_pages(), IMAGES, (17, 24), "outside"),
        ([page_of("a", [("walk", 1, 12.0, True)]), page_of("b", [("walk", 1, 12.0, True)])], IMAGES, SPRITE, "unique"),
        ([page_of("a", [("walk", 1, 0.0, True)])], IMAGES[:1], SPRITE, "frame rate"),
        ([page_of("a", [("walk", 1, float("nan"), True)])], IMAGES[:1], SPRITE, "frame rate"),
        ([page_of("a", [("", 1, 12.0, True)])], IMAGES[:1], SPRITE, "needs a name"),
        ([page_of("a", [("nul\x00", 1, 12.0, True)])], IMAGES[:1], SPRITE, "NUL"),
    ],
)
def test_what_godot_could_not_read_back_is_refused(pages, images, size, message):
    with pytest.raises(ValueError, match=message):
        sprite_frames_text(pages, images, size)


def test_a_frame_range_outside_the_page_is_refused():
    page = page_of("a", [("walk", 2, 12.0, True)])
    page.animations[0] = PlacedAnimation("walk", 1, 2, 12.0, True, 83)
    with pytest.raises(ValueError, match="not cells"):
        sprite_frames_text([page], ["a.png"], SPRITE)
