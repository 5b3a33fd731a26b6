"""A small procedural character for the demo, the tests and the benchmark.

A few coloured parts (body, head, arms, legs, a hat), a camera that circles it
in 8 angles, and a few poses, rendered with Cycles on a transparent
background. Works in Blender 3.4 to 5.3, as ``bpy`` from PyPI or inside
``blender -b --python``.
"""

from __future__ import annotations

import math
from pathlib import Path

import bpy

PART_COLOURS = {  # sRGB 0..1
    "body": (0.80, 0.15, 0.12),
    "head": (0.96, 0.78, 0.62),
    "arm_left": (0.20, 0.35, 0.80),
    "arm_right": (0.20, 0.35, 0.80),
    "leg_left": (0.15, 0.15, 0.20),
    "leg_right": (0.15, 0.15, 0.20),
    "hat": (0.95, 0.80, 0.10),
    "belt": (0.45, 0.28, 0.12),
}
ANGLES = 8


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _material(name: str, srgb: tuple[float, float, float]) -> bpy.types.Material:
    material = bpy.data.materials.new(name)
    colour = (*(_linear(c) for c in srgb), 1.0)
    material.diffuse_color = colour
    if bpy.app.version < (5, 0, 0):  # nodes are always on from 5.0
        material.use_nodes = True
    tree = material.node_tree
    if tree is not None:
        shader = next((node for node in tree.nodes if node.type == "BSDF_PRINCIPLED"), None)
        if shader is not None:
            shader.inputs["Base Color"].default_value = colour
            shader.inputs["Roughness"].default_value = 0.6
    return material


def _part(name: str, kind: str, location: tuple[float, float, float], scale: tuple[float, float, float]):
    if kind == "sphere":
        bpy.ops.mesh.primitive_uv_sphere_add(segments=24, ring_count=12, location=location)
    elif kind == "cylinder":
        bpy.ops.mesh.primitive_cylinder_add(vertices=16, location=location)
    else:
        bpy.ops.mesh.primitive_cube_add(location=location)
    obj = bpy.context.active_object
    obj.name = name
    obj.scale = scale
    obj.data.materials.append(_material(name, PART_COLOURS[name]))
    return obj


def build_character_scene(
    *,
    resolution: tuple[int, int] = (160, 225),
    samples: int = 4,
    poses: int = 1,
    output: Path | None = None,
) -> bpy.types.Scene:
    """Empty the current file and build the character; returns the scene.

    The animation has ``ANGLES * poses`` frames: the camera turns 45° per
    frame, and the arms and legs swing to a new pose every ``ANGLES`` frames.
    """
    bpy.ops.wm.read_homefile(use_empty=True)  # keeps enabled add-ons, unlike read_factory_settings
    scene = bpy.context.scene
    root = bpy.data.objects.new("character", None)
    scene.collection.objects.link(root)

    parts = [
        _part("body", "cube", (0, 0, 1.0), (0.35, 0.22, 0.45)),
        _part("belt", "cube", (0, 0, 0.62), (0.37, 0.24, 0.06)),
        _part("head", "sphere", (0, 0, 1.75), (0.28, 0.28, 0.28)),
        _part("hat", "cylinder", (0, 0, 2.08), (0.22, 0.22, 0.12)),
        _part("arm_left", "cube", (0.48, 0, 1.05), (0.1, 0.1, 0.4)),
        _part("arm_right", "cube", (-0.48, 0, 1.05), (0.1, 0.1, 0.4)),
        _part("leg_left", "cube", (0.17, 0, 0.28), (0.12, 0.12, 0.3)),
        _part("leg_right", "cube", (-0.17, 0, 0.28), (0.12, 0.12, 0.3)),
    ]
    for obj in parts:
        obj.parent = root

    frames = ANGLES * poses
    add_turning_camera_and_light(scene, frames)
    for frame in range(1, frames + 1):
        pose = (frame - 1) // ANGLES
        swing = math.radians(35) * math.sin(pose * 2.1)
        for name, sign in (("arm_left", 1), ("arm_right", -1), ("leg_left", -1), ("leg_right", 1)):
            limb = bpy.data.objects[name]
            limb.rotation_euler = (sign * swing, 0, 0)
            limb.keyframe_insert("rotation_euler", frame=frame)
    for action in bpy.data.actions:
        for curve in getattr(action, "fcurves", []):
            for point in curve.keyframe_points:
                point.interpolation = "CONSTANT"

    render_cycles_pngs(scene, resolution=resolution, samples=samples, output=output)
    return scene


def add_turning_camera_and_light(scene: bpy.types.Scene, frames: int) -> None:
    """Frames 1..``frames`` of an orthographic camera turning 45° per frame about the origin, a sun and a grey world.

    The camera frames a character about 2 units tall standing at the origin, and comes back to its first angle
    every ``ANGLES`` frames.
    """
    rig = bpy.data.objects.new("camera_rig", None)
    scene.collection.objects.link(rig)
    camera = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    camera.data.type = "ORTHO"
    camera.data.ortho_scale = 2.6
    camera.location = (0, -6, 1.15)
    camera.rotation_euler = (math.pi / 2, 0, 0)
    camera.parent = rig
    scene.collection.objects.link(camera)
    scene.camera = camera

    sun = bpy.data.objects.new("sun", bpy.data.lights.new("sun", "SUN"))
    sun.data.energy = 3.0
    sun.rotation_euler = (math.radians(50), 0, math.radians(30))
    scene.collection.objects.link(sun)
    world = bpy.data.worlds.new("world")
    world.color = (0.4, 0.4, 0.4)
    scene.world = world
    if bpy.app.version < (5, 0, 0):
        world.use_nodes = True
    background = next((node for node in world.node_tree.nodes if node.type == "BACKGROUND"), None)
    if background is not None:
        background.inputs["Color"].default_value = (0.4, 0.4, 0.4, 1.0)

    scene.frame_start, scene.frame_end = 1, frames
    for frame in range(1, frames + 1):
        rig.rotation_euler = (0, 0, (frame - 1) % ANGLES * 2 * math.pi / ANGLES)
        rig.keyframe_insert("rotation_euler", frame=frame)


