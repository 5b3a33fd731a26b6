"""``--rig-from`` on ``process``, ``apply`` and ``sheet``: the game data Blender wrote beside renders made anywhere
reaches the set manifest in sprite pixels.

The renders are a small synthetic set laid out ``<action>/<facing>/<frame>.png`` at sprite size (``--pixel 1``),
and ``rig.json`` is written with the engine's own ``write_rig_file``, as Blender writes it, with one frame left
without data. Positions are in the camera's view: a point at ``(u, v)`` is at ``x = u · 12``, ``y = (1 − v) · 16``
in the 12x16 sprites.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, write_set_renders

from pixel_sprites.cli import main
from pixel_sprites.engine.frames.rig_file import RigFile, ViewBox, ViewFrameRig, ViewPoint, write_rig_file

SIZE = (12, 16)
ACTIONS = {"walk": 2, "idle": 1}
FACINGS = ("S", "E", "N", "W")
MISSING = "walk/E/0002.png"  # the one frame rig.json has no data for
COLOURS = np.array([[200, 40, 40], [40, 160, 60], [50, 60, 200], [230, 200, 40]], np.uint8)


def sprite(action: str, facing: int, frame: int) -> np.ndarray:
    rgba = np.zeros((SIZE[1], SIZE[0], 4), np.uint8)
    rgba[2:15, 3:9, :3] = COLOURS[facing]
    rgba[2 + frame, 3:10, :3] = 30
    rgba[2:15, 3:9, 3] = 255
    rgba[2 + frame, 3:10, 3] = 255
    return rgba


def view(facing: int, frame: int) -> ViewFrameRig:
    """Each frame's data differs, so that a frame given another's data shows."""
    u = 0.25 + 0.125 * facing
    return ViewFrameRig(
        points={"Hand.L": ViewPoint(u, 0.75 - 0.0625 * frame, facing % 2 == 0)},
        boxes={"hurt": ViewBox(0.1, 0.2, 0.5, 0.6), "gone": None},
    )


def expected_point(facing: int, frame: int) -> dict[str, object]:
    return {"x": (0.25 + 0.125 * facing) * SIZE[0], "y": (0.25 + 0.0625 * frame) * SIZE[1], "front": facing % 2 == 0}


# ViewBox(0.1, 0.2, 0.5, 0.6): x from 1.2 to 6 → pixels 1..5; y from (1 − 0.6)·16 = 6.4 to 12.8 → pixels 6..12.
EXPECTED_BOX = {"x": 1, "y": 6, "w": 5, "h": 7}


def write_rig(folder: Path) -> Path:
    frames = {
        f"{action}/{facing}/{frame + 1:04d}.png": view(index, frame)
        for action, count in ACTIONS.items()
        for index, facing in enumerate(FACINGS)
        for frame in range(count)
    }
    del frames[MISSING]
    return write_rig_file(folder, RigFile(("Hand.L",), ("hurt", "gone"), False, frames), merge=False)


@pytest.fixture
def renders(tmp_path: Path) -> Path:
    return write_set_renders(tmp_path / "renders", ACTIONS.items(), FACINGS, sprite)


def manifest_rig(sprites: Path) -> dict:
    return json.loads((sprites / "character.set.json").read_text())["rig"]


def assert_rig_values(rig: dict) -> None:
    assert (rig["points"], rig["boxes"], rig["in_place"]) == (["Hand.L"], ["hurt", "gone"], False)
    for action, count in ACTIONS.items():
        for index, facing in enumerate(FACINGS):
            for frame in range(count):
                key = f"{action}/{facing}/{frame + 1:04d}.png"
                data = rig["frames"][action][facing].get(f"{frame + 1:04d}.png")
                if key == MISSING:
                    assert data is None
                    continue
                assert data["points"]["Hand.L"] == pytest.approx(expected_point(index, frame)), key
                assert data["boxes"] == {"hurt": EXPECTED_BOX, "gone": None}, key


def process(renders: Path, out: Path, *extra: str) -> int:
    return main(["process", str(renders), "--out", str(out), "--pixel", "1", "--colors", "5", *extra])


def test_process_reads_the_roots_rig_json_into_the_manifest_and_names_the_frame_without_data(renders, tmp_path, capsys):
    write_rig(renders)
    out = tmp_path / "sprites"
    assert process(renders, out, "--sheets") == 0
    assert_rig_values(manifest_rig(out))
    err = capsys.readouterr().err
    assert f"note: {MISSING}: no game data in rig.json for this frame" in err
    assert err.count("no game data") == 1  # the other 11 frames have theirs


def test_process_rig_from_names_a_file_elsewhere_and_a_later_sheet_finds_the_data_kept_beside_the_sprites(
    renders, tmp_path, capsys
):
    elsewhere = write_rig(tmp_path / "exported")
    out = tmp_path / "sprites"
    assert process(renders, out, "--rig-from", str(elsewhere)) == 0
    assert f"note: {MISSING}: no game data in {elsewhere} for this frame" in capsys.readouterr().err
    assert not (out / "character.set.json").exists()  # no --sheets: no set yet
    assert main(["sheet", str(out)]) == 0  # reads OUT/rig.json, which process kept
    assert_rig_values(manifest_rig(out))


def test_apply_chunks_keep_their_frames_data_and_sheet_puts_it_in_the_manifest(renders, tmp_path):
    write_rig(renders)
    out, palette = tmp_path / "sprites", tmp_path / "hero.gpl"
    assert main(["fit", str(renders), "--pixel", "1", "--colors", "5", "--palette-out", str(palette)]) == 0
    for action in ACTIONS:  # a farm's chunks: one per action, rooted at the renders
        for facing in FACINGS:
            chunk = ["apply", str(renders / action / facing), "--root", str(renders), "--pixel", "1"]
            assert main([*chunk, "--palette", str(palette), "--out", str(out)]) == 0
    kept = json.loads((out / "rig.json").read_text())
    assert len(kept["frames"]) == 11 and MISSING not in kept["frames"]
    assert main(["sheet", str(out)]) == 0
    assert_rig_values(manifest_rig(out))


def test_sheet_rig_from_gives_a_set_made_without_it_its_game_data(renders, tmp_path):
    out = tmp_path / "sprites"
    assert process(renders, out, "--sheets") == 0
    assert "rig" not in json.loads((out / "character.set.json").read_text())
    rig = write_rig(tmp_path / "exported")
    assert main(["sheet", str(out), "--rig-from", str(rig)]) == 0
    assert_rig_values(manifest_rig(out))


@pytest.mark.parametrize("command", ["process", "apply", "sheet"])
@pytest.mark.parametrize("problem", ["missing", "not a rig file"])
def test_a_bad_rig_from_is_refused_naming_it_before_any_work(renders, tmp_path, capsys, command, problem):
    bad = tmp_path / "exported" / "rig.json"
    if problem == "not a rig file":
        bad.parent.mkdir()
        bad.write_text('{"format": "something else", "frames": {}}')
    out = tmp_path / "sprites"
    if command == "sheet":
        assert process(renders, out, "--sheets") == 0
        before = file_digests(out)
        argv = ["sheet", str(out)]
    elif command == "apply":
        palette = tmp_path / "hero.gpl"
        palette.write_text("GIMP Palette\nName: hero\n#\n  0   0   0 black\n255 255 255 white\n")
        argv = ["apply", str(renders), "--pixel", "1", "--palette", str(palette), "--out", str(out)]
    else:
        argv = ["process", str(renders), "--out", str(out), "--pixel", "1", "--sheets"]
    capsys.readouterr()
    assert main([*argv, "--rig-from", str(bad)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"pixel-sprites: error: {bad}: "), error
    assert ("no rig file there" if problem == "missing" else "not a rig file of Pixel Sprites") in error
    if command == "sheet":
        assert file_digests(out) == before
    else:
        assert not out.exists()


def test_a_bad_rig_json_at_the_root_is_refused_too(renders, tmp_path, capsys):
    (renders / "rig.json").write_text("{")
    assert process(renders, tmp_path / "sprites") == 2
    assert f"{renders / 'rig.json'}: not a rig file" in capsys.readouterr().err


def test_rig_from_with_sheet_out_is_refused(renders, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["sheet", str(renders), "--sheet-out", str(tmp_path / "grid.png"), "--rig-from", "rig.json"])
    assert "--rig-from do nothing with --sheet-out" in capsys.readouterr().err


def test_without_rig_json_nothing_changes_byte_for_byte(renders, tmp_path):
    """The same renders without rig.json, before and after a run that had one: the same files, no game data."""
    plain, with_rig, after = tmp_path / "plain", tmp_path / "with_rig", tmp_path / "after"
    assert process(renders, plain, "--sheets") == 0
    write_rig(renders)
    assert process(renders, with_rig, "--sheets") == 0
    (renders / "rig.json").unlink()
    assert process(renders, after, "--sheets") == 0

    report = "palette_report.json"  # holds timings
    digests = {name: digest for name, digest in file_digests(plain).items() if name != report}
    assert {name: digest for name, digest in file_digests(after).items() if name != report} == digests
    assert "rig.json" not in digests and "rig" not in json.loads((plain / "character.set.json").read_text())
    slices = json.loads((plain / "sheets" / "walk.json").read_text())["meta"]["slices"]
    assert [entry["name"] for entry in slices] == ["pivot"]
    rigged = file_digests(with_rig)
    sprites = [name for name in digests if name.count("/") == 2 and not name.startswith("sheets")]
    assert len(sprites) == 12 and all(rigged[name] == digests[name] for name in sprites)
    assert rigged["character.set.json"] != digests["character.set.json"]
