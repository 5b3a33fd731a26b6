"""Three procedural characters, unlike the demo one, to measure palette quality on.

``character_scene`` builds a matte character of eight flat colours; a palette fitted to it says little about
what artists render. These three each stress one thing a palette has to cope with:

``knight``
    polished metal (Principled metallic 1.0, low roughness) with sun highlights on it, and a glowing gem;
``mage``
    smooth gradients: a robe ramping through four hues, a two-colour cape, and a glowing orb;
``critter``
    thin parts (antennae, whiskers, a staff a pixel or two wide at 64x90 sprite size) and some twenty
    distinct colours (striped body rings, patches).

The scene around them is the demo's: an orthographic camera circling in 8 angles, a sun and a grey world, Cycles
on the CPU on a transparent film, 8-bit RGBA PNGs. Works with ``bpy`` 4.2 to 5.3.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import bpy
from character_scene import ANGLES, _linear, add_turning_camera_and_light, render_cycles_pngs

CHARACTERS: tuple[str, ...] = ("knight", "mage", "critter")

Vec = tuple[float, float, float]
Swings = dict[str, Vec]  # pivot name -> its rotation (radians, XYZ) at full swing


def _colour(srgb: Vec) -> tuple[float, float, float, float]:
    return (*(_linear(c) for c in srgb), 1.0)


def _shader(material: bpy.types.Material) -> bpy.types.ShaderNode:
    """The material's Principled BSDF, switching nodes on where that is still needed."""
    if bpy.app.version < (5, 0, 0):  # nodes are always on from 5.0
        material.use_nodes = True
    return next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")


def _flat(
    name: str,
    srgb: Vec,
    *,
    metallic: float = 0.0,
    roughness: float = 0.6,
    specular: float = 0.5,
    emission: float = 0.0,
) -> bpy.types.Material:
    """One colour; metallic, glossy (``specular`` is the Principled default 0.5) or glowing with ``emission``."""
    material = bpy.data.materials.new(name)
    material.diffuse_color = _colour(srgb)
    shader = _shader(material)
    shader.inputs["Base Color"].default_value = _colour(srgb)
    shader.inputs["Metallic"].default_value = metallic
    shader.inputs["Roughness"].default_value = roughness
    # Blender 4.0 renamed "Specular" and "Emission"; look both names up rather than branch on versions.
    level = shader.inputs.get("Specular IOR Level") or shader.inputs.get("Specular")
    level.default_value = specular
    if emission:
        glow = shader.inputs.get("Emission Color") or shader.inputs.get("Emission")
        glow.default_value = _colour(srgb)
        shader.inputs["Emission Strength"].default_value = emission
    return material


