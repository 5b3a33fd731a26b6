"""A world-space normal frame beside every colour frame a render writes, for normal-map sprites (and a depth frame,
for inner lines: see ``depth_pass``).

The render's compositor writes them: a File Output node fed by the view layer's Normal pass, mapped from
[-1, 1] to [0, 1], as 16-bit PNGs in ``<renders>/normals/`` under the colour frames' names. Everything
changed for that is given back when the render is over, and the colour frames come out as they would
without it: an active compositor only gains a branch that ends in the File Output node, an inactive one is
stood in for by one whose composite output is the plain render.

Blender 3.4 to 4.5 have the scene's embedded ``node_tree`` behind ``use_nodes``, a Composite node, the
compositor's own Mix node and a File Output node with ``base_path`` and file slots. Blender 5.0 gave the
compositor a node group of its own (``scene.compositing_node_group``, a Group Output for the composite, the
shared Mix node, a File Output node with ``directory``, ``file_name`` and items); 5.3 made that a stack of
effects (``scene.compositor_effects``), each effect's group given the image the ones before it made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import bpy

from ..engine.frames.depth import DEPTH_FOLDER
from ..engine.frames.normals import NORMALS_FOLDER
from .depth_pass import depth_to_grey, write_depth_file
from .normal_camera import Rotation, camera_may_move, rotations_by_frame, write_camera_file
from .pass_engines import inner_lines_problem, normal_pass_problem

# Every node added is named so; a tree left behind by a crash shows whose nodes they are.
NODE_NAME = "Pixel Sprites Normals"
# Raw writes the encoded values as they are; every other view transform (Standard's sRGB curve included)
# would bend them.
RAW_VIEW = "Raw"

Undo = list[Callable[[], None]]


def _below(path: Path, renders_folder: Path) -> Path:
    root = Path(renders_folder).resolve()
    try:
        return Path(path).resolve().relative_to(root)
    except ValueError:
        raise ValueError(f"Normal Maps: the render output {path} is not in the renders folder {root}") from None


def normal_frame_path(scene: bpy.types.Scene, renders_folder: Path, frame: int) -> Path:
    """Where the normal frame of ``frame`` is written: the colour frame's path below ``renders_folder``, moved
    into its ``normals/`` folder, as a PNG."""
    colour = Path(scene.render.frame_path(frame=frame))
    below = _below(colour, renders_folder)
    return Path(renders_folder).resolve() / NORMALS_FOLDER / below.with_suffix(".png")


def _output_template(scene: bpy.types.Scene, renders_folder: Path, below: str) -> tuple[Path, str]:
    """(folder, file name) to give a File Output node: the render output's own, below ``below`` (``normals/``).

    Both Blender's render output and the File Output node put the frame number in place of the last run of
    ``#`` (4 digits after the name when there is none), so the same template gives the same file names.
    """
    folder, name = os.path.split(bpy.path.abspath(scene.render.filepath))
    return Path(renders_folder).resolve() / below / _below(Path(folder), renders_folder), name


def _set(undo: Undo, owner: object, attribute: str, value: object) -> None:
    """Set ``owner.attribute`` and remember how to give the old value back (nothing to give back if equal)."""
    old = getattr(owner, attribute)
    if old == value:
        return
    setattr(owner, attribute, value)
    undo.append(lambda: setattr(owner, attribute, old))


def _new_node(undo: Undo, tree: bpy.types.NodeTree, idname: str) -> bpy.types.Node:
    node = tree.nodes.new(idname)
    node.name = node.label = NODE_NAME
    name = node.name  # Blender adds .001 when the name is taken

    def remove() -> None:
        ours = tree.nodes.get(name)
        if ours is not None:
            tree.nodes.remove(ours)

    undo.append(remove)
    return node


def _render_layers(undo: Undo, tree: bpy.types.NodeTree, scene: bpy.types.Scene, layer: str) -> bpy.types.Node:
    node = _new_node(undo, tree, "CompositorNodeRLayers")
    node.scene = scene
    node.layer = layer
    return node


def _rendered_layer(scene: bpy.types.Scene) -> bpy.types.ViewLayer:
    """The view layer whose Normal pass is written: the first one rendered."""
    return next((layer for layer in scene.view_layers if layer.use), scene.view_layers[0])


def _new_group(undo: Undo, with_input: bool) -> tuple[bpy.types.NodeTree, bpy.types.Node]:
    """Blender 5: a compositor node group of our own with an Image output (and input); (group, Group Output)."""
    group = cast(bpy.types.NodeTree, bpy.data.node_groups.new(NODE_NAME, "CompositorNodeTree"))
    undo.append(lambda: bpy.data.node_groups.remove(group))  # given back last: what uses it goes first
    for in_out in ("INPUT", "OUTPUT") if with_input else ("OUTPUT",):
        group.interface.new_socket("Image", in_out=in_out, socket_type="NodeSocketColor")
    return group, _new_node(undo, group, "NodeGroupOutput")


def _stand_in_group(undo: Undo, scene: bpy.types.Scene, layer: str) -> bpy.types.NodeTree:
    """Blender 5.0 to 5.2: a compositor node group of our own whose output is the plain render, in place of the
    scene's (whose own group, if it has one, is not active and stays untouched)."""
    group, output = _new_group(undo, with_input=False)
    group.links.new(_render_layers(undo, group, scene, layer).outputs["Image"], output.inputs[0])
    _set(undo, scene, "compositing_node_group", group)
    return group


