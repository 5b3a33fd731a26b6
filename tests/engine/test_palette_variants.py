"""Palette variants: sheets, engine files and runtime palette swaps from one rendered set, checked by real readers
(Phaser in Chromium, the real Godot 4.6 through the shipped shader, ase-parser and aseprite-reader).

The set is made as a user makes it without Blender: renders as ``<action>/<facing>/<frame>.png``, then
``pixel-sprites process --sheets --variant ...``; later ``sheet`` runs keep the manifest's variants.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from aseprite_readers import missing, read_with_ase_parser, sprite_indices
from godot_runner import GDSCRIPT_DIR, require_godot, run_godot
from helpers import save_png, write_set_renders
from phaser_reader import phaser_load_many, require_phaser
from PIL import Image

from pixel_sprites.cli import main
from pixel_sprites.engine.export.palette_chunks import _png_chunks
from pixel_sprites.engine.palette.entries import read_palette_entries
from pixel_sprites.engine.palette.files import read_palette, write_palette

SIZE = (10, 12)
ACTIONS = {"walk": 3, "idle": 2}
FACINGS = ("S", "E", "N", "W")
COLOURS = np.array([[200, 40, 40], [40, 160, 60], [50, 60, 200], [230, 200, 40], [30, 30, 30]], np.uint8)
# Entry i of the set's palette (palette.gpl, in its order) becomes entry i of each variant.
BLUE = "blue"
FLASH = "Damage Flash"  # every colour white: repeats kept, a readability warning, and a name made safe


def sprite(action: str, facing: int, frame: int) -> np.ndarray:
    rgba = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
    rgba[2:11, 2:7] = [*COLOURS[facing % 4], 255]
    rgba[2 + frame, 2 : 7 + (action == "walk")] = [*COLOURS[4], 255]
    return rgba


def rgba_of(path: Path) -> np.ndarray:
    image = np.asarray(Image.open(path).convert("RGBA")).copy()
    image[image[..., 3] == 0] = 0
    return image


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("variants")
    write_set_renders(root / "renders", ACTIONS.items(), FACINGS, sprite)
    out = root / "sprites"
    assert main(["process", str(root / "renders"), "--out", str(out), "--pixel", "1", "--colors", "5"]) == 0
    base = read_palette(out / "palette.gpl").colors
    assert main(["palette-variant", str(out), str(root / "start.gpl")]) == 0
    blue = read_palette_entries(root / "start.gpl").copy()
    assert np.array_equal(blue, base)  # the starting file is the palette, in its order
    blue[:, [0, 2]] = blue[:, [2, 0]]  # red and blue swapped
    write_palette(type(read_palette(root / "start.gpl"))(blue), root / "blue.gpl")
    (root / "flash.hex").write_text("ffffff\n" * len(base))
    variants = ["--variant", f"{BLUE}={root / 'blue.gpl'}", "--variant", f"{FLASH}={root / 'flash.hex'}"]
    code = main(
        ["process", str(root / "renders"), "--out", str(out), "--pixel", "1", "--colors", "5", "--sheets", *variants]
    )
    assert code == 0
    return {
        "root": root, "sprites": out, "sheets": out / "sheets", "base": base,
        "rows": [base, blue, np.full_like(base, 255)], "names": ["", ".blue", ".Damage_Flash"],
    }  # fmt: skip


def test_every_variant_sheet_is_its_definition_pixel_for_pixel(made):
    sheets, base = made["sheets"], made["base"]
    for action in ACTIONS:
        page = rgba_of(sheets / f"{action}.png")
        opaque = page[..., 3] > 0
        indices = np.array([np.flatnonzero((base == colour).all(axis=1))[0] for colour in page[opaque][:, :3]])
        for row, name in zip(made["rows"][1:], made["names"][1:], strict=True):
            variant = rgba_of(sheets / f"{action}{name}.png")
            assert np.array_equal(variant[..., 3], page[..., 3])  # alpha unchanged
            assert np.array_equal(variant[opaque][:, :3], row[indices])


def test_a_paletted_variant_differs_from_its_sheet_in_the_plte_alone(made):
    for action in ACTIONS:
        base = _png_chunks((made["sheets"] / f"{action}.png").read_bytes(), "base")
        variant = _png_chunks((made["sheets"] / f"{action}.blue.png").read_bytes(), "variant")
        assert [kind for kind, _ in base] == [kind for kind, _ in variant]
        assert [kind for (kind, body), (_, other) in zip(base, variant, strict=True) if body != other] == [b"PLTE"]


def test_index_map_and_palettes_row_k_rebuild_variant_k(made):
    sheets = made["sheets"]
    palettes = np.asarray(Image.open(sheets / "character_palettes.png").convert("RGBA"))
    assert palettes.shape == (3, 5, 4)
    for row, colours in enumerate(made["rows"]):
        assert np.array_equal(palettes[row, :, :3], colours)
    for action in ACTIONS:
        index_map = Image.open(sheets / f"{action}_index.png")
        assert index_map.mode == "LA"
        grey, alpha = np.asarray(index_map)[..., 0], np.asarray(index_map)[..., 1]
        assert (grey[alpha == 0] == 0).all()
        for row, name in enumerate(made["names"]):
            rebuilt = np.zeros((*grey.shape, 4), np.uint8)
            rebuilt[..., :3] = palettes[row, grey, :3]
            rebuilt[..., 3] = alpha
            rebuilt[alpha == 0] = 0
            assert np.array_equal(rebuilt, rgba_of(sheets / f"{action}{name}.png")), (action, name)
    assert not list(sheets.glob("*_n_index.png"))


def test_variants_are_kept_in_the_manifest_and_made_by_later_sheet_runs(made, tmp_path):
    copy = tmp_path / "sprites"
    shutil.copytree(made["sprites"], copy)
    manifest = json.loads((copy / "character.set.json").read_text())
    assert [entry["name"] for entry in manifest["variants"]] == [BLUE, FLASH]
    for path in copy.glob("sheets/*.blue.*"):
        path.unlink()
    assert main(["sheet", str(copy)]) == 0
    assert np.array_equal(rgba_of(copy / "sheets" / "walk.blue.png"), rgba_of(made["sheets"] / "walk.blue.png"))
    assert main(["sheet", str(copy), "--no-variants"]) == 0
    assert "variants" not in json.loads((copy / "character.set.json").read_text())


def test_a_variant_of_another_length_is_refused_naming_both_counts_before_any_sheet(made, tmp_path, capsys):
    copy = tmp_path / "sprites"
    shutil.copytree(made["sprites"], copy)
    (tmp_path / "short.hex").write_text("ffffff\nffffff\n")
    before = {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()}
    assert main(["sheet", str(copy), "--no-variants", "--variant", f"short={tmp_path / 'short.hex'}"]) == 2
    error = capsys.readouterr().err
    assert "--variant short=" in error and "2 colours" in error and "has 5" in error
    assert {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()} == before


def test_names_whose_files_repeat_or_clash_with_other_outputs_are_refused(made, tmp_path, capsys):
    blue = made["root"] / "blue.gpl"
    assert main(["sheet", str(made["sprites"]), "--variant", f"a b={blue}", "--variant", f"a_b={blue}"]) == 2
    assert "'a b' and 'a_b' both give files named <sheet>.a_b.png" in capsys.readouterr().err
    renders = tmp_path / "renders"
    for action in ("walk", "walk.red"):
        save_png(renders / action / "S" / "0001.png", sprite("walk", 0, 0))
    out = tmp_path / "sprites"
    assert main(["process", str(renders), "--out", str(out), "--pixel", "1", "--colors", "2"]) == 0
    (tmp_path / "red.hex").write_text("ff0000\n00ff00\n")
    assert main(["sheet", str(out), "--variant", f"red={tmp_path / 'red.hex'}"]) == 2
    assert "--variant red: its file walk.red.png would be a sheet's file too" in capsys.readouterr().err
    save_png(renders / "walk_index" / "S" / "0001.png", sprite("walk", 1, 0))
    assert main(["process", str(renders), "--out", str(out), "--pixel", "1", "--colors", "2"]) == 0
    assert main(["sheet", str(out), "--variant", f"Red={tmp_path / 'red.hex'}"]) == 2
    assert "the palette swap file walk_index.png would be a sheet's file too" in capsys.readouterr().err
    assert not (out / "sheets").exists()


def test_close_variant_colours_are_named_in_a_warning_and_everything_is_written(made, tmp_path, capsys):
    copy = tmp_path / "sprites"
    shutil.copytree(made["sprites"], copy)
    assert main(["sheet", str(copy), "--no-variants", "--variant", f"{FLASH}={made['root'] / 'flash.hex'}"]) == 0
    error = capsys.readouterr().err
    assert "variant Damage Flash: 10 pairs of colours" in error and "#ffffff" in error
    assert "#1e1e1e" in error  # a base colour named
    assert (copy / "sheets" / "walk.Damage_Flash.aseprite").is_file()


def test_rgba_sheets_get_variants_by_pixel_with_alpha_unchanged(made, tmp_path):
    copy = tmp_path / "sprites"
    shutil.copytree(made["sprites"], copy)
    assert main(["sheet", str(copy), "--rgba"]) == 0
    assert Image.open(copy / "sheets" / "walk.blue.png").mode == "RGBA"
    assert np.array_equal(rgba_of(copy / "sheets" / "walk.blue.png"), rgba_of(made["sheets"] / "walk.blue.png"))


def test_the_previews_play_in_the_variant_colours(made):
    for action in ACTIONS:
        base = Image.open(made["sheets"] / f"{action}_preview.gif")
        variant = Image.open(made["sheets"] / f"{action}_preview.blue.gif")
        assert variant.n_frames == base.n_frames and variant.info["duration"] == base.info["duration"]
        base_frame, variant_frame = rgba_of_image(base), rgba_of_image(variant)
        swapped = base_frame.copy()
        swapped[..., [0, 2]] = swapped[..., [2, 0]]
        assert np.array_equal(variant_frame, swapped)


def rgba_of_image(image: Image.Image) -> np.ndarray:
    frame = np.asarray(image.convert("RGBA")).copy()
    frame[frame[..., 3] == 0] = 0
    return frame


def test_variant_files_read_entry_by_entry_keep_repeats(tmp_path):
    colours = np.array([[255, 255, 255], [255, 255, 255], [1, 2, 3]], np.uint8)
    (tmp_path / "v.hex").write_text("ffffff\nffffff\n010203\n")
    (tmp_path / "v.pal").write_text("JASC-PAL\n0100\n3\n255 255 255\n255 255 255\n1 2 3\n")
    (tmp_path / "v.gpl").write_text("GIMP Palette\nName: v\n#\n255 255 255\n255 255 255 white\n1 2 3\n")
    strip = np.repeat(np.repeat(np.hstack([colours, np.full((3, 1), 255, np.uint8)])[None], 4, axis=0), 4, axis=1)
    save_png(tmp_path / "v.png", strip)
    for name in ("v.hex", "v.pal", "v.gpl", "v.png"):
        assert np.array_equal(read_palette_entries(tmp_path / name), colours), name
        assert len(read_palette(tmp_path / name)) == 2  # read_palette still keeps each colour once


def test_phaser_loads_each_variant_json_as_its_own_texture(made):
    require_phaser()
    sheets = made["sheets"]
    pairs = [
        (sheets / f"{action}{name}.json", sheets / f"{action}{name}.png")
        for action in ACTIONS
        for name in made["names"]
    ]
    for pair in pairs:
        assert json.loads(pair[0].read_text())["meta"]["image"] == pair[1].name
    loaded = phaser_load_many(pairs)
    assert loaded["errors"] == [] and loaded["warnings"] == []
    for (json_path, image_path), sheet in zip(pairs, loaded["sheets"], strict=True):
        base = json.loads((sheets / f"{json_path.name.split('.')[0]}.json").read_text())
        assert sorted(sheet["frames"]) == sorted(base["frames"])
        assert sorted(sheet["animations"]) == sorted(base["animations"])
        page = rgba_of(image_path)
        for name, frame in base["frames"].items():
            x, y, w, h = (frame["frame"][key] for key in "xywh")
            drawn = sheet["frames"][name]["rgba"].copy()
            drawn[drawn[..., 3] == 0] = 0
            assert np.array_equal(drawn, page[y : y + h, x : x + w]), (json_path.name, name)


def test_godot_draws_each_variant_through_the_shader_and_loads_the_variant_tres(made, tmp_path):
    require_godot()
    sheets = made["sheets"]
    files = {f"/vfs/s/{path.name}": path for path in sheets.iterdir() if path.suffix in (".png", ".tres", ".gdshader")}
    job = {
        "shader": "/vfs/s/character_palette_swap.gdshader", "palettes": "/vfs/s/character_palettes.png", "rows": 3,
        "index_maps": [f"/vfs/s/{action}_index.png" for action in ACTIONS],
        "resources": [f"/vfs/s/{action}{name}.tres" for action in ACTIONS for name in made["names"][1:]],
        "animated": ["/vfs/s/walk_index.tres"],
    }  # fmt: skip
    (tmp_path / "job.json").write_text(json.dumps(job))
    run = run_godot(GDSCRIPT_DIR / "check_palette_swap.gd", {**files, "/vfs/job.json": tmp_path / "job.json"})
    assert run.exit_code == 0, run.errors
    records = run.records()
    drawn = [record for record in records if "index_map" in record]
    assert len(drawn) == len(ACTIONS) * 3
    for record in drawn:
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(record["drawn"]))).convert("RGBA")).copy()
        image[image[..., 3] == 0] = 0
        action = Path(record["index_map"]).name.removesuffix("_index.png")
        expected = rgba_of(sheets / f"{action}{made['names'][record['row']]}.png")
        assert np.array_equal(image, expected), (action, record["row"])
    # An AnimatedSprite2D playing the SpriteFrames cut from the index maps draws each frame of each variant exactly.
    page_json = json.loads((sheets / "walk.json").read_text())
    first = {tag["name"]: tag["from"] for tag in page_json["meta"]["frameTags"]}
    played = [record for record in records if "animated" in record]
    assert len(played) == len(FACINGS) * ACTIONS["walk"] * 3
    for record in played:
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(record["drawn"]))).convert("RGBA")).copy()
        image[image[..., 3] == 0] = 0
        x, y, w, h = (
            page_json["frames"][str(first[record["animation"]] + record["frame"])]["frame"][k] for k in "xywh"
        )
        page = rgba_of(sheets / f"walk{made['names'][record['row']]}.png")
        assert np.array_equal(image, page[y : y + h, x : x + w]), (record["animation"], record["frame"], record["row"])
    loaded = {record["resource"]: record["atlases"] for record in records if "resource" in record}
    for resource in job["resources"]:
        assert set(loaded[resource]) == {resource.removesuffix(".tres") + ".png"}


def test_ase_parser_and_aseprite_reader_read_the_variant_aseprite(made):
    sheets = made["sheets"]
    files = [sheets / f"{action}{name}.aseprite" for action in ACTIONS for name in made["names"]]
    parsed = read_with_ase_parser(files)
    for number, (path, file) in enumerate(zip(files, parsed, strict=True)):
        row = made["rows"][number % 3]
        colours = [(entry["red"], entry["green"], entry["blue"]) for entry in file["palette"]["colors"][1:]]
        assert colours == [tuple(colour) for colour in row.tolist()], path.name
        base = parsed[number - number % 3]
        for frame, base_frame in zip(file["frames"], base["frames"], strict=True):  # the same frames
            assert np.array_equal(sprite_indices(frame, SIZE[1], SIZE[0]), sprite_indices(base_frame, SIZE[1], SIZE[0]))
    if sys.version_info < (3, 12):
        return  # aseprite-reader needs Python 3.12; scripts/test.sh runs this file on 3.13 too
    try:
        import aseprite_reader
        from aseprite_reader import render
    except ImportError:
        missing(f"aseprite-reader is not installed in {sys.prefix}")
    for name, row in zip(made["names"], made["rows"], strict=True):
        file = aseprite_reader.AsepriteFile(sheets / f"walk{name}.aseprite")
        for number, frame in file.iter_frames():
            rendered = np.asarray(render.frame_to_image(file, frame).convert("RGBA")).copy()
            rendered[rendered[..., 3] == 0] = 0
            facing, step = divmod(number - 1, ACTIONS["walk"])
            expected = sprite("walk", facing, step)
            opaque = expected[..., 3] > 0
            base = made["base"]
            indices = np.array([np.flatnonzero((base == colour).all(axis=1))[0] for colour in expected[opaque][:, :3]])
            expected[opaque, :3] = row[indices]
            assert np.array_equal(rendered, expected), (name, number)


def test_with_a_target_palette_variants_index_the_target_colours_the_sprites_use(tmp_path):
    renders = tmp_path / "renders"
    for facing_index, facing in enumerate(FACINGS):
        save_png(renders / "walk" / facing / "0001.png", sprite("walk", facing_index, 0))
    extra = np.array([[0, 0, 0], [255, 0, 255], [9, 99, 199]], np.uint8)
    game = np.vstack([extra[:1], COLOURS[4:], COLOURS[2:3], extra[1:2], COLOURS[:2], COLOURS[3:4], extra[2:]])
    (tmp_path / "game.hex").write_text("".join(f"{r:02x}{g:02x}{b:02x}\n" for r, g, b in game.tolist()))
    out = tmp_path / "sprites"
    process = ["process", str(renders), "--out", str(out), "--pixel", "1", "--colors", "5"]
    assert main([*process, "--target-palette", str(tmp_path / "game.hex")]) == 0
    assert main(["palette-variant", str(out), str(tmp_path / "start.hex")]) == 0
    used = read_palette_entries(tmp_path / "start.hex")
    assert np.array_equal(used, np.vstack([COLOURS[4:], COLOURS[2:3], COLOURS[:2], COLOURS[3:4]]))  # target order
    (tmp_path / "dark.hex").write_text("".join(f"{r // 2:02x}{g // 2:02x}{b // 2:02x}\n" for r, g, b in used.tolist()))
    assert main(["sheet", str(out), "--variant", f"dark={tmp_path / 'dark.hex'}"]) == 0
    page, dark = rgba_of(out / "sheets" / "walk.png"), rgba_of(out / "sheets" / "walk.dark.png")
    opaque = page[..., 3] > 0
    assert np.array_equal(dark[opaque][:, :3], page[opaque][:, :3] // 2)


def test_atlas_pages_get_index_maps_and_normal_sheets_none_and_stay_the_same_in_every_variant(made, tmp_path, capsys):
    copy = tmp_path / "sprites"
    shutil.copytree(made["sprites"], copy)
    (copy / "normals").mkdir()  # --normals needs the folder; with no normal sprites in it, every cell is flat
    assert main(["sheet", str(copy), "--layout", "atlas", "--normals", "--max-size", "48"]) == 0
    sheets = copy / "sheets"
    pages = sorted(path.stem for path in sheets.glob("character_atlas_?.png"))
    assert len(pages) > 1  # several pages of one atlas
    for page in pages:
        assert (sheets / f"{page}_index.png").is_file() and not (sheets / f"{page}_n_index.png").exists()
        base, variant = (json.loads((sheets / f"{page}{name}.json").read_text()) for name in ("", ".blue"))
        assert variant["meta"]["normalMap"] == base["meta"]["normalMap"] == f"{page}_n.png"  # normals never change
        assert variant["frames"] == base["frames"] and variant["meta"]["image"] == f"{page}.blue.png"
    tres = (sheets / "character_atlas.blue.tres").read_text()
    assert all(f'path="{page}.blue.png"' in tres and f'path="{page}_n.png"' in tres for page in pages)


def test_a_full_256_colour_palette_gets_rgba_variants_and_an_animated_png_preview(tmp_path):
    colours = np.stack(np.meshgrid(np.arange(16) * 17, np.arange(16) * 17, indexing="ij"), axis=-1).reshape(-1, 2)
    colours = np.hstack([colours, np.full((256, 1), 90)]).astype(np.uint8)  # 256 distinct colours
    (tmp_path / "all.hex").write_text("".join(f"{r:02x}{g:02x}{b:02x}\n" for r, g, b in colours.tolist()))
    for frame in range(2):
        image = np.dstack([np.roll(colours, 16 * frame, axis=0).reshape(16, 16, 3), np.full((16, 16), 255)])
        save_png(tmp_path / "renders" / "walk" / "S" / f"{frame + 1:04d}.png", image.astype(np.uint8))
    out = tmp_path / "sprites"
    assert (
        main(
            [
                "apply",
                str(tmp_path / "renders"),
                "--palette",
                str(tmp_path / "all.hex"),
                "--out",
                str(out),
                "--pixel",
                "1",
            ]
        )
        == 0
    )
    (tmp_path / "inverted.hex").write_text(
        "".join(f"{255 - r:02x}{255 - g:02x}{255 - b:02x}\n" for r, g, b in colours.tolist())
    )
    assert main(["sheet", str(out), "--variant", f"inverted={tmp_path / 'inverted.hex'}"]) == 0
    sheets = out / "sheets"
    assert Image.open(sheets / "walk.inverted.png").mode == "RGBA"
    page, variant = rgba_of(sheets / "walk.png"), rgba_of(sheets / "walk.inverted.png")
    opaque = page[..., 3] > 0
    assert np.array_equal(variant[..., 3], page[..., 3])
    assert np.array_equal(variant[opaque][:, :3], 255 - page[opaque][:, :3])
    base, inverted = Image.open(sheets / "walk_preview.png"), Image.open(sheets / "walk_preview.inverted.png")
    assert inverted.n_frames == base.n_frames == 2
    for number in range(2):
        base.seek(number)
        inverted.seek(number)
        expected = rgba_of_image(base)
        expected[..., :3] = np.where(expected[..., 3:] > 0, 255 - expected[..., :3], 0)
        assert np.array_equal(rgba_of_image(inverted), expected)


def test_variant_options_act_only_with_sheets(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_request:
        main(["process", str(tmp_path), "--out", str(tmp_path / "out"), "--variant", "red=red.gpl"])
    assert exit_request.value.code == 2
    assert "--variant only act with --sheets" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sheet", str(tmp_path), "--variant", "red"])
    assert "expected NAME=FILE such as red=hero_red.gpl, got 'red'" in capsys.readouterr().err
