"""Render handlers: collect the frames a render writes, then make their sprites.

With a UI these handlers run on the render job's thread, so they only record
paths and ask for the work to be started on the main thread (see ``jobs``).
In background mode they run on the main thread and the work runs at once.
Render Sprites with a UI is a render job of Blender's own: :class:`SpritesRender`
keeps the scene set up for it until the job has ended.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import bpy
from bpy.app.handlers import persistent

from ..engine.errors import SetupError
from . import handler_lists, jobs, normal_pass, render_session, sprite_set, sprites
from .normal_pass import NormalRenders
from .render_size import sprite_size_changes
from .rig_capture import RigCapture, checked_request

# Frames written by the render in progress, by scene name.
_written: dict[str, list[Path]] = {}
# Scenes being rendered at sprite size by the Render Sprites operator in background mode.
sprite_size_renders: set[str] = set()
WATCH_SECONDS = 0.5  # how often a Render Sprites run looks whether its render job is still there

NOTHING_WRITTEN = (
    "this render wrote no frames. A still (F12) is not saved by Blender: use Process Render Result. "
    "Frames skipped because 'Overwrite' is off are not processed again"
)
NO_DENOISER = (
    "this render wrote no frames. This Blender was built without OpenImageDenoise and the scene has "
    "Cycles denoising on: turn off Render Properties > Sampling > Denoise"
)


def _lacks_denoiser(scene: bpy.types.Scene) -> bool:
    if scene.render.engine != "CYCLES" or not scene.cycles.use_denoising:
        return False
    try:
        import _cycles
    except ImportError:
        return False
    return not getattr(_cycles, "with_openimagedenoise", True)


# Normal frames of renders started from the command line (``-a``, ``-f``), which no operator of ours set up.
_normals: dict[str, NormalRenders] = {}
# Game data of renders in background mode (``-a``, ``-f``, Render Sprites), by scene name: begun at render_init.
_captures: dict[str, RigCapture] = {}


def game_data_capture(scene: bpy.types.Scene, renders: Path) -> RigCapture | None:
    """The game data the scene asks for, for frames found below ``renders``, its sources checked; None for none.

    Raises
    ------
    SetupError
        Naming the point or box the scene cannot give.
    """
    request = checked_request(scene)
    return RigCapture(scene, request, renders, sprite_set.pivot_object(scene)) if request is not None else None


def _begin_capture(scene: bpy.types.Scene) -> None:
    """Background mode (the main thread): the render's game data, In Place held from here to its end."""
    renders = sprites.frame_list_root or Path(scene.render.frame_path(frame=scene.frame_current)).parent
    try:
        capture = game_data_capture(scene, renders)
    except SetupError as error:
        sprites.store_result(scene.name, None, f"no game data: {error}")
        return
    if capture is not None:
        capture.hold_in_place(scene)
        _captures[scene.name] = capture


@persistent
def on_render_init(scene: bpy.types.Scene, *_: object) -> None:
    if scene.name in render_session.preview_renders:
        return  # the live preview's render: a temporary file, and no sprite job
    _written[scene.name] = []
    jobs.expect_call(scene.name)  # its end, which starts the sprites, is taken at once
    settings = scene.pixel_sprites
    # Only in background mode is this the main thread, where the compositor may be changed; with a UI, Render
    # Sprites and Render Sprite Set set it up before they start the render.
    # With Normal Maps on, a farm's render writes them even when its sprites are left to the apply tasks.
    passes = settings.normal_maps or settings.inner_lines
    if bpy.app.background and passes and scene.name not in normal_pass.active:
        renders = sprites.frame_list_root or Path(scene.render.frame_path(frame=scene.frame_current)).parent
        _normals[scene.name] = NormalRenders(renders)
        # A frame-list render renders one frame per render_init, not yet set there: on_render_write lists it.
        _normals[scene.name].begin(scene, [] if frame_list_render() else None)
    if bpy.app.background and scene.name not in render_session.set_renders:  # a set projects its own
        _begin_capture(scene)


@persistent
def on_render_write(scene: bpy.types.Scene, *_: object) -> None:
    if scene.name in render_session.preview_renders:
        return
    path = Path(scene.render.frame_path(frame=scene.frame_current))
    _written.setdefault(scene.name, []).append(path)
    if scene.name in _normals and frame_list_render():  # background mode: the main thread
        _normals[scene.name].list_frame(scene, scene.frame_current)
    if scene.name in _captures and frame_list_render():  # each listed frame a render of its own: added at once
        _captures[scene.name].project(scene, [scene.frame_current])
        _captures[scene.name].write()