def _last_effect(undo: Undo, scene: bpy.types.Scene) -> bpy.types.NodeTree:
    """Blender 5.3: the compositor is a stack of effects, each node group given the image made so far. Ours
    comes last and passes the image on as it gets it; an inactive compositor's own effects are switched off."""
    effects = scene.compositor_effects
    active = effects.active
    if not scene.render.use_compositing:
        for effect in effects:
            _set(undo, effect, "enable_for_render", False)
    group, output = _new_group(undo, with_input=True)
    group.links.new(_new_node(undo, group, "NodeGroupInput").outputs[0], output.inputs[0])
    effect = effects.new(NODE_NAME)
    name = effect.name

    def remove() -> None:
        ours = next((effect for effect in effects if effect.name == name), None)
        if ours is not None:
            effects.remove(ours)
        if active is not None:
            effects.active = active

    undo.append(remove)
    effect.node_group, effect.enable_for_render, effect.enable_for_preview = group, True, False
    return group


def _links_into(tree: bpy.types.NodeTree, node: bpy.types.Node) -> list[tuple[str, str, str, str]]:
    return [
        (link.from_node.name, link.from_socket.identifier, link.to_node.name, link.to_socket.identifier)
        for link in tree.links
        if link.to_node == node
    ]


def _relink(tree: bpy.types.NodeTree, links: list[tuple[str, str, str, str]]) -> None:
    for from_node, from_socket, to_node, to_socket in links:
        source = next(s for s in tree.nodes[from_node].outputs if s.identifier == from_socket)
        target = next(s for s in tree.nodes[to_node].inputs if s.identifier == to_socket)
        tree.links.new(source, target)


def _plain_composite(undo: Undo, tree: bpy.types.NodeTree, scene: bpy.types.Scene, layer: str) -> None:
    """Blender 3.4 to 4.5, an inactive compositor now switched on: its Composite nodes get the plain render,
    and its File Output and Viewer nodes are muted, so that it changes nothing and writes nothing of its own."""
    for node in tree.nodes:
        if node.bl_idname in ("CompositorNodeOutputFile", "CompositorNodeViewer"):
            _set(undo, node, "mute", True)
    composites = [node for node in tree.nodes if node.bl_idname == "CompositorNodeComposite"]
    for composite in composites:
        links = _links_into(tree, composite)
        for link in [link for link in tree.links if link.to_node == composite]:
            tree.links.remove(link)
        undo.append(lambda links=links: _relink(tree, links))  # given back once our nodes (and links) are gone
        _set(undo, composite, "mute", False)
        _set(undo, composite, "use_alpha", True)
    render = _render_layers(undo, tree, scene, layer)
    for composite in composites or [_new_node(undo, tree, "CompositorNodeComposite")]:
        tree.links.new(render.outputs["Image"], composite.inputs["Image"])


def _compositor(undo: Undo, scene: bpy.types.Scene, layer: str) -> bpy.types.NodeTree:
    """The node tree the render will composite with, active, its composite output as it would have been."""
    render, properties = scene.render, scene.bl_rna.properties  # not hasattr: 5.3 warns on reading the old ones
    group: bpy.types.NodeTree | None
    if "compositor_effects" in properties:
        group = _last_effect(undo, scene)
    elif "compositing_node_group" in properties:
        group = scene.compositing_node_group
        if not (render.use_compositing and group is not None):
            group = _stand_in_group(undo, scene, layer)
    else:
        active = render.use_compositing and scene.use_nodes and scene.node_tree is not None
        _set(undo, scene, "use_nodes", True)  # makes Blender's default tree (Render Layers -> Composite) if none
        group = scene.node_tree
        if group is not None and not active:
            _plain_composite(undo, group, scene, layer)
    if group is None:
        raise RuntimeError("Normal Maps: Blender made no compositor node tree for the scene")
    _set(undo, render, "use_compositing", True)
    return group


