"""The built-in demo: render a small character in real Blender and get its sprites.

    .venv/bin/python scripts/demo.py [--out demo_output]

Builds the procedural character (8 camera angles x 3 poses), enables the
add-on the way Blender finds it, renders the animation headless with Cycles
and leaves in the output folder: the renders, their sprites with one shared
palette (``renders/sprites/``), the palette files, the JSON report and a
sprite sheet preview (``sprite_sheet.png``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def enable_addon() -> None:
    """Make ``addon/`` visible as a user add-on, then enable it; must run before ``bpy`` is imported."""
    scripts = Path(tempfile.mkdtemp(prefix="pixel_sprites_demo_"))
    (scripts / "addons").mkdir()
    (scripts / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
    os.environ["BLENDER_USER_SCRIPTS"] = str(scripts)
    importlib.import_module("bpy")  # addon_utils is importable once bpy is loaded
    import addon_utils

    addon_utils.enable("pixel_sprites", default_set=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "demo_output", help="output folder (replaced)")
    parser.add_argument("--samples", type=int, default=16, help="Cycles samples per pixel")
    args = parser.parse_args()
    out = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)

    enable_addon()
    import bpy

    sys.path.insert(0, str(ROOT / "scripts"))
    from character_scene import build_character_scene

    from pixel_sprites.engine import discover_frames, make_sheet, read_frame, write_png

    scene = build_character_scene(output=out / "renders", resolution=(320, 450), samples=args.samples, poses=3)
    scene.pixel_sprites.pixel = 5  # 320x450 renders -> 64x90 sprites
    frames = scene.frame_end - scene.frame_start + 1
    print(f"Rendering {frames} frames of 320x450 with Cycles ({args.samples} samples) into {out / 'renders'}")
    started = time.perf_counter()
    bpy.ops.render.render(animation=True)
    print(f"Rendered and processed in {time.perf_counter() - started:.1f} s")

    sprites_folder = out / "renders" / "sprites"
    sprites = [read_frame(frame.path).rgba for frame in discover_frames([sprites_folder]) if frame.path.stem.isdigit()]
    write_png(make_sheet(sprites, columns=8, scale=4), out / "sprite_sheet.png")
    print(scene.pixel_sprites.last_summary)
    print(f"Sprites:      {sprites_folder}")
    print(f"Palette:      {sprites_folder / 'character.gpl'} (also .hex and .png)")
    print(f"Report:       {sprites_folder / 'character_report.json'}")
    print(f"Sprite sheet: {out / 'sprite_sheet.png'}")
    return 0 if scene.pixel_sprites.last_summary.startswith(f"{frames}/{frames} sprites") else 1


if __name__ == "__main__":
    sys.exit(main())