def frame_list_render() -> bool:
    """Whether Blender was started to render a list of frames (``-f``, ``--render-frame``), as render farms do:
    each listed frame is then a render of its own, with render_init and render_complete around it."""
    return bool(bpy.app.background) and any(arg in ("-f", "--render-frame") for arg in sys.argv)


def _end_capture(scene: bpy.types.Scene, frames: list[Path]) -> None:
    """Background mode, the render over: the frames it wrote projected (a frame-list render's are already), In
    Place let go."""
    capture = _captures.pop(scene.name, None)
    if capture is None:
        return
    try:
        if frames and not frame_list_render():
            capture.project_written(scene, frames)
            capture.write()
    finally:
        capture.release()


def _project_after_render(scene: bpy.types.Scene, frames: list[Path]) -> None:
    """With a UI, a render no operator of ours started (main thread, its job over): the frames it wrote projected
    now, In Place not held (its render thread must not change the scene)."""
    try:
        capture = game_data_capture(scene, Path(frames[0]).parent) if frames else None
        if capture is not None:
            capture.project_written(scene, frames)
            capture.write()
    except SetupError as error:
        sprites.store_result(scene.name, None, f"no game data: {error}")


def _finish(scene_name: str, frames: list[Path], partial: bool, at_sprite_size: bool, project: bool = False) -> None:
    scene = bpy.data.scenes.get(scene_name)
    if scene is None or not scene.pixel_sprites.enabled:
        return
    if project:
        _project_after_render(scene, frames)
    if frame_list_render():
        if frames and all(path.suffix.lower() == ".png" for path in frames):
            sprites.frame_list_update(scene, frames)
        return  # a frame skipped (Overwrite off) gets its sprite from the apply step of a farm
    if not frames:
        reason = NO_DENOISER if _lacks_denoiser(scene) else NOTHING_WRITTEN
        sprites.store_result(scene_name, None, None, note=f"No sprites: {reason}")
        return
    not_png = [path for path in frames if path.suffix.lower() != ".png"]
    if not_png:
        problem = f"sprites need PNG renders; set Output Properties > File Format to PNG ({not_png[0].name})"
        sprites.store_result(scene_name, None, problem)
        return
    sprites.start_update(
        scene,
        frames,
        title="Sprites after render",
        frames_at_sprite_size=at_sprite_size,
        partial=partial,
    )


class _SpriteSizeSettings:
    """The scene set up to render at sprite size (see ``render_size``) from :meth:`apply` to :meth:`give_back`.

    Held as values, not as ``sprite_size_render_settings`` left open: Python closes a context manager left open
    when it exits, after Blender has freed the scene, and quitting during the render would crash Blender.
    """

    def __init__(self) -> None:
        self._saved: list[tuple[object, str, object]] = []

    def apply(self, scene: bpy.types.Scene) -> None:
        for owner, name, value in sprite_size_changes(scene):
            self._saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, value)

    def give_back(self) -> None:
        for owner, name, value in reversed(self._saved):
            setattr(owner, name, value)
        self._saved.clear()


