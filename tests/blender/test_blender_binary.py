"""Debian's real ``blender -b`` binary (3.4): headless animation renders and the batch helper."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock
from godot_expected import drawing_mismatches, expected_animations, godot_mismatches, sheet_groups
from godot_runner import check_sprite_frames, require_godot
from PIL import Image
from synthetic import write_truth_set

from pixel_sprites.engine import read_palette

ROOT = Path(__file__).resolve().parents[2]
BLENDER = shutil.which("blender")
if BLENDER is None and os.environ.get("CI"):
    pytest.fail("CI needs Debian's blender: scripts/setup.sh installs it", pytrace=False)
# Debian's binary is the same whichever bpy runs pytest: scripts/test.sh runs these once (-m debian_blender).
pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

MAKE_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_character_scene
build_character_scene(output=Path({renders!r}))
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""


# The bpy module in this process sets OCIO at the C level (unseen by os.environ) and MaterialX paths, and the
# conftest sets the test add-on folder. Debian's Blender gets an environment built from os.environ without
# them: it cannot read the newer OpenColorIO config (with a UI it aborts on it).
SET_BY_BPY = ("OCIO", "MATERIALX_SEARCH_PATH", "PXR_MTLX_STDLIB_SEARCH_PATHS", "BLENDER_USER_SCRIPTS")


def debian_blender_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**{key: value for key, value in os.environ.items() if key not in SET_BY_BPY}, **(extra or {})}


def blender(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert BLENDER is not None
    return subprocess.run(
        [BLENDER, "-b", *args], capture_output=True, text=True, timeout=600, env=debian_blender_env(env)
    )


@pytest.fixture
def scene_file(tmp_path: Path) -> Path:
    blend = tmp_path / "scene.blend"
    code = MAKE_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(tmp_path / "renders"), blend=str(blend))
    result = blender("--python-expr", code)
    assert blend.is_file(), result.stdout + result.stderr
    return blend


def summary_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Pixel Sprites:")]


def test_headless_animation_render_with_the_addon_writes_sprites(scene_file: Path, tmp_path: Path) -> None:
    scripts = tmp_path / "user_scripts"
    (scripts / "addons").mkdir(parents=True)
    (scripts / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")

    result = blender(str(scene_file), "--addons", "pixel_sprites", "-a", env={"BLENDER_USER_SCRIPTS": str(scripts)})

    assert result.returncode == 0, result.stderr
    [summary] = summary_lines(result.stdout)
    assert summary.startswith("Pixel Sprites: 8/8 sprites")
    sprites = tmp_path / "renders" / "sprites"
    palette = {tuple(c) for c in read_palette(sprites / "character.gpl").colors.tolist()}
    for frame in range(1, 9):
        sprite = np.asarray(Image.open(sprites / f"{frame:04d}.png"))
        assert sprite.shape == (22, 16, 4)
        assert {tuple(c) for c in sprite[sprite[:, :, 3] == 255][:, :3].tolist()} <= palette
        assert Image.open(tmp_path / "renders" / f"{frame:04d}.png").size == (160, 225)


def test_batch_helper_renders_and_processes_without_preferences(scene_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "batch"
    result = blender(
        str(scene_file), "--python", str(ROOT / "scripts" / "render_sprites.py"),
        "--", "--pixel", "5", "--colors", "6", "--out", str(out), "--character", "hero",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert summary_lines(result.stdout)[0].startswith("Pixel Sprites: 8/8 sprites, 6 colours")
    assert Image.open(out / "renders" / "0003.png").size == (32, 45)
    assert len(read_palette(out / "hero.gpl")) == 6


def test_batch_helper_fails_loudly_on_a_malformed_target_palette(scene_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "game.gpl"
    bad.write_text("not a palette\n")
    result = blender(
        str(scene_file), "--python", str(ROOT / "scripts" / "render_sprites.py"), "--", "--target-palette", str(bad)
    )
    assert result.returncode == 1
    assert f"Pixel Sprites: Error: {bad}: line 1: expected the header 'GIMP Palette'" in result.stdout
    assert not (tmp_path / "renders" / "sprites" / "0001.png").exists()
    assert Image.open(tmp_path / "renders" / "0001.png").size == (160, 225)  # the renders are there, untouched


def test_a_cycles_scene_with_denoising_gets_the_cause_named(scene_file: Path, tmp_path: Path) -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r})\n"
        "import bpy\nfrom render_sprites import load_addon\nload_addon()\n"
        "scene = bpy.context.scene\nscene.cycles.use_denoising = True\nscene.frame_end = 1\n"
        "try:\n    bpy.ops.render.render(animation=True)\nexcept RuntimeError:\n    pass\n"
    )
    result = blender(str(scene_file), "--python-expr", code)
    [summary] = summary_lines(result.stdout)
    assert "built without OpenImageDenoise" in summary and "turn off" in summary
    assert not (tmp_path / "renders" / "sprites").exists()


# With a UI, handlers run on the render job's thread and the work on a worker thread, reported by a timer.
WITH_UI = """
import sys, threading, time
sys.path.insert(0, {scripts!r})
import bpy
from render_sprites import load_addon
load_addon()
from pixel_sprites.blender import jobs
scene = bpy.context.scene
scene.pixel_sprites.source_folder = {source!r}
started = time.time()
seen = set()
reading_seen = threading.Event()
if {hold_reads!r}:  # the job reads no frame until the timer below has seen it reading, whatever the speeds
    from pixel_sprites.engine.sprites import small_frames
    read_frame = small_frames.read_frame
    def read_frame_once_seen(path):
        reading_seen.wait(60)  # a hang guard: then the job goes on, and the test fails on STAGES
        return read_frame(path)
    small_frames.read_frame = read_frame_once_seen

