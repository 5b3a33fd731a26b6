"""Packed sheets (``--packed``): trimmed, merged, packed frames that real readers still draw at their full-size place.

One small set, written as fixed cells and packed four ways (per action with normals, padding and extrusion; one
RGBA atlas on small pages; animations too long for a page; no normals, so held poses merge). Phaser 3 (WebGL)
draws every frame of every page in one run, Godot 4.6 loads and draws every ``.tres`` in one run, and ase-parser
and aseprite-reader read the ``.aseprite`` files back.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from aseprite_readers import missing, read_with_ase_parser, sprite_indices
from godot_expected import drawing_mismatches, expected_animations, godot_mismatches, sprite_pixels
from godot_runner import check_sprite_frames, require_godot
from helpers import save_png, write_set_renders
from phaser_reader import phaser_draw, require_phaser
from PIL import Image

from pixel_sprites.cli import main

SIZE = (14, 18)  # sprite width, height
FACINGS = ("S", "E", "N", "W")
COLOURS = np.array([[200, 40, 40], [40, 160, 60], [50, 60, 200], [230, 200, 40], [30, 30, 30]], np.uint8)
PACKED = {
    "action": ["--packed", "--normals", "--padding", "2", "--extrude", "1"],
    "atlas": ["--packed", "--layout", "atlas", "--max-size", "48", "--rgba", "--margin", "1"],
    "split": ["--packed", "--max-size", "20", "--padding", "0"],
    "plain": ["--packed"],
}


def sprite(action: str, facing: int, frame: int) -> np.ndarray:
    """A body that moves with the frame; facing E has a long arm (wide), N a thin spear (tall); idle holds its pose
    (frames 0 and 1 the same, frame 2 the same pixels one pixel lower), and idle S ends on an empty frame."""
    rgba = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
    if action == "idle" and facing == 0 and frame == 3:
        return rgba
    drop = {0: 0, 1: 0, 2: 1, 3: 0}[frame] if action == "idle" else frame
    rgba[4 + drop : 16 + min(drop, 1), 5:9] = [*COLOURS[facing], 255]
    rgba[5 + drop, 5:9] = [*COLOURS[4], 255]
    if facing == 1:
        rgba[8 + drop, 0 : 5 + 2 * (action == "walk") * frame % 5] = [*COLOURS[4], 255]
    if facing == 2:
        rgba[0 : 10 + drop, 10] = [*COLOURS[3], 255]
    return rgba


def normal(colour: np.ndarray, frame: int) -> np.ndarray:
    """A normal sprite: only where the sprite is opaque, its values from the pixel's place (and idle frame 1's
    differ from frame 0's, so with normals they are no longer one frame)."""
    columns = np.indices(colour.shape[:2])[1]
    rgba = np.zeros_like(colour)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 128 + 4 * columns, 100 + 5 * columns, 255 - 9 * (frame == 1)
    rgba[..., 3] = colour[..., 3]
    rgba[colour[..., 3] == 0, :3] = (128, 128, 255)
    return rgba


@pytest.fixture(scope="module")
def sets(tmp_path_factory) -> dict[str, Path]:
    """The sprites folder with fixed-cell sheets, and a copy per packed case with its sheets."""
    root = tmp_path_factory.mktemp("packed")
    write_set_renders(root / "renders", (("walk", 4), ("idle", 4)), FACINGS, sprite)
    fixed = root / "fixed"
    process = ["process", str(root / "renders"), "--out", str(fixed), "--pixel", "1", "--colors", "5", "--sheets"]
    assert main(process) == 0
    for path in sorted(fixed.glob("*/*/*.png")):
        save_png(
            fixed / "normals" / path.relative_to(fixed),
            normal(np.asarray(Image.open(path).convert("RGBA")), int(path.stem) - 1),
        )
    assert main(["sheet", str(fixed), "--normals"]) == 0
    folders = {"fixed": fixed}
    for case, options in PACKED.items():
        folders[case] = root / case
        shutil.copytree(fixed, folders[case])
        assert main(["sheet", str(folders[case]), *options]) == 0
    return folders


def manifest(folder: Path) -> dict:
    (path,) = folder.glob("*.set.json")
    return json.loads(path.read_text())


def pages(folder: Path) -> list[Path]:
    """Every JSON page the manifest lists, in order."""
    found = []
    for sheet in manifest(folder)["sheets"]:
        keys = sorted(
            (key for key in sheet if key == "image" or key.startswith("image_")), key=lambda k: k[6:].zfill(3)
        )
        found += [folder / Path(sheet[key]).with_suffix(".json") for key in keys]
    return found


