"""How long Render Sprites with a UI takes from the end of its render to the last sprite on disk.

    python3 scripts/bench/render_overhead.py [--runs 5] [--frames 8] [--blender blender]

Outside Blender the script builds the demo character's scene (``character_scene.build_character_scene``) in a
``blender -b``, then opens it in Debian's Blender 3.4 with a UI on a virtual screen (``xvfb-run``), holding the
tests' lock on it, and runs itself there. Inside, with Render at Sprite Size on and ``--frames`` frames, it
presses Render Sprites (``INVOKE_DEFAULT``, as the panel's button does) ``--runs`` times, each time into an empty
sprites folder, and prints, for each run and as their median, the seconds from ``render_complete`` (a handler of
its own, after the add-on's) to the newest sprite file's modification time, and to the job's summary reaching
the panel; and, from a wrapper of its own around the engine's ``update_character_sprites``, how long after
``render_complete`` the engine started (the add-on's share) and how long it took (the engine's). The render itself
is not counted: only what follows it. Without a GPU, Blender's windows are drawn on the CPU (llvmpipe), and each
redraw takes CPU time from the engine: on a busy machine the engine's share swings from run to run.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300  # seconds for the whole Blender run with a UI
RESULT_PREFIX = "render_overhead:"
# Set by the bpy module of a venv, which Debian's Blender must not see (as tests/blender/test_blender_binary.py).
SET_BY_BPY = ("OCIO", "MATERIALX_SEARCH_PATH", "PXR_MTLX_STDLIB_SEARCH_PATHS", "BLENDER_USER_SCRIPTS")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="render_overhead.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="Render Sprites presses measured (default 5)")
    parser.add_argument("--frames", type=int, default=8, help="frames of the animation (default 8)")
    parser.add_argument("--blender", default="blender", help="the Blender binary (default: blender on PATH)")
    parser.add_argument("--make-scene", type=Path, help=argparse.SUPPRESS)  # inside blender -b: save the scene there
    return parser.parse_args(argv)


def blender_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SET_BY_BPY}
    # Debian's Blender takes its Python's home from the first python3.11 on PATH: not a venv's or pyenv's.
    system = [folder for folder in env.get("PATH", "").split(os.pathsep) if folder.startswith(("/usr/", "/bin"))]
    env["PATH"] = os.pathsep.join(system or ["/usr/local/bin", "/usr/bin", "/bin"])
    env.pop("VIRTUAL_ENV", None)
    return env


def run_blender(args: argparse.Namespace) -> int:
    """Outside Blender: make the scene, then measure in Blender with a UI on a virtual screen."""
    work = Path(tempfile.mkdtemp(prefix="pixel_sprites_overhead_"))
    try:
        blend = work / "scene.blend"
        this = str(Path(__file__).resolve())
        made = subprocess.run(
            [args.blender, "-b", "--factory-startup", "--python", this, "--", "--make-scene", str(blend)],
            capture_output=True, text=True, timeout=120, env=blender_environment(),
        )  # fmt: skip
        if not blend.is_file():
            print(made.stdout[-3000:], made.stderr[-3000:], file=sys.stderr)
            return 1
        command = [
            "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", args.blender, "--factory-startup", str(blend),
            "--python", this, "--", "--runs", str(args.runs), "--frames", str(args.frames),
        ]  # fmt: skip
        # One Blender UI at a time with the tests' (the lock file of tests/blender/test_blender_binary.py): two
        # ``xvfb-run -a`` started together can pick the same display.
        with open(Path(tempfile.gettempdir()) / "pixel-sprites-tests-xvfb.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            process = subprocess.Popen(
                command, env=blender_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                start_new_session=True,
            )  # fmt: skip
            try:
                stdout, stderr = process.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # Blender and its virtual screen
                stdout, stderr = process.communicate()
        results = [line for line in stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        if not results:
            print(stdout[-3000:], stderr[-3000:], file=sys.stderr)
            return 1
        figures = json.loads(results[-1][len(RESULT_PREFIX) :])
        if "error" in figures:
            print(f"render_overhead: {figures['error']}", file=sys.stderr)
            print(stdout[-3000:], file=sys.stderr)
            return 1
        runs = zip(figures["to_sprite"], figures["to_summary"], figures["to_engine"], figures["engine"], strict=True)
        for index, (to_sprite, to_summary, to_engine, in_engine) in enumerate(runs):
            print(
                f"run {index + 1}: {to_sprite:.3f} s to the last sprite, {to_summary:.3f} s to the summary; "
                f"the engine started after {to_engine:.3f} s and took {in_engine:.3f} s"
            )
        median = {name: statistics.median(values) for name, values in figures.items() if isinstance(values, list)}
        print(
            f"median of {len(figures['to_sprite'])} runs, {args.frames} frames at sprite size: "
            f"{median['to_sprite']:.3f} s from render_complete to the last sprite on disk, "
            f"{median['to_summary']:.3f} s to the summary; the engine started after {median['to_engine']:.3f} s "
            f"and took {median['engine']:.3f} s"
        )
        print(f"summary: {figures['summary']}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def script(name: str) -> Any:
    """A module of ``scripts/`` (``character_scene``, ``render_sprites``), imported by name: Blender scripts, typed
    for the Blenders they run in rather than for the stubs mypy reads ``bpy`` from, so mypy is not pointed at them."""
    sys.path.insert(0, str(ROOT / "scripts"))
    return importlib.import_module(name)


def make_scene(blend: Path) -> None:
    """Inside ``blender -b``: the demo character, rendering its PNGs beside the .blend."""
    blend.parent.mkdir(parents=True, exist_ok=True)
    script("character_scene").build_character_scene(output=blend.parent / "renders")
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))


def measure(args: argparse.Namespace) -> None:
    """Inside Blender with a UI: press Render Sprites ``args.runs`` times, timing what follows each render."""
    script("render_sprites").load_addon()
    from bpy.app.handlers import persistent

    from pixel_sprites.blender import jobs, sprite_set, sprites

    context: Any = bpy.context  # the stubs know neither the add-on's settings nor a context that is always set
    operators: Any = bpy.ops
    scene = context.scene
    scene.frame_start, scene.frame_end = 1, args.frames
    settings = scene.pixel_sprites
    settings.enabled = True
    settings.render_at_sprite_size = True
    output = settings.output_folder_for(sprites.renders_folder(scene))
    completed: list[float] = []
    engine: list[float] = []  # when the engine's update started and ended
    figures: dict[str, list[float]] = {"to_sprite": [], "to_summary": [], "to_engine": [], "engine": []}
    state = {"pressed": False, "deadline": time.time() + TIMEOUT - 60}

    @persistent
    def note_complete(*_: object) -> None:
        completed.append(time.time())

    bpy.app.handlers.render_complete.append(note_complete)  # after the add-on's own handler
    update = sprites.update_character_sprites

    def timed_update(*args: object, **kwargs: object) -> object:
        engine.append(time.time())
        try:
            return update(*args, **kwargs)
        finally:
            engine.append(time.time())

    sprites.update_character_sprites = timed_update  # the engine's share, told apart from the add-on's

    def finish(extra: dict[str, object]) -> None:
        print(RESULT_PREFIX, json.dumps(figures | extra), flush=True)
        bpy.ops.wm.quit_blender()

    def press() -> None:
        shutil.rmtree(output, ignore_errors=True)  # each run makes the character anew
        completed.clear()
        engine.clear()
        settings.last_summary = ""
        window = context.window_manager.windows[0]
        area = next(area for area in window.screen.areas if area.type == "VIEW_3D")
        with context.temp_override(window=window, area=area):
            operators.pixel_sprites.render_sprites("INVOKE_DEFAULT")
        state["pressed"] = True

    def drive() -> float | None:
        if time.time() > state["deadline"]:
            finish({"error": f"timed out after {len(figures['to_sprite'])} runs"})
            return None
        if not state["pressed"]:
            press()
            return 0.01
        busy = sprite_set.render_job_running() or jobs.status() is not None or not settings.last_summary
        if busy or not completed:
            return 0.01
        summary_at = time.time()
        sprite_times = [path.stat().st_mtime for path in output.glob("*.png")]
        if len(sprite_times) < args.frames:
            finish({"error": f"{len(sprite_times)} sprites in {output}: {settings.last_summary}"})
            return None
        figures["to_sprite"].append(max(sprite_times) - completed[0])
        figures["to_summary"].append(summary_at - completed[0])
        figures["to_engine"].append(engine[0] - completed[0])
        figures["engine"].append(engine[1] - engine[0])
        state["pressed"] = False
        if len(figures["to_sprite"]) == args.runs:
            finish({"summary": settings.last_summary})
            return None
        return 0.5  # Blender's render window settles before the next press

    bpy.app.timers.register(drive, first_interval=1.0)


if "bpy" not in sys.modules:  # a plain Python: this is the wrapper
    if __name__ == "__main__":
        sys.exit(run_blender(parse(sys.argv[1:])))
else:
    import bpy

    ARGS = parse(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else [])
    try:
        if ARGS.make_scene is not None:
            make_scene(ARGS.make_scene)
        else:
            measure(ARGS)
    except Exception:  # Blender would stay open with its UI, waiting for nobody
        import traceback

        traceback.print_exc()
        os._exit(1)
