"""The job queue in Debian's real Blender 3.4 with a UI: it survives loading a .blend and a failing callback.

Each test runs Blender under ``xvfb-run`` with a script whose one persistent timer drives the steps and prints
what it saw; the assertions read that output. A queue that jams shows as a ``TIMEOUT`` line.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from synthetic import distinct_colours, truth_frame
from test_blender_binary import BLENDER, ROOT, run_with_ui, scene_file

__all__ = ["scene_file"]  # the fixture, imported for the tests below

# Debian's binary is the same whichever bpy runs pytest: scripts/test.sh runs these once (-m debian_blender).
pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

# What the script waits for, at most; a UI attempt that outlives ATTEMPT_SECONDS has hung and is killed.
SCRIPT_SECONDS = 45
ATTEMPT_SECONDS = 75

# The start of every script: the add-on loaded as in render_sprites.py, ``finish`` (a last line, then quit) and
# ``timed``, which finishes with a TIMEOUT line past the deadline. Each script then registers its step function
# ``drive`` as a persistent timer, so that it survives loading a .blend.
PRELUDE = """
import sys, time
from pathlib import Path
sys.path.insert(0, {scripts!r})
import bpy
from render_sprites import load_addon
load_addon()
from pixel_sprites import engine
from pixel_sprites.blender import jobs

DEADLINE = time.time() + {seconds}
step = "start"


def say(*words):
    print(*words, flush=True)


def sprites_in(folder):
    return len(list(Path(folder, "sprites").glob("frame_*.png")))


def finish(line):
    say(line)
    bpy.ops.wm.quit_blender()
    return None


def timed(function):
    def run():
        if time.time() > DEADLINE:
            return finish(f"TIMEOUT in step {{step}}, job status {{jobs.status()}}")
        return function()
    return run
"""

LOAD_WHILE_RUNNING = """
import threading
from pixel_sprites.engine.sprites import small_frames

BIG, SMALL, BLEND = {big!r}, {small!r}, {blend!r}
loaded = threading.Event()
read_frame = small_frames.read_frame


def read_frame_once_loaded(path):
    # The first job reads no frame before the file is loaded: it is running, and far from done, at the load
    # whatever the speeds. DEADLINE guards against a hang; then the job goes on, and the test fails.
    loaded.wait(max(0, DEADLINE - time.time()))
    return read_frame(path)


small_frames.read_frame = read_frame_once_loaded


@timed
def drive():
    global step
    scene = bpy.context.scene
    if step == "start":
        say("BACKGROUND", bpy.app.background)
        scene.pixel_sprites.source_folder = BIG
        say("FIRST", bpy.ops.pixel_sprites.process())
        step = "load"
        return 0.05
    if step == "load":
        status = jobs.status()
        if status is None or status[1] == "waiting":  # not started yet by the add-on's timer
            return 0.05
        say("BEFORE LOAD", status, sprites_in(BIG))
        say("OPEN", bpy.ops.wm.open_mainfile(filepath=BLEND))
        loaded.set()
        say("AFTER LOAD", jobs.status())
        step = "first"
        return 0.05
    if step == "first":
        if jobs.status() is not None:
            return 0.05
        say("FIRST DONE", sprites_in(BIG), repr(scene.pixel_sprites.last_summary))
        scene.pixel_sprites.source_folder = SMALL
        say("SECOND", bpy.ops.pixel_sprites.process())
        step = "second"
        return 0.05
    summary = scene.pixel_sprites.last_summary
    if jobs.status() is not None or not summary:
        return 0.05
    say("SECOND DONE", sprites_in(SMALL), repr(summary))
    return finish("END")


bpy.app.timers.register(drive, first_interval=0.5, persistent=True)
"""

DONE_RAISES = """
TINY, SMALL, LATER = {tiny!r}, {small!r}, {later!r}


def work(options):
    frames = engine.discover_frames([TINY], recursive=False)
    output = engine.OutputSettings(folder=Path(TINY, "sprites"))
    return engine.process(frames, [TINY], engine.DownscaleSettings(), engine.PaletteSettings(), output, options)


def done(report, error):
    say("DONE CALLED", error, report.summary())
    raise RuntimeError("this done callback fails on purpose")


def finished(scene):
    return jobs.status() is None and scene.pixel_sprites.last_summary


@timed
def drive():
    global step
    scene = bpy.context.scene
    if step == "start":
        say("BACKGROUND", bpy.app.background)
        jobs.submit("Failing callback", work, done)
        scene.pixel_sprites.source_folder = SMALL
        say("QUEUED BEHIND", bpy.ops.pixel_sprites.process())
        step = "queued"
        return 0.05
    if step == "queued":
        if not finished(scene):
            return 0.05
        say("QUEUED DONE", sprites_in(SMALL), repr(scene.pixel_sprites.last_summary))
        scene.pixel_sprites.source_folder = LATER
        say("LATER", bpy.ops.pixel_sprites.process())
        step = "later"
        return 0.05
    if not finished(scene):
        return 0.05
    say("LATER DONE", sprites_in(LATER), repr(scene.pixel_sprites.last_summary))
    return finish("END")


