"""Render handlers: collect the frames a render writes, then make their sprites.

With a UI these handlers run on the render job's thread, so they only record
paths and ask for the work to be started on the main thread (see ``jobs``).
In background mode they run on the main thread and the work runs at once.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import bpy
from bpy.app.handlers import persistent

from . import jobs, normal_pass, render_session, sprites
from .normal_pass import NormalRenders

# Frames written by the render in progress, by scene name.
_written: dict[str, list[Path]] = {}
# Scenes being rendered at sprite size by the Render Sprites operator.
sprite_size_renders: set[str] = set()

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


@persistent
def on_render_init(scene: bpy.types.Scene, *_: object) -> None:
    if scene.name in render_session.preview_renders:
        return  # the live preview's render: a temporary file, and no sprite job
    _written[scene.name] = []
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


@persistent
def on_render_write(scene: bpy.types.Scene, *_: object) -> None:
    if scene.name in render_session.preview_renders:
        return
    path = Path(scene.render.frame_path(frame=scene.frame_current))
    _written.setdefault(scene.name, []).append(path)
    if scene.name in _normals and frame_list_render():  # background mode: the main thread
        _normals[scene.name].list_frame(scene, scene.frame_current)


def frame_list_render() -> bool:
    """Whether Blender was started to render a list of frames (``-f``, ``--render-frame``), as render farms do:
    each listed frame is then a render of its own, with render_init and render_complete around it."""
    return bool(bpy.app.background) and any(arg in ("-f", "--render-frame") for arg in sys.argv)


def _finish(scene_name: str, frames: list[Path], partial: bool, at_sprite_size: bool) -> None:
    scene = bpy.data.scenes.get(scene_name)
    if scene is None or not scene.pixel_sprites.enabled:
        return
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


def _render_ended(scene: bpy.types.Scene, partial: bool) -> None:
    if scene.name in render_session.preview_renders:
        return
    frames = _written.pop(scene.name, [])
    normals = _normals.pop(scene.name, None)
    if normals is not None:
        normals.end()
    if scene.name in render_session.set_renders:
        running = render_session.current
        if running is not None and not bpy.app.background:  # in background mode the set drives its renders
            jobs.call_on_main_thread(functools.partial(running.step_ended, partial))
        return
    jobs.call_on_main_thread(functools.partial(_finish, scene.name, frames, partial, scene.name in sprite_size_renders))


@persistent
def on_render_complete(scene: bpy.types.Scene, *_: object) -> None:
    _render_ended(scene, partial=False)


@persistent
def on_render_cancel(scene: bpy.types.Scene, *_: object) -> None:
    _render_ended(scene, partial=True)


@persistent
def on_load_pre(*_: object) -> None:
    render_session.end_on_file_load()


HANDLERS = (
    (bpy.app.handlers.load_pre, on_load_pre),
    (bpy.app.handlers.render_init, on_render_init),
    (bpy.app.handlers.render_write, on_render_write),
    (bpy.app.handlers.render_complete, on_render_complete),
    (bpy.app.handlers.render_cancel, on_render_cancel),
)


def register() -> None:
    for handler_list, function in HANDLERS:
        if function not in handler_list:
            handler_list.append(function)


def unregister() -> None:
    for handler_list, function in HANDLERS:
        if function in handler_list:
            handler_list.remove(function)
