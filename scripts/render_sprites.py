"""Render a .blend's animation and make its sprites, without touching Blender's preferences.

    blender -b scene.blend --python scripts/render_sprites.py -- [options]

The add-on is loaded from this repository for this run only; the options
override the scene's saved Pixel Sprites settings. Exits non-zero if the
render or the sprites fail.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import bpy

ADDON = Path(__file__).resolve().parents[1] / "addon"


def load_addon():  # type: ignore[no-untyped-def]
    if "pixel_sprites" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "pixel_sprites", ADDON / "__init__.py", submodule_search_locations=[str(ADDON)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["pixel_sprites"] = module
        spec.loader.exec_module(module)
    module = sys.modules["pixel_sprites"]
    if not hasattr(bpy.types.Scene, "pixel_sprites"):
        module.register()
    return module


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="render_sprites.py", description=__doc__)
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument("--size", metavar="WxH", help="sprite size, e.g. 64x90")
    grid.add_argument("--pixel", type=int, metavar="N", help="render pixels per sprite pixel")
    parser.add_argument("--colors", metavar="auto|N", help="palette size or 'auto'")
    parser.add_argument("--tolerance", type=float, metavar="T")
    parser.add_argument("--method", choices=["kmeans-lab", "meanshift-seed"])
    parser.add_argument("--target-palette", metavar="FILE")
    parser.add_argument("--indexed", action="store_true")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: 'sprites' beside the renders)")
    parser.add_argument("--character", metavar="NAME")
    parser.add_argument("--sprite-size-render", action="store_true", help="render directly at sprite size")
    return parser.parse_args(argv)


def apply_options(settings, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    settings.enabled = True
    if args.size:
        width, height = (int(part) for part in args.size.lower().split("x"))
        settings.size_mode, settings.width, settings.height = "SIZE", width, height
    if args.pixel:
        settings.size_mode, settings.pixel = "PIXEL", args.pixel
    if args.colors:
        settings.auto_colors = args.colors == "auto"
        if not settings.auto_colors:
            settings.colors = int(args.colors)
    if args.tolerance:
        settings.tolerance = args.tolerance
    if args.method:
        settings.method = args.method
    if args.target_palette:
        settings.target_palette = str(Path(args.target_palette).resolve())
    if args.indexed:
        settings.indexed = True
    if args.out:
        settings.output_folder = str(Path(args.out).resolve()) + "/"
    if args.character:
        settings.character = args.character
    settings.render_at_sprite_size = args.sprite_size_render


def main() -> int:
    argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
    args = parse(argv)
    load_addon()
    scene = bpy.context.scene
    apply_options(scene.pixel_sprites, args)
    bpy.ops.pixel_sprites.render_sprites()
    summary = scene.pixel_sprites.last_summary
    return 1 if summary.startswith("Error") or summary.startswith("No sprites") else 0


if __name__ == "__main__":
    try:
        code = main()
    except Exception as error:  # one clear line for a batch log, then a non-zero exit
        print(f"render_sprites.py: error: {error}", file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.exit(code)
