"""``--cleanup`` and ``--outline`` through the command line: the sprites, the palette files, the normal sprites,
and the refusals (a bad colour, a colour outside a locked palette, one too many for a paletted PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests
from PIL import Image
from synthetic import distinct_colours, truth_frame

from pixel_sprites.cli import main
from pixel_sprites.engine.palette.files import read_palette

SCALE = 4


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outline") / "renders"
    folder.mkdir()
    colours = distinct_colours(5, seed=3)
    for index in range(2):
        truth = truth_frame(colours, shape=(24, 18), scale=SCALE, noise=12.0, seed=index)
        frame = np.zeros((28 * SCALE, 22 * SCALE, 4), np.uint8)  # room around the body for an outline
        frame[2 * SCALE : 26 * SCALE, 2 * SCALE : 20 * SCALE] = truth.render
        Image.fromarray(frame, "RGBA").save(folder / f"frame_{index}.png")
    return folder


def _sprites(folder: Path) -> dict[str, np.ndarray]:
    return {path.name: np.asarray(Image.open(path).convert("RGBA")) for path in sorted(folder.glob("frame_*.png"))}


def _process(renders: Path, out: Path, *extra: str) -> int:
    return main(["process", str(renders), "--out", str(out), "--pixel", str(SCALE), "--colors", "5",
                 "--workers", "1", *extra])  # fmt: skip


def test_outline_and_cleanup_change_only_what_they_define(renders: Path, tmp_path: Path) -> None:
    assert _process(renders, tmp_path / "plain") == 0
    assert _process(renders, tmp_path / "lined", "--outline", "outer", "--outline-color", "#102030", "--cleanup") == 0
    plain, lined = _sprites(tmp_path / "plain"), _sprites(tmp_path / "lined")
    for name, sprite in plain.items():
        opaque = sprite[:, :, 3] > 0
        outline = (lined[name][:, :, 3] > 0) & ~opaque
        assert outline.any() and (lined[name][outline, :3] == (0x10, 0x20, 0x30)).all()
        assert ((lined[name][:, :, 3] > 0) == opaque | outline).all()  # the silhouette itself is kept
        changed = (lined[name][opaque] != sprite[opaque]).any(axis=1).mean()
        assert changed < 0.04  # clean-up recolours specks only
    palette = read_palette(tmp_path / "lined" / "palette.gpl")
    assert len(palette) == 6 and tuple(palette.colors[-1]) == (0x10, 0x20, 0x30)  # the given colour is added
    assert len(read_palette(tmp_path / "plain" / "palette.gpl")) == 5


def test_every_outline_spelling_and_mode_runs_and_off_is_today(renders: Path, tmp_path: Path) -> None:
    assert _process(renders, tmp_path / "a") == 0
    assert _process(renders, tmp_path / "b", "--outline", "none", "--outline-colour", "auto",
                    "--outline-neighbours", "4") == 0  # fmt: skip
    same = {name: digest for name, digest in file_digests(tmp_path / "a").items() if "report" not in name}
    assert same == {name: digest for name, digest in file_digests(tmp_path / "b").items() if "report" not in name}
    for mode in ("inner", "selout"):
        out = tmp_path / mode
        assert _process(renders, out, "--outline", mode, "--outline-neighbors", "8", "--indexed") == 0
        assert len(read_palette(out / "palette.gpl")) == 5  # auto and selout add no colour
        with Image.open(out / "frame_0.png") as image:
            assert image.mode == "P"


def test_refusals_name_the_option(renders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as bad:
        _process(renders, tmp_path / "x", "--outline", "outer", "--outline-colour", "black")
    assert bad.value.code == 2 and "--outline-colour" in capsys.readouterr().err
    for given, problem in (
        (["--outline", "selout", "--outline-colour", "#000000"], "only acts with --outline outer or inner"),
        (["--cleanup", "--outline-neighbours", "8"], "--outline-neighbours 8 only acts with an --outline"),
    ):
        with pytest.raises(SystemExit) as idle:
            _process(renders, tmp_path / "x", *given)
        assert idle.value.code == 2 and problem in capsys.readouterr().err
    code = _process(renders, tmp_path / "y", "--outline", "outer", "--outline-colour", "#000001", "--indexed",
                    "--colors", "255")  # fmt: skip
    assert code == 2 and "--outline-colour" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()  # refused before any work
    assert _process(renders, tmp_path / "fit") == 0
    capsys.readouterr()
    code = main(["apply", str(renders), "--out", str(tmp_path / "z"), "--pixel", str(SCALE), "--workers", "1",
                 "--palette", str(tmp_path / "fit" / "palette.gpl"), "--outline", "outer",
                 "--outline-colour", "#010203"])  # fmt: skip
    error = capsys.readouterr().err
    assert code == 2 and "--outline-colour #010203 is not in the locked palette" in error
    assert not (tmp_path / "z").exists()


def test_normal_sprites_follow_the_outline(renders: Path, tmp_path: Path) -> None:
    normals = tmp_path / "normal_renders"
    normals.mkdir()
    for path in renders.glob("*.png"):
        flat = np.zeros((*np.asarray(Image.open(path)).shape[:2], 3), np.uint8)
        flat[:] = (128, 128, 255)
        Image.fromarray(flat, "RGB").save(normals / path.name)
    for sampling in ("nearest", "majority"):
        out = tmp_path / sampling
        assert _process(renders, out, "--normals-from", str(normals), "--outline", "selout", "--cleanup",
                        "--sampling", sampling) == 0  # fmt: skip
        for name, sprite in _sprites(out).items():
            with Image.open(out / "normals" / name) as image:
                normal = np.asarray(image.convert("RGBA"))
            np.testing.assert_array_equal(normal[:, :, 3] > 0, sprite[:, :, 3] > 0)
            assert (normal[sprite[:, :, 3] > 0, :3] == (128, 128, 255)).all()


def test_a_farms_fit_then_apply_keeps_the_given_outline_colour(renders: Path, tmp_path: Path) -> None:
    from pixel_sprites.engine.frames.downscale import DownscaleSettings
    from pixel_sprites.engine.frames.sources import discover_frames
    from pixel_sprites.engine.jobs.run import fit_palette_file, make_sprites
    from pixel_sprites.engine.jobs.spec import SpriteJob
    from pixel_sprites.engine.palette.fit import PaletteSettings
    from pixel_sprites.engine.sprites.finishing import FinishSettings
    from pixel_sprites.engine.sprites.pipeline import RunOptions

    finish = FinishSettings(outline="outer", colour=(1, 2, 3), cleanup=True)
    job = SpriteJob(
        tmp_path / "out", DownscaleSettings(pixel=SCALE), PaletteSettings(colors=5), finish=finish
    )  # the farm's fit task: the palette file gets the outline colour
    path = tmp_path / "out" / "hero.gpl"
    fit_palette_file(job, discover_frames([renders]), path, RunOptions(workers=1))
    assert tuple(read_palette(path).colors[-1]) == (1, 2, 3) and len(read_palette(path)) == 6
    applied = SpriteJob(tmp_path / "out", job.downscale, palette_mode="file", palette_file=path, finish=finish)
    report, _ = make_sprites(applied, [renders], RunOptions(workers=1))  # the apply task accepts it
    assert report.frames_written == 2
    sprite = np.asarray(Image.open(tmp_path / "out" / "frame_0.png").convert("RGBA"))
    assert ((sprite[:, :, :3] == (1, 2, 3)).all(axis=2) & (sprite[:, :, 3] > 0)).any()


def _set_renders(folder: Path, names: list[str]) -> list[Path]:
    """An asymmetric figure's renders, one frame per rendered facing of the action ``walk``."""
    colours = distinct_colours(5, seed=4)
    written = []
    for index, name in enumerate(names):
        truth = truth_frame(colours, shape=(20, 14), scale=SCALE, noise=10.0, seed=20 + index)
        frame = np.zeros((24 * SCALE, 20 * SCALE, 4), np.uint8)
        frame[2 * SCALE : 22 * SCALE, 1 * SCALE : 15 * SCALE] = truth.render  # off centre: not its own mirror
        (folder / "walk" / name).mkdir(parents=True)
        Image.fromarray(frame, "RGBA").save(folder / "walk" / name / "0001.png")
        written.append(folder / "walk" / name / "0001.png")
    return written


