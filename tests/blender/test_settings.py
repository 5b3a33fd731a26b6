"""Each scene setting of the add-on changes the sprites as documented, in real Blender.

The engine is driven the cheap way: frames written with numpy/Pillow into a folder set as the scene's
Renders Folder, then Process Renders, which runs at once in background mode. The tolerance is also checked
on the demo character rendered by Cycles.
"""

from __future__ import annotations

import json
from pathlib import Path

import bpy
import numpy as np
import pytest
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites.engine import options, read_palette

PALETTE_NAME = "character"


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def process(source: Path, out: Path, **settings: object) -> Path:
    """Process the frames in ``source`` into ``out`` with the given scene settings; returns ``out``."""
    props = bpy.context.scene.pixel_sprites
    props.source_folder = str(source)
    props.output_folder = str(out)
    for name, value in settings.items():
        setattr(props, name, value)
    assert bpy.ops.pixel_sprites.process() == {"FINISHED"}
    assert props.last_summary and not props.last_summary.startswith("Error"), props.last_summary
    return out


def sprite_paths(out: Path) -> list[Path]:
    """The sprites in ``out`` (the palette strip ``character.png`` is not a sprite)."""
    return sorted(path for path in out.glob("*.png") if path.name != f"{PALETTE_NAME}.png")


def palette_set(out: Path) -> set[tuple[int, int, int]]:
    """The colours of ``out/character.gpl``, checked to be distinct."""
    colours = [tuple(colour) for colour in read_palette(out / f"{PALETTE_NAME}.gpl").colors.tolist()]
    assert len(set(colours)) == len(colours)
    return set(colours)


