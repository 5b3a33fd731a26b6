"""Block-majority downscaling, held to its definition on small arrays."""

import numpy as np
import pytest
from helpers import save_png
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites import engine
from pixel_sprites.engine.colour.palette import Palette
from pixel_sprites.engine.colour.spaces import lab_to_din99o, srgb_to_lab
from pixel_sprites.engine.palette.majority import MajorityDownscaler, block_edges

RED, GREEN, BLUE = (200, 30, 30), (30, 200, 30), (30, 30, 200)
PALETTE = Palette.from_colors([RED, GREEN, BLUE])


def frame_of(colours: list[list[tuple[int, int, int]]], alpha: list[list[int]] | None = None) -> np.ndarray:
    rgb = np.array(colours, dtype=np.uint8)
    alpha_array = np.full(rgb.shape[:2], 255, np.uint8) if alpha is None else np.array(alpha, np.uint8)
    return np.dstack([rgb, alpha_array])


def test_block_edges_split_evenly_and_cover_every_pixel():
    np.testing.assert_array_equal(block_edges(640, 64), np.arange(65) * 10)
    edges = block_edges(10, 4)
    assert edges[0] == 0 and edges[-1] == 10
    assert set(np.diff(edges)) <= {2, 3}
    with pytest.raises(ValueError, match="cannot split 3 pixels into 4"):
        block_edges(3, 4)


def test_each_sprite_pixel_takes_the_colour_most_of_its_block_is_nearest_to():
    # Two 2x2 blocks side by side. Left: three near-red pixels and one green; right: two blue, one red, one green.
    frame = frame_of(
        [
            [(190, 40, 35), (210, 25, 20), (30, 30, 200), (28, 35, 190)],
            [(205, 35, 28), (35, 190, 40), (200, 30, 30), (30, 200, 30)],
        ]
    )
    downscaler = MajorityDownscaler((2, 4), (1, 2), PALETTE)
    indices = downscaler.palette_indices(frame)
    red, _, blue = (PALETTE.hex_codes().index(f"{r:02x}{g:02x}{b:02x}") for r, g, b in (RED, GREEN, BLUE))
    np.testing.assert_array_equal(indices, [[red, blue]])
    sprite = downscaler(frame)
    np.testing.assert_array_equal(sprite[0, 0], (*RED, 255))
    np.testing.assert_array_equal(sprite[0, 1], (*BLUE, 255))


def test_the_majority_ignores_the_single_sample_nearest_downscaling_would_take():
    """The speckle case: the block's centre pixel is noise, the rest of the block is one material."""
    block = [[RED] * 3 for _ in range(3)]
    block[1][1] = (40, 210, 40)  # the pixel at the centre of the 3x3 block: what nearest sampling keeps
    sprite = MajorityDownscaler((3, 3), (1, 1), PALETTE)(frame_of(block))
    np.testing.assert_array_equal(sprite[0, 0], (*RED, 255))


def test_a_block_is_opaque_when_most_of_its_pixels_are():
    colours = [[RED] * 4, [RED] * 4]
    # Left block: 3 of 4 pixels opaque. Right block: 2 of 4, not a majority.
    alpha = [[255, 128, 255, 0], [127, 255, 0, 255]]
    downscaler = MajorityDownscaler((2, 4), (1, 2), PALETTE, alpha_threshold=128)
    sprite = downscaler(frame_of(colours, alpha))
    np.testing.assert_array_equal(sprite[0, 0], (*RED, 255))
    np.testing.assert_array_equal(sprite[0, 1], (0, 0, 0, 0))
    np.testing.assert_array_equal(downscaler.palette_indices(frame_of(colours, alpha))[0, 1], -1)


def test_transparent_pixels_do_not_vote():
    # The block is opaque (3 of 4), and its one transparent pixel is green: the colour stays red.
    colours = [[RED, RED], [RED, GREEN]]
    sprite = MajorityDownscaler((2, 2), (1, 1), PALETTE)(frame_of(colours, [[255, 255], [255, 0]]))
    np.testing.assert_array_equal(sprite[0, 0], (*RED, 255))


def test_a_tie_goes_to_the_lowest_palette_index_and_the_result_repeats():
    colours = [[RED, BLUE], [BLUE, RED]]
    downscaler = MajorityDownscaler((2, 2), (1, 1), PALETTE)
    first = downscaler.palette_indices(frame_of(colours))
    tied = sorted(PALETTE.hex_codes().index(f"{r:02x}{g:02x}{b:02x}") for r, g, b in (RED, BLUE))
    assert first[0, 0] == tied[0]
    np.testing.assert_array_equal(downscaler.palette_indices(frame_of(colours)), first)


def test_uneven_blocks_and_a_fully_transparent_frame(rng):
    rgba = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    downscaler = MajorityDownscaler((7, 11), (3, 4), PALETTE)
    indices = downscaler.palette_indices(rgba)
    assert indices.shape == (3, 4) and indices.min() >= 0
    # Each sprite pixel matches the majority of its block, computed pixel by pixel here.
    rows, cols = block_edges(7, 3), block_edges(11, 4)
    lab = PALETTE.din99o
    for row in range(3):
        for col in range(4):
            block = rgba[rows[row] : rows[row + 1], cols[col] : cols[col + 1], :3].reshape(-1, 3)
            nearest = np.argmin(np.linalg.norm(lab_to_din99o(srgb_to_lab(block))[:, None] - lab[None], axis=2), axis=1)
            assert indices[row, col] == np.argmax(np.bincount(nearest, minlength=len(PALETTE)))
    rgba[..., 3] = 0
    assert (downscaler(rgba) == 0).all()


