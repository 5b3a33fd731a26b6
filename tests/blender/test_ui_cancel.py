"""Cancel during Render Sprite Set, in Debian's real Blender 3.4 with a UI on a virtual screen.

Nothing of the add-on is stood in for: the set's own render jobs run, and Cancel is the panel's operator. To
press it at a chosen moment, a render handler of the test holds Blender's render thread there (a handler the
add-on does not know about, as another add-on's could) until the script's timer, on the main thread, has
pressed Cancel. One Blender cancels a set at each moment in turn. The assertions read what is on disk and the
lines the script printed once Blender had been quiet for a while: which renders started after Cancel, the
scene's state, and the summary the panel shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_blender_binary import BLENDER, ROOT, SET_SCENE, blender, run_with_ui
from test_ui_queue import PRELUDE

# Debian's binary is the same whichever bpy runs pytest: scripts/test.sh runs these once (-m debian_blender).
pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

# What the script waits for, at most; a UI attempt that outlives ATTEMPT_SECONDS has hung and is killed.
SCRIPT_SECONDS = 60
ATTEMPT_SECONDS = 100
FACINGS = ("S", "E", "N", "W")
FRAMES = ("0001.png", "0002.png", "0003.png", "0004.png")
# Where the render thread is held while Cancel is pressed, and the facings the set has rendered in the end:
# - "between facings": in render_complete of the first facing (S). The set has taken that end and waits for
#   Blender's render job to wind down before it starts the next facing; the job cannot wind down while its
#   thread is held, so Cancel cannot end the set at once and the waiting itself must notice it.
# - "during a facing": in render_write of the second facing's (E) first frame. That render goes on to its
#   last frame, and the set stops there.
MOMENTS = {"between facings": ("S",), "during a facing": ("S", "E")}

# After PRELUDE: one Blender (its UI takes seconds to start) runs a set for each moment in turn, each into a
# folder of its own, and prints what it saw with the moment in brackets.
CANCEL_SETS = """
import threading
from bpy.app.handlers import persistent
from pixel_sprites.blender import render_session, sprite_set

MOMENTS, RENDERS = {moments!r}, {renders!r}
HOLD_SECONDS = 30  # a render thread never released (a broken script) lets go in the end
QUIET_SECONDS = 1.5  # how long nothing may happen before the outcome is read
moment = None
held, released = threading.Event(), threading.Event()
renders_started = []
started_before_cancel = None
quiet_since = None


def hold_render_thread():
    held.set()
    released.wait(HOLD_SECONDS)


@persistent
def note_render_start(scene, *_):
    renders_started.append(scene.render.filepath)


@persistent
def hold_after_first_facing(scene, *_):
    if moment == "between facings" and not held.is_set():
        hold_render_thread()


@persistent
def hold_in_second_facing(scene, *_):
    if moment == "during a facing" and Path(scene.render.filepath).name == "E" and not held.is_set():
        hold_render_thread()


# Appended after the add-on's own handlers, so the add-on has taken each event before the thread is held.
bpy.app.handlers.render_init.append(note_render_start)
bpy.app.handlers.render_complete.append(hold_after_first_facing)
bpy.app.handlers.render_write.append(hold_in_second_facing)


def state():
    scene = bpy.context.scene
    render = scene.render
    rig = bpy.data.objects["rig"]
    action = rig.animation_data.action if rig.animation_data else None
    return (
        scene.frame_start, scene.frame_end, scene.frame_step, scene.frame_current, render.filepath,
        render.resolution_x, render.resolution_y, render.resolution_percentage,
        tuple(round(angle, 6) for angle in bpy.data.objects["character"].delta_rotation_euler),
        action.name if action else None,
    )


def busy():
    return (
        render_session.current is not None or sprite_set.render_job_running() or jobs.status() is not None
    )


def tell(*words):
    say(f"[{{moment}}]", *words)


def start_set(next_moment):
    global moment, held, released, step
    moment, held, released = next_moment, threading.Event(), threading.Event()
    scene = bpy.context.scene
    scene.render.filepath = str(Path(RENDERS, moment.replace(" ", "_"))) + "/"
    tell("STATE BEFORE", state())
    tell("SET", bpy.ops.pixel_sprites.render_set())
    step = "cancel"


