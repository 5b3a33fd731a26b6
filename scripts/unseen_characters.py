"""Two procedural characters no test renders, for the benchmark's Steady Colours section
(``scripts/bench/in_blender/steady_frames.py``).

Built like the quality characters (``scripts/quality_characters.py``: primitives hung on joints, which swing), but
with the materials that make Cycles' noise at 16 samples the worst, where a pixel's render colour wanders most
between two palette colours from seed to seed:

``golem``
    mottled stone and moss (noise textures through colour ramps), glowing runes, and glassy crystal shards;
``alchemist``
    skin scattering light under its surface, a clear-coated leather coat, a checked scarf, brass goggles fading
    to copper, and a flask of glass with a coloured liquid in it.

Each builder takes the character's root empty and returns its joints' full swings, as the quality characters'
builders do. Works with ``bpy`` 4.2 to 5.3.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import bpy
from quality_characters import Swings, Vec, _colour, _empty, _flat, _gradient, _part, _shader


def _input(shader: bpy.types.ShaderNode, *names: str) -> bpy.types.NodeSocket:
    """The Principled BSDF's input by its name in this Blender: 4.0 renamed several (``Subsurface Weight``...)."""
    return next(shader.inputs[name] for name in names if name in shader.inputs)


def _textured(name: str, kind: str, scale: float, low: Vec, high: Vec, *, roughness: float = 0.8) -> bpy.types.Material:
    """A matte material whose colour a ``noise`` or ``checker`` texture mixes from ``low`` to ``high``."""
    material = _flat(name, low, roughness=roughness)
    shader = _shader(material)
    nodes, links = material.node_tree.nodes, material.node_tree.links
    texture = nodes.new("ShaderNodeTexNoise" if kind == "noise" else "ShaderNodeTexChecker")
    texture.inputs["Scale"].default_value = scale
    ramp = nodes.new("ShaderNodeValToRGB")
    ramp.color_ramp.elements[0].color, ramp.color_ramp.elements[1].color = _colour(low), _colour(high)
    if kind == "noise":  # a narrower ramp: blotches of either colour, not a grey mean of both
        ramp.color_ramp.elements[0].position, ramp.color_ramp.elements[1].position = 0.42, 0.58
    links.new(texture.outputs[1], ramp.inputs[0])  # the factor: "Fac" up to 4.x, "Factor" from 5.0
    links.new(ramp.outputs["Color"], shader.inputs["Base Color"])
    return material


def _skin(name: str, srgb: Vec) -> bpy.types.Material:
    """Light scattering under the surface (subsurface), as skin and wax do: soft, and noisy at low samples."""
    material = _flat(name, srgb, roughness=0.5)
    shader = _shader(material)
    _input(shader, "Subsurface Weight", "Subsurface").default_value = 0.8
    _input(shader, "Subsurface Radius").default_value = (0.2, 0.1, 0.06)
    if "Subsurface Scale" in shader.inputs:
        shader.inputs["Subsurface Scale"].default_value = 0.2
    else:  # before 4.0 the radius alone sets how far light goes, and the colour is its own input
        _input(shader, "Subsurface Color").default_value = _colour(srgb)
    return material


def _coated(name: str, srgb: Vec) -> bpy.types.Material:
    """A rough base under a clear glossy coat: a soft colour with sharp reflections over it."""
    material = _flat(name, srgb, roughness=0.55)
    _input(_shader(material), "Coat Weight", "Clearcoat").default_value = 1.0
    return material


def _glass(name: str, srgb: Vec, roughness: float = 0.05) -> bpy.types.Material:
    """Clear or tinted glass (transmission): what Cycles resolves slowest."""
    material = _flat(name, srgb, roughness=roughness)
    _input(_shader(material), "Transmission Weight", "Transmission").default_value = 1.0
    return material