class SpritesRender:
    """Render Sprites with a UI: a render job of Blender's own, with the scene set up for it (sprite size, the normal
    passes) from before the job starts until it has ended, completed or cancelled; then the sprites."""

    def __init__(self, scene: bpy.types.Scene) -> None:
        self.scene_name = scene.name
        self.at_sprite_size = bool(scene.pixel_sprites.render_at_sprite_size)
        # Taken before the sprite-size settings move the render output into its sprite_size/ folder.
        self._normals = NormalRenders(sprites.renders_folder(scene))
        self._sprite_size: _SpriteSizeSettings | None = None
        self._rig: RigCapture | None = None
        self.end_heard = False  # set on the render thread by the handlers
        self.ended = False

    def begin(self, scene: bpy.types.Scene) -> None:
        """Set the scene up for the render (main thread, before the job starts); given back if that fails."""
        sprite_runs[self.scene_name] = self
        try:
            if self.at_sprite_size:
                self._sprite_size = _SpriteSizeSettings()
                self._sprite_size.apply(scene)
            if scene.pixel_sprites.enabled:
                self._normals.begin(scene)
                self._rig = game_data_capture(scene, sprites.renders_folder(scene))
            if self._rig is not None:
                self._rig.hold_in_place(scene)
        except BaseException:
            self.drop()
            raise

    def started(self) -> None:
        """Blender's render job runs: take its end at once, and watch for a job that ends without one."""
        jobs.expect_call(self.scene_name)
        bpy.app.timers.register(self._watch, first_interval=WATCH_SECONDS, persistent=True)

    def drop(self) -> None:
        """Give the scene back for a render job that did not start, or that ended unheard."""
        if sprite_runs.get(self.scene_name) is self:
            del sprite_runs[self.scene_name]
        jobs.forget_call(self.scene_name)
        self.end()

    def end(self) -> None:
        """Give the scene back; once only, however the run ended. The run stays listed until its render's end is
        heard, so that the end of a render cut short by a file load starts nothing in the file loaded."""
        if self.ended:
            return
        self.ended = True
        try:
            self._normals.end()
            if self._rig is not None:
                self._rig.release()
        finally:
            if self._sprite_size is not None:
                self._sprite_size.give_back()

    def render_ended(self, frames: list[Path], partial: bool) -> None:
        """After the render job's end (main thread): the scene back as it was, then the sprites."""
        if self.ended:  # its file was closed meanwhile
            return
        if self._rig is not None and frames:  # projected as rendered: In Place held, at sprite size
            scene = bpy.data.scenes[self.scene_name]
            self._rig.project_written(scene, frames)
            self._rig.write()
        self.end()
        _finish(self.scene_name, frames, partial, self.at_sprite_size)

    def _watch(self) -> float | None:
        if self.end_heard or self.ended:
            return None
        if bpy.app.is_job_running("RENDER"):
            return WATCH_SECONDS
        # Blender calls render_complete or render_cancel before its job ends, unless it stopped the render before
        # its first frame (a failed set-up, reported in the Info editor).
        self.drop()
        sprites.store_result(self.scene_name, None, "Render Sprites: Blender's render stopped before its first frame")
        return None


# Render Sprites runs with a UI, by scene name, until their render's end is heard.
sprite_runs: dict[str, SpritesRender] = {}


def _render_ended(scene: bpy.types.Scene, partial: bool) -> None:
    if scene.name in render_session.preview_renders:
        return
    frames = _written.pop(scene.name, [])
    normals = _normals.pop(scene.name, None)
    if normals is not None:
        normals.end()
    if bpy.app.background:  # the main thread
        _end_capture(scene, frames)
    if scene.name in render_session.set_renders:
        running = render_session.current
        if running is not None and not bpy.app.background:  # in background mode the set drives its renders
            jobs.call_on_main_thread(functools.partial(running.step_ended, partial), expected=scene.name)
        else:
            jobs.forget_call(scene.name)
        return
    run = sprite_runs.pop(scene.name, None)
    if run is not None:
        run.end_heard = True
        jobs.call_on_main_thread(functools.partial(run.render_ended, frames, partial), expected=scene.name)
        return
    at_sprite_size = scene.name in sprite_size_renders
    project = not bpy.app.background  # in background mode, projected above
    finish = functools.partial(_finish, scene.name, frames, partial, at_sprite_size, project)
    jobs.call_on_main_thread(finish, expected=scene.name)


@persistent
def on_render_complete(scene: bpy.types.Scene, *_: object) -> None:
    _render_ended(scene, partial=False)


@persistent
def on_render_cancel(scene: bpy.types.Scene, *_: object) -> None:
    _render_ended(scene, partial=True)


@persistent
def on_load_pre(*_: object) -> None:
    render_session.end_on_file_load()
    for run in list(sprite_runs.values()):
        run.end()


HANDLERS = (
    (bpy.app.handlers.load_pre, on_load_pre),
    (bpy.app.handlers.render_init, on_render_init),
    (bpy.app.handlers.render_write, on_render_write),
    (bpy.app.handlers.render_complete, on_render_complete),
    (bpy.app.handlers.render_cancel, on_render_cancel),
)


def register() -> None:
    handler_lists.add(HANDLERS)


def unregister() -> None:
    handler_lists.remove(HANDLERS)