@timed
def drive():
    global step, started_before_cancel, quiet_since
    scene = bpy.context.scene
    if step == "start":
        say("BACKGROUND", bpy.app.background)
        scene.pixel_sprites.directions = 4
        scene.pixel_sprites.render_at_sprite_size = True
        start_set(MOMENTS[0])
        return 0.02
    if step == "cancel":
        running = render_session.current
        if not held.is_set() or running is None or running.index != 1:  # index 1: the set is on to E
            return 0.02
        tell("STATE DURING", state())
        tell("RENDER JOB RUNNING AT CANCEL", sprite_set.render_job_running())
        started_before_cancel = len(renders_started)
        tell("CANCEL", bpy.ops.pixel_sprites.cancel())
        released.set()
        step = "settle"
        return 0.05
    if busy() or quiet_since is None:
        quiet_since = None if busy() else time.time()
        return 0.05
    if time.time() - quiet_since < QUIET_SECONDS:
        return 0.05
    tell("STARTED AFTER CANCEL", renders_started[started_before_cancel:])
    tell("SUMMARY", repr(scene.pixel_sprites.last_summary))
    tell("STATE AFTER", state())
    quiet_since = None
    later = MOMENTS[MOMENTS.index(moment) + 1 :]
    if later:
        start_set(later[0])
        return 0.02
    return finish("END")


bpy.app.timers.register(drive, first_interval=0.2, persistent=True)
"""


def only_line(output: str, prefix: str) -> str:
    """What follows ``prefix`` on the one line that has it; the script's lines are whole, but a render thread's
    unfinished console line may come before one."""
    [line] = [line[line.index(prefix) + len(prefix) :] for line in output.splitlines() if prefix in line]
    return line.strip()


def test_cancel_stops_the_set_after_the_render_in_progress_and_gives_the_scene_back(tmp_path: Path) -> None:
    blend, renders = tmp_path / "set.blend", tmp_path / "renders"
    code = SET_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(renders), blend=str(blend))
    made = blender("--python-expr", code)
    assert blend.is_file(), made.stdout[-2000:] + made.stderr
    script = tmp_path / "cancel_sets.py"
    prelude = PRELUDE.format(scripts=str(ROOT / "scripts"), seconds=SCRIPT_SECONDS)
    script.write_text(prelude + CANCEL_SETS.format(moments=list(MOMENTS), renders=str(renders)))
    stdout, stderr = run_with_ui(blend, script, ATTEMPT_SECONDS)
    context = stdout[-4000:] + stderr[-4000:]

    assert "TIMEOUT" not in stdout, context
    assert "END" in stdout.splitlines(), context
    for moment, facings_rendered in MOMENTS.items():
        said = f"[{moment}] "
        assert only_line(stdout, said + "SET") == "{'FINISHED'}", context
        assert only_line(stdout, said + "RENDER JOB RUNNING AT CANCEL") == "True", context  # no end at once
        assert only_line(stdout, said + "CANCEL") == "{'FINISHED'}", context
        # No render started after Cancel: the facing in progress was the last, and all its frames are kept.
        assert only_line(stdout, said + "STARTED AFTER CANCEL") == "[]", context
        folder = renders / moment.replace(" ", "_")
        written = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
        expected = sorted(f"sprite_size/default/{facing}/{frame}" for facing in facings_rendered for frame in FRAMES)
        assert written == expected, f"{moment}: {context}"
        # The set had the scene at sprite size, rendering into the facing's folder; all of that is given back.
        before, during = only_line(stdout, said + "STATE BEFORE"), only_line(stdout, said + "STATE DURING")
        assert during != before, context
        assert only_line(stdout, said + "STATE AFTER") == before, context
        summary = f"'Render Sprite Set cancelled after {len(facings_rendered)} of {len(FACINGS)} renders'"
        assert only_line(stdout, said + "SUMMARY") == summary, context
