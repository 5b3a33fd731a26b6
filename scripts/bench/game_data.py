"""The game-data section: what Game Data (points, boxes and In Place, issue 30) adds to a sprite set's renders.

Render Sprite Set renders the walk action of the set scene with a 30-bone rig (a cape of 25 bones skinning a grid
mesh), Cycles, at full size and at sprite size (Render at Sprite Size), with Game Data off and on, each way twice,
alternating: 5 points on bones, 5 boxes (two objects hidden from renders, the skinned cape, two collections) and
In Place (``in_blender/game_data_cost.py``). The capture is timed inside the add-on's own code
(``RigCapture.step`` before each render, ``attach`` writing ``rig.json`` after the last); its share is that time
over the renders' own time in the same runs, timed from ``render_init`` to ``render_complete``. The goal: at most
1% at full size.
"""

from __future__ import annotations

import shutil
from typing import Any

from .blender_jobs import run_in_bpy
from .inputs import SPRITE_SIZE, Inputs

FACINGS = 2  # as the sets and normals sections: a full-size Cycles frame takes seconds here
GOAL_PERCENT = 1.0  # of a full-size set's render time
SIZE_NAMES = {"full": "full size", "sprite": "sprite size (Render at Sprite Size)"}


def summed(runs: list[dict[str, Any]], name: str) -> float:
    """``name`` summed over ``runs``: a figure of the set, or one of the parts it timed."""
    return sum(run[name] if name in run else run["parts_seconds"][name] for run in runs)


def capture_figures(off: list[dict[str, Any]], on: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's figures from its sets (each way run as often): the capture's time against the renders' in the
    runs with Game Data on, and the sets' wall times each way, per run."""
    frames, render = int(summed(on, "frames")), summed(on, "render_seconds")
    capture = summed(on, "capture_steps") + summed(on, "write")
    parts = {
        "in_place": summed(on, "in_place"),
        "frame_changes": summed(on, "project") - summed(on, "projection"),  # going to each frame and back
        "projection": summed(on, "projection"),  # points and boxes through the camera
        "write": summed(on, "write"),  # rig.json, under its lock
    }
    return {
        "runs_each_way": len(on),
        "frames": frames // len(on),
        "render_seconds": render,
        "render_ms_per_frame": 1000 * render / frames,
        "capture_seconds": capture,
        "capture_ms_per_frame": 1000 * capture / frames,
        "capture_share_percent": 100 * capture / render,
        "capture_parts_ms_per_frame": {name: 1000 * seconds / frames for name, seconds in parts.items()},
        "render_ms_per_frame_off": 1000 * summed(off, "render_seconds") / summed(off, "frames"),
        "set_seconds_off": summed(off, "set_seconds") / len(off),
        "set_seconds_on": summed(on, "set_seconds") / len(on),
        "sprite_work_seconds_off": summed(off, "sprite_work") / len(off),
        "sprite_work_seconds_on": summed(on, "sprite_work") / len(on),
        "rig_json_frames": [run["rig_json_frames"] for run in on],
    }


def game_data_section(inputs: Inputs) -> dict[str, Any]:
    work = inputs.options.work / "game_data"
    shutil.rmtree(work, ignore_errors=True)
    width, height = inputs.options.render_size
    pixel = width // SPRITE_SIZE[0]
    job = {"work": str(work), "resolution": [width, height], "pixel": pixel, "directions": FACINGS}
    timings = run_in_bpy("game_data_cost.py", job | {"samples": inputs.options.samples})
    sizes = {size: capture_figures(runs["off"], runs["on"]) for size, runs in timings["sizes"].items()}
    return {
        "blender": timings["blender"],
        "render_size": [width, height],
        "sprite_size": [width // pixel, height // pixel],
        "samples": inputs.options.samples,
        "rig": timings["scene"],
        "in_place": True,
        "goal_percent": GOAL_PERCENT,
        "sizes": sizes,
    }


def game_data_table(data: dict[str, Any]) -> str:
    """The section's table and its reading, in docs/performance.md."""
    from .section_tables import table  # section_tables imports this module for its renderers

    rig, (width, height), (small_width, small_height) = data["rig"], data["render_size"], data["sprite_size"]
    headers = ["Render Sprite Set", "render ms per frame: off / on", "capture ms per frame", "share of render time",
               "set's seconds: off → on"]  # fmt: skip
    rows = []
    for size, figures in data["sizes"].items():
        resolution = f"{width}x{height}" if size == "full" else f"{small_width}x{small_height}"
        rows.append([
            f"{SIZE_NAMES[size]}, {resolution}, {figures['frames']} frames a set",
            f"{figures['render_ms_per_frame_off']:.0f} / {figures['render_ms_per_frame']:.0f}",
            f"{figures['capture_ms_per_frame']:.2f}", f"**{figures['capture_share_percent']:.2f}%**",
            f"{figures['set_seconds_off']:.1f} → {figures['set_seconds_on']:.1f}",
        ])  # fmt: skip
    full = data["sizes"]["full"]
    met = "met" if full["capture_share_percent"] <= data["goal_percent"] else "**not met**"
    parts = ", ".join(
        f"{name.replace('_', ' ')} {ms:.2f} ms" for name, ms in full["capture_parts_ms_per_frame"].items()
    )
    return (
        f"**Game data** (bpy {data['blender']}, Cycles at {data['samples']} samples, the walk action from "
        f"{rig['facings']} facings; a {rig['bones']}-bone rig skinning {rig['skinned_vertices']} vertices, "
        f"{rig['points']} points, {rig['boxes']} boxes of which {rig['hidden_boxes']} hidden from renders, In "
        f"Place), each way run {full['runs_each_way']} times, alternating, after a warm-up render: the capture "
        f"timed inside the add-on against the renders' own time in the same runs:\n\n{table(headers, rows)}\n\n"
        f"Goal at full size, at most {data['goal_percent']:g}% of the render time: {met}. The capture per frame at "
        f"full size: {parts}."
    )