def test_mirrored_facings_are_outlined_after_the_flip(tmp_path: Path) -> None:
    from pixel_sprites.engine.frames.downscale import DownscaleSettings
    from pixel_sprites.engine.jobs.run import update_set
    from pixel_sprites.engine.jobs.set_update import RenderedAction
    from pixel_sprites.engine.jobs.spec import SpriteJob
    from pixel_sprites.engine.palette.fit import PaletteSettings
    from pixel_sprites.engine.sets.facings import facings
    from pixel_sprites.engine.sets.manifest import Action
    from pixel_sprites.engine.sprites.finishing import FinishSettings, finish_indices

    facing_list = facings(8, mirror=True)
    rendered_names = [facing.name for facing in facing_list if facing.mirror_of is None]
    finish = FinishSettings(outline="selout", neighbours=8, cleanup=True)
    outcomes = {}
    for way, wanted in (("plain", None), ("finished", finish)):
        renders = tmp_path / way / "renders"
        frames = _set_renders(renders, rendered_names)
        job = SpriteJob(
            tmp_path / way / "sprites", DownscaleSettings(pixel=SCALE), PaletteSettings(colors=5), character="hero",
            root=renders, finish=wanted,
        )  # fmt: skip
        action = RenderedAction(Action("walk", ["0001.png"]), renders / "walk", tuple(frames))
        outcomes[way] = update_set(job, [action], facing_list, (20, 24), None)
    folder = tmp_path / "finished" / "sprites"
    plain = tmp_path / "plain" / "sprites"
    palette = read_palette(folder / "hero.gpl")
    for facing in facing_list:
        if facing.mirror_of is None:
            continue
        twin = facing_list[facing.mirror_of].name
        mirrored = np.asarray(Image.open(folder / "walk" / facing.name / "0001.png").convert("RGBA"))
        flipped_plain = np.asarray(Image.open(plain / "walk" / twin / "0001.png").convert("RGBA"))[:, ::-1]
        codes = {tuple(colour): index for index, colour in enumerate(palette.colors.tolist())}
        indices = np.array(
            [[codes[tuple(p[:3])] if p[3] else -1 for p in row] for row in flipped_plain.tolist()], np.int16
        )
        expected = finish_indices(indices, palette, finish, None).indices
        np.testing.assert_array_equal(mirrored[:, :, 3] > 0, expected >= 0)  # the flipped plain sprite, outlined
        np.testing.assert_array_equal(mirrored[expected >= 0, :3], palette.colors[expected[expected >= 0]])