def _half_way_to_white(undo: Undo, tree: bpy.types.NodeTree) -> tuple[bpy.types.NodeSocket, bpy.types.NodeSocket]:
    """A node mixing its input half and half with white: n * 0.5 + 0.5, exactly, per channel. (input, output)"""
    if bpy.app.version < (5, 0, 0):
        mix = _new_node(undo, tree, "CompositorNodeMixRGB")
        mix.blend_type, mix.use_clamp = "MIX", False
        mix.inputs[0].default_value = 0.5
        mix.inputs[2].default_value = (1.0, 1.0, 1.0, 1.0)
        return mix.inputs[1], mix.outputs[0]
    mix = _new_node(undo, tree, "ShaderNodeMix")
    mix.data_type, mix.blend_type, mix.clamp_result = "RGBA", "MIX", False
    mix.inputs["Factor"].default_value = 0.5
    colour_b = next(s for s in mix.inputs if s.name == "B" and s.type == "RGBA")
    colour_b.default_value = (1.0, 1.0, 1.0, 1.0)
    return next(s for s in mix.inputs if s.name == "A" and s.type == "RGBA"), mix.outputs["Result"]


def _file_output(
    undo: Undo, tree: bpy.types.NodeTree, folder: Path, name: str, colour_mode: str = "RGB"
) -> bpy.types.NodeSocket:
    """A File Output node writing 16-bit PNGs (RGB, or BW) of raw values to ``folder/name####.png``; its input."""
    node = _new_node(undo, tree, "CompositorNodeOutputFile")
    image = node.format
    if hasattr(image, "media_type"):  # Blender 5: the node starts as a multilayer EXR
        image.media_type = "IMAGE"
    image.file_format, image.color_mode, image.color_depth = "PNG", colour_mode, "16"
    image.color_management = "OVERRIDE"
    view = image.view_settings
    view.view_transform, view.look, view.exposure, view.gamma, view.use_curve_mapping = RAW_VIEW, "None", 0, 1, False
    if hasattr(node, "file_output_items"):  # Blender 5: directory, file name, and one item per input
        node.directory, node.file_name = str(folder), name
        node.file_output_items.new("RGBA", "").save_as_render = True  # the item's name would end the file name
        return node.inputs[0]
    # Blender 3.4 drops a base path's closing separator before an empty slot path (normals0001.png): the last
    # folder goes into the slot path instead, which both 3.4 and 4.x join as written.
    node.base_path = str(folder.parent)
    slot = node.file_slots[0]
    slot.path, slot.use_node_format, slot.save_as_render = f"{folder.name}/{name}", True, True
    return node.inputs[0]


def _undo_all(undo: Undo) -> None:
    """Give back every change, last first; one that fails does not stop the others."""
    failure: BaseException | None = None
    for step in reversed(undo):
        try:
            step()
        except Exception as error:  # each change is given back on its own
            failure = failure or error
    undo.clear()
    if failure is not None:
        raise failure


@contextmanager
def writing_normals(
    scene: bpy.types.Scene, renders_folder: Path, *, normals: bool = True, depth: bool = False
) -> Iterator[Path]:
    """While in the block, renders of ``scene`` also write each frame's world-space normals, encoded as
    n * 0.5 + 0.5, to ``<renders_folder>/normals/`` under the colour frame's name (see ``normal_frame_path``),
    and with ``depth`` its depth to ``depth/`` (see ``depth_pass``); yields the normals' folder. Raises
    ValueError, one line, if the engine has no Normal pass or the scene's render output is not in
    ``renders_folder``. The scene is given back as it was, whatever happens in the block."""
    problem = normal_pass_problem(scene) if normals else inner_lines_problem(scene)
    if problem is not None:
        raise ValueError(problem)
    outputs = [(NORMALS_FOLDER, "RGB")] * normals + [(DEPTH_FOLDER, "BW")] * depth
    templates = {below: _output_template(scene, renders_folder, below) for below, _ in outputs}
    layer = _rendered_layer(scene)
    undo: Undo = []
    try:
        if normals:
            _set(undo, layer, "use_pass_normal", True)
        if depth:
            _set(undo, layer, "use_pass_z", True)
        tree = _compositor(undo, scene, layer.name)
        passes = _render_layers(undo, tree, scene, layer.name)
        for below, colour_mode in outputs:
            if below == NORMALS_FOLDER:
                encoded_in, encoded = _half_way_to_white(undo, tree)
                tree.links.new(passes.outputs["Normal"], encoded_in)
            else:
                encoded_in, encoded = depth_to_grey(lambda group, idname: _new_node(undo, group, idname), tree, scene)
                tree.links.new(passes.outputs["Depth"], encoded_in)
            tree.links.new(encoded, _file_output(undo, tree, *templates[below], colour_mode))
        yield Path(renders_folder).resolve() / NORMALS_FOLDER
    finally:
        _undo_all(undo)