def frame_sprites(folder: Path) -> dict[tuple[Path, str], Path]:
    """(JSON page, frame name) → the sprite file it shows, from the tags (an animation may go on over pages)."""
    data = manifest(folder)
    files = {f"{a['name']}_{f['name']}": [folder / a["name"] / f["name"] / n for n in a["files"]]
             for a in data["actions"] for f in data["facings"]}  # fmt: skip
    shown: dict[str, int] = {}
    result = {}
    for page in pages(folder):
        content = json.loads(page.read_text())
        names = list(content["frames"])
        for tag in content["meta"]["frameTags"]:
            for name in names[tag["from"] : tag["to"] + 1]:
                result[page, name] = files[tag["name"]][shown.get(tag["name"], 0)]
                shown[tag["name"]] = shown.get(tag["name"], 0) + 1
    assert {name: len(paths) for name, paths in files.items()} == shown
    return result


def page_pixels(page: Path, suffix: str = "") -> np.ndarray:
    image = Image.open(page.with_name(page.stem + suffix + ".png")).convert("RGBA")
    return np.asarray(image)


@pytest.mark.parametrize("case", PACKED)
def test_every_packed_frame_rebuilds_its_sprite_from_the_page_and_its_offsets(sets, case):
    folder, sprites = sets[case], frame_sprites(sets[case])
    for (page, name), path in sprites.items():
        frame = json.loads(page.read_text())["frames"][name]
        assert frame["trimmed"] is True and frame["rotated"] is False
        rect, source = frame["frame"], frame["spriteSourceSize"]
        assert frame["sourceSize"] == {"w": SIZE[0], "h": SIZE[1]}
        assert (rect["w"], rect["h"]) == (source["w"], source["h"])
        full = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
        cut = page_pixels(page)[rect["y"] : rect["y"] + rect["h"], rect["x"] : rect["x"] + rect["w"]]
        full[source["y"] : source["y"] + source["h"], source["x"] : source["x"] + source["w"]] = cut
        assert np.array_equal(sprite_pixels_of(full), sprite_pixels(path)), (case, page.name, name)
        if case == "action":  # extruded by 1: the row above and the column left of the frame repeat its edges
            page_image = page_pixels(page)
            above = page_image[rect["y"] - 1, rect["x"] : rect["x"] + rect["w"]]
            left = page_image[rect["y"] : rect["y"] + rect["h"], rect["x"] - 1]
            assert np.array_equal(above, cut[0]) and np.array_equal(left, cut[:, 0])
        if case == "action":  # the normal page holds the normal sprite at the same place
            normals = page_pixels(page, "_n")[rect["y"] : rect["y"] + rect["h"], rect["x"] : rect["x"] + rect["w"]]
            expected = np.asarray(Image.open(folder / "normals" / path.relative_to(folder)).convert("RGBA"))
            cropped = expected[source["y"] : source["y"] + source["h"], source["x"] : source["x"] + source["w"]]
            assert np.array_equal(normals[..., 3] > 0, cropped[..., 3] > 0)
            assert np.array_equal(normals[normals[..., 3] > 0], cropped[cropped[..., 3] > 0])
    fixed = json.loads((sets["fixed"] / "sheets" / "walk.json").read_text())["frames"]["0"]
    some = json.loads(pages(folder)[0].read_text())["frames"]["0"]
    assert (some["pivot"], some["anchor"]) == (fixed["pivot"], fixed["anchor"])


def sprite_pixels_of(rgba: np.ndarray) -> np.ndarray:
    rgba = rgba.copy()
    rgba[rgba[..., 3] == 0] = 0
    return rgba


@pytest.mark.parametrize("case", PACKED)
def test_pages_are_cropped_within_max_size_and_distinct_frames_never_overlap(sets, case):
    options = PACKED[case]
    value = {
        flag: int(options[i + 1])
        for i, flag in enumerate(options)
        if flag.startswith("--") and i + 1 < len(options) and options[i + 1].isdigit()
    }
    padding, margin, extrude = value.get("--padding", 1), value.get("--margin", 0), value.get("--extrude", 0)
    max_size = value.get("--max-size", 4096)
    for page in pages(sets[case]):
        content = json.loads(page.read_text())
        rects = {tuple(frame["frame"].values()) for frame in content["frames"].values()}
        width, height = content["meta"]["size"]["w"], content["meta"]["size"]["h"]
        assert (width, height) == Image.open(page.with_suffix(".png")).size
        assert width <= max_size and height <= max_size
        # Cropped: the page ends right after the rightmost and lowest frames (with their extrusion and margin).
        assert width == max(x + w for x, _, w, _ in rects) + extrude + margin
        assert height == max(y + h for _, y, _, h in rects) + extrude + margin
        grown = [(x - extrude, y - extrude, w + 2 * extrude, h + 2 * extrude) for x, y, w, h in rects]
        for index, (x, y, w, h) in enumerate(grown):
            assert x >= margin and y >= margin
            for ox, oy, ow, oh in grown[index + 1 :]:
                apart = (
                    x + w + padding <= ox or ox + ow + padding <= x or y + h + padding <= oy or oy + oh + padding <= y
                )
                assert apart, (page.name, (x, y, w, h), (ox, oy, ow, oh))


