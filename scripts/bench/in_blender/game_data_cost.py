"""What Game Data (points, boxes, In Place) costs a sprite set, timed where ``bpy`` is a module
(``blender_jobs.run_in_bpy``), the add-on loaded from this repository:

    python scripts/bench/in_blender/game_data_cost.py -- '{"work": "...", "resolution": [640, 900],
        "pixel": 10, "directions": 2, "samples": 16, "result": "timings.json"}'

The scene is ``character_scene.build_set_scene`` (Cycles) with its armature grown to 30 bones: five chains of five
bones in a cape, a grid mesh skinned to them by an Armature modifier, swinging in the walk action. Game Data asks
for 5 points on bones and 5 boxes: two objects hidden from renders (one on a bone), the skinned cape, and two
collections of the character's parts; In Place is on. Render Sprite Set renders the walk action at ``directions``
facings, at full size and at sprite size (Render at Sprite Size), Game Data off and on, each way twice, alternating.

The capture is timed inside the add-on's own code path, by wrapping the methods of ``blender.rig_capture.RigCapture``
the set calls (``step`` before each render, ``attach`` after the last), and its parts (In Place held, the frames
projected, changing frames, writing ``rig.json``); each render by ``render_init`` and ``render_complete`` handlers;
and the sprite work after the renders by wrapping ``update_set``, as ``operator_timings`` does.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bpy
from bpy.app.handlers import persistent

CHAINS, CHAIN_BONES = 5, 5  # the cape's bones: with the set scene's 5, an armature of 30
POINTS = "rig/arm_left/tail,rig/arm_right/tail,rig/leg_left/tail,rig/leg_right/tail,cape_tip=rig/cape_2_4/tail"
BOXES = "hurt,hit,cape,Legs,Upper"
UPPER_PARTS = ("body", "belt", "head", "hat", "arm_left", "arm_right")
LEG_PARTS = ("leg_left", "leg_right")


class Stopwatches:
    """Seconds spent in wrapped functions, summed by name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        """Replace ``owner.attribute`` by a function that calls it and adds its time to ``name``."""
        original: Callable[..., Any] = getattr(owner, attribute)
        self.seconds.setdefault(name, 0.0)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started

        setattr(owner, attribute, timed)

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.seconds, 0.0)


class RenderClock:
    """The seconds of every render job, from ``render_init`` to ``render_complete``, and the frames they wrote; its
    handlers persistent, as building each scene loads an empty file."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.renders = self.frames = 0
        self._started = 0.0

        @persistent
        def begin(*_: object) -> None:
            self._started = time.perf_counter()

        @persistent
        def end(*_: object) -> None:
            self.seconds += time.perf_counter() - self._started
            self.renders += 1

        @persistent
        def written(*_: object) -> None:
            self.frames += 1

        bpy.app.handlers.render_init.append(begin)
        bpy.app.handlers.render_write.append(written)
        bpy.app.handlers.render_complete.append(end)

    def reset(self) -> None:
        self.seconds, self.renders, self.frames = 0.0, 0, 0


def data() -> Any:
    """``bpy.data``, untyped: the stubs' unions (``Object | None``, every kind of object data) are not what this
    scene holds."""
    return bpy.data


def context() -> Any:
    """``bpy.context``, untyped, as :func:`data`."""
    return bpy.context


def load_addon() -> None:
    """Load this repository's add-on and register it, as the batch script does (``scripts/render_sprites.py``)."""
    importlib.import_module("render_sprites").load_addon()


def add_cape(rig: Any) -> Any:
    """Five chains of five bones down the character's back, and a grid mesh skinned to them (each vertex to its
    nearest bone), parented to the armature with an Armature modifier; returns the mesh."""
    context().view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    bones = rig.data.edit_bones
    length = 1.25 / CHAIN_BONES
    for chain in range(CHAINS):
        x, parent = -0.3 + 0.15 * chain, bones["hop"]
        for link in range(CHAIN_BONES):
            bone = bones.new(f"cape_{chain}_{link}")
            bone.head, bone.tail = (x, 0.3, 1.45 - link * length), (x, 0.3, 1.45 - (link + 1) * length)
            bone.parent, parent = parent, bone
    bpy.ops.object.mode_set(mode="OBJECT")
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=20, y_subdivisions=40, size=1.0)
    cape = context().active_object
    cape.name = "cape"
    cape.scale = (0.75, 1.25, 1.0)
    cape.rotation_euler = (math.pi / 2, 0, 0)
    cape.location = (0, 0.3, 1.45 - 1.25 / 2)
    bpy.ops.object.transform_apply(location=True, rotation=True, scale=True)
    groups = {
        (chain, link): cape.vertex_groups.new(name=f"cape_{chain}_{link}")
        for chain in range(CHAINS)
        for link in range(CHAIN_BONES)
    }
    for vertex in cape.data.vertices:
        chain = min(CHAINS - 1, max(0, round((vertex.co.x + 0.3) / 0.15)))
        link = min(CHAIN_BONES - 1, int((1.45 - vertex.co.z) / length))
        groups[chain, link].add([vertex.index], 1.0, "REPLACE")
    cape.parent = rig
    cape.modifiers.new("rig", "ARMATURE").object = rig
    cape.data.materials.append(data().materials["body"])
    return cape


