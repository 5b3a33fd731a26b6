"""Cycles renders for the benchmark to measure on, made where ``bpy`` is a module (``blender_jobs.run_in_bpy``):

    python scripts/bench/in_blender/render_frames.py -- '{"subject": "demo", "folder": "...",
                                                         "resolution": [640, 900], "samples": 16, "poses": 3}'

``demo``
    the demo character (``scripts/character_scene.py``), ``poses`` poses at 8 angles;
``characters``
    the knight, mage and critter of ``scripts/quality_characters.py``, each in a folder of its own (those
    already rendered are kept); their names go to the ``result`` file;
``still``
    one pose at one angle, ``frames`` times with Cycles' seed animated, so that the frames differ by render noise
    alone, as consecutive frames of a character standing still do: the demo character in its first pose at its
    first angle, or with ``"character"`` one of the quality characters at rest, seen at 45°; with
    ``"denoise": true`` through OpenImageDenoise, as production renders often are.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import bpy


def scene_builder(name: str) -> Any:
    """A scene-building module of ``scripts/``, imported by name: they are Blender scripts, typed for the Blenders
    they run in rather than for the stubs mypy reads ``bpy`` from, so mypy is not pointed at them."""
    return importlib.import_module(name)


def render_demo(folder: Path, resolution: tuple[int, int], samples: int, poses: int) -> None:
    builder = scene_builder("character_scene")
    builder.build_character_scene(output=folder, resolution=resolution, samples=samples, poses=poses)
    bpy.ops.render.render(animation=True)


def render_characters(folder: Path, resolution: tuple[int, int], samples: int) -> list[str]:
    """Render the characters not yet in ``folder``; their names, in the order the module lists them."""
    builder = scene_builder("quality_characters")
    for name in builder.CHARACTERS:
        builder.render_quality_character(name, folder / name, resolution=resolution, samples=samples)
    return list(builder.CHARACTERS)


# The quality characters' still pose: frame 2 of their turn, at rest and seen at 45°, where more parts overlap.
STILL_CHARACTER_FRAME = 2


def render_still_pose(folder: Path, resolution: tuple[int, int], samples: int, job: dict[str, Any]) -> None:
    if job.get("character") is None:
        scene = scene_builder("character_scene").build_character_scene(
            output=folder, resolution=resolution, samples=samples
        )
    else:
        scene = scene_builder("quality_characters").build_quality_scene(
            job["character"], resolution=resolution, samples=samples, poses=1, output=folder
        )
        scene.frame_set(STILL_CHARACTER_FRAME)
    for obj in bpy.data.objects:  # one pose, one angle: the values of the frame set above stay
        obj.animation_data_clear()
    if job.get("denoise"):
        import _cycles  # Cycles' own module says whether it was built with OpenImageDenoise

        if not _cycles.with_openimagedenoise:
            raise SystemExit("this Blender is built without OpenImageDenoise: no denoised still renders")
        scene.cycles.use_denoising = True
        scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.frame_start, scene.frame_end = 1, job["frames"]
    scene.cycles.use_animated_seed = True
    bpy.ops.render.render(animation=True)


def main() -> None:
    job = json.loads(sys.argv[-1])
    folder, samples = Path(job["folder"]), job["samples"]
    width, height = job["resolution"]
    if job["subject"] == "demo":
        render_demo(folder, (width, height), samples, job["poses"])
    elif job["subject"] == "characters":
        names = render_characters(folder, (width, height), samples)
        Path(job["result"]).write_text(json.dumps({"characters": names}))
    elif job["subject"] == "still":
        render_still_pose(folder, (width, height), samples, job)
    else:
        raise SystemExit(f"no subject {job['subject']!r}: demo, characters or still")


if __name__ == "__main__":
    main()
