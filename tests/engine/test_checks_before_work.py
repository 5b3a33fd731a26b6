"""Bad input is refused before any work (issue 27): one line naming the file or option, exit code 2, and nothing
written, rather than every sprite written and then an error, a traceback or a quietly ignored option."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import file_digests, save_png, write_set_renders

from pixel_sprites import cli

ACTIONS = (("walk", 2), ("idle", 2))
FACINGS = ("S", "N")


def sprite(action: str, facing: int, frame: int) -> np.ndarray:
    """A 12x16 sprite of two colours that differ by facing and frame."""
    rgba = np.zeros((16, 12, 4), np.uint8)
    rgba[2:15, 3:9] = (60 + 80 * facing, 120, 40 + 60 * frame, 255)
    rgba[8, 3 : 9 + (action == "walk")] = (20, 20, 20, 255)
    return rgba


def renders(root: Path) -> Path:
    return write_set_renders(root / "renders", ACTIONS, FACINGS, sprite)


def process(frames: Path, out: Path, *more: str) -> list[str]:
    return ["process", str(frames), "--out", str(out), "--pixel", "1", "--workers", "1", *more]


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` with its inode and modification time: a file written again (even with the same
    bytes, atomically replaced) gets new ones."""
    return {
        str(path.relative_to(folder)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def refused(capsys: pytest.CaptureFixture[str], *texts: str) -> str:
    """The one error line of a refused command, checked to hold ``texts``."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("pixel-sprites: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for text in texts:
        assert text in lines[0], (text, lines[0])
    return lines[0]


@pytest.fixture
def sprite_set(tmp_path: Path) -> Path:
    """A set made by ``process --sheets`` at 12 fps (83 ms frames)."""
    out = tmp_path / "sprites"
    assert cli.main(process(renders(tmp_path), out, "--sheets", "--fps", "12")) == 0
    return out


def durations(folder: Path, action: str = "walk") -> set[int]:
    data = json.loads((folder / "sheets" / f"{action}.json").read_text(encoding="utf-8"))
    return {frame["duration"] for frame in data["frames"].values()}


def edit_manifest(folder: Path, change: Callable[[dict], None]) -> Path:
    path = folder / "character.set.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # NaN and Infinity as JSON readers take them
    return path


# 1. Frames that form no set.


def test_sheets_of_frames_not_laid_out_as_a_set_are_refused_before_any_sprite(tmp_path, capsys):
    for number in range(3):
        save_png(tmp_path / "flat" / f"{number + 1:04d}.png", sprite("walk", 0, number))
    out = tmp_path / "sprites"
    assert cli.main(process(tmp_path / "flat", out, "--sheets")) == 2
    assert not out.exists()
    refused(capsys, str(out), "<action>/<facing>/<frame>.png", "no set")
    assert cli.main(process(tmp_path / "flat", out)) == 0  # without --sheets the same frames are fine


def test_flat_frames_into_a_folder_that_holds_a_set_still_make_its_sheets(sprite_set, tmp_path, capsys):
    save_png(tmp_path / "extra" / "0001.png", sprite("walk", 0, 0))
    assert cli.main(process(tmp_path / "extra", sprite_set, "--sheets")) == 0  # the manifest's set
    assert "error" not in capsys.readouterr().err


# 2. Variant files.


@pytest.mark.parametrize("problem", ["missing", "not a palette"])
def test_a_bad_variant_file_is_refused_before_any_sprite(tmp_path, capsys, problem):
    variant = tmp_path / "red.gpl"
    if problem == "not a palette":
        variant.write_text("this is no palette\n", encoding="utf-8")
    out = tmp_path / "sprites"
    assert cli.main(process(renders(tmp_path), out, "--sheets", "--variant", f"red={variant}")) == 2
    assert not out.exists()
    refused(capsys, f"--variant red={variant}", str(variant))


def test_a_variant_kept_in_the_manifest_whose_file_is_gone_is_refused_before_any_sprite(sprite_set, tmp_path, capsys):
    variant = tmp_path / "red.gpl"
    assert cli.main(["palette-variant", str(sprite_set), str(variant)]) == 0
    assert cli.main(["sheet", str(sprite_set), "--variant", f"red={variant}"]) == 0
    variant.unlink()
    before = stamps(sprite_set)
    capsys.readouterr()
    assert cli.main(process(tmp_path / "renders", sprite_set, "--sheets")) == 2
    assert stamps(sprite_set) == before
    refused(capsys, "--variant red=", "kept in the manifest", "--no-variants")
    assert cli.main(process(tmp_path / "renders", sprite_set, "--sheets", "--no-variants")) == 0


# 3. --fps with a manifest.


def test_a_given_fps_replaces_the_manifests_in_process_and_sheet(sprite_set, tmp_path):
    assert durations(sprite_set) == {83}
    assert cli.main(process(tmp_path / "renders", sprite_set, "--sheets", "--fps", "6")) == 0
    assert durations(sprite_set) == {167} and durations(sprite_set, "idle") == {167}
    manifest = json.loads((sprite_set / "character.set.json").read_text(encoding="utf-8"))
    assert {action["fps"] for action in manifest["actions"]} == {6.0}
    assert cli.main(["sheet", str(sprite_set), "--fps", "8"]) == 0
    assert durations(sprite_set) == {125}


def test_without_fps_the_manifests_rates_are_kept_to_the_byte(sprite_set, tmp_path):
    def rates(data: dict) -> None:
        for action in data["actions"]:
            action["fps"] = {"idle": 5.0, "walk": 10.0}[action["name"]]  # each its own

    edit_manifest(sprite_set, rates)
    assert cli.main(["sheet", str(sprite_set)]) == 0
    assert durations(sprite_set, "idle") == {200} and durations(sprite_set, "walk") == {100}
    written = file_digests(sprite_set)
    assert cli.main(["sheet", str(sprite_set)]) == 0
    assert cli.main(process(tmp_path / "renders", sprite_set, "--sheets")) == 0
    del written["palette_report.json"]  # its timings differ from run to run
    assert {name: digest for name, digest in file_digests(sprite_set).items() if name in written} == written


def test_a_given_fps_is_frames_per_second_whatever_the_manifests_fps_base(sprite_set):
    def ntsc(data: dict) -> None:
        for action in data["actions"]:
            action["fps"], action["fps_base"] = 30.0, 1.001

    edit_manifest(sprite_set, ntsc)
    assert cli.main(["sheet", str(sprite_set), "--fps", "24"]) == 0  # the default's value, given: it acts
    manifest = json.loads((sprite_set / "character.set.json").read_text(encoding="utf-8"))
    assert {(action["fps"], action["fps_base"]) for action in manifest["actions"]} == {(24.0, 1.0)}
    assert durations(sprite_set) == {42}


# 4. A hand-edited manifest.


@pytest.mark.parametrize(
    ("field", "value"),
    [("fps", float("nan")), ("fps", float("inf")), ("fps", -12.0), ("fps", 0.0), ("fps_base", float("nan")),
     ("frame_step", 0)],
)  # fmt: skip
def test_a_manifest_with_an_unusable_rate_is_refused_naming_the_file_and_the_field(
    sprite_set, tmp_path, capsys, field, value
):
    def spoil(data: dict) -> None:
        next(action for action in data["actions"] if action["name"] == "walk")[field] = value

    manifest = edit_manifest(sprite_set, spoil)
    before = stamps(sprite_set)
    for command in (["sheet", str(sprite_set)], process(tmp_path / "renders", sprite_set, "--sheets")):
        capsys.readouterr()
        assert cli.main(command) == 2, command
        assert stamps(sprite_set) == before, command
        refused(capsys, str(manifest), f"actions[walk].{field}")


# 5. --character.


def test_an_unknown_character_is_refused_listing_the_known_ones(sprite_set, capsys):
    before = stamps(sprite_set)
    assert cli.main(["sheet", str(sprite_set), "--character", "nobody"]) == 2
    assert stamps(sprite_set) == before and not (sprite_set / "nobody.set.json").exists()
    refused(capsys, "--character nobody", "character")
    assert cli.main(["sheet", str(sprite_set)]) == 0


def test_process_with_another_character_is_refused_before_any_sprite(sprite_set, tmp_path, capsys):
    before = stamps(sprite_set)
    assert cli.main(process(tmp_path / "renders", sprite_set, "--sheets", "--character", "other")) == 2
    assert stamps(sprite_set) == before
    refused(capsys, "--character other", "character")


def test_sprites_laid_out_by_hand_take_the_character_named(tmp_path):
    write_set_renders(tmp_path / "hand", ACTIONS, FACINGS, sprite)
    assert cli.main(["sheet", str(tmp_path / "hand"), "--character", "hero"]) == 0
    assert [path.name for path in (tmp_path / "hand").glob("*.set.json")] == ["hero.set.json"]


# 6. --normals.


def test_normal_sheets_without_normal_sprites_are_refused_naming_the_folder(tmp_path, capsys):
    folder = write_set_renders(tmp_path / "hand", ACTIONS, FACINGS, sprite)
    before = stamps(folder)
    assert cli.main(["sheet", str(folder), "--normals"]) == 2
    assert stamps(folder) == before and not (folder / "sheets").exists()
    refused(capsys, str(folder / "normals"), "--normals")


# 7. Read-only targets.


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], Path]]:
    """Makes a folder read-only with a bind mount: the tests run as root, whom file permissions do not stop."""
    if os.geteuid() != 0:
        pytest.skip("a read-only mount needs root; CI runs the tests as root")
    mounted: list[Path] = []

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", "-o", "bind,ro", folder, folder], capture_output=True, text=True)
        if result.returncode != 0:
            if os.environ.get("CI"):
                pytest.fail(f"mount -o bind,ro failed as root: {result.stderr}", pytrace=False)
            pytest.skip(f"this machine cannot bind-mount read-only: {result.stderr.strip()}")
        mounted.append(folder)
        with pytest.raises(OSError):
            (folder / "probe").write_bytes(b"")
        return folder

    yield make
    for folder in reversed(mounted):
        subprocess.run(["umount", folder], check=True)


def test_fit_into_a_read_only_folder_is_refused_before_the_fit(tmp_path, capsys, read_only, monkeypatch):
    folder = read_only(tmp_path / "ro")
    from pixel_sprites.engine.jobs import run

    def no_fit(*_: object, **__: object) -> None:
        raise AssertionError("the fit ran")

    monkeypatch.setattr(run, "fit", no_fit)
    args = ["fit", str(renders(tmp_path)), "--pixel", "1", "--workers", "1"]
    assert cli.main([*args, "--palette-out", str(folder / "hero.gpl")]) == 2
    refused(capsys, str(folder), "cannot write here", "Read-only file system")
    assert cli.main([*args, "--palette-out", str(folder / "new" / "hero.gpl")]) == 2
    refused(capsys, str(folder / "new"), "cannot write here")


def test_a_report_or_sprites_in_a_read_only_folder_are_refused_before_any_sprite(tmp_path, capsys, read_only):
    folder = read_only(tmp_path / "ro")
    frames, out = renders(tmp_path), tmp_path / "sprites"
    assert cli.main(process(frames, out, "--report", str(folder / "report.json"))) == 2
    assert not out.exists()
    refused(capsys, str(folder), "cannot write here")
    assert cli.main(process(frames, folder / "sprites")) == 2
    refused(capsys, str(folder / "sprites"), "cannot write here")
    assert cli.main(process(frames, out)) == 0
    palette = out / "palette.gpl"
    assert cli.main(["apply", str(frames), "--palette", str(palette), "--out", str(folder / "sprites")]) == 2
    refused(capsys, str(folder / "sprites"), "cannot write here")


def test_sheets_into_a_read_only_sheets_folder_are_refused_before_any_work(sprite_set, tmp_path, capsys, read_only):
    read_only(sprite_set / "sheets")
    before = stamps(sprite_set)
    for command in (["sheet", str(sprite_set)], process(tmp_path / "renders", sprite_set, "--sheets")):
        capsys.readouterr()
        assert cli.main(command) == 2, command
        assert stamps(sprite_set) == before, command
        refused(capsys, str(sprite_set / "sheets"), "cannot write here")


def test_a_palette_variant_into_a_read_only_folder_is_refused(sprite_set, tmp_path, capsys, read_only):
    folder = read_only(tmp_path / "ro")
    assert cli.main(["palette-variant", str(sprite_set), str(folder / "red.gpl")]) == 2
    refused(capsys, str(folder), "cannot write here")


def test_the_writability_check_creates_nothing_and_leaves_no_probe(tmp_path):
    from pixel_sprites.engine.errors import SetupError
    from pixel_sprites.engine.files.writable import check_folders_writable

    (tmp_path / "file").write_bytes(b"")
    check_folders_writable([tmp_path, tmp_path / "a" / "b", tmp_path / "a" / "c"])
    assert [path.name for path in tmp_path.iterdir()] == ["file"]
    with pytest.raises(SetupError, match="is a file, not a folder"):
        check_folders_writable([tmp_path / "file" / "sub"])