def render_cycles_pngs(
    scene: bpy.types.Scene, *, resolution: tuple[int, int], samples: int, output: Path | None
) -> None:
    """Cycles on the CPU, without denoising, on a transparent film, into 8-bit RGBA PNGs in ``output``."""
    render = scene.render
    render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False  # Debian's Blender is built without OpenImageDenoise
    if hasattr(scene.cycles, "use_adaptive_sampling"):
        scene.cycles.use_adaptive_sampling = False
    render.film_transparent = True
    render.resolution_x, render.resolution_y = resolution
    render.resolution_percentage = 100
    render.image_settings.file_format = "PNG"
    render.image_settings.color_mode = "RGBA"
    render.image_settings.color_depth = "8"
    if output is not None:
        render.filepath = str(output) + "/"


LIMB_BONES = {
    "arm_left": (0.48, 1.45),
    "arm_right": (-0.48, 1.45),
    "leg_left": (0.17, 0.58),
    "leg_right": (-0.17, 0.58),
}


def _rig(root: bpy.types.Object) -> bpy.types.Object:
    """An armature under ``root`` with a bone per limb (at its shoulder or hip) and a root bone to hop with."""
    armature = bpy.data.objects.new("rig", bpy.data.armatures.new("rig"))
    bpy.context.scene.collection.objects.link(armature)
    armature.parent = root
    bpy.context.view_layer.objects.active = armature
    bpy.ops.object.mode_set(mode="EDIT")
    hop = armature.data.edit_bones.new("hop")
    hop.head, hop.tail = (0, 0, 0), (0, 0, 0.3)
    for name, (x, z) in LIMB_BONES.items():
        bone = armature.data.edit_bones.new(name)
        bone.head, bone.tail = (x, 0, z), (x, 0, z - 0.3)
        bone.parent = hop
    bpy.ops.object.mode_set(mode="OBJECT")
    for name in LIMB_BONES:
        limb = bpy.data.objects[name]
        world = limb.matrix_world.copy()
        limb.parent, limb.parent_type, limb.parent_bone = armature, "BONE", name
        bpy.context.view_layer.update()
        limb.matrix_world = world
    return armature


def _key_action(armature: bpy.types.Object, name: str, frames: int, pose) -> bpy.types.Action:  # type: ignore[no-untyped-def]
    """Key ``pose(bone name, frame) -> (rotation x, hop height)`` on every bone for ``frames`` frames."""
    armature.animation_data_create()
    armature.animation_data.action = None
    for frame in range(1, frames + 1):
        for bone in armature.pose.bones:
            rotation, height = pose(bone.name, frame)
            if bone.name == "hop":
                bone.location = (0, height, 0)  # the bone's Y axis points up
                bone.keyframe_insert("location", frame=frame)
            else:
                bone.rotation_mode = "XYZ"
                bone.rotation_euler = (rotation, 0, 0)
                bone.keyframe_insert("rotation_euler", frame=frame)
    action = armature.animation_data.action
    action.name = name
    action.use_fake_user = True
    return action


def build_set_scene(
    *,
    resolution: tuple[int, int] = (80, 112),
    output: Path | None = None,
    engine: str = "BLENDER_WORKBENCH",
    samples: int = 4,
) -> bpy.types.Scene:
    """The character with an armature and two actions, ``idle`` (4 frames) and ``walk`` (6 frames), a fixed
    camera, and a green marker on its front: the scene for sprite sets. Workbench renders it in a blink."""
    scene = build_character_scene(resolution=resolution, output=output, samples=samples)
    rig = bpy.data.objects["camera_rig"]
    rig.animation_data_clear()
    rig.rotation_euler = (0, 0, 0)
    for name in LIMB_BONES:
        bpy.data.objects[name].animation_data_clear()
    PART_COLOURS["marker"] = (0.1, 0.9, 0.2)
    marker = _part("marker", "sphere", (0, -0.3, 1.75), (0.1, 0.1, 0.1))
    marker.parent = bpy.data.objects["character"]
    armature = _rig(bpy.data.objects["character"])
    _key_action(armature, "idle", 4, lambda bone, frame: (0.0, 0.04 * (frame % 2)))
    _key_action(
        armature, "walk", 6,
        lambda bone, frame: (math.radians(30) * math.sin(frame) * (1 if bone.endswith("left") else -1), 0.0),
    )  # fmt: skip
    armature.animation_data.action = None
    scene.frame_start, scene.frame_end = 1, 4
    scene.render.engine = engine
    if engine == "BLENDER_WORKBENCH":
        scene.display.shading.light = "FLAT"
        scene.display.shading.color_type = "MATERIAL"
        scene.display.render_aa = "OFF"
    bpy.context.view_layer.objects.active = armature
    return scene
