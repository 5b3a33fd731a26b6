"""The camera's rotation beside the normal frames, which the engine turns world-space normals with.

A set's camera stays fixed while its pivot turns, so one rotation serves every facing. A plain animation render
may move the camera (an orbit rig turning it round the character, say): each frame then has its own rotation,
listed in the same file by the normal frame's path, and a frame-list render (a farm's) adds its frames' under a lock.
"""

from __future__ import annotations

import json
from pathlib import Path

import bpy

from ..engine.files.atomic import write_atomically
from ..engine.files.locking import character_lock
from ..engine.frames.normals import CAMERA_FILE, NORMALS_FOLDER

Rotation = list[list[float]]


def camera_rotation(scene: bpy.types.Scene) -> Rotation:
    """The 3x3 world-to-camera rotation R of the scene's camera: R @ n is a world normal in camera space, +X
    right, +Y up, +Z toward the viewer (the camera looks down its own -Z)."""
    if scene.camera is None:
        raise ValueError("Normal Maps: the scene has no camera")
    world = scene.camera.matrix_world.to_3x3().normalized()  # normalized: a scaled camera is still a rotation
    return [[float(value) for value in row] for row in world.transposed()]


def camera_may_move(scene: bpy.types.Scene) -> bool:
    """Whether the camera may turn during the animation: it, or what it hangs from, is animated or constrained, or
    timeline markers switch cameras. (Without any of these its rotation is the same on every frame.)"""
    if any(marker.camera is not None for marker in scene.timeline_markers):
        return True
    holder = scene.camera
    while holder is not None:
        if holder.animation_data is not None or len(holder.constraints) > 0:
            return True
        holder = holder.parent
    return False


def rotations_by_frame(scene: bpy.types.Scene, path_of: dict[int, Path]) -> dict[str, Rotation]:
    """The camera's rotation on each frame of ``path_of``, by that frame's normal frame path (below ``normals/``).

    Goes to each frame and back: only for a camera that may move, outside a render's own frame changes."""
    current, subframe = scene.frame_current, scene.frame_subframe
    rotations: dict[str, Rotation] = {}
    try:
        for frame in path_of:
            scene.frame_set(frame)
            rotations[path_of[frame].as_posix()] = camera_rotation(scene)
    finally:
        scene.frame_set(current, subframe=subframe)
    return rotations


def write_camera_file(
    renders_folder: Path, scene: bpy.types.Scene, by_frame: dict[str, Rotation] | None = None
) -> Path:
    """Write ``<renders_folder>/normals/camera.json`` atomically: the camera's rotation now and, for a camera that
    moves (``by_frame`` not None, maybe empty), ``by_frame`` added to those the file lists already (other frames of
    a frame-list render)."""
    path = Path(renders_folder) / NORMALS_FOLDER / CAMERA_FILE
    data: dict[str, object] = {"world_to_camera": camera_rotation(scene)}
    if by_frame is None:
        write_atomically(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
        return path
    with character_lock(path.parent, "camera"):
        try:
            listed = json.loads(path.read_text(encoding="utf-8")).get("frames", {})
        except (OSError, ValueError, AttributeError):
            listed = {}  # none yet, or not ours to keep: the engine would refuse it, naming the file
        data["frames"] = dict(sorted({**listed, **by_frame}.items()))
        write_atomically(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
    return path
