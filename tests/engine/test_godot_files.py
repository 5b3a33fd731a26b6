"""Godot ``SpriteFrames`` .tres files: checked by a parser that follows Godot's own text-resource grammar
(``tests/godot_grammar.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from godot_grammar import GrammarError, Rect2, Ref, StringName, TextResource, parse

from pixel_sprites.engine.godot_files import sprite_frames_text, write_sprite_frames
from pixel_sprites.engine.sheet_layout import Cell, Page, PlacedAnimation

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


def frames_by_name(resource: TextResource) -> dict[str, dict[str, object]]:
    animations = resource.properties["animations"]
    assert isinstance(animations, list)
    result = {}
    for animation in animations:
        assert isinstance(animation, dict) and isinstance(animation["name"], StringName)
        result[animation["name"].text] = animation
    return result


# --- Tests --------------------------------------------------------------------------------------------------


def test_the_file_parses_under_godots_grammar_with_the_sections_in_the_loaders_order():
    text = sprite_frames_text(two_pages(), IMAGES, SPRITE)
    resource = parse(text)
    assert resource.header == {"type": "SpriteFrames", "load_steps": 14, "format": 3}  # no uid: it is optional
    assert resource.order == ["ext_resource"] * 2 + ["sub_resource"] * 11 + ["resource"]
    assert set(resource.properties) == {"animations"}
    assert text.startswith('[gd_resource type="SpriteFrames" load_steps=14 format=3]\n\n[ext_resource ')
    assert text.endswith("}]\n") and "\r" not in text


def test_ids_are_unique_references_resolve_and_load_steps_counts_what_godot_counts():
    resource = parse(sprite_frames_text(two_pages(), IMAGES, SPRITE))
    ext_ids, sub_ids = list(resource.ext_resources), list(resource.sub_resources)
    # The parser refuses a repeated id or a reference to an undeclared one; the shapes are Godot's.
    assert ext_ids == [f"{number}_{ext_id[-5:]}" for number, ext_id in enumerate(ext_ids, start=1)]
    assert all(re.fullmatch(r"\d+_[a-z0-9]{5}", ext_id) for ext_id in ext_ids)
    assert all(re.fullmatch(r"AtlasTexture_[a-z0-9]{5}", sub_id) for sub_id in sub_ids)
    # ResourceFormatSaverTextInstance::save: sub-resources + the main resource + external resources.
    assert resource.header["load_steps"] == len(sub_ids) + 1 + len(ext_ids)
    used = {frame["texture"].id for animation in frames_by_name(resource).values() for frame in animation["frames"]}
    assert used == set(sub_ids)  # each AtlasTexture is used, as the saver writes only what it meets
    assert {fields["type"] for fields in resource.ext_resources.values()} == {"Texture2D"}
    assert sorted(str(fields["path"]) for fields in resource.ext_resources.values()) == IMAGES


def test_every_region_is_its_cell_on_its_page():
    pages = two_pages()
    resource = parse(sprite_frames_text(pages, IMAGES, SPRITE))
    animations = frames_by_name(resource)
    width, height = SPRITE
    for page, image in zip(pages, IMAGES, strict=True):
        for placed in page.animations:
            frames = animations[placed.name]["frames"]
            cells = page.cells[placed.first : placed.last + 1]
            assert isinstance(frames, list) and len(frames) == len(cells)
            for frame, cell in zip(frames, cells, strict=True):
                kind, properties = resource.sub_resources[frame["texture"].id]
                assert kind == "AtlasTexture"
                assert set(properties) == {"atlas", "region", "filter_clip"} and properties["filter_clip"] is True
                atlas = properties["atlas"]
                assert isinstance(atlas, Ref) and atlas.kind == "ExtResource"
                assert resource.ext_resources[atlas.id]["path"] == image
                region = properties["region"]
                assert region == Rect2(cell.x, cell.y, width, height)
                assert isinstance(region, Rect2)
                assert region.x >= 0 and region.x + region.w <= page.width
                assert region.y >= 0 and region.y + region.h <= page.height


def test_animations_keep_their_names_frame_counts_speeds_and_loops_in_godots_name_order():
    resource = parse(sprite_frames_text(two_pages(), IMAGES, SPRITE))
    animations = resource.properties["animations"]
    assert isinstance(animations, list)
    assert [animation["name"] for animation in animations] == [StringName(n) for n in ("die_S", "idle_S", "walk_S")]
    summary = {
        animation["name"].text: (len(animation["frames"]), animation["speed"], animation["loop"])
        for animation in animations
    }
    assert summary == {"walk_S": (5, 12.0, True), "idle_S": (2, 8.0, True), "die_S": (4, 10.5, False)}
    for animation in animations:
        assert set(animation) == {"name", "speed", "loop", "frames"}  # what SpriteFrames::_set_animations needs
        assert isinstance(animation["speed"], float)  # written as 12.0, a float literal, not 12
        for frame in animation["frames"]:
            assert set(frame) == {"duration", "texture"}
            assert frame["duration"] == 1.0 and isinstance(frame["duration"], float)


STRANGE_NAMES = ['say "hi"', "back\\slash", "Läufer_南", "dragon 🐉", "tab\tand\nnewline", "bell\x07", "quote'?"]


def test_names_with_quotes_backslashes_and_unicode_come_back_unchanged():
    pages = [page_of("p", [(name, 2, 12.0, True) for name in STRANGE_NAMES[:4]])]
    pages.append(page_of("q", [(name, 1, 6.0, False) for name in STRANGE_NAMES[4:]]))
    images = ['sheet "1" Läufer.png', "sheet 南 🐉.png"]
    text = sprite_frames_text(pages, images, SPRITE)
    resource = parse(text)
    assert set(frames_by_name(resource)) == set(STRANGE_NAMES)
    assert sorted(str(fields["path"]) for fields in resource.ext_resources.values()) == sorted(images)
    # Godot re-reads strings as UTF-8, so non-ASCII is written raw, never as a \u escape.
    assert "Läufer_南" in text and "🐉" in text and "\\u00" not in text.replace("\\u0007", "")


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


def test_no_animations_give_an_empty_resource_without_load_steps():
    text = sprite_frames_text([Page("empty")], ["empty.png"], SPRITE)
    resource = parse(text)
    assert resource.header == {"type": "SpriteFrames", "format": 3}  # load_steps only when above 1
    assert resource.properties == {"animations": []} and not resource.ext_resources


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


GOOD = '[gd_resource type="SpriteFrames" format=3]\n\n[ext_resource type="Texture2D" path="a.png" id="1_a"]\n\n'


@pytest.mark.parametrize(
    "text",
    [
        GOOD + "[resource]\nanimations = [Vector2(1, 2)]\n",  # a value outside the subset
        GOOD + '[resource]\nanimations = ["unterminated]\n',
        GOOD + '[resource]\nanimations = [&"caf\\u00e9"]\n',  # an escape Godot's UTF-8 re-read would mangle
        GOOD + '[resource]\nanimations = [SubResource("AtlasTexture_x")]\n',  # undeclared
        GOOD + '[resource]\nanimations = [{"a": 1 "b": 2}]\n',  # a missing comma
        GOOD + "[resource]\nanimations = [{name: 1}]\n",  # an unquoted key
        GOOD + "[resource]\nanimations = [Rect2(1, 2, 3)]\n",
        GOOD + '[resource]\nanimations = []\n[sub_resource type="AtlasTexture" id="x"]\n',
        GOOD + "[resource]\nanimations = [] ]\n",
        GOOD + '[sub_resource type="AtlasTexture" id="bad id"]\n[resource]\n',
        GOOD + '[ext_resource type="Texture2D" path="b.png" id="1_a"]\n[resource]\n',  # a repeated id
        '[gd_resource type="SpriteFrames" format=3]\n[sub_resource type="AtlasTexture" id="x"]\n'
        '[ext_resource type="Texture2D" path="a.png" id="1"]\n[resource]\n',  # sections out of order
        GOOD,  # no [resource]
    ],
)
def test_the_checker_refuses_what_godot_would_not_read(text):
    with pytest.raises(GrammarError):
        parse(text)


def test_the_checker_reads_godots_own_escapes_and_comments():
    text = (
        '[gd_resource type="SpriteFrames" format=3]\n; a comment\n[resource]\n'
        'animations = [{"name": &"a\\"b\\\\c\\n\\u0041\\q", "speed": -1.5e+2, "loop": false}, ]\n'
    )
    animations = parse(text).properties["animations"]
    assert animations == [{"name": StringName('a"b\\c\nAq'), "speed": -150.0, "loop": False}]
