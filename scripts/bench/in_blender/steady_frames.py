"""Cycles renders for the Steady Colours section (``scripts/bench/steady.py``), made where ``bpy`` is a module:

    python scripts/bench/in_blender/steady_frames.py -- '{"character": "golem", "folder": "...", "moving": false,
                                                          "resolution": [640, 900], "samples": 16, "frames": 8}'

A character of ``scripts/quality_characters.py`` or of ``scripts/unseen_characters.py``, seen at 45° (where more parts
overlap), rendered ``frames`` times with Cycles' seed animated, as a render farm's frames have it: a still pose (the
character at rest: the frames differ by render noise alone), or with ``"moving": true`` its joints swinging
smoothly out and back (a sine, from rest) through the frames. With ``"denoise": true`` through OpenImageDenoise:
the reference a moving pose is measured against.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import bpy

# The camera's frame of the characters' turn: the second angle, 45° round.
VIEW_FRAME = 2
# How far the joints swing in the moving pose, of the builder's full swing.
SWING = 0.8


def scene_builder(name: str) -> Any:
    """A scene-building module of ``scripts/``, imported by name: they are Blender scripts, typed for the Blenders
    they run in rather than for the stubs mypy reads ``bpy`` from, so mypy is not pointed at them."""
    return importlib.import_module(name)


def build_scene(character: str, resolution: tuple[int, int], samples: int, folder: Path) -> Any:
    """An empty file with ``character`` in it, seen at 45°; its joints' full swings."""
    scene_module = scene_builder("character_scene")
    builders = scene_builder("quality_characters").BUILDERS | scene_builder("unseen_characters").BUILDERS
    if character not in builders:
        raise SystemExit(f"no character {character!r}: {', '.join(builders)}")
    bpy.ops.wm.read_homefile(use_empty=True)
    scene: Any = bpy.context.scene
    root = bpy.data.objects.new(character, None)
    scene.collection.objects.link(root)
    swings = builders[character](root)
    scene_module.add_turning_camera_and_light(scene, scene_module.ANGLES)
    scene.frame_set(VIEW_FRAME)
    for obj in bpy.data.objects:  # the camera stays where the view frame has it
        obj.animation_data_clear()
    scene_module.render_cycles_pngs(scene, resolution=resolution, samples=samples, output=folder)
    return swings


def render(job: dict[str, Any]) -> None:
    folder, frames = Path(job["folder"]), int(job["frames"])
    swings = build_scene(job["character"], tuple(job["resolution"]), int(job["samples"]), folder)
    scene: Any = bpy.context.scene
    if job.get("moving"):
        for frame in range(1, frames + 1):
            amount = SWING * math.sin(2 * math.pi * (frame - 1) / frames)
            for name, full in swings.items():
                pivot = bpy.data.objects[name]
                pivot.rotation_euler = tuple(amount * value for value in full)
                pivot.keyframe_insert("rotation_euler", frame=frame)
    if job.get("denoise"):
        scene.cycles.use_denoising = True
        scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.frame_start, scene.frame_end = 1, frames
    scene.cycles.use_animated_seed = True
    bpy.ops.render.render(animation=True)


if __name__ == "__main__":
    render(json.loads(sys.argv[-1]))
