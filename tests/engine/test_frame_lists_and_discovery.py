"""Frame lists that survive a move and two mount paths; discovery that never takes the tool's outputs for frames;
paths on two Windows drives; apply that only reads what it should (issue 14, items 3, 4, 7, 8, 10, 11, 13, 14)."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path, PureWindowsPath

import numpy as np
import pytest
from helpers import save_png
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites import cli, engine
from pixel_sprites.engine.files.paths import common_folder, relative_path
from pixel_sprites.engine.sprites.character import sprite_rule

SIZE = engine.DownscaleSettings(size=(32, 45))
AUTO = engine.PaletteSettings()


def update(folder, frames):
    with engine.locked_character(folder, "hero") as character:
        return engine.update_character(character, frames, SIZE, AUTO, options=engine.RunOptions(workers=1))


def colours_outside_palette(sprites):
    palette = {tuple(c) for c in engine.read_palette(sprites / "hero.gpl").colors.tolist()}
    outside = set()
    for path in sprites.rglob("*.png"):
        if path.stem != "hero":
            pixels = np.asarray(Image.open(path).convert("RGBA"))
            outside |= {tuple(c) for c in pixels[pixels[:, :, 3] == 255][:, :3].tolist()} - palette
    return outside


def pngs(folder):
    return sorted(folder.glob("*.png"))


def test_a_moved_project_refits_over_every_frame(tmp_path):
    project = tmp_path / "project"
    write_truth_set(project / "walk", 5, 3, seed=31)
    write_truth_set(project / "idle", 5, 3, seed=32)
    update(project / "sprites", pngs(project / "walk"))
    listed = json.loads((project / "sprites" / "hero.frames.json").read_text())["frames"]
    assert [entry["frame"] for entry in listed] == [f"../walk/frame_{n:04d}.png" for n in range(3)]
    moved = tmp_path / "elsewhere" / "project"
    moved.parent.mkdir()
    project.rename(moved)
    report = update(moved / "sprites", pngs(moved / "idle"))
    assert report.frames_written == 6 and not report.skipped
    assert colours_outside_palette(moved / "sprites") == set()


def test_two_mount_paths_of_one_share_make_one_character(tmp_path):
    share = tmp_path / "share"
    write_truth_set(share / "walk", 5, 3, seed=41)
    write_truth_set(share / "idle", 5, 3, seed=42)
    other_mount = tmp_path / "mnt_other"
    other_mount.symlink_to(share)  # another worker sees the same files at another path
    update(share / "sprites", pngs(share / "walk"))
    script = (
        "import sys; from pathlib import Path; from pixel_sprites import engine\n"
        "mount = Path(sys.argv[1])\n"
        "with engine.locked_character(mount / 'sprites', 'hero') as character:\n"
        "    report = engine.update_character(character, sorted((mount / 'idle').glob('*.png')),\n"
        "        engine.DownscaleSettings(size=(32, 45)), engine.PaletteSettings(),\n"
        "        options=engine.RunOptions(workers=1))\n"
        "print(report.frames_written)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(other_mount)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "6"  # walk's frames were found through the other mount path
    assert colours_outside_palette(share / "sprites") == set()


def test_a_list_of_absolute_paths_is_read_and_converted(tmp_path):
    write_truth_set(tmp_path / "walk", 4, 2, seed=5)
    folder = tmp_path / "sprites"
    folder.mkdir()
    frames = pngs(tmp_path / "walk")
    entries = [{"frame": str(frame.resolve()), "sprite": f"walk/{frame.name}"} for frame in frames]
    (folder / "hero.frames.json").write_text(json.dumps({"character": "hero", "frames": entries}))
    report = update(folder, [])
    assert report.frames_written == 2
    stored = json.loads((folder / "hero.frames.json").read_text())["frames"]
    assert [entry["frame"] for entry in stored] == ["../walk/frame_0000.png", "../walk/frame_0001.png"]


def test_sprite_size_renders_are_not_taken_for_frames(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 6, seed=7)
    save_png(renders / "sprite_size" / "frame_0000.png", np.zeros((45, 32, 4), np.uint8))
    save_png(renders / "sheets" / "walk.png", np.zeros((45, 320, 4), np.uint8))
    found = engine.discover_frames([renders])
    assert [frame.relative.as_posix() for frame in found] == [f"frame_{n:04d}.png" for n in range(6)]
    named = engine.discover_frames([renders / "sprite_size"])  # named explicitly: never skipped
    assert [frame.path.name for frame in named] == ["frame_0000.png"]


def test_the_most_common_size_wins_and_a_tie_is_refused(tmp_path, capsys):
    renders = tmp_path / "renders"
    write_truth_set(renders, 4, 3, seed=8)
    save_png(renders / "a_small.png", np.zeros((45, 32, 4), np.uint8))  # sorts first
    assert cli.main(["process", str(renders), "--out", str(tmp_path / "out"), "--pixel", "10", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "3/4 sprites" in captured.out
    assert "a_small.png: size 32x45 differs from" in captured.err
    for index in range(2):
        save_png(renders / f"b_small_{index}.png", np.zeros((45, 32, 4), np.uint8))
    assert cli.main(["process", str(renders), "--out", str(tmp_path / "out2"), "--pixel", "10"]) == 2
    error = capsys.readouterr().err
    assert "32x45" in error and "x" in error.split("as many frames are")[1]


def test_the_grid_of_a_process_folder_takes_every_sprite_and_nothing_else(tmp_path, capsys):
    write_truth_set(tmp_path / "renders", 5, 6, seed=9)
    out = tmp_path / "sprites"
    assert cli.main(["process", str(tmp_path / "renders"), "--out", str(out), "--size", "32x45"]) == 0
    for _ in range(2):  # the second run must not take the first run's grid for a sprite
        assert cli.main(["sheet", str(out), "--sheet-out", str(out / "grid.png"), "--columns", "4"]) == 0
        assert Image.open(out / "grid.png").size == (4 * 32, 2 * 45)
    (out / ".pixel_sprites_files.json").unlink()  # no record: the sprites are the most common size
    (out / "grid.png").unlink()
    assert cli.main(["sheet", str(out), "--sheet-out", str(tmp_path / "grid.png"), "--columns", "3"]) == 0
    assert Image.open(tmp_path / "grid.png").size == (3 * 32, 2 * 45)


def test_apply_never_rewrites_the_palette_and_keeps_every_chunks_counts(tmp_path):
    renders = tmp_path / "renders"
    write_truth_set(renders / "walk", 5, 4, seed=10)
    write_truth_set(renders / "idle", 5, 3, seed=10)
    out = tmp_path / "sprites"
    update(out, pngs(renders / "walk"))
    palette = out / "hero.gpl"
    before = (palette.read_bytes(), palette.stat().st_ino, palette.stat().st_mtime_ns)
    for frame in pngs(renders / "idle"):  # a locked palette, one frame at a time, as a frame-list render
        engine.add_frames_with_locked_palette(out, "hero", [frame], SIZE, options=engine.RunOptions(workers=1))
    assert (palette.read_bytes(), palette.stat().st_ino, palette.stat().st_mtime_ns) == before
    report = json.loads((out / "hero_report.json").read_text())
    assert report["frames_written"] == 4 + 3  # the process, then each apply's frame, added up


def test_command_line_apply_chunks_share_one_report(tmp_path):
    renders = tmp_path / "renders"
    write_truth_set(renders / "walk", 5, 4, seed=11)
    write_truth_set(renders / "idle", 5, 3, seed=11)
    palette = tmp_path / "hero.gpl"
    assert cli.main(["fit", str(renders), "--palette-out", str(palette), "--size", "32x45"]) == 0
    for chunk in ("walk", "idle"):
        args = ["apply", str(renders / chunk), "--root", str(renders), "--palette", str(palette)]
        assert cli.main([*args, "--out", str(tmp_path / "out"), "--size", "32x45"]) == 0
    report = json.loads((tmp_path / "out" / "palette_report.json").read_text())
    assert report["frames_written"] == 7 and report["frames_in"] == 7
    assert not (tmp_path / "out" / "palette.gpl").exists()  # only fit and process write a palette


def test_paths_on_two_windows_drives_have_no_common_folder():
    sprites = PureWindowsPath("C:/game/sprites")
    frame = PureWindowsPath("D:/renders/walk/0001.png")
    assert common_folder([sprites, frame]) is None
    assert relative_path(frame, sprites) is None
    assert sprite_rule(sprites, frame).as_posix() == "renders/walk/0001.png"
    same_drive = PureWindowsPath("c:/Game/walk/0001.png")  # drive letters and names compare case-insensitively
    assert sprite_rule(sprites, same_drive).as_posix() == "walk/0001.png"
    assert relative_path(same_drive, sprites).as_posix() == "../walk/0001.png"
    share = PureWindowsPath("//server/share/renders/0001.png")
    assert common_folder([share, PureWindowsPath("//other/share/sprites")]) is None


def test_a_probe_left_by_another_machine_with_our_process_number_is_no_obstacle(tmp_path):
    write_truth_set(tmp_path / "renders", 4, 2, seed=12)
    out = tmp_path / "out"
    (out / f".pixel_sprites_write_test_{os.getpid()}").mkdir(parents=True)  # another container's, same PID
    frames = engine.discover_frames([tmp_path / "renders"])
    assert engine.prepare_output_folder(out, frames, [tmp_path / "renders"]) == out


def test_the_spool_goes_to_the_output_folder_or_spool_dir_not_tmpdir(tmp_path, monkeypatch, capsys):
    write_truth_set(tmp_path / "renders", 4, 3, seed=13)
    used = []
    real = tempfile.TemporaryFile

    def watched(*args, **kwargs):
        used.append(Path(kwargs["dir"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", watched)
    args = ["process", str(tmp_path / "renders"), "--size", "32x45", "--workers", "1"]
    assert cli.main([*args, "--out", str(tmp_path / "out")]) == 0
    assert cli.main([*args, "--out", str(tmp_path / "out2"), "--spool-dir", str(tmp_path)]) == 0
    assert used == [tmp_path / "out", tmp_path]
    capsys.readouterr()
    assert cli.main([*args, "--out", str(tmp_path / "out3"), "--spool-dir", str(tmp_path / "missing")]) == 2
    assert "missing: cannot hold the spool file" in capsys.readouterr().err


def test_a_character_name_with_a_space_finds_its_manifest_and_palette(tmp_path, capsys):
    renders = tmp_path / "renders"
    for facing in ("S", "N"):
        write_truth_set(renders / "walk" / facing, 4, 3, seed=14)
    out = tmp_path / "sprites"
    named = ["--character", "Hero Knight"]
    process = ["process", str(renders), "--out", str(out), "--sheets", "--fps", "8", "--size", "32x45"]
    assert cli.main([*process, "--workers", "1", *named]) == 0
    assert cli.main(["sheet", str(out), *named]) == 0  # without --fps: the manifest's 8 must be kept
    assert sorted(path.name for path in out.glob("*.set.json")) == ["Hero_Knight.set.json"]
    assert json.loads((out / "Hero_Knight.set.json").read_text())["actions"][0]["fps"] == 8
    assert "Hero_Knight.set.json" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused_by_every_float_option(tmp_path, capsys, value):
    for args in (
        ["process", str(tmp_path), "--out", str(tmp_path / "o"), f"--tolerance={value}"],
        ["sheet", str(tmp_path), f"--fps={value}"],
    ):
        with pytest.raises(SystemExit) as stopped:
            cli.main(args)
        assert stopped.value.code == 2
        assert "expected a finite number" in capsys.readouterr().err


def test_an_aseprite_frame_longer_than_16_bits_is_refused_before_any_sheet(tmp_path):
    for facing in ("S", "N"):
        write_truth_set(tmp_path / "sprites" / "walk" / facing, 4, 2, seed=15)
    sprite_set = engine.open_sprite_set(tmp_path / "sprites")
    sprite_set.actions[0].fps, sprite_set.actions[0].frame_step = 12.0, 1000
    with pytest.raises(engine.SheetError, match="frame step 1000 at 12 fps"):
        engine.write_sheets(tmp_path / "sprites", sprite_set)
    assert not (tmp_path / "sprites" / "sheets").exists()
    options = engine.SheetOptions(formats=("json", "godot"))  # without .aseprite the long frames are fine
    assert engine.write_sheets(tmp_path / "sprites", sprite_set, options).cells == 4