def _golem(root: bpy.types.Object) -> Swings:
    """A hulking stone figure with moss on its shoulders, glowing runes on its chest and crystals growing out
    of its back and fists."""
    stone = _textured("stone", "noise", 6.0, (0.30, 0.28, 0.26), (0.58, 0.55, 0.50))
    dark_stone = _textured("dark_stone", "noise", 9.0, (0.16, 0.15, 0.15), (0.36, 0.33, 0.30))
    moss = _textured("moss", "noise", 14.0, (0.10, 0.30, 0.08), (0.42, 0.62, 0.16))
    rune = _flat("rune", (0.30, 0.95, 1.0), emission=2.5)
    crystal = _glass("crystal", (0.75, 0.35, 1.0), roughness=0.15)
    eye = _flat("eye", (1.0, 0.55, 0.10), emission=4.0)

    _part("torso", "sphere", (0, 0, 1.05), (0.42, 0.3, 0.42), stone, root)
    _part("belly", "cube", (0, -0.05, 0.7), (0.3, 0.24, 0.14), dark_stone, root)
    _part("head", "cube", (0, -0.05, 1.55), (0.17, 0.15, 0.14), stone, root, rotation=(0, 0, math.radians(8)))
    for side, x in (("left", 1), ("right", -1)):
        _part(f"eye_{side}", "sphere", (x * 0.07, -0.2, 1.57), (0.035, 0.02, 0.025), eye, root)
        _part(f"moss_{side}", "sphere", (x * 0.38, 0, 1.38), (0.2, 0.2, 0.1), moss, root)
        shoulder = _empty(f"shoulder_{side}", (x * 0.5, 0, 1.25), root)
        _part(f"arm_{side}", "cylinder", (x * 0.05, 0, -0.3), (0.13, 0.13, 0.3), stone, shoulder)
        _part(f"fist_{side}", "sphere", (x * 0.05, 0, -0.68), (0.17, 0.16, 0.15), dark_stone, shoulder)
        _part(f"shard_{side}", "cone", (x * 0.1, -0.05, -0.88), (0.06, 0.06, 0.12), crystal, shoulder,
              rotation=(math.pi, x * math.radians(20), 0))  # fmt: skip
        hip = _empty(f"hip_{side}", (x * 0.2, 0, 0.6), root)
        _part(f"leg_{side}", "cylinder", (0, 0, -0.26), (0.14, 0.14, 0.26), dark_stone, hip)
        _part(f"foot_{side}", "cube", (0, -0.06, -0.53), (0.15, 0.2, 0.05), stone, hip)
    for index, (x, z, tilt) in enumerate(((-0.12, 1.3, -20), (0.1, 1.38, 15), (0.0, 1.22, 0))):
        _part(f"back_shard_{index}", "cone", (x, 0.3, z), (0.07, 0.07, 0.2), crystal, root,
              rotation=(math.radians(-60), math.radians(tilt), 0))  # fmt: skip
    for index, z in enumerate((0.92, 1.04, 1.16)):
        _part(f"rune_{index}", "cube", (0.06 * (index - 1), -0.31, z), (0.05, 0.01, 0.012), rune, root,
              rotation=(0, math.radians(30 * (index - 1)), 0))  # fmt: skip
    swing = math.radians(28)
    return {
        "shoulder_left": (swing, 0, 0.5 * swing),
        "shoulder_right": (-1.4 * swing, 0, 0),  # a fist comes up
        "hip_left": (-0.6 * swing, 0, 0),
        "hip_right": (0.6 * swing, 0, 0),
    }