def test_identical_frames_share_one_rectangle_and_normals_keep_different_ones_apart(sets, capsys):
    def rect_of(case: str, action: str, frame: int) -> tuple:
        page = sets[case] / "sheets" / f"{action}.json"
        return tuple(json.loads(page.read_text())["frames"][str(frame)]["frame"].values())

    # idle S: frames 0 and 1 are one pose, frame 2 the same pixels lower, frame 3 empty (a 1x1 transparent pixel);
    # N, E and W hold one pose in all four frames but N, whose spear grows in frame 2: 10 merged
    assert rect_of("plain", "idle", 0) == rect_of("plain", "idle", 1) == rect_of("plain", "idle", 2)
    idle = json.loads((sets["plain"] / "sheets" / "idle.json").read_text())["frames"]
    assert idle["2"]["spriteSourceSize"]["y"] == idle["0"]["spriteSourceSize"]["y"] + 1
    assert idle["3"]["frame"]["w"] == idle["3"]["frame"]["h"] == 1
    # with normals, frame 1's normals differ from frame 0's: they keep their own rectangles
    assert rect_of("action", "idle", 0) != rect_of("action", "idle", 1)
    assert rect_of("action", "idle", 0) == rect_of("action", "idle", 2)
    copy = sets["plain"].parent / "again"
    shutil.copytree(sets["fixed"], copy)
    capsys.readouterr()
    assert main(["sheet", str(copy), "--packed"]) == 0
    err = capsys.readouterr().err
    assert "idle: 10 of 16 frames merged with an identical frame" in err
    for name in ("idle.png", "idle.json", "idle.tres", "walk.png", "walk.json", "walk.tres", "idle.aseprite"):
        assert (copy / "sheets" / name).read_bytes() == (sets["plain"] / "sheets" / name).read_bytes(), name


def test_packed_pages_take_less_area_than_fixed_cells(sets):
    def area(folder: Path) -> int:
        return sum(np.prod(Image.open(page.with_suffix(".png")).size) for page in pages(folder))

    assert area(sets["plain"]) < 0.6 * area(sets["fixed"])


def test_an_animation_spans_pages_only_when_one_page_cannot_hold_it(sets):
    split = pages(sets["split"])
    assert len(split) > 2
    for page in split:  # each page holds part of one animation, or whole ones
        assert Image.open(page.with_suffix(".png")).size[0] <= 20
    tags = [tag["name"] for page in pages(sets["atlas"]) for tag in json.loads(page.read_text())["meta"]["frameTags"]]
    assert len(tags) == len(set(tags)) == 8  # small pages, yet every animation whole on one of them


def test_extrude_needs_packed_and_a_frame_larger_than_a_page_is_refused(sets, capsys):
    copy = sets["fixed"]
    assert main(["sheet", str(copy), "--extrude", "2"]) == 2
    assert "--extrude: needs --packed" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["sheet", str(copy), "--packed", "--extrude", "17"])
    assert refused.value.code == 2
    assert "--extrude: must be in 0..16, got 17" in capsys.readouterr().err
    assert main(["sheet", str(copy), "--packed", "--max-size", "16", "--padding", "0"]) == 2
    assert "--max-size 16" in capsys.readouterr().err


def test_phaser_webgl_draws_every_packed_frame_as_the_fixed_cell_sheet_does(sets):
    require_phaser()
    listed = [(case, page) for case in ("fixed", *PACKED) for page in pages(sets[case])]
    drawn = phaser_draw([(page, page.with_suffix(".png")) for _, page in listed])
    assert not drawn["errors"], drawn["errors"]
    fixed_by_sprite = {}
    for index, (case, page) in enumerate(listed):
        for (shown_page, name), path in frame_sprites(sets[case]).items():
            if shown_page != page:
                continue
            pixels = drawn["frames"][index, name]
            relative = path.relative_to(sets[case])
            if case == "fixed":
                fixed_by_sprite[relative] = pixels
                continue
            assert pixels.shape == (SIZE[1], SIZE[0], 4), (case, page.name, name)
            assert np.array_equal(pixels, fixed_by_sprite[relative]), (case, page.name, name)
            assert np.array_equal(pixels, sprite_pixels(path)), (case, page.name, name)
    assert len(fixed_by_sprite) == 32