def _gradient(name: str, stops: Sequence[tuple[float, Vec]]) -> bpy.types.Material:
    """A matte material whose colour ramps through ``stops`` (position 0..1, sRGB) from the bottom of the
    object to its top: generated coordinates, turned so that a linear Gradient Texture runs along Z."""
    material = bpy.data.materials.new(name)
    material.diffuse_color = _colour(stops[len(stops) // 2][1])
    shader = _shader(material)
    shader.inputs["Roughness"].default_value = 0.7
    nodes, links = material.node_tree.nodes, material.node_tree.links
    coordinates = nodes.new("ShaderNodeTexCoord")
    mapping = nodes.new("ShaderNodeMapping")
    mapping.inputs["Rotation"].default_value = (0.0, math.pi / 2, 0.0)  # the texture's X, which it ramps on, to Z
    texture = nodes.new("ShaderNodeTexGradient")
    ramp = nodes.new("ShaderNodeValToRGB")
    elements = ramp.color_ramp.elements
    while len(elements) < len(stops):
        elements.new(0.5)
    for element, (position, srgb) in zip(elements, stops, strict=True):
        element.position, element.color = position, _colour(srgb)
    links.new(coordinates.outputs["Generated"], mapping.inputs["Vector"])
    links.new(mapping.outputs["Vector"], texture.inputs["Vector"])
    # By index: the factor sockets are "Fac" up to 4.x and "Factor" from 5.0.
    links.new(texture.outputs[1], ramp.inputs[0])
    links.new(ramp.outputs["Color"], shader.inputs["Base Color"])
    return material


def _empty(name: str, location: Vec, parent: bpy.types.Object | None) -> bpy.types.Object:
    """An empty to hang parts on: the character's root, or a joint the parts under it turn about."""
    empty = bpy.data.objects.new(name, None)
    empty.location = location
    empty.parent = parent
    bpy.context.scene.collection.objects.link(empty)
    return empty


def _part(
    name: str,
    kind: str,
    location: Vec,
    scale: Vec,
    material: bpy.types.Material,
    parent: bpy.types.Object,
    *,
    rotation: Vec = (0.0, 0.0, 0.0),
    top: float = 0.0,
) -> bpy.types.Object:
    """A primitive (``cube``, ``sphere``, ``cylinder`` or ``cone`` with a ``top`` radius) 2 units across before
    ``scale``, at ``location`` in ``parent``'s space (empties are only moved, never turned, at build time)."""
    if kind == "sphere":
        bpy.ops.mesh.primitive_uv_sphere_add(segments=32, ring_count=16)
    elif kind == "cylinder":
        bpy.ops.mesh.primitive_cylinder_add(vertices=24)
    elif kind == "cone":
        bpy.ops.mesh.primitive_cone_add(vertices=32, radius1=1.0, radius2=top, depth=2.0)
    else:
        bpy.ops.mesh.primitive_cube_add()
    obj = bpy.context.active_object
    obj.name = name
    obj.parent = parent
    obj.location, obj.rotation_euler, obj.scale = location, rotation, scale
    obj.data.materials.append(material)
    if kind != "cube":
        bpy.ops.object.shade_smooth()  # smooth normals, so highlights and gradients are not cut into facets
    return obj


def _knight(root: bpy.types.Object) -> Swings:
    """Plate armour and a helmet of polished steel, gold trim, a sword, an enamelled shield, an emerald."""
    steel = _flat("steel", (0.78, 0.80, 0.84), metallic=1.0, roughness=0.22)
    dark_steel = _flat("dark_steel", (0.42, 0.44, 0.50), metallic=1.0, roughness=0.3)
    blade = _flat("blade", (0.90, 0.92, 0.95), metallic=1.0, roughness=0.08)
    gold = _flat("gold", (1.0, 0.76, 0.33), metallic=1.0, roughness=0.2)
    tabard = _flat("tabard", (0.12, 0.22, 0.62))
    leather = _flat("leather", (0.38, 0.22, 0.10))
    plume = _flat("plume", (0.82, 0.08, 0.10))
    slit = _flat("visor_slit", (0.03, 0.03, 0.04))
    enamel = _flat("enamel", (0.70, 0.06, 0.08), roughness=0.15, specular=1.0)  # lacquered: a sharp highlight
    gem = _flat("gem", (0.10, 0.95, 0.40), roughness=0.1, emission=1.5)

    _part("torso", "cube", (0, 0, 1.06), (0.32, 0.2, 0.38), steel, root)
    _part("tabard", "cube", (0, -0.2, 0.95), (0.2, 0.02, 0.36), tabard, root)
    _part("belt", "cube", (0, 0, 0.7), (0.34, 0.22, 0.05), leather, root)
    _part("buckle", "cube", (0, -0.23, 0.7), (0.07, 0.02, 0.05), gold, root)
    _part("gem", "sphere", (0, -0.23, 1.2), (0.07, 0.05, 0.07), gem, root)
    _part("helmet", "sphere", (0, 0, 1.72), (0.26, 0.26, 0.27), steel, root)
    _part("visor_slit", "cube", (0, -0.24, 1.73), (0.16, 0.04, 0.025), slit, root)
    _part("crest", "cube", (0, 0, 1.98), (0.03, 0.2, 0.05), gold, root)
    _part("plume", "sphere", (0, 0.12, 2.07), (0.07, 0.2, 0.1), plume, root, rotation=(math.radians(-25), 0, 0))
    for side, x in (("left", 1), ("right", -1)):
        _part(f"pauldron_{side}", "sphere", (x * 0.4, 0, 1.4), (0.17, 0.17, 0.14), gold, root)
        hip = _empty(f"hip_{side}", (x * 0.15, 0, 0.66), root)
        _part(f"leg_{side}", "cylinder", (0, 0, -0.3), (0.11, 0.11, 0.3), dark_steel, hip)
        _part(f"boot_{side}", "cube", (0, -0.04, -0.6), (0.12, 0.16, 0.06), leather, hip)
    sword_arm = _empty("shoulder_right", (-0.42, 0, 1.36), root)
    _part("arm_right", "cylinder", (0, 0, -0.28), (0.09, 0.09, 0.28), steel, sword_arm)
    _part("gauntlet_right", "sphere", (0, 0, -0.6), (0.1, 0.1, 0.1), dark_steel, sword_arm)
    _part("guard", "cube", (0, -0.02, -0.7), (0.03, 0.17, 0.025), gold, sword_arm)
    _part("blade", "cube", (0, -0.02, -1.0), (0.02, 0.045, 0.28), blade, sword_arm)
    shield_arm = _empty("shoulder_left", (0.42, 0, 1.36), root)
    _part("arm_left", "cylinder", (0, 0, -0.28), (0.09, 0.09, 0.28), steel, shield_arm)
    _part("shield", "cylinder", (0.14, 0, -0.38), (0.3, 0.3, 0.03), enamel, shield_arm, rotation=(0, math.pi / 2, 0))
    _part("boss", "sphere", (0.18, 0, -0.38), (0.04, 0.09, 0.09), gold, shield_arm)
    swing = math.radians(30)
    return {
        "shoulder_right": (-1.3 * swing, 0, 0),  # the sword comes up
        "shoulder_left": (0, 0, swing),  # the shield comes round to the front
        "hip_left": (swing, 0, 0),
        "hip_right": (-swing, 0, 0),
    }


def _mage(root: bpy.types.Object) -> Swings:
    """A robe ramping through four hues, a cape fading from one colour to another, a beard, a pointed hat, and a
    staff with a glowing orb."""
    robe = _gradient(
        "robe",
        [(0.0, (0.05, 0.30, 0.42)), (0.35, (0.38, 0.14, 0.66)), (0.7, (0.86, 0.20, 0.52)), (1.0, (0.98, 0.74, 0.25))],
    )
    cape = _gradient("cape", [(0.0, (0.55, 0.04, 0.10)), (1.0, (0.06, 0.08, 0.30))])
    skin = _flat("skin", (0.93, 0.75, 0.60))
    beard = _flat("beard", (0.90, 0.90, 0.93))
    hat = _flat("hat", (0.22, 0.12, 0.42))
    band = _flat("band", (0.95, 0.80, 0.20))
    sleeve = _flat("sleeve", (0.30, 0.16, 0.55))
    wood = _flat("wood", (0.45, 0.27, 0.12))
    orb = _flat("orb", (0.30, 0.85, 1.0), roughness=0.1, emission=3.0)

    _part("robe", "cone", (0, 0, 0.7), (0.46, 0.46, 0.7), robe, root, top=0.42)
    _part("head", "sphere", (0, 0, 1.58), (0.2, 0.2, 0.21), skin, root)
    _part("beard", "cone", (0, -0.13, 1.4), (0.14, 0.08, 0.2), beard, root, rotation=(math.pi, 0, 0))
    _part("brim", "cylinder", (0, 0, 1.74), (0.34, 0.34, 0.02), hat, root)
    _part("band", "cylinder", (0, 0, 1.79), (0.2, 0.2, 0.04), band, root)
    _part("hat", "cone", (0, 0, 2.0), (0.2, 0.2, 0.28), hat, root, rotation=(math.radians(-12), 0, 0))
    neck = _empty("neck", (0, 0.2, 1.4), root)
    # Hung from the neck and tilted back 14°, so that the flaring robe does not poke through it.
    tilt = math.radians(14)
    _part("cape", "cube", (0, 0.05 + 0.66 * math.sin(tilt), -0.66 * math.cos(tilt)), (0.34, 0.025, 0.66), cape, neck,
          rotation=(tilt, 0, 0))  # fmt: skip
    casting_arm = _empty("shoulder_left", (0.26, 0, 1.32), root)
    _part("sleeve_left", "cone", (0.04, 0, -0.24), (0.11, 0.11, 0.26), sleeve, casting_arm, top=0.5)
    _part("hand_left", "sphere", (0.04, 0, -0.54), (0.07, 0.07, 0.07), skin, casting_arm)
    staff_arm = _empty("shoulder_right", (-0.26, 0, 1.32), root)
    _part("sleeve_right", "cone", (-0.04, 0, -0.24), (0.11, 0.11, 0.26), sleeve, staff_arm, top=0.5)
    _part("hand_right", "sphere", (-0.12, -0.04, -0.54), (0.07, 0.07, 0.07), skin, staff_arm)
    _part("staff", "cylinder", (-0.12, -0.1, -0.3), (0.035, 0.035, 1.0), wood, staff_arm)
    _part("orb", "sphere", (-0.12, -0.1, 0.78), (0.12, 0.12, 0.12), orb, staff_arm)
    swing = math.radians(30)
    return {
        "shoulder_left": (-2 * swing, 0, swing),  # a hand raised to cast
        "shoulder_right": (0, -0.5 * swing, 0),  # the staff leans out
        "neck": (0.5 * swing, 0, 0),  # the cape flies back
    }


CRITTER_COLOURS = {  # sRGB 0..1: twenty-odd colours, apart from each other
    "ring_1": (0.85, 0.12, 0.15),
    "ring_2": (0.98, 0.55, 0.10),
    "ring_3": (0.98, 0.90, 0.20),
    "ring_4": (0.25, 0.72, 0.25),
    "ring_5": (0.10, 0.62, 0.65),
    "ring_6": (0.20, 0.35, 0.90),
    "head": (0.55, 0.30, 0.85),
    "eye": (0.97, 0.97, 0.97),
    "pupil": (0.03, 0.03, 0.04),
    "cheek": (1.0, 0.55, 0.70),
    "antenna": (0.25, 0.15, 0.08),
    "bulb_left": (0.68, 1.0, 0.15),
    "bulb_right": (0.30, 0.90, 1.0),
    "whisker": (0.96, 0.88, 0.66),
    "leg": (0.12, 0.12, 0.35),
    "foot": (0.95, 0.48, 0.38),
    "arm": (0.52, 0.50, 0.14),
    "staff": (0.74, 0.54, 0.30),
    "crystal": (0.90, 0.10, 0.70),
    "patch_1": (0.60, 1.0, 0.80),
    "patch_2": (0.75, 0.65, 1.0),
    "patch_3": (0.42, 0.22, 0.10),
}


def _critter(root: bpy.types.Object) -> Swings:
    """An upright bug: a body of six striped rings with patches, a head with eyes, cheeks, antennae and
    whiskers, short legs, and a thin staff with a crystal on it."""
    colour = {name: _flat(name, srgb) for name, srgb in CRITTER_COLOURS.items()}

    for index, radius in enumerate((0.24, 0.29, 0.31, 0.31, 0.28, 0.23)):
        _part(f"ring_{index + 1}", "cylinder", (0, 0, 0.38 + 0.17 * index), (radius, radius * 0.9, 0.085),
              colour[f"ring_{index + 1}"], root)  # fmt: skip
    for index, (x, z) in enumerate(((0.12, 0.58), (-0.1, 0.82), (0.08, 1.06))):
        _part(f"patch_{index + 1}", "sphere", (x, -0.27, z), (0.08, 0.03, 0.06), colour[f"patch_{index + 1}"], root)
    _part("head", "sphere", (0, 0, 1.5), (0.27, 0.25, 0.25), colour["head"], root)
    for side, x in (("left", 1), ("right", -1)):
        _part(f"eye_{side}", "sphere", (x * 0.1, -0.2, 1.57), (0.07, 0.05, 0.08), colour["eye"], root)
        _part(f"pupil_{side}", "sphere", (x * 0.1, -0.245, 1.56), (0.035, 0.02, 0.04), colour["pupil"], root)
        _part(f"cheek_{side}", "sphere", (x * 0.17, -0.18, 1.43), (0.05, 0.03, 0.035), colour["cheek"], root)
        for row, tilt in enumerate((-12, 0, 12)):
            # Thin, 0.02 units across: under a pixel at 64x90, where a pixel is 2.6 / 90 = 0.029 units.
            _part(f"whisker_{side}_{row}", "cylinder", (x * 0.33, -0.17, 1.42 + 0.035 * (row - 1)),
                  (0.01, 0.01, 0.15), colour["whisker"], root,
                  rotation=(0, x * math.pi / 2, x * math.radians(tilt)))  # fmt: skip
        feeler = _empty(f"feeler_{side}", (x * 0.1, 0, 1.7), root)
        # 0.04 units across: a pixel and a half at 64x90.
        _part(f"antenna_{side}", "cylinder", (x * 0.09, 0, 0.24), (0.02, 0.02, 0.25), colour["antenna"], feeler,
              rotation=(0, x * math.radians(20), 0))  # fmt: skip
        _part(f"bulb_{side}", "sphere", (x * 0.18, 0, 0.5), (0.055, 0.055, 0.055), colour[f"bulb_{side}"], feeler)
        hip = _empty(f"hip_{side}", (x * 0.14, 0, 0.32), root)
        _part(f"leg_{side}", "cylinder", (0, 0, -0.14), (0.06, 0.06, 0.14), colour["leg"], hip)
        _part(f"foot_{side}", "sphere", (0, -0.06, -0.3), (0.09, 0.13, 0.04), colour["foot"], hip)
    waving_arm = _empty("shoulder_left", (0.3, 0, 1.12), root)
    _part("arm_left", "cylinder", (0.13, 0, -0.15), (0.04, 0.04, 0.2), colour["arm"], waving_arm,
          rotation=(0, math.radians(-40), 0))  # fmt: skip
    staff_arm = _empty("shoulder_right", (-0.3, 0, 1.12), root)
    _part("arm_right", "cylinder", (-0.1, -0.08, -0.16), (0.04, 0.04, 0.2), colour["arm"], staff_arm,
          rotation=(math.radians(30), math.radians(-35), 0))  # fmt: skip
    # The staff: 0.05 units across, under two pixels at 64x90.
    _part("staff", "cylinder", (-0.22, -0.18, -0.2), (0.025, 0.025, 0.9), colour["staff"], staff_arm)
    _part("crystal", "cube", (-0.22, -0.18, 0.78), (0.07, 0.07, 0.07), colour["crystal"], staff_arm,
          rotation=(math.radians(45), math.radians(35), 0))  # fmt: skip
    swing = math.radians(25)
    return {
        "feeler_left": (swing, -swing, 0),
        "feeler_right": (-swing, swing, 0),
        "shoulder_left": (0, -3 * swing, 0),  # a wave
        "shoulder_right": (-swing, 0, 0),
        "hip_left": (swing, 0, 0),
        "hip_right": (-swing, 0, 0),
    }


def _fcurves(action: bpy.types.Action) -> list[bpy.types.FCurve]:
    """The action's curves: in its channel bags where actions are layered (4.4 on; 5.0 dropped ``fcurves``)."""
    if not hasattr(action, "layers"):
        return list(action.fcurves)
    return [curve for layer in action.layers for strip in layer.strips for bag in strip.channelbags
            for curve in bag.fcurves]  # fmt: skip


BUILDERS: dict[str, Callable[[bpy.types.Object], Swings]] = {"knight": _knight, "mage": _mage, "critter": _critter}


def build_quality_scene(
    name: str,
    *,
    resolution: tuple[int, int] = (640, 900),
    samples: int = 16,
    poses: int = 2,
    output: Path | None = None,
) -> bpy.types.Scene:
    """Empty the current file and build the character ``name``; returns the scene.

    Parameters
    ----------
    name
        One of `CHARACTERS`.
    resolution
        The render size in pixels.
    samples
        Cycles samples per pixel.
    poses
        The animation has ``8 * poses`` frames: the camera turns 45° per frame, and the character's joints swing
        to a new pose every 8 frames.
    output
        The folder the frames are rendered into, if any.
    """
    if name not in BUILDERS:
        raise ValueError(f"no character {name!r}; there are {', '.join(CHARACTERS)}")
    bpy.ops.wm.read_homefile(use_empty=True)  # keeps enabled add-ons, unlike read_factory_settings
    scene = bpy.context.scene
    swings = BUILDERS[name](_empty(name, (0, 0, 0), None))

    frames = ANGLES * poses
    add_turning_camera_and_light(scene, frames)
    for frame in range(1, frames + 1):
        pose = (frame - 1) // ANGLES
        amount = math.sin(pose * 2.1)  # pose 0 at rest, then swings that differ from pose to pose
        for joint, full in swings.items():
            pivot = bpy.data.objects[joint]
            pivot.rotation_euler = tuple(amount * value for value in full)
            pivot.keyframe_insert("rotation_euler", frame=frame)
    for action in bpy.data.actions:
        for curve in _fcurves(action):
            for point in curve.keyframe_points:
                point.interpolation = "CONSTANT"

    render_cycles_pngs(scene, resolution=resolution, samples=samples, output=output)
    return scene


def render_quality_character(
    name: str,
    folder: Path,
    *,
    resolution: tuple[int, int] = (640, 900),
    samples: int = 16,
    poses: int = 2,
) -> list[Path]:
    """Render the character ``name`` into ``folder`` (see `build_quality_scene`) and return its frames, sorted.

    A folder that already holds ``8 * poses`` PNGs is taken as rendered and left as it is, so that measurements
    can be repeated without the minutes of rendering.
    """
    folder.mkdir(parents=True, exist_ok=True)
    frames = sorted(folder.glob("*.png"))
    if len(frames) != ANGLES * poses:
        build_quality_scene(name, resolution=resolution, samples=samples, poses=poses, output=folder)
        bpy.ops.render.render(animation=True)
        frames = sorted(folder.glob("*.png"))
    return frames