def _alchemist(root: bpy.types.Object) -> Swings:
    """A figure in a coated leather coat and a checked scarf, brass goggles on its brow, holding up a flask."""
    skin = _skin("skin", (0.90, 0.66, 0.52))
    coat = _coated("coat", (0.36, 0.18, 0.10))
    lining = _coated("lining", (0.10, 0.32, 0.30))
    scarf = _textured("scarf", "checker", 9.0, (0.80, 0.12, 0.18), (0.95, 0.85, 0.60), roughness=0.9)
    brass = _gradient("brass", [(0.0, (0.85, 0.62, 0.25)), (1.0, (0.72, 0.34, 0.20))])
    _shader(brass).inputs["Metallic"].default_value = 1.0
    _shader(brass).inputs["Roughness"].default_value = 0.25
    lens = _glass("lens", (0.55, 0.85, 0.95))
    flask = _glass("flask", (0.92, 0.96, 0.98))
    potion = _flat("potion", (0.20, 0.90, 0.30), roughness=0.2, emission=1.2)
    hair = _flat("hair", (0.20, 0.12, 0.08), roughness=0.45, specular=0.8)
    boot = _coated("boot", (0.12, 0.10, 0.10))

    _part("coat", "cone", (0, 0, 0.78), (0.36, 0.3, 0.6), coat, root, top=0.6)
    _part("lining", "cone", (0, 0.02, 0.5), (0.37, 0.31, 0.32), lining, root, top=0.9)
    _part("scarf", "cylinder", (0, 0, 1.36), (0.2, 0.19, 0.06), scarf, root)
    _part("scarf_end", "cube", (0.1, -0.2, 1.18), (0.05, 0.015, 0.17), scarf, root, rotation=(0, 0, math.radians(10)))
    neck = _empty("neck", (0, 0, 1.42), root)
    _part("head", "sphere", (0, 0, 0.18), (0.19, 0.19, 0.2), skin, neck)
    _part("hair", "sphere", (0, 0.04, 0.27), (0.2, 0.19, 0.14), hair, neck)
    _part("goggle_band", "cylinder", (0, 0, 0.26), (0.2, 0.2, 0.025), brass, neck)
    for side, x in (("left", 1), ("right", -1)):
        _part(f"goggle_{side}", "cylinder", (x * 0.08, -0.19, 0.27), (0.055, 0.055, 0.03), brass, neck,
              rotation=(math.pi / 2, 0, 0))  # fmt: skip
        _part(f"lens_{side}", "sphere", (x * 0.08, -0.22, 0.27), (0.04, 0.015, 0.04), lens, neck)
        hip = _empty(f"hip_{side}", (x * 0.12, 0, 0.22), root)
        _part(f"boot_{side}", "cube", (0, -0.04, -0.12), (0.08, 0.13, 0.1), boot, hip)
    flask_arm = _empty("shoulder_left", (0.3, 0, 1.28), root)
    _part("sleeve_left", "cylinder", (0.03, 0, -0.25), (0.08, 0.08, 0.25), coat, flask_arm)
    _part("hand_left", "sphere", (0.03, 0, -0.54), (0.06, 0.06, 0.06), skin, flask_arm)
    _part("flask", "sphere", (0.03, -0.1, -0.66), (0.11, 0.11, 0.11), flask, flask_arm)
    _part("potion", "sphere", (0.03, -0.1, -0.69), (0.085, 0.085, 0.07), potion, flask_arm)
    _part("flask_neck", "cylinder", (0.03, -0.1, -0.5), (0.03, 0.03, 0.07), flask, flask_arm)
    free_arm = _empty("shoulder_right", (-0.3, 0, 1.28), root)
    _part("sleeve_right", "cylinder", (-0.03, 0, -0.25), (0.08, 0.08, 0.25), coat, free_arm)
    _part("hand_right", "sphere", (-0.03, 0, -0.54), (0.06, 0.06, 0.06), skin, free_arm)
    swing = math.radians(30)
    return {
        "shoulder_left": (-2.2 * swing, 0, 0),  # the flask is held up to the light
        "shoulder_right": (0.5 * swing, 0, -0.4 * swing),
        "neck": (-0.4 * swing, 0, 0.6 * swing),  # the head tilts to look at it
        "hip_left": (0.3 * swing, 0, 0),
    }


CHARACTERS: tuple[str, ...] = ("golem", "alchemist")
BUILDERS: dict[str, Callable[[bpy.types.Object], Swings]] = {"golem": _golem, "alchemist": _alchemist}
