"""Times the add-on's render operators where ``bpy`` is a module (``blender_jobs.run_in_bpy``), the add-on loaded
from this repository:

    python scripts/bench/in_blender/operator_timings.py -- '{"measure": "sprite-size", "work": "...",
        "resolution": [640, 900], "sprite": [64, 90], "samples": 16, "result": "timings.json"}'

``sprite-size``
    Render Sprites on the demo scene, rendering at full size then downscaling, and rendering at sprite size:
    seconds per frame of each (the sprites are left in ``work`` for the caller to compare);
``set``
    Render Sprite Set (the walk action at ``directions`` facings) against plain renders of the same frames,
    turned and assigned the same way with no sprite work: seconds of each, and how many renders.
``normals``
    Render Sprite Set (the walk action at ``directions`` facings) with Normal Maps off and on, at full size and
    rendering at sprite size: the set's seconds, and of them the sprite work's (everything after the renders).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import bpy


def scene_builder() -> Any:
    """``scripts/character_scene``, imported by name: a Blender script, typed for the Blenders it runs in rather
    than for the stubs mypy reads ``bpy`` from, so mypy is not pointed at it."""
    return importlib.import_module("character_scene")


def load_addon() -> None:
    """Load this repository's add-on and register it, as the batch script does (``scripts/render_sprites.py``),
    imported by name as ``character_scene`` is."""
    importlib.import_module("render_sprites").load_addon()


def addon_operators() -> Any:
    """``bpy.ops.pixel_sprites``, which the stubs cannot know of."""
    operators: Any = bpy.ops
    return operators.pixel_sprites


def sprite_size_timings(job: dict[str, Any]) -> dict[str, float]:
    timings = {}
    for mode in ("full", "sprite"):
        scene = scene_builder().build_character_scene(
            output=Path(job["work"]) / mode, resolution=tuple(job["resolution"]), samples=job["samples"]
        )
        settings = scene.pixel_sprites
        settings.size_mode = "SIZE"
        settings.width, settings.height = job["sprite"]
        settings.colors, settings.auto_colors = 12, False
        settings.render_at_sprite_size = mode == "sprite"
        started = time.perf_counter()
        addon_operators().render_sprites()
        timings[mode] = (time.perf_counter() - started) / (scene.frame_end - scene.frame_start + 1)
    return timings


def render_plainly(scene: Any) -> int:
    """The renders of the set the scene describes, turned and assigned as Render Sprite Set does them (with its own
    step set-up), and no sprite work; how many frames were rendered."""
    from pixel_sprites.blender import sprite_set
    from pixel_sprites.blender.scene_state import SceneState

    scene.pixel_sprites.enabled = False
    plan = sprite_set.plan(scene)
    state = SceneState.capture(scene, plan.pivot, plan.animated)
    for index in range(len(plan.steps)):
        sprite_set._set_up_step(scene, plan, state, index)
        bpy.ops.render.render(animation=True)
    state.restore()
    return sum(len(range(action.frame_start, action.frame_end + 1, action.frame_step)) for action, _ in plan.steps)


def set_timings(job: dict[str, Any]) -> dict[str, float]:
    work, resolution = Path(job["work"]), tuple(job["resolution"])

    def set_scene(folder: str) -> Any:
        builder = scene_builder()
        return builder.build_set_scene(
            output=work / folder, resolution=resolution, engine="CYCLES", samples=job["samples"]
        )

    set_scene("warm-up")
    bpy.ops.render.render()  # the first Cycles render of a process pays for kernels and caches: not part of either
    timings = {"plain": 0.0, "set": 0.0, "renders": 0}
    for mode in ("set", "plain", "set", "plain"):  # each way twice, alternating, so neither gets the warmer machine
        scene = set_scene(mode)
        scene.pixel_sprites.directions, scene.pixel_sprites.pixel = job["directions"], 10
        scene.pixel_sprites.set_actions.add().action = bpy.data.actions["walk"]
        started = time.perf_counter()
        if mode == "set":
            addon_operators().render_set()
        else:
            timings["renders"] = render_plainly(scene)
        timings[mode] += (time.perf_counter() - started) / 2
    return timings


def normal_timings(job: dict[str, Any]) -> dict[str, dict[str, float]]:
    from pixel_sprites.blender import sprite_set

    work, resolution = Path(job["work"]), tuple(job["resolution"])
    sprite_work = {"seconds": 0.0}
    update_set = sprite_set.update_set

    def timed_update_set(*args: Any, **kwargs: Any) -> Any:  # the sprite work of a set: what follows its renders
        started = time.perf_counter()
        try:
            return update_set(*args, **kwargs)
        finally:
            sprite_work["seconds"] += time.perf_counter() - started

    sprite_set.update_set = timed_update_set  # type: ignore[attr-defined]
    builder = scene_builder()
    builder.build_set_scene(output=work / "warm-up", resolution=resolution, engine="CYCLES", samples=job["samples"])
    bpy.ops.render.render()  # the first Cycles render of a process pays for kernels and caches: not part of either
    timings: dict[str, dict[str, float]] = {}
    for size in ("full", "sprite"):
        figures = {"off": 0.0, "on": 0.0, "off_sprite_work": 0.0, "on_sprite_work": 0.0}
        for mode in ("off", "on", "off", "on"):  # each way twice, alternating, so neither gets the warmer machine
            scene = builder.build_set_scene(
                output=work / f"{size}_{mode}", resolution=resolution, engine="CYCLES", samples=job["samples"]
            )
            settings = scene.pixel_sprites
            settings.directions, settings.pixel = job["directions"], 10
            settings.render_at_sprite_size = size == "sprite"
            settings.normal_maps = mode == "on"
            settings.set_actions.add().action = bpy.data.actions["walk"]
            sprite_work["seconds"] = 0.0
            started = time.perf_counter()
            addon_operators().render_set()
            figures[mode] += (time.perf_counter() - started) / 2
            figures[f"{mode}_sprite_work"] += sprite_work["seconds"] / 2
        timings[size] = figures
    return timings


def main() -> None:
    job = json.loads(sys.argv[-1])
    load_addon()
    measures = {"sprite-size": sprite_size_timings, "set": set_timings, "normals": normal_timings}
    if job["measure"] not in measures:
        raise SystemExit(f"no measure {job['measure']!r}: {', '.join(measures)}")
    Path(job["result"]).write_text(json.dumps(measures[job["measure"]](job)))


if __name__ == "__main__":
    main()
