"""Depth frames beside the colour frames, for inner lines: the view layer's Depth (Z) pass mapped from the
camera's clip range to [0, 1], written as 16-bit grey PNGs into ``<renders>/depth/`` by the same compositor set-up
as the normal frames (see ``normal_pass``), and ``depth.json`` beside them saying how (``engine.frames.depth``).

The clip range bounds every depth the render can hold, so nothing is cut off and the background, at infinity,
comes out white. Blender 3.4 to 4.5 map it with the compositor's own Map Range node, 5.0 on with the Map Range
node the compositor shares with shaders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import bpy

from ..engine.files.atomic import write_atomically
from ..engine.frames.depth import DEPTH_FILE, DEPTH_FOLDER

NewNode = Callable[[bpy.types.NodeTree, str], bpy.types.Node]


def depth_scale(scene: bpy.types.Scene) -> dict[str, object]:
    """What ``depth.json`` says of the scene's camera: its clip range (``near``, ``far``), and the width it sees
    across the frame (``view_width``: at distance 1 with a perspective camera, everywhere with an orthographic one)."""
    camera = scene.camera
    if camera is None:
        raise ValueError("Inner Lines: the scene has no camera")
    data = camera.data
    corners = data.view_frame(scene=scene)  # camera space: the frame at distance 1 (perspective), or its plane
    width = max(corner.x for corner in corners) - min(corner.x for corner in corners)
    perspective = data.type != "ORTHO"
    if perspective:
        width /= abs(corners[0].z)
    return {"near": data.clip_start, "far": data.clip_end, "view_width": width, "perspective": perspective}


def write_depth_file(renders_folder: Path, scene: bpy.types.Scene) -> Path:
    """Write ``<renders_folder>/depth/depth.json`` atomically, for the scene's camera as it is now."""
    path = Path(renders_folder) / DEPTH_FOLDER / DEPTH_FILE
    write_atomically(path, (json.dumps(depth_scale(scene), indent=1) + "\n").encode("utf-8"))
    return path


def depth_to_grey(
    new_node: NewNode, tree: bpy.types.NodeTree, scene: bpy.types.Scene
) -> tuple[bpy.types.NodeSocket, bpy.types.NodeSocket]:
    """A node mapping depth from the camera's clip range to [0, 1], clamped; (input, output)."""
    camera = scene.camera.data
    if bpy.app.version < (5, 0, 0):
        node = new_node(tree, "CompositorNodeMapRange")
        node.use_clamp = True
    else:
        node = new_node(tree, "ShaderNodeMapRange")
        node.data_type, node.interpolation_type, node.clamp = "FLOAT", "LINEAR", True
    inputs = {socket.name: socket for socket in node.inputs if socket.type == "VALUE"}
    inputs["From Min"].default_value, inputs["From Max"].default_value = camera.clip_start, camera.clip_end
    inputs["To Min"].default_value, inputs["To Max"].default_value = 0.0, 1.0
    value = next(socket for socket in node.inputs if socket.type == "VALUE")
    result = next(socket for socket in node.outputs if socket.type == "VALUE")
    return value, result
