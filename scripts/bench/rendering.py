"""The rendering sections, timed by ``in_blender/operator_timings.py`` in a ``bpy`` process.

``sprite-size``: Render Sprites on the demo scene (8 frames, Cycles), rendering at full size and downscaling
against rendering at sprite size: seconds per frame of each, the speed-up, and how far the sprite-size sprites are
from the downscaled ones (mean ΔE2000 where both are opaque, and alpha agreement).

``sets``: Render Sprite Set (the walk action, 6 frames per facing) against plain renders of the same frames,
turned and assigned the same way: the set's overhead as a share of the render time, on small renders (half the
render size, 4 facings) and on full-size ones (2 facings).
"""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np

from .blender_jobs import run_in_bpy
from .inputs import SPRITE_SIZE, Inputs


def sprite_size_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine
    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab

    work, size = inputs.options.work / "sprite_size_render", inputs.options.render_size
    shutil.rmtree(work, ignore_errors=True)
    job = {"measure": "sprite-size", "work": str(work), "resolution": list(size), "sprite": list(SPRITE_SIZE)}
    timings = run_in_bpy("operator_timings.py", job | {"samples": inputs.options.samples})
    settings = engine.DownscaleSettings(size=SPRITE_SIZE)
    errors, agree, total = [], 0, 0
    for full in sorted((work / "full").glob("*.png")):
        rgba = engine.read_frame(full).rgba
        reference = settings.downscaler(rgba.shape[:2])(rgba)
        small = engine.read_frame(work / "sprite" / "sprite_size" / full.name).rgba
        small_opaque, reference_opaque = small[:, :, 3] >= 128, reference[:, :, 3] == 255
        agree += int((small_opaque == reference_opaque).sum())
        total += small_opaque.size
        both = small_opaque & reference_opaque
        errors.append(delta_e_2000(srgb_to_lab(small[both, :3]), srgb_to_lab(reference[both, :3])))
    return {
        "render_size": list(size),
        "sprite_size": list(SPRITE_SIZE),
        "samples": inputs.options.samples,
        "frames": total // (SPRITE_SIZE[0] * SPRITE_SIZE[1]),
        "render_and_downscale_s_per_frame": timings["full"],
        "sprite_size_render_s_per_frame": timings["sprite"],
        "speed_up": timings["full"] / timings["sprite"],
        "delta_e_vs_render_and_downscale": float(np.concatenate(errors).mean()),
        "alpha_agreement_percent": 100 * agree / total,
    }


def set_overhead(inputs: Inputs, size: tuple[int, int], directions: int) -> dict[str, Any]:
    work = inputs.options.work / f"set_render_{size[0]}x{size[1]}"
    shutil.rmtree(work, ignore_errors=True)
    job = {"measure": "set", "work": str(work), "resolution": list(size), "directions": directions}
    timings = run_in_bpy("operator_timings.py", job | {"samples": inputs.options.samples})
    return {
        "render_size": list(size),
        "facings": directions,
        "renders": timings["renders"],
        "plain_renders_seconds": timings["plain"],
        "sprite_set_seconds": timings["set"],
        "overhead_percent_of_render_time": 100 * (timings["set"] - timings["plain"]) / timings["plain"],
    }


def sets_section(inputs: Inputs) -> dict[str, Any]:
    width, height = inputs.options.render_size
    return {
        "samples": inputs.options.samples,
        "small_renders": set_overhead(inputs, (width // 2, height // 2), directions=4),
        "full_size_renders": set_overhead(inputs, (width, height), directions=2),
    }


def normals_section(inputs: Inputs) -> dict[str, Any]:
    """What Normal Maps add to a sprite set's wall time (render and sprite work together), at full size and at
    sprite size, and the sprite work's own share."""
    work = inputs.options.work / "normal_maps"
    shutil.rmtree(work, ignore_errors=True)
    width, height = inputs.options.render_size
    job = {"measure": "normals", "work": str(work), "resolution": [width, height], "directions": 2}
    timings = run_in_bpy("operator_timings.py", job | {"samples": inputs.options.samples})
    return {
        "render_size": [width, height],
        "facings": 2,
        "samples": inputs.options.samples,
        "ways": {
            size: figures | {"added_percent": 100 * (figures["on"] - figures["off"]) / figures["off"]}
            for size, figures in timings.items()
        },
    }
