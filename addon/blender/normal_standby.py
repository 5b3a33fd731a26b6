"""Normal frames for renders started with Blender's own keys and menus (Ctrl F12, Render > Render Animation).

No operator of ours wraps those renders, and with a UI their render handlers run on the render thread, where the
compositor must not be changed. So while a scene has Normal Maps and sprites after render on, a main-thread timer
keeps its compositor set up for normal frames (see ``normal_pass``), following its output path and camera (a camera
that moves has its rotation on every frame listed at set-up; later edits to its animation are not followed). It is
taken down whenever one of our operators sets up its own renders, before a file is saved (no saved file holds the
nodes) and before one is loaded. In background mode timers never run: the render handlers set it up there.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.app.handlers import persistent

from . import handler_lists, normal_pass, render_session
from .normal_camera import camera_may_move, camera_rotation, write_camera_file
from .normal_pass import NormalRenders, normal_pass_problem

INTERVAL_SECONDS = 0.5


def _plain_renders_folder(scene: bpy.types.Scene) -> Path | None:
    """Where the scene's own animation render writes its frames, when it should write normal frames too."""
    settings = scene.pixel_sprites
    if not (settings.enabled and (settings.normal_maps or settings.inner_lines)) or normal_pass_problem(scene):
        return None
    if scene.name in render_session.set_renders or scene.camera is None:
        return None
    return Path(scene.render.frame_path(frame=scene.frame_start)).parent


def _set_up(scene: bpy.types.Scene, folder: Path) -> None:
    normals = NormalRenders(folder)
    try:
        normals.begin(scene)
    except ValueError as error:  # an output path the normal frames cannot follow: the sprites say so later
        print(f"Pixel Sprites: {error}")
        return
    normal_pass.standing[scene.name] = normal_pass.Standing(normals, folder, camera_rotation(scene))


def keep_ready() -> float:
    """The timer: each scene's standing set-up made, followed or taken down as its settings now say."""
    if bpy.app.is_job_running("RENDER"):
        return INTERVAL_SECONDS  # a render is using the compositor as it is
    for name, standing in list(normal_pass.standing.items()):
        scene = bpy.data.scenes.get(name)
        if scene is None or _plain_renders_folder(scene) != standing.folder:
            normal_pass.take_down(name)
        elif not camera_may_move(scene) and camera_rotation(scene) != standing.rotation:
            write_camera_file(standing.folder, scene)
            standing.rotation = camera_rotation(scene)
    for scene in bpy.data.scenes:
        if scene.name in normal_pass.standing or scene.name in normal_pass.active:
            continue
        folder = _plain_renders_folder(scene)
        if folder is not None:
            _set_up(scene, folder)
    return INTERVAL_SECONDS


@persistent
def _take_all_down(*_: object) -> None:
    for name in list(normal_pass.standing):
        normal_pass.take_down(name)


HANDLERS = ((bpy.app.handlers.save_pre, _take_all_down), (bpy.app.handlers.load_pre, _take_all_down))


def register() -> None:
    if bpy.app.background:
        return
    handler_lists.add(HANDLERS)
    if not bpy.app.timers.is_registered(keep_ready):
        bpy.app.timers.register(keep_ready, first_interval=INTERVAL_SECONDS, persistent=True)


def unregister() -> None:
    if bpy.app.timers.is_registered(keep_ready):
        bpy.app.timers.unregister(keep_ready)
    handler_lists.remove(HANDLERS)
    _take_all_down()
