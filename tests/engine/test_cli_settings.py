"""Every fitting and downscaling option of the command line changes the output as the README says.

The command line is called in this process through ``pixel_sprites.cli.main``; its outcomes are read back from
the files it writes (sprites, ``palette.gpl``) and from its exit code.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, save_png
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites.cli import main
from pixel_sprites.engine import nearest_indices, read_palette
from pixel_sprites.engine.sprites import pipeline, small_frames


def run_cli(*args: object) -> int:
    """``main`` with ``args``; argparse's refusals (SystemExit) become their exit code like any other."""
    try:
        return main([str(arg) for arg in args])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1


def sprite_arrays(out: Path) -> dict[str, np.ndarray]:
    """Every sprite in ``out`` as RGBA, by file name (the palette strip is not a sprite)."""
    return {
        path.name: np.asarray(Image.open(path).convert("RGBA"))
        for path in sorted(out.glob("*.png"))
        if path.name != "palette.png"
    }


def sprite_colours(out: Path) -> set[tuple[int, int, int]]:
    colours: set[tuple[int, int, int]] = set()
    for rgba in sprite_arrays(out).values():
        colours |= {tuple(colour) for colour in rgba[rgba[:, :, 3] == 255][:, :3].tolist()}
    return colours


def palette_colours(out: Path) -> list[tuple[int, int, int]]:
    return [tuple(colour) for colour in read_palette(out / "palette.gpl").colors.tolist()]


def summary_colours(stdout: str) -> int:
    match = re.search(r"sprites, (\d+) colours", stdout)
    assert match, stdout
    return int(match.group(1))


def write_gradient_frames(
    folder: Path, count: int, *, shape: tuple[int, int] = (120, 96), noise: float = 1.0, shadow: float = 0.35
) -> Path:
    """Render-like frames: a body of two materials under smooth, continuous shading, with a little noise.

    The light falls continuously from 1 to ``shadow`` times the material's colour.
    """
    rng = np.random.default_rng(0)
    height, width = shape
    rows, cols = np.mgrid[0:height, 0:width] / np.array([height, width])[:, None, None]
    materials = np.array([[205, 120, 70], [70, 110, 190]], np.float64)
    for index in range(count):
        phase = 2 * np.pi * index / count
        light = shadow + (1 - shadow) * (0.5 + 0.5 * np.sin(3 * rows + 2 * cols + phase))
        rgba = np.zeros((height, width, 4))
        rgba[:, :, :3] = materials[(cols > 0.55 + 0.1 * np.sin(phase)).astype(int)] * light[:, :, None]
        rgba[:, :, :3] += rng.normal(0, noise, (height, width, 3))
        body = ((rows - 0.5) / 0.47) ** 2 + ((cols - 0.5) / 0.45) ** 2 < 1
        rgba[:, :, 3] = np.where(body, 255, 0)
        save_png(folder / f"frame_{index:04d}.png", np.clip(np.round(rgba), 0, 255).astype(np.uint8))
    return folder


