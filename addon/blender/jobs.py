"""Running engine work without freezing Blender.

With a UI, work runs on a worker thread (the engine never touches ``bpy``).
Any thread may ask for something to be done on the main thread by putting it
in a ``queue.Queue``; one persistent timer, registered on the main thread
when the add-on is, drains that queue, starts queued jobs one after another,
shows progress and hands each report back to the scene. It survives loading
another .blend, and an error in one callback is printed and does not stop it,
so the queue cannot jam. Idle, it looks twice a second; while a call is
expected (a render in progress, whose end starts the sprites) it looks every
``FAST_SECONDS``, so that the sprites follow the render at once.

In background mode (``blender -b``) timers never fire and handlers run on the
main thread, so everything runs at once, on the calling thread.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import bpy

from ..engine import Report, RunOptions
from ..engine.errors import Cancelled, OptionError, PaletteFileError, SetupError

Work = Callable[[RunOptions], Report]
Done = Callable[[Report | None, str | None], None]
IDLE_SECONDS = 0.5
BUSY_SECONDS = 0.05  # while a job runs: its end is handed back within this
FAST_SECONDS = 0.02  # while a call from another thread is expected
PROGRESS_SECONDS = 0.2  # the progress shown this long after a job started, then at most this often
WRITE_PROBE = "pixel_sprites_write_probe"
WRITES_FORBIDDEN = "Writing to ID classes in this context is not allowed"


@dataclass
class _Job:
    title: str
    work: Work
    done: Done
    stage: str = "waiting"
    progress: tuple[int, int] = (0, 0)
    report: Report | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0


_main_thread_calls: queue.Queue[Callable[[], object]] = queue.Queue()
_waiting: deque[_Job] = deque()
_current: _Job | None = None
_cancel = threading.Event()
_status_shown = False
_progress_shown_at = 0.0
# Scenes whose render is in progress, whose end will call the main thread: while there are any, the timer ticks
# every FAST_SECONDS.
_expected: set[str] = set()


def runs_at_once() -> bool:
    """True where work runs on the calling thread as soon as it is submitted (``blender -b``)."""
    return bool(bpy.app.background)


def call_on_main_thread(function: Callable[[], object], *, expected: str | None = None) -> None:
    """Run ``function`` on the main thread: at once in background mode, else at the timer's next tick.

    ``expected`` is the key of :func:`expect_call` this call fulfils.
    """
    if runs_at_once():
        function()
        return
    _main_thread_calls.put(function)
    if expected is not None:
        _expected.discard(expected)  # after the put: the timer stays quick until it has the call


def expect_call(key: str) -> None:
    """The render of the scene ``key`` will call the main thread when it ends (see :func:`call_on_main_thread`):
    take that call within FAST_SECONDS of its coming, not after an idle wait of up to IDLE_SECONDS. Any thread may
    say so; on the main thread the wait already begun is cut short too."""
    if runs_at_once():
        return
    _expected.add(key)
    # get_ident, not current_thread: that would make a Python thread object for each render thread.
    if threading.get_ident() == threading.main_thread().ident and bpy.app.timers.is_registered(tick):
        # Only a timer registered anew starts its wait anew: a render shorter than an idle wait ends before it.
        bpy.app.timers.unregister(tick)
        bpy.app.timers.register(tick, first_interval=FAST_SECONDS, persistent=True)


def forget_call(key: str) -> None:
    """The call expected under ``key`` will not come (its render never started)."""
    _expected.discard(key)


def _render_job_running() -> bool:
    return bool(getattr(bpy.app, "is_job_running", lambda _: True)("RENDER"))


def _run(job: _Job) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        job.stage, job.progress = stage, (done, total)

    options = RunOptions(progress=progress, should_cancel=_cancel.is_set)
    try:
        job.report = job.work(options)
    except Cancelled as cancelled:
        job.report = cancelled.report
    except (SetupError, PaletteFileError, OptionError) as error:
        job.error = str(error)
    except Exception as error:  # the engine must never take Blender down; the traceback shows the bug
        job.error = f"unexpected {type(error).__name__}: {error}"
        traceback.print_exc()
    finally:
        job.finished.set()


def submit(title: str, work: Work, done: Done) -> None:
    """Run ``work``; ``done(report, error)`` is then called on the main thread."""
    job = _Job(title, work, done)
    if runs_at_once():
        _cancel.clear()
        _run(job)
        _call_safely(job.done, job.report, job.error)
        return
    _waiting.append(job)
    _advance()  # submit runs on the main thread: an idle queue starts the job now, not at the next tick


def _call_safely(function: Callable[..., object], *args: object) -> None:
    try:
        function(*args)
    except BaseException:  # one failing callback must not stop the timer and jam every later job
        traceback.print_exc()


def writes_allowed() -> bool:
    """Whether Blender lets Python write to its data now. It forbids it while read-only Python of its own runs (a
    panel's draw), with one flag for every thread: read-only Python on a render thread can leave it set on the main
    thread for a moment.

    Probed by setting an attribute the scene does not have, which writes nothing either way: Blender checks the flag
    first. A probe that wrote (a custom property set and removed) raced the render thread, which copies the scene's
    custom properties while it renders, and crashed Blender 3.4 now and then.
    """
    scene = getattr(bpy.context, "scene", None)
    if scene is None:
        return True
    try:
        setattr(scene, WRITE_PROBE, None)
    except AttributeError as error:  # "has no attribute" when writes are allowed
        return WRITES_FORBIDDEN not in str(error)
    return True


def tick() -> float:
    """The timer: main-thread calls, then the job queue; returns the delay until the next tick."""
    finished = _current is not None and _current.finished.is_set()
    if (finished or not _main_thread_calls.empty()) and not writes_allowed():
        return FAST_SECONDS  # each of those writes to the scene: they wait for the next tick
    while True:
        try:
            call = _main_thread_calls.get_nowait()
        except queue.Empty:
            break
        _call_safely(call)
    _call_safely(_advance)
    _call_safely(_show_progress)
    if _expected and not _render_job_running():
        # Blender calls its render handlers before its job ends: a render that has ended unheard (stopped before
        # its first frame, which calls no handler) will never call.
        _expected.clear()
    if _expected:
        return FAST_SECONDS
    return BUSY_SECONDS if _current is not None else IDLE_SECONDS


def _advance() -> None:
    """Hand a finished job's outcome back, and start the next waiting job."""
    global _current
    if _current is not None and _current.finished.is_set():
        job, _current = _current, None
        _call_safely(job.done, job.report, job.error)
        _call_safely(_redraw_panels)  # the outcome, even of a job too short to have shown its progress
    if _current is None and _waiting:
        job = _waiting.popleft()
        _cancel.clear()
        job.started_at = time.monotonic()
        try:
            threading.Thread(target=_run, args=(job,), name="pixel_sprites", daemon=True).start()
        except RuntimeError as error:  # no thread to be had: the job fails, the queue goes on
            _call_safely(job.done, None, f"could not start ({error})")
            return
        _current = job


def _show_progress() -> None:
    global _status_shown, _progress_shown_at
    job = _current
    if job is None and not _status_shown:
        return
    now = time.monotonic()
    if job is not None and now - max(job.started_at, _progress_shown_at) < PROGRESS_SECONDS:
        # A job shorter than that is never shown: each redraw takes the job's thread the GIL (the panel's Python)
        # and CPU time (the window is drawn anew).
        return
    _progress_shown_at = now
    _redraw_panels()
    workspace = getattr(bpy.context, "workspace", None)
    if workspace is not None:
        text = None if job is None else f"Pixel Sprites: {job.title}, {job.stage} {job.progress[0]}/{job.progress[1]}"
        workspace.status_text_set(text)  # None gives the status bar back to Blender
    _status_shown = job is not None


def _redraw_panels() -> None:
    for window in getattr(bpy.context.window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type != "VIEW_3D":
                continue
            for region in area.regions:
                if region.type == "UI":  # the sidebar, with the panel: the viewport itself is costly to draw
                    region.tag_redraw()


def cancel() -> bool:
    """Ask the running job to stop and drop the waiting ones (each told so); False if nothing was running."""
    while _waiting:
        job = _waiting.popleft()
        _call_safely(job.done, None, "cancelled before it started")
    if _current is None:
        return False
    _cancel.set()
    return True


def status() -> tuple[str, str, int, int] | None:
    """(title, stage, done, total) of the running job, or None when idle."""
    job = _current or (_waiting[0] if _waiting else None)
    if job is None:
        return None
    return job.title, job.stage, job.progress[0], job.progress[1]


def register() -> None:
    if not bpy.app.timers.is_registered(tick):
        bpy.app.timers.register(tick, first_interval=IDLE_SECONDS, persistent=True)


def unregister() -> None:
    cancel()
    if bpy.app.timers.is_registered(tick):
        bpy.app.timers.unregister(tick)