def test_a_frame_of_another_size_is_refused():
    with pytest.raises(ValueError, match="expects"):
        MajorityDownscaler((4, 4), (2, 2), PALETTE)(np.zeros((4, 6, 4), np.uint8))


# ---------------------------------------------------------------- in a run


def run_with(tmp_path, renders, sampling, name, **output_options):
    return engine.process(
        engine.discover_frames([renders]),
        [renders],
        engine.DownscaleSettings(size=(64, 90), sampling=sampling),
        engine.PaletteSettings(colors=8),
        engine.OutputSettings(folder=tmp_path / name, **output_options),
    )


def sprites_of(folder):
    return [np.asarray(Image.open(path).convert("RGBA")) for path in sorted(folder.glob("frame_*.png"))]


@pytest.fixture(scope="module")
def noisy_renders(tmp_path_factory):
    renders = tmp_path_factory.mktemp("noisy") / "renders"
    _, truths = write_truth_set(renders, 8, 3, noise=18.0, seed=8)
    return renders, truths


def test_majority_sprites_are_the_painted_sprites_where_nearest_ones_are_speckled(tmp_path, noisy_renders):
    renders, truths = noisy_renders
    run_with(tmp_path, renders, "nearest", "nearest")
    majority = run_with(tmp_path, renders, "majority", "majority")
    # The palette is fitted as with nearest sampling; only the sprites differ.
    assert (tmp_path / "majority" / "palette.gpl").read_bytes() == (tmp_path / "nearest" / "palette.gpl").read_bytes()
    palette = {tuple(colour) for colour in engine.Palette.from_hex_codes(majority.palette).colors.tolist()}

    def wrong_share(sprites):
        wrong = total = 0
        for sprite, truth in zip(sprites, truths, strict=True):
            inside = (truth.sprite[:, :, 3] == 255) & (sprite[:, :, 3] == 255)
            # Each painted colour becomes one palette colour: the one most of its pixels got.
            wrong += int((sprite[inside, :3] != _mapped(sprite, truth)[inside]).any(axis=1).sum())
            total += int(inside.sum())
        return wrong / total

    majority_sprites = sprites_of(tmp_path / "majority")
    assert {tuple(pixel) for sprite in majority_sprites for pixel in sprite[sprite[:, :, 3] == 255][:, :3]} <= palette
    assert wrong_share(majority_sprites) < 0.01 < 0.05 < wrong_share(sprites_of(tmp_path / "nearest"))
    assert majority.frames_written == 3
    assert majority.delta_e_mean > 0


def _mapped(sprite, truth):
    """The sprite's most common colour for each painted colour, painted where that colour is."""
    mapped = np.zeros_like(sprite[:, :, :3])
    codes = truth.sprite[:, :, :3].astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    for code in np.unique(codes[truth.sprite[:, :, 3] == 255]):
        where = (codes == code) & (truth.sprite[:, :, 3] == 255) & (sprite[:, :, 3] == 255)
        colours, counts = np.unique(sprite[where, :3], axis=0, return_counts=True)
        mapped[codes == code] = colours[np.argmax(counts)]
    return mapped


def test_majority_takes_the_character_palette_before_the_target_palette(tmp_path, noisy_renders):
    renders, _ = noisy_renders
    target = engine.Palette.from_colors([(0, 0, 0), (255, 255, 255), (255, 0, 0), (0, 0, 255)])
    report = run_with(tmp_path, renders, "majority", "targeted", target=target)
    sprites = sprites_of(tmp_path / "targeted")
    colours = {tuple(pixel) for sprite in sprites for pixel in sprite[sprite[:, :, 3] == 255][:, :3]}
    assert colours <= {tuple(colour) for colour in target.colors.tolist()}
    assert report.frames_written == 3


def test_locked_palette_runs_sample_by_majority_too(tmp_path, noisy_renders):
    renders, _ = noisy_renders
    processed = run_with(tmp_path, renders, "majority", "processed")
    engine.apply(
        engine.discover_frames([renders]),
        [renders],
        engine.DownscaleSettings(size=(64, 90), sampling="majority"),
        engine.Palette.from_hex_codes(processed.palette),
        engine.OutputSettings(folder=tmp_path / "applied"),
    )
    for name in (f"frame_{index:04d}.png" for index in range(3)):
        assert (tmp_path / "applied" / name).read_bytes() == (tmp_path / "processed" / name).read_bytes()


def test_frames_smaller_than_the_sprite_are_refused_by_name(tmp_path):
    from pixel_sprites import engine

    save_png(tmp_path / "renders" / "tiny.png", np.full((40, 30, 4), 255, np.uint8))
    with pytest.raises(engine.SetupError, match=r"tiny\.png.*30x40 is smaller than the 64x90 sprite.*majority"):
        run_with(tmp_path, tmp_path / "renders", "majority", "out")