def rgba(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def opaque_colours(path: Path) -> set[tuple[int, int, int]]:
    pixels = rgba(path)
    alpha = pixels[:, :, 3]
    assert set(np.unique(alpha).tolist()) <= {0, 255}, f"{path.name} has half-transparent pixels"
    return {tuple(colour) for colour in pixels[alpha == 255][:, :3].tolist()}


def sprite_colours(out: Path) -> set[tuple[int, int, int]]:
    """All opaque colours of all sprites in ``out``."""
    colours: set[tuple[int, int, int]] = set()
    for path in sprite_paths(out):
        colours |= opaque_colours(path)
    return colours


def assert_palette_matches_sprites(out: Path, frame_names: list[str]) -> set[tuple[int, int, int]]:
    """Every frame has its sprite, and the sprites use exactly the colours of ``character.gpl``."""
    assert [path.name for path in sprite_paths(out)] == frame_names
    palette = palette_set(out)
    for path in sprite_paths(out):
        assert opaque_colours(path) <= palette, path.name
    assert sprite_colours(out) == palette
    shown = {tuple(round(c * 255) for c in item.color) for item in bpy.context.scene.pixel_sprites.palette}
    assert shown == palette  # the panel's swatches
    return palette


def run_report(out: Path) -> dict:
    """The JSON report the run wrote beside its sprites."""
    return json.loads((out / f"{PALETTE_NAME}_report.json").read_text(encoding="utf-8"))


def frame_names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.png"))


def write_gradient_frames(folder: Path, count: int = 3, size: tuple[int, int] = (60, 48), seed: int = 0) -> None:
    """Frames of continuous colour (gradients and noise) on an ellipse whose alpha fades out over a wide rim."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    height, width = size
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    radius = np.sqrt(((rows - height / 2) / (height * 0.48)) ** 2 + ((cols - width / 2) / (width * 0.48)) ** 2)
    alpha = np.clip((1.0 - radius) / 0.4, 0.0, 1.0) * 255  # opaque in the middle, a soft ramp to 0 at the rim
    for index in range(count):
        frame = np.empty((height, width, 4))
        frame[:, :, 0] = 255 * rows / height
        frame[:, :, 1] = 255 * cols / width
        frame[:, :, 2] = 128 + 110 * np.sin(rows / 7.0 + cols / 5.0 + index)
        frame[:, :, :3] += rng.normal(0, 4, (height, width, 3))
        frame[:, :, 3] = alpha
        pixels = np.clip(np.round(frame), 0, 255).astype(np.uint8)
        Image.fromarray(pixels, "RGBA").save(folder / f"frame_{index:04d}.png")


def write_hex(path: Path, colours: list[tuple[int, int, int]]) -> Path:
    path.write_text("".join(f"#{r:02x}{g:02x}{b:02x}\n" for r, g, b in colours), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------------
# Colours


def test_smaller_tolerance_gives_more_colours_on_the_rendered_character(character, tmp_path):
    character.pixel_sprites.enabled = False  # render only: the sprites are made below, once per tolerance
    bpy.ops.render.render(animation=True)
    renders = tmp_path / "renders"
    names = frame_names(renders)
    assert names == [f"{frame:04d}.png" for frame in range(1, 9)]

    counts = {}
    for tolerance in (20.0, 12.0, 8.0):
        out = process(renders, renders / f"tolerance_{tolerance:g}", auto_colors=True, tolerance=tolerance)
        counts[tolerance] = len(assert_palette_matches_sprites(out, names))
        report = run_report(out)
        assert report["fit_settings"]["tolerance"] == pytest.approx(tolerance)
        assert report["fit_settings"]["colors"] is None  # automatic
    assert counts[20.0] <= counts[12.0] <= counts[8.0], counts
    assert counts[20.0] < counts[8.0], counts


def test_max_colors_caps_the_automatic_count(tmp_path):
    frames = tmp_path / "frames"
    write_truth_set(frames, 12, 2, seed=3)  # 12 flat colours: automatic finds more than 4
    names = frame_names(frames)

    capped = process(frames, frames / "max_4", auto_colors=True, max_colors=4)
    palette = assert_palette_matches_sprites(capped, names)
    assert 1 < len(palette) <= 4
    for path in sprite_paths(capped):
        assert len(opaque_colours(path)) <= 4

    wider = process(frames, frames / "max_8", auto_colors=True, max_colors=8)
    assert 4 < len(assert_palette_matches_sprites(wider, names)) <= 8


def test_same_seed_gives_byte_identical_sprites_and_the_seed_changes_the_palette(tmp_path):
    frames = tmp_path / "frames"
    write_gradient_frames(frames, count=3, size=(120, 96))  # continuous colour, more pixels than the sample
    names = frame_names(frames)
    fixed = {"auto_colors": False, "colors": 8, "pixel": 1}

    first = process(frames, frames / "seed_5_a", seed=5, **fixed)
    second = process(frames, frames / "seed_5_b", seed=5, **fixed)
    assert [path.name for path in sprite_paths(first)] == names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "character.gpl").read_bytes() == (second / "character.gpl").read_bytes()

    palettes = {}
    for seed in (0, 1, 2, 5):
        out = process(frames, frames / f"seed_{seed}", seed=seed, **fixed)
        report = run_report(out)
        assert report["fit_settings"]["seed"] == seed
        palettes[seed] = frozenset(assert_palette_matches_sprites(out, names))
    assert palettes[5] == palette_set(first)
    assert len(set(palettes.values())) > 1  # the seed reaches the sample and the clustering


def test_method_changes_the_palette_and_kmeans_gives_the_exact_count(tmp_path):
    frames = tmp_path / "frames"
    write_truth_set(frames, 12, 2, seed=4)
    names = frame_names(frames)

    kmeans = process(frames, frames / "kmeans", auto_colors=False, colors=6, method="kmeans-lab")
    kmeans_palette = assert_palette_matches_sprites(kmeans, names)
    assert len(kmeans_palette) == 6

    meanshift = process(frames, frames / "meanshift", auto_colors=False, colors=6, method="meanshift-seed")
    meanshift_palette = assert_palette_matches_sprites(meanshift, names)
    assert meanshift_palette != kmeans_palette
    report = run_report(meanshift)
    assert report["fit_settings"]["method"] == "meanshift-seed"


def test_target_palette_limits_sprites_to_its_colours(tmp_path):
    frames = tmp_path / "frames"
    write_truth_set(frames, 8, 2, seed=5)
    names = frame_names(frames)
    target = [(20, 20, 30), (200, 40, 40), (40, 160, 60), (60, 80, 200), (240, 230, 200)]
    hex_path = write_hex(tmp_path / "game.hex", target)

    out = process(frames, frames / "mapped", auto_colors=False, colors=8, target_palette=str(hex_path))
    assert [path.name for path in sprite_paths(out)] == names
    used = set()
    for path in sprite_paths(out):
        colours = opaque_colours(path)
        assert colours, f"{path.name} has no opaque pixel"
        assert colours <= set(target), path.name
        used |= colours
    assert len(used) >= 3  # mapped to several target colours, not all to one
    shown = {tuple(round(c * 255) for c in item.color) for item in bpy.context.scene.pixel_sprites.palette}
    assert shown == used
    report = run_report(out)
    assert report["target_palette"] == [f"{r:02x}{g:02x}{b:02x}" for r, g, b in target]


def test_indexed_writes_paletted_pngs_with_a_transparent_index(tmp_path):
    frames = tmp_path / "frames"
    write_truth_set(frames, 6, 2, seed=6)
    names = frame_names(frames)
    same = {"auto_colors": False, "colors": 6}

    paletted = process(frames, frames / "indexed", indexed=True, **same)
    plain = process(frames, frames / "rgba", indexed=False, **same)
    palette = palette_set(paletted)
    assert palette == palette_set(plain)
    assert [path.name for path in sprite_paths(paletted)] == names
    for name in names:
        with Image.open(paletted / name) as image:
            assert image.mode == "P"
            transparent = image.info.get("transparency")
            assert isinstance(transparent, int)
            entries = np.array(image.getpalette()[: 3 * (len(palette) + 1)], dtype=np.uint8).reshape(-1, 3)
            indices = np.asarray(image)
        others = [tuple(colour) for index, colour in enumerate(entries.tolist()) if index != transparent]
        assert set(others) == palette  # every sprite carries the character's palette
        assert (indices == transparent).any() and (indices != transparent).any()
        as_rgba = rgba(paletted / name)
        assert ((as_rgba[:, :, 3] == 0) == (indices == transparent)).all()
        with Image.open(plain / name) as image:
            assert image.mode == "RGBA"
        plain_rgba = rgba(plain / name)
        assert (as_rgba[:, :, 3] == plain_rgba[:, :, 3]).all()
        opaque = plain_rgba[:, :, 3] == 255
        assert (as_rgba[opaque] == plain_rgba[opaque]).all()  # the same sprite, only stored differently


def test_higher_alpha_threshold_gives_fewer_opaque_pixels(tmp_path):
    frames = tmp_path / "frames"
    write_gradient_frames(frames, count=2)
    names = frame_names(frames)
    alpha = rgba(frames / names[0])[:, :, 3]

    opaque_counts = []
    for threshold in (16, 128, 240):
        out = process(frames, frames / f"alpha_{threshold}", auto_colors=False, colors=4, pixel=1,
                      alpha_threshold=threshold)  # fmt: skip
        sprite_alpha = rgba(out / names[0])[:, :, 3]
        assert set(np.unique(sprite_alpha).tolist()) == {0, 255}
        # At one sprite pixel per render pixel, opaque is exactly "alpha at or above the threshold".
        assert ((sprite_alpha == 255) == (alpha >= threshold)).all()
        opaque_counts.append(int((sprite_alpha == 255).sum()))
    assert opaque_counts[0] > opaque_counts[1] > opaque_counts[2] > 0, opaque_counts


def test_majority_sampling_takes_each_block_s_most_common_palette_colour(tmp_path):
    frames = tmp_path / "frames"
    # One material, and in the centre of every other 10x10 block (the pixel nearest sampling keeps) a speck of
    # another: the palette, fitted to nearest samples, has both colours.
    speckled = np.zeros((90, 60, 4), np.uint8)
    speckled[:, :] = (200, 40, 40, 255)
    speckled[5::20, 5::10] = (40, 200, 40, 255)
    frames.mkdir()
    Image.fromarray(speckled, "RGBA").save(frames / "frame_0001.png")
    nearest = process(frames, frames / "nearest", auto_colors=False, colors=2, pixel=10)
    majority = process(frames, frames / "majority", auto_colors=False, colors=2, pixel=10, sampling="majority")
    assert palette_set(majority) == palette_set(nearest) == {(200, 40, 40), (40, 200, 40)}
    assert opaque_colours(nearest / "frame_0001.png") == {(200, 40, 40), (40, 200, 40)}
    assert opaque_colours(majority / "frame_0001.png") == {(200, 40, 40)}
    assert bpy.context.scene.pixel_sprites.downscale_settings().sampling == "majority"


# ---------------------------------------------------------------------------------------------------------------
# Ranges


@pytest.mark.parametrize(
    ("name", "option"),
    [
        ("pixel", options.PIXEL),
        ("width", options.WIDTH),
        ("height", options.HEIGHT),
        ("alpha_threshold", options.ALPHA_THRESHOLD),
        ("colors", options.COLORS),
        ("max_colors", options.MAX_COLORS),
        ("tolerance", options.TOLERANCE),
        ("seed", options.SEED),
        ("sheet_extrude", options.EXTRUDE),
    ],
)
def test_property_range_and_default_are_the_shared_option(name, option):
    settings = bpy.context.scene.pixel_sprites
    prop = type(settings).bl_rna.properties[name]
    assert prop.hard_min == pytest.approx(option.minimum, rel=1e-6)
    assert prop.hard_max == pytest.approx(option.maximum, rel=1e-6)
    assert prop.default == pytest.approx(option.default, rel=1e-6)
    assert getattr(settings, name) == pytest.approx(option.default, rel=1e-6)
    # Blender holds what the option allows and nothing beyond it: out of range is clamped to the bounds,
    # and the bounds themselves pass the option's own check.
    if option.maximum < 2**31 - 1:  # one more than the seed's maximum is not even a 32-bit integer
        setattr(settings, name, option.maximum + 1)
        assert getattr(settings, name) == pytest.approx(option.maximum, rel=1e-6)
    setattr(settings, name, option.maximum)
    assert getattr(settings, name) == pytest.approx(option.maximum, rel=1e-6)
    assert option.problem(getattr(settings, name)) is None
    setattr(settings, name, option.minimum - 1)
    assert getattr(settings, name) == pytest.approx(option.minimum, rel=1e-6)
    assert option.problem(getattr(settings, name)) is None


@pytest.mark.parametrize(("name", "option"), [("method", options.METHOD), ("sampling", options.SAMPLING)])
def test_menu_items_are_the_shared_choices(name, option):
    prop = type(bpy.context.scene.pixel_sprites).bl_rna.properties[name]
    assert tuple(item.identifier for item in prop.enum_items) == option.choices
    assert prop.default == option.default


def test_small_tolerance_is_held_exactly_and_reaches_the_engine():
    settings = bpy.context.scene.pixel_sprites
    settings.tolerance = 0.2
    assert abs(settings.tolerance - 0.2) < 1e-6
    assert abs(settings.palette_settings().tolerance - 0.2) < 1e-6
    settings.tolerance = 0.01  # below the option's minimum: Blender clamps it there
    assert settings.tolerance == pytest.approx(options.TOLERANCE.minimum, rel=1e-6)


def test_packed_sheets_reach_the_sheet_options_and_extrude_acts_only_with_them():
    settings = bpy.context.scene.pixel_sprites
    assert (settings.sheet_options().packed, settings.sheet_options().extrude) == (False, 0)  # fixed cells by default
    settings.sheet_extrude = 2
    assert (settings.sheet_options().packed, settings.sheet_options().extrude) == (False, 0)
    settings.sheet_packed = True
    assert (settings.sheet_options().packed, settings.sheet_options().extrude) == (True, 2)
    settings.sheet_packed, settings.sheet_extrude = False, 0


def test_the_clean_up_settings_are_the_shared_options_and_reach_the_job(tmp_path):
    from pixel_sprites.blender.sprites import settings_problem
    from pixel_sprites.engine.sprites.finishing import FinishSettings

    settings = bpy.context.scene.pixel_sprites
    properties = type(settings).bl_rna.properties
    for name, option in (("outline", options.OUTLINE), ("outline_neighbours", options.OUTLINE_NEIGHBOURS)):
        assert tuple(item.identifier for item in properties[name].enum_items) == option.choices
        assert properties[name].default == option.default
    assert (settings.outline_colour, settings.cleanup) == ("auto", False)
    panel = bpy.types.PIXEL_SPRITES_PT_cleanup
    assert (panel.bl_label, panel.bl_parent_id) == ("Clean-up", "PIXEL_SPRITES_PT_main")
    assert settings.sprite_job(tmp_path).finish is None  # off: the job is today's
    settings.outline, settings.outline_colour, settings.outline_neighbours, settings.cleanup = (
        "outer",
        "#0a0b0c",
        "8",
        True,
    )
    assert settings.sprite_job(tmp_path).finish == FinishSettings("outer", (10, 11, 12), 8, True)
    assert settings_problem(bpy.context.scene) is None
    settings.outline_colour = "dark"
    assert settings_problem(bpy.context.scene) == "--outline-colour: expected auto or #RRGGBB, got 'dark'"


def test_steady_colours_is_the_shared_option_and_reaches_the_job(tmp_path):
    settings = bpy.context.scene.pixel_sprites
    prop = type(settings).bl_rna.properties["stabilise"]
    assert (prop.name, prop.default) == (options.STABILISE.label, options.STABILISE.default)
    assert prop.description.startswith("Within each animation a sprite pixel keeps its palette colour")
    assert settings.sprite_job(tmp_path).stabilise is False  # off by default: the job is today's
    settings.stabilise = True
    for job in (settings.sprite_job(tmp_path), settings.sprite_job(tmp_path, frames_at_sprite_size=True)):
        assert job.stabilise is True and job.output_settings().stabilise is True