# Scenes whose renders write normal frames now, set up by whoever started the render (an operator, a set, or the
# render handlers of a render started from the command line), so no one sets them up twice.
active: set[str] = set()


@dataclass
class Standing:
    """A scene's set-up kept ready with a UI for the renders Blender starts itself (see ``normal_standby``)."""

    normals: NormalRenders
    folder: Path
    rotation: list[list[float]]


# By scene name. Whoever sets up renders of their own takes the scene's standing set-up down first.
standing: dict[str, Standing] = {}


def take_down(scene_name: str) -> None:
    """End the standing set-up of ``scene_name``, if any; a tree the user changed meanwhile is given back as far
    as it can be, and what could not be is printed rather than raised (this runs from timers and handlers)."""
    held = standing.pop(scene_name, None)
    if held is None:
        return
    try:
        held.normals.end()
    except Exception as error:  # e.g. nodes removed by an undo: nothing of ours is left to give back
        print(f"Pixel Sprites: the normal-map nodes of {scene_name} could not all be removed ({error})")


class NormalRenders:
    """Normal frames for the renders of a scene with Normal Maps on, into ``<renders_folder>/normals/``: the
    compositor is set up from :meth:`begin` (before a render starts, on the main thread) to :meth:`end` (after it
    ended), and the rotation into camera space is written beside them. With Inner Lines on, the depth frames too
    (``<renders_folder>/depth/``, and ``depth.json``). Does nothing with both off."""

    def __init__(self, renders_folder: Path) -> None:
        self.renders_folder = Path(renders_folder)
        self._stack: ExitStack | None = None
        self._scene_name = ""

    def begin(self, scene: bpy.types.Scene, frames: Iterable[int] | None = None) -> None:
        """Set the renders up; ``frames`` are those the render will make (default: the scene's animation), whose
        camera rotations are listed one by one when the camera may move. A standing set-up passes none."""
        settings = scene.pixel_sprites
        if not (settings.normal_maps or settings.inner_lines) or self._stack is not None:
            return
        if scene.name in standing and standing[scene.name].normals is not self:
            take_down(scene.name)  # a render of ours, with its own output path: the standing set-up makes way
        if scene.name in active:
            return
        stack = ExitStack()
        normals, depth = settings.normal_maps, settings.inner_lines
        stack.enter_context(writing_normals(scene, self.renders_folder, normals=normals, depth=depth))
        if depth:
            write_depth_file(self.renders_folder, scene)
        by_frame = None
        if normals and camera_may_move(scene):
            if frames is None:
                frames = range(scene.frame_start, scene.frame_end + 1, scene.frame_step)
            by_frame = self._rotations(scene, frames)
        if normals:
            write_camera_file(self.renders_folder, scene, by_frame)
        self._stack, self._scene_name = stack, scene.name
        active.add(scene.name)

    def list_frame(self, scene: bpy.types.Scene, frame: int) -> None:
        """Add the camera's rotation on ``frame`` to the camera file, if the camera may move: for a frame-list
        render, whose frame is known only once it is written."""
        if self._stack is not None and scene.pixel_sprites.normal_maps and camera_may_move(scene):
            write_camera_file(self.renders_folder, scene, self._rotations(scene, [frame]))

    def _rotations(self, scene: bpy.types.Scene, frames: Iterable[int]) -> dict[str, Rotation]:
        normals = Path(self.renders_folder).resolve() / NORMALS_FOLDER
        paths = {frame: normal_frame_path(scene, self.renders_folder, frame).relative_to(normals) for frame in frames}
        return rotations_by_frame(scene, paths)

    def end(self) -> None:
        if self._stack is None:
            return
        stack, self._stack = self._stack, None
        active.discard(self._scene_name)
        stack.close()

    def __enter__(self) -> NormalRenders:
        return self

    def __exit__(self, *_: object) -> None:
        self.end()