def key_cape(rig: Any) -> None:
    """The cape's bones swinging through the walk action, a wave down each chain."""
    walk = data().actions["walk"]
    rig.animation_data.action = walk
    for frame in range(1, 7):
        for chain in range(CHAINS):
            for link in range(CHAIN_BONES):
                bone = rig.pose.bones[f"cape_{chain}_{link}"]
                bone.rotation_mode = "XYZ"
                bone.rotation_euler = (0.25 * math.sin(frame + link * 0.7 + chain * 0.3), 0, 0)
                bone.keyframe_insert("rotation_euler", frame=frame)
    rig.animation_data.action = None


def box_object(name: str, parent: Any, bone: str = "") -> Any:
    """A cube hidden from renders, parented to ``parent`` (at ``bone``), where a hit or hurt box goes."""
    bpy.ops.mesh.primitive_cube_add(size=0.4, location=(0.48, 0, 0.9) if bone else (0, 0, 1.0))
    box = context().active_object
    box.name = name
    world = box.matrix_world.copy()
    box.parent = parent
    if bone:
        box.parent_type, box.parent_bone = "BONE", bone
    context().view_layer.update()
    box.matrix_world = world
    box.hide_render = True
    return box


def collection_of(scene: Any, name: str, parts: tuple[str, ...]) -> None:
    collection = data().collections.new(name)
    scene.collection.children.link(collection)
    for part in parts:
        collection.objects.link(data().objects[part])


def build_scene(job: dict[str, Any], output: Path, game_data: bool) -> Any:
    """The set scene with the 30-bone rig, its boxes and collections; Game Data asked for when ``game_data``."""
    builder: Any = importlib.import_module("character_scene")
    scene = builder.build_set_scene(
        output=output, resolution=tuple(job["resolution"]), engine="CYCLES", samples=job["samples"]
    )
    rig = data().objects["rig"]
    add_cape(rig)
    key_cape(rig)
    box_object("hurt", data().objects["character"])
    box_object("hit", rig, "arm_left")
    collection_of(scene, "Legs", LEG_PARTS)
    collection_of(scene, "Upper", UPPER_PARTS)
    context().view_layer.objects.active = rig
    settings = scene.pixel_sprites
    settings.directions, settings.pixel = job["directions"], job["pixel"]
    settings.set_actions.add().action = data().actions["walk"]
    if game_data:
        settings.set_game_data(points=POINTS, boxes=BOXES)
        settings.in_place = True
    return scene


def timed_set(job: dict[str, Any], output: Path, game_data: bool, sprite_size: bool) -> dict[str, Any]:
    """One Render Sprite Set: its seconds, its renders' and its sprite work's, and the capture's parts."""
    scene = build_scene(job, output, game_data)
    scene.pixel_sprites.render_at_sprite_size = sprite_size
    STOPWATCHES.reset()
    CLOCK.reset()
    operators: Any = bpy.ops
    started = time.perf_counter()
    outcome = operators.pixel_sprites.render_set()
    seconds = time.perf_counter() - started
    if outcome != {"FINISHED"}:
        raise RuntimeError(f"Render Sprite Set: {outcome}: {scene.pixel_sprites.last_summary}")
    rig_file = (output / "sprite_size" if sprite_size else output) / "rig.json"  # beside the frames it is about
    if game_data != rig_file.exists():
        raise RuntimeError(f"{rig_file}: expected {'a' if game_data else 'no'} rig.json")
    return {
        "set_seconds": seconds,
        "render_seconds": CLOCK.seconds,
        "renders": CLOCK.renders,
        "frames": CLOCK.frames,
        "parts_seconds": dict(STOPWATCHES.seconds),
        "rig_json_frames": len(json.loads(rig_file.read_text())["frames"]) if game_data else 0,
    }


def measure(job: dict[str, Any]) -> dict[str, Any]:
    from pixel_sprites.blender import rig_capture, sprite_set

    capture = rig_capture.RigCapture
    for attribute, name in (
        ("step", "capture_steps"),
        ("attach", "write"),
        ("hold_in_place", "in_place"),
        ("project", "project"),
        ("_frame", "projection"),
    ):
        STOPWATCHES.wrap(capture, attribute, name)
    STOPWATCHES.wrap(sprite_set, "update_set", "sprite_work")
    work = Path(job["work"])
    warm_up = build_scene(job, work / "warm-up", game_data=False)
    bpy.ops.render.render()  # the first Cycles render of a process pays for kernels and caches: not part of either
    scene_info = {
        "bones": len(data().objects["rig"].data.bones),
        "skinned_vertices": len(data().objects["cape"].data.vertices),
        "hidden_boxes": sum(data().objects[name].hide_render for name in BOXES.split(",") if name in data().objects),
        "points": len(POINTS.split(",")),
        "boxes": len(BOXES.split(",")),
        "facings": warm_up.pixel_sprites.directions,
    }
    sizes: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for size in ("full", "sprite"):
        runs = sizes[size] = {"off": [], "on": []}
        for number, mode in enumerate(("off", "on", "off", "on")):  # alternating, so neither gets the warmer machine
            output = work / f"{size}_{mode}_{number // 2}"
            runs[mode].append(timed_set(job, output, game_data=mode == "on", sprite_size=size == "sprite"))
    return {"blender": bpy.app.version_string, "scene": scene_info, "sizes": sizes}


STOPWATCHES = Stopwatches()
CLOCK = RenderClock()


def main() -> None:
    job = json.loads(sys.argv[-1])
    load_addon()
    Path(job["result"]).write_text(json.dumps(measure(job)))


if __name__ == "__main__":
    main()