bpy.app.timers.register(drive, first_interval=0.5, persistent=True)
"""


def write_frames(folder: Path, count: int, *, seed: int = 0) -> None:
    """``count`` renders of a 6-colour character at 160x225: four painted, the rest hard links to them.

    Links are fast to make, and the engine reads and writes every one of them as a frame of its own.
    """
    folder.mkdir(parents=True)
    colours = distinct_colours(6, seed=seed)
    for index in range(count):
        path = folder / f"frame_{index:04d}.png"
        if index < 4:
            render = truth_frame(colours, shape=(45, 32), scale=5, seed=seed * 1000 + index).render
            Image.fromarray(render, "RGBA").save(path)
            continue
        try:
            os.link(folder / f"frame_{index % 4:04d}.png", path)
        except OSError:
            shutil.copyfile(folder / f"frame_{index % 4:04d}.png", path)


def run_script_with_ui(blend: Path, tmp_path: Path, script: str) -> tuple[str, str]:
    """Blender with a UI on ``blend``, running ``script`` (after PRELUDE); its stdout and stderr."""
    path = tmp_path / "ui_queue.py"
    path.write_text(PRELUDE.format(scripts=str(ROOT / "scripts"), seconds=SCRIPT_SECONDS) + script)
    return run_with_ui(blend, path, ATTEMPT_SECONDS)


def lines_starting(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


def test_a_job_running_when_a_blend_is_loaded_finishes_and_the_queue_goes_on(scene_file: Path, tmp_path: Path) -> None:
    big, small = tmp_path / "big", tmp_path / "small"
    write_frames(big, 30, seed=1)
    write_frames(small, 3, seed=2)
    script = LOAD_WHILE_RUNNING.format(big=str(big) + "/", small=str(small) + "/", blend=str(scene_file))
    stdout, stderr = run_script_with_ui(scene_file, tmp_path, script)
    context = stdout[-4000:] + stderr[-4000:]

    assert "FIRST {'FINISHED'}" in stdout, context
    [before] = lines_starting(stdout, "BEFORE LOAD")
    # The job was running (reading), not waiting, when the file was loaded, with no sprite written yet.
    assert before.startswith("BEFORE LOAD ('Processing renders', 'reading', ") and before.endswith(" 0"), context
    assert "OPEN {'FINISHED'}" in stdout, context
    assert "TIMEOUT" not in stdout, context  # jobs.status() stayed busy: the queue jammed
    # The first job finished after the load, with its report handed to the loaded file's scene of the same name.
    assert "FIRST DONE 30 '30/30 sprites" in stdout, context
    assert stdout.index("OPEN {'FINISHED'}") < stdout.index("Pixel Sprites: 30/30 sprites"), context
    assert len(list((big / "sprites").glob("frame_*.png"))) == 30
    # A job submitted after the load ran too.
    assert "SECOND {'FINISHED'}" in stdout, context
    assert "SECOND DONE 3 '3/3 sprites" in stdout, context
    assert len(list((small / "sprites").glob("frame_*.png"))) == 3
    assert "END" in stdout, context


def test_an_exception_in_a_done_callback_is_printed_and_the_queue_goes_on(scene_file: Path, tmp_path: Path) -> None:
    tiny, small, later = tmp_path / "tiny", tmp_path / "small", tmp_path / "later"
    write_frames(tiny, 2, seed=3)
    write_frames(small, 3, seed=4)
    write_frames(later, 4, seed=5)
    script = DONE_RAISES.format(tiny=str(tiny), small=str(small) + "/", later=str(later) + "/")
    stdout, stderr = run_script_with_ui(scene_file, tmp_path, script)
    context = stdout[-4000:] + stderr[-4000:]

    assert "DONE CALLED None 2/2 sprites" in stdout, context  # the failing job itself ran, with a real report
    assert "RuntimeError: this done callback fails on purpose" in stderr, context  # and its traceback was printed
    assert "TIMEOUT" not in stdout, context
    # The job queued behind the failing one ran...
    assert "QUEUED BEHIND {'FINISHED'}" in stdout, context
    assert "QUEUED DONE 3 '3/3 sprites" in stdout, context
    assert stdout.index("DONE CALLED") < stdout.index("Pixel Sprites: 3/3 sprites"), context
    # ...and so did one submitted once the queue was idle again.
    assert "LATER DONE 4 '4/4 sprites" in stdout, context
    for folder, count in ((tiny, 2), (small, 3), (later, 4)):
        assert len(list((folder / "sprites").glob("frame_*.png"))) == count
    assert "END" in stdout, context
