"""Running engine work without freezing Blender.

With a UI, work runs on a worker thread (the engine never touches ``bpy``)
and a timer on the main thread polls it, shows progress and hands the report
back to the scene. In background mode (``blender -b``) timers never fire, so
work runs at once, on the calling thread.
"""

from __future__ import annotations

import threading
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import bpy

from ..engine import Cancelled, PaletteFileError, Report, RunOptions, SetupError

Work = Callable[[RunOptions], Report]
Done = Callable[[Report | None, str | None], None]
POLL_SECONDS = 0.2


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


_queue: deque[_Job] = deque()
_current: _Job | None = None
_cancel = threading.Event()


def _run(job: _Job) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        job.stage, job.progress = stage, (done, total)

    options = RunOptions(progress=progress, should_cancel=_cancel.is_set)
    try:
        job.report = job.work(options)
    except Cancelled as cancelled:
        job.report = cancelled.report
    except (SetupError, PaletteFileError) as error:
        job.error = str(error)
    except Exception as error:  # the engine must never take Blender down
        job.error = f"unexpected {type(error).__name__}: {error}"
        traceback.print_exc()
    finally:
        job.finished.set()


def submit(title: str, work: Work, done: Done) -> None:
    """Run ``work``; ``done(report, error)`` is then called on the main thread."""
    job = _Job(title, work, done)
    if bpy.app.background:
        _cancel.clear()
        _run(job)
        job.done(job.report, job.error)
        return
    _queue.append(job)
    if _current is None:
        _start_next()
        bpy.app.timers.register(_poll, first_interval=POLL_SECONDS)


def _start_next() -> None:
    global _current
    _current = _queue.popleft() if _queue else None
    if _current is not None:
        _cancel.clear()
        threading.Thread(target=_run, args=(_current,), name="pixel_sprites", daemon=True).start()


def _poll() -> float | None:
    _redraw_panels()
    job = _current
    if job is None:
        _show_in_status_bar(None)
        return None
    if not job.finished.is_set():
        done, total = job.progress
        _show_in_status_bar(f"Pixel Sprites: {job.title}, {job.stage} {done}/{total}")
        return POLL_SECONDS
    job.done(job.report, job.error)
    _start_next()
    if _current is None:
        _show_in_status_bar(None)
        return None
    return POLL_SECONDS


def _show_in_status_bar(text: str | None) -> None:
    """Progress in the status bar; ``None`` gives the bar back to Blender."""
    workspace = getattr(bpy.context, "workspace", None)
    if workspace is not None:
        workspace.status_text_set(text)


def _redraw_panels() -> None:
    for window in getattr(bpy.context.window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


def cancel() -> bool:
    """Ask the running job to stop and drop the queued ones; False if nothing was running."""
    _queue.clear()
    if _current is None:
        return False
    _cancel.set()
    return True


def status() -> tuple[str, str, int, int] | None:
    """(title, stage, done, total) of the running job, or None when idle."""
    job = _current
    if job is None:
        return None
    return job.title, job.stage, job.progress[0], job.progress[1]