def test_godot_draws_every_frame_of_the_packed_tres_as_the_sprite_file(sets):
    require_godot()
    resources = {case: [sets[case] / sheet["godot"] for sheet in manifest(sets[case])["sheets"]] for case in PACKED}
    check = check_sprite_frames([tres for listed in resources.values() for tres in listed])
    assert not check.refused, check.refused
    for case, listed in resources.items():
        for tres in listed:
            loaded = check.loaded[tres]
            assert not godot_mismatches(loaded, expected_animations(sets[case], tres)), case
            assert not drawing_mismatches(sets[case], loaded), case
            margins = [frame["margin"] for animation in loaded.animations.values() for frame in animation["frames"]]
            assert any(margin != [0, 0, 0, 0] for margin in margins)


def aseprite_frames(folder: Path, action: str) -> tuple[Path, list[np.ndarray]]:
    """The ``.aseprite`` file of ``action`` and the sprite each of its frames shows (its page's frame order)."""
    page = folder / "sheets" / f"{action}.json"
    sprites = frame_sprites(folder)
    names = list(json.loads(page.read_text())["frames"])
    return folder / "sheets" / f"{action}.aseprite", [sprite_pixels(sprites[page, name]) for name in names]


def test_ase_parser_reads_the_packed_sets_aseprite_files_as_full_size_frames(sets):
    folder = sets["action"]
    for action in ("walk", "idle"):
        path, expected = aseprite_frames(folder, action)
        (parsed,) = read_with_ase_parser([path])
        assert (parsed["width"], parsed["height"]) == SIZE
        assert len(parsed["frames"]) == len(expected) == 16
        entries = parsed["palette"]["colors"][1:]
        colours = np.array([(entry["red"], entry["green"], entry["blue"]) for entry in entries], np.uint8)
        for parsed_frame, wanted in zip(parsed["frames"], expected, strict=True):
            indices = sprite_indices(parsed_frame, SIZE[1], SIZE[0])
            shown = np.zeros_like(wanted)
            shown[indices >= 0, :3] = colours[indices[indices >= 0]]
            shown[indices >= 0, 3] = 255
            assert np.array_equal(shown, wanted), action


def test_aseprite_reader_renders_the_packed_sets_aseprite_files_as_full_size_frames(sets):
    if sys.version_info < (3, 12):
        pytest.skip("aseprite-reader needs Python 3.12 or newer (scripts/test.sh also runs these tests on 3.13)")
    try:
        import aseprite_reader
        from aseprite_reader import render
    except ImportError:
        missing(f"aseprite-reader is not installed in {sys.prefix}")
    for action in ("walk", "idle"):
        path, expected = aseprite_frames(sets["action"], action)
        file = aseprite_reader.AsepriteFile(path)
        for number, frame in file.iter_frames():
            rendered = sprite_pixels_of(np.asarray(render.frame_to_image(file, frame).convert("RGBA")))
            assert np.array_equal(rendered, expected[number - 1]), (action, number)


def test_packed_pages_take_no_more_area_than_maxrects_packer_and_far_less_than_fixed_cells(sets, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    from scripts.bench import packing

    if packing.reference_areas([]) is None:
        missing("maxrects-packer is not installed: run `npm ci --prefix tests/js/maxrects`")
    shutil.copytree(sets["fixed"], tmp_path / "small", ignore=shutil.ignore_patterns("sheets"))
    characters = {
        "small": tmp_path / "small",
        "wide": packing.drawn_character(tmp_path / "wide", packing.wide, {"idle": 4, "swing": 6}),
        "spear": packing.drawn_character(tmp_path / "spear", packing.spear, {"idle": 4, "walk": 8}),
    }
    for name, folder in characters.items():
        measured = packing.area_ratios(name, folder)
        assert measured["packed_over_maxrects_packer"] <= 1.0, measured
        assert measured["packed_over_fixed"] < 0.6, measured


def test_process_sheets_packed_writes_the_same_packed_files_as_sheet_packed(sets, tmp_path, capsys):
    renders = sets["fixed"].parent / "renders"
    command = ["process", str(renders), "--out", str(tmp_path / "out"), "--pixel", "1", "--colors", "5", "--sheets"]
    assert main([*command, "--packed"]) == 0
    assert "idle: 10 of 16 frames merged with an identical frame" in capsys.readouterr().err
    for name in ("idle.json", "idle.tres", "walk.json", "walk.tres"):
        assert (tmp_path / "out" / "sheets" / name).read_bytes() == (sets["plain"] / "sheets" / name).read_bytes()
    for name in ("idle.png", "walk.png"):  # the same pixels (the palette's entries may come in another order)
        assert np.array_equal(
            page_pixels(tmp_path / "out" / "sheets" / name), page_pixels(sets["plain"] / "sheets" / name)
        )