def start():
    print("BACKGROUND", bpy.app.background)
    print("STARTED", {start!s})

def check():
    status = jobs.status()
    if status is not None:
        seen.add(status[1])
        if status[1] == "reading":
            reading_seen.set()
    summary = scene.pixel_sprites.last_summary
    if (status is None and summary) or time.time() - started > 240:  # 240 s: a hang guard only
        print("STAGES", sorted(seen))
        print("SUMMARY", summary)
        bpy.ops.wm.quit_blender()
        return None
    return 0.05

bpy.app.timers.register(start, first_interval=0.5)
bpy.app.timers.register(check, first_interval=0.6)
"""
XVFB_RUN = shutil.which("xvfb-run")
# One Blender UI at a time, even when the tests run in several processes: ``xvfb-run -a`` takes the first display
# number whose lock file is missing, so two started together can pick the same one.
ONE_VIRTUAL_SCREEN = FileLock(Path(tempfile.gettempdir()) / "pixel-sprites-tests-xvfb.lock")


def run_with_ui(blend: Path, script: Path, timeout: float = 150) -> tuple[str, str]:
    """Debian's Blender with a UI on a virtual screen, on ``blend``, running ``script``: its stdout and stderr.

    The script must print ``BACKGROUND False`` once the UI runs, and quit Blender when it is done.
    """
    if XVFB_RUN is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs xvfb-run: scripts/setup.sh installs it", pytrace=False)
        pytest.skip("xvfb-run is not installed")
    assert BLENDER is not None
    command = [XVFB_RUN, "-a", "-s", "-screen 0 1280x800x24", BLENDER, str(blend), "--python", str(script)]
    # Blender 3.4's UI on a virtual screen has hung once in many runs, before any work of the add-on began
    # (the render stopped between frames); a hung attempt is killed with its screen and tried once more.
    output = ""
    with ONE_VIRTUAL_SCREEN:
        for _attempt in range(2):
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                env=debian_blender_env(),
            )  # fmt: skip
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                output += f"{stdout[-3000:]}\n{stderr[-3000:]}\n"
                continue
            assert "BACKGROUND False" in stdout, stdout[-3000:] + stderr[-3000:]
            return stdout, stderr
    pytest.fail(f"Blender's UI hung twice:\n{output}")


def blender_with_ui(scene_file: Path, tmp_path: Path, start: str, source: str = "", hold_reads: bool = False) -> str:
    script = tmp_path / "with_ui.py"
    code = WITH_UI.format(scripts=str(ROOT / "scripts"), source=source, start=start, hold_reads=hold_reads)
    script.write_text(code)
    return run_with_ui(scene_file, script)[0]


def test_with_a_ui_an_animation_render_gets_its_sprites_off_the_main_thread(scene_file: Path, tmp_path: Path) -> None:
    start = "bpy.ops.render.render('INVOKE_DEFAULT', animation=True)"
    output = blender_with_ui(scene_file, tmp_path, start, hold_reads=True)
    assert "SUMMARY 8/8 sprites" in output
    assert "Info: Pixel Sprites: 8/8 sprites" in output  # reported to the status bar and the Info editor
    [stages] = [line for line in output.splitlines() if line.startswith("STAGES ")]
    assert "'reading'" in stages  # the job's progress reached the main thread while it ran
    assert len(list((tmp_path / "renders" / "sprites").glob("000?.png"))) == 8


def test_with_a_ui_process_renders_runs_in_the_background(scene_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "existing"
    write_truth_set(folder, 5, 6, seed=9)
    (folder / "broken.png").write_bytes(b"")
    output = blender_with_ui(scene_file, tmp_path, "bpy.ops.pixel_sprites.process()", source=str(folder) + "/")
    assert "STARTED {'FINISHED'}" in output
    assert "SUMMARY 6/7 sprites, 5 colours" in output and "1 skipped" in output
    assert "Warning: Pixel Sprites: 6/7 sprites" in output
    assert len(list((folder / "sprites").glob("frame_*.png"))) == 6


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--colors", "1000", "--colors: expected 'auto' or a number of colours; must be in 1..256, got 1000"),
        ("--tolerance", "0", "--tolerance: must be in 0.1..50.0, got 0.0"),
        ("--alpha-threshold", "256", "--alpha-threshold: must be in 1..255, got 256"),
        ("--method", "median-cut", "--method: invalid choice: 'median-cut'"),
        ("--sampling", "median", "--sampling: invalid choice: 'median'"),
    ],
)
def test_batch_helper_refuses_what_the_command_line_refuses(scene_file: Path, option, value, problem) -> None:
    result = blender(str(scene_file), "--python", str(ROOT / "scripts" / "render_sprites.py"), "--", option, value)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert problem in result.stderr
    assert not (scene_file.parent / "renders").exists()  # refused before anything was rendered


def test_batch_helper_sets_values_the_panel_could_not_hold_before(scene_file: Path, tmp_path: Path) -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r})\n"
        "import bpy, render_sprites\nrender_sprites.load_addon()\n"
        "args = render_sprites.parse(['--tolerance', '0.2', '--max-colors', '200', '--seed', '7',"
        " '--sampling', 'majority'])\n"
        "settings = bpy.context.scene.pixel_sprites\nrender_sprites.apply_options(settings, args)\n"
        "print('SETTINGS', round(settings.tolerance, 6), settings.max_colors, settings.seed, settings.auto_colors,"
        " settings.sampling)\n"
    )
    result = blender(str(scene_file), "--python-expr", code)
    assert "SETTINGS 0.2 200 7 True majority" in result.stdout, result.stdout[-2000:] + result.stderr


def test_batch_helper_refuses_too_many_colours_for_paletted_sprites_before_rendering(scene_file: Path) -> None:
    result = blender(
        str(scene_file), "--python", str(ROOT / "scripts" / "render_sprites.py"), "--", "--colors", "256", "--indexed"
    )
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert "render_sprites.py: error: --colors 256 with --indexed" in result.stderr
    assert not (scene_file.parent / "renders").exists()


SET_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_set_scene
build_set_scene(output=Path({renders!r}))
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""


def test_batch_helper_renders_a_sprite_set_with_sheets(tmp_path: Path) -> None:
    """Debian's blender -b (3.4, legacy actions) runs the batch script with --directions 8 --sheets."""
    blend = tmp_path / "set.blend"
    code = SET_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(tmp_path / "renders"), blend=str(blend))
    made = blender("--python-expr", code)
    assert blend.is_file(), made.stdout[-2000:] + made.stderr
    result = blender(
        str(blend), "--python", str(ROOT / "scripts" / "render_sprites.py"),
        "--", "--directions", "8", "--pivot-object", "character", "--actions", "idle,walk", "--frame-step", "2",
        "--pixel", "4", "--sheets",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    lines = summary_lines(result.stdout)
    assert "Pixel Sprites: idle: 8 facings x 2 frames at 12 fps, 16 renders" in lines
    assert "Pixel Sprites: walk: 8 facings x 3 frames at 12 fps, 24 renders" in lines
    assert lines[-1].startswith("Pixel Sprites: 40/40 sprites")
    sprites = tmp_path / "renders" / "sprites"
    assert sorted(path.name for path in (sprites / "walk" / "NE").iterdir()) == ["0001.png", "0003.png", "0005.png"]
    for action in ("idle", "walk"):
        data = json.loads((sprites / "sheets" / f"{action}.json").read_text())
        assert [tag["name"] for tag in data["meta"]["frameTags"]] == [
            f"{action}_{facing}" for facing in ("S", "SE", "E", "NE", "N", "NW", "W", "SW")
        ]
        assert {frame["duration"] for frame in data["frames"].values()} == {83}  # 24 fps, every 2nd frame
        assert (sprites / "sheets" / f"{action}.aseprite").is_file() and (
            sprites / "sheets" / f"{action}.tres"
        ).is_file()
    manifest = json.loads((sprites / "character.set.json").read_text())
    assert [action["name"] for action in manifest["actions"]] == ["idle", "walk"]
    # The real Godot 4.6 loads both .tres files as the JSON says and draws every rendered sprite exactly.
    require_godot()
    check = check_sprite_frames(list(sheet_groups(sprites)))
    assert check.run.exit_code == 0 and check.run.errors == [] and len(check.loaded) == 2, check.run.errors
    for tres, loaded in check.loaded.items():
        assert godot_mismatches(loaded, expected_animations(sprites, tres)) == [], tres.name
        assert drawing_mismatches(sprites, loaded) == [], tres.name
        assert len(loaded.drawn) == 8 * (2 if tres.stem == "idle" else 3)


def addon_env(tmp_path: Path) -> dict[str, str]:
    scripts = tmp_path / "user_scripts"
    if not scripts.exists():
        (scripts / "addons").mkdir(parents=True)
        (scripts / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
    return {"BLENDER_USER_SCRIPTS": str(scripts)}


def start_blender(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    assert BLENDER is not None
    return subprocess.Popen(
        [BLENDER, "-b", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=debian_blender_env(env)
    )


FARM = "import bpy; print('RESULT', bpy.ops.pixel_sprites.{operator}({arguments}))"


def farm_task(blend: Path, env: dict[str, str], operator: str, **arguments: str) -> subprocess.CompletedProcess[str]:
    code = FARM.format(operator=operator, arguments=", ".join(f"{key}={value!r}" for key, value in arguments.items()))
    return blender(str(blend), "--addons", "pixel_sprites", "--python-exit-code", "1", "--python-expr", code, env=env)


def test_farm_tasks_fail_with_a_line_naming_the_problem(scene_file: Path, tmp_path: Path) -> None:
    env = addon_env(tmp_path)
    renders = tmp_path / "renders"
    renders.mkdir()
    before_fit = farm_task(scene_file, env, "farm_fit", renders=str(renders))
    assert before_fit.returncode == 1
    assert f"Pixel Sprites: Error: {renders}: no PNG renders to fit a palette to" in before_fit.stdout
    write_truth_set(renders, 4, 2, seed=1)
    apply_first = farm_task(scene_file, env, "farm_apply", renders=str(renders), frames="1..2")
    assert apply_first.returncode == 1
    assert f"{renders / 'sprites' / 'character.gpl'}: no palette: run the fit task first" in apply_first.stdout