@pytest.fixture(scope="module")
def truth6(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("truth6") / "renders"
    write_truth_set(folder, 6, 2, seed=5)
    return folder


@pytest.fixture(scope="module")
def truth12(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("truth12") / "renders"
    write_truth_set(folder, 12, 2, seed=12)
    return folder


# --tolerance ------------------------------------------------------------------------------------------------------

TOLERANCES = (1.0, 2.0, 3.0, 6.0)


def colours_by_tolerance(renders: Path, out: Path, pixel: int, capsys) -> dict[float, int]:
    """The palette size for each tolerance; each run's palette file holds exactly the sprites' colours."""
    counts = {}
    for tolerance in TOLERANCES:
        folder = out / f"tolerance_{tolerance}"
        code = run_cli(
            "process", renders, "--out", folder, "--pixel", pixel, "--colors", "auto",
            "--tolerance", tolerance, "--workers", 1,
        )  # fmt: skip
        stdout = capsys.readouterr().out
        assert code == 0
        palette = palette_colours(folder)
        assert len(set(palette)) == len(palette)
        # Every sprite colour is a palette colour and every palette colour is used by the sprites.
        assert sprite_colours(folder) == set(palette)
        assert summary_colours(stdout) == len(palette)
        counts[tolerance] = len(palette)
    return counts


@pytest.mark.parametrize(("noise", "shadow"), [(1.0, 0.35), (0.5, 0.15)])
def test_smaller_tolerance_gives_more_colours_on_shaded_renders(tmp_path, capsys, noise, shadow):
    renders = write_gradient_frames(tmp_path / "renders", 3, noise=noise, shadow=shadow)
    counts = colours_by_tolerance(renders, tmp_path, 4, capsys)
    # The tolerance sets an upper bound and the BIC walk below it picks the count, so neighbouring tolerances can
    # swap by a colour on smooth shading; far apart, the tighter tolerance gives more colours.
    assert counts[TOLERANCES[0]] > counts[TOLERANCES[-1]], counts


def test_smaller_tolerance_never_gives_fewer_colours_on_flat_materials(truth6, tmp_path, capsys):
    counts = colours_by_tolerance(truth6, tmp_path, 10, capsys)
    sizes = [counts[tolerance] for tolerance in TOLERANCES]
    assert sizes == sorted(sizes, reverse=True), counts  # never fewer colours for a smaller tolerance


# --max-colors -----------------------------------------------------------------------------------------------------


def test_max_colors_caps_the_automatic_count(truth12, tmp_path, capsys):
    assert run_cli("process", truth12, "--out", tmp_path / "free", "--colors", "auto", "--workers", 1) == 0
    assert len(palette_colours(tmp_path / "free")) == 12  # the cap below is what changes the outcome
    capsys.readouterr()

    for cap in (4, 7):
        out = tmp_path / f"capped_{cap}"
        code = run_cli("process", truth12, "--out", out, "--colors", "auto", "--max-colors", cap, "--workers", 1)
        stdout = capsys.readouterr().out
        assert code == 0
        palette = palette_colours(out)
        assert 1 <= len(palette) <= cap
        assert summary_colours(stdout) == len(palette)
        assert sprite_colours(out) <= set(palette)
        assert len(sprite_arrays(out)) == 2


# --seed -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_pixels(tmp_path_factory) -> Path:
    # 4 frames of 240x192 sprite pixels at --pixel 2, about 30,000 of them opaque in each: several times the reservoir.
    return write_gradient_frames(tmp_path_factory.mktemp("seed") / "renders", 4, shape=(480, 384))


def outputs(out: Path) -> dict[str, bytes]:
    """The bytes of every sprite and palette file a run wrote."""
    names = [path for path in sorted(out.iterdir()) if path.suffix in (".png", ".gpl", ".hex")]
    return {path.name: path.read_bytes() for path in names}


def test_seed_makes_runs_reproducible_and_changes_the_sample(many_pixels, tmp_path):
    def run(seed: int, attempt: int) -> dict[str, bytes]:
        out = tmp_path / f"seed{seed}_{attempt}"
        args = ["process", many_pixels, "--out", out, "--pixel", 2, "--colors", 8, "--workers", 2]
        assert run_cli(*args, "--seed", seed) == 0
        return outputs(out)

    seeds = (0, 1, 2)
    runs = {seed: run(seed, 0) for seed in seeds}
    names = {f"frame_{index:04d}.png" for index in range(4)} | {"palette.gpl", "palette.hex", "palette.png"}
    opaque = sum(int((rgba[:, :, 3] == 255).sum()) for rgba in sprite_arrays(tmp_path / "seed0_0").values())
    assert opaque > 2 * pipeline.SAMPLE_SIZE  # so the seed decides which pixels the palette is fitted to
    for seed, files in runs.items():
        assert set(files) == names
        assert run(seed, 1) == files, f"seed {seed} is not reproducible"
    # The default seed is 0.
    assert run_cli("process", many_pixels, "--out", tmp_path / "default", "--pixel", 2, "--colors", 8) == 0
    assert outputs(tmp_path / "default") == runs[0]
    differing = [seed for seed in seeds[1:] if runs[seed]["palette.gpl"] != runs[0]["palette.gpl"]]
    assert differing, "no other seed changed the palette"
    for seed in differing:
        assert any(runs[seed][name] != runs[0][name] for name in names if name.startswith("frame_"))


# --alpha-threshold ------------------------------------------------------------------------------------------------

ALPHA_SHAPE = (157, 203)  # (height, width) of the frames
ALPHA_SIZE = (37, 23)  # sprite (width, height): ratios 203/37 and 157/23 are not whole numbers


def alpha_ramps() -> list[np.ndarray]:
    """Two frames of three flat colours under soft alpha ramps that cover 0..255."""
    height, width = ALPHA_SHAPE
    rows, cols = np.mgrid[0:height, 0:width]
    frames = []
    for flip in (False, True):
        rgba = np.zeros((height, width, 4), np.uint8)
        stripes = np.array([[200, 40, 40], [40, 160, 60], [50, 70, 210]], np.uint8)
        rgba[:, :, :3] = stripes[(rows * 3) // height]
        ramp = np.clip(cols / (0.8 * (width - 1)), 0, 1)  # fully opaque over the last fifth
        if flip:
            ramp = ramp[:, ::-1]
        ramp = np.where(rows < height // 2, ramp, ramp**2)
        rgba[:, :, 3] = np.round(255 * ramp).astype(np.uint8)
        frames.append(rgba)
    return frames


def expected_opaque(rgba: np.ndarray, threshold: int) -> np.ndarray:
    """The opaque mask of the nearest-neighbour downscale: source pixel floor((i + 0.5) * n_in / n_out)."""
    width, height = ALPHA_SIZE
    rows = np.floor((np.arange(height) + 0.5) * ALPHA_SHAPE[0] / height).astype(int)
    cols = np.floor((np.arange(width) + 0.5) * ALPHA_SHAPE[1] / width).astype(int)
    np.testing.assert_array_equal(rows, nearest_indices(ALPHA_SHAPE[0], height))  # the same formula as the engine's
    return rgba[rows[:, None], cols[None, :], 3] >= threshold


def test_alpha_threshold_sets_which_pixels_are_opaque(tmp_path):
    frames = alpha_ramps()
    for index, rgba in enumerate(frames):
        save_png(tmp_path / "renders" / f"frame_{index:04d}.png", rgba)
    opaque_counts = []
    for threshold in (None, 1, 60, 128, 200, 255):
        out = tmp_path / f"out_{threshold}"
        option = [] if threshold is None else ["--alpha-threshold", threshold]
        args = ["process", tmp_path / "renders", "--out", out, "--size", "{}x{}".format(*ALPHA_SIZE), "--colors", 3]
        assert run_cli(*args, *option, "--workers", 1) == 0
        sprites = sprite_arrays(out)
        assert sorted(sprites) == ["frame_0000.png", "frame_0001.png"]
        total = 0
        for index, rgba in enumerate(frames):
            sprite = sprites[f"frame_{index:04d}.png"]
            assert sprite.shape == (ALPHA_SIZE[1], ALPHA_SIZE[0], 4)
            assert set(np.unique(sprite[:, :, 3]).tolist()) <= {0, 255}
            mask = expected_opaque(rgba, 128 if threshold is None else threshold)
            np.testing.assert_array_equal(sprite[:, :, 3] == 255, mask)
            assert int((sprite[:, :, 3] == 255).sum()) == int(mask.sum())
            total += int(mask.sum())
        if threshold is None:
            default_total = total
        else:
            opaque_counts.append(total)
    assert default_total == opaque_counts[2]  # the default is 128
    assert opaque_counts == sorted(set(opaque_counts), reverse=True), opaque_counts  # strictly fewer
    assert opaque_counts[-1] > 0


def test_sampling_majority_removes_the_speckle_that_noise_gives_nearest_sampling(tmp_path):
    renders = tmp_path / "renders"
    write_truth_set(renders, 6, 2, noise=18.0, seed=6)

    def speckled_share(sampling: str | None) -> float:
        out = tmp_path / f"out_{sampling}"
        option = [] if sampling is None else ["--sampling", sampling]
        assert run_cli("process", renders, "--out", out, "--size", "64x90", "--colors", 6, *option) == 0
        shares = []
        for rgba in sprite_arrays(out).values():
            codes = rgba[:, :, :3].astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
            opaque = rgba[:, :, 3] == 255
            centre = codes[1:-1, 1:-1]
            lonely = opaque[1:-1, 1:-1].copy()
            for neighbour in (codes[:-2, 1:-1], codes[2:, 1:-1], codes[1:-1, :-2], codes[1:-1, 2:]):
                lonely &= centre != neighbour
            shares.append(lonely.sum() / opaque.sum())
        return float(np.mean(shares))

    nearest, default, majority = speckled_share("nearest"), speckled_share(None), speckled_share("majority")
    assert default == nearest  # nearest is the default
    assert majority < 0.2 * nearest
    assert palette_colours(tmp_path / "out_majority") == palette_colours(tmp_path / "out_nearest")


# Bad values --------------------------------------------------------------------------------------------------------


@pytest.fixture
def small_renders(tmp_path) -> Path:
    return write_gradient_frames(tmp_path / "renders", 2, shape=(60, 48))


@pytest.fixture
def read_marker(tmp_path, monkeypatch) -> Path:
    """A file that appears when any frame is read (the spy reaches forked worker processes too)."""
    marker = tmp_path / "a_frame_was_read"
    original = small_frames.read_frame

    def spying_read_frame(path):
        marker.touch()
        return original(path)

    monkeypatch.setattr(small_frames, "read_frame", spying_read_frame)
    return marker


def test_the_read_spy_sees_frames_being_read(small_renders, read_marker, tmp_path):
    """The control for the refusals below: a valid run does trip the spy."""
    out = tmp_path / "out"
    assert run_cli("process", small_renders, "--out", out, "--pixel", 4, "--colors", 255, "--indexed") == 0
    assert read_marker.exists()
    assert Image.open(out / "frame_0000.png").mode == "P"


BAD_VALUES = [
    (["--colors", "1000"], ["--colors"]),
    (["--colors", "0"], ["--colors"]),
    (["--tolerance", "0"], ["--tolerance"]),
    (["--tolerance", "-1"], ["--tolerance"]),
    (["--max-colors", "0"], ["--max-colors"]),
    (["--alpha-threshold", "0"], ["--alpha-threshold"]),
    (["--alpha-threshold", "256"], ["--alpha-threshold"]),
    (["--pixel", "0"], ["--pixel"]),
    (["--sampling", "median"], ["--sampling"]),
    # 256 colours and the transparent entry do not fit the 256 entries of a paletted PNG.
    (["--colors", "256", "--indexed"], ["--colors", "--indexed"]),
]


@pytest.mark.parametrize(("options", "names"), BAD_VALUES, ids=[" ".join(options) for options, _ in BAD_VALUES])
def test_bad_values_are_refused_before_any_frame_is_read(small_renders, read_marker, tmp_path, capsys, options, names):
    before = file_digests(small_renders)
    out = tmp_path / "out"
    pixel = [] if "--pixel" in options else ["--pixel", "4"]
    code = run_cli("process", small_renders, "--out", out, *pixel, *options)
    stderr = capsys.readouterr().err
    written = sorted(path.name for path in out.rglob("*")) if out.exists() else []
    problems = []  # all of them at once, so that one failure tells the whole story
    if code != 2:
        problems.append(f"exit code {code}, not 2")
    if not any(name in stderr for name in names):
        problems.append(f"no mention of {' or '.join(names)} on stderr")
    if read_marker.exists():
        problems.append("refused only after frames were read")
    if written:
        problems.append(f"files left in the output folder: {written}")
    assert not problems, f"{' '.join(options)}: {'; '.join(problems)}; stderr: {stderr!r}"
    assert file_digests(small_renders) == before
