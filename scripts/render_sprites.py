"""Render a .blend's animation and make its sprites, without touching Blender's preferences.

    blender -b scene.blend --python scripts/render_sprites.py -- [options]

The add-on is loaded from this repository for this run only. Only the options
given change the scene's saved Pixel Sprites settings (on/off ones have a
--no- form); the one setting always changed is Sprites After Render, turned
on. Exits non-zero if an option is bad, or the render or the sprites fail.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import traceback
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


def _name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a name, got {text!r}")
    return text


def parse(argv: list[str]) -> argparse.Namespace:
    """The batch options: the command line's own definitions, each with its range check.

    An option not given is left out of the result (``argparse.SUPPRESS``), so that only the options given change
    the scene's saved settings; every on/off setting has a ``--no-`` form to turn it off.
    """
    from pixel_sprites.cli.arguments import add_colour_options, add_option, add_size_options, add_stabilise_option
    from pixel_sprites.cli.finish_arguments import add_finish_options
    from pixel_sprites.engine import options
    from pixel_sprites.engine.sets.facings import COMPASS

    on_off = argparse.BooleanOptionalAction
    parser = argparse.ArgumentParser(prog="render_sprites.py", description=__doc__, argument_default=argparse.SUPPRESS)
    add_size_options(parser, defaults=False)
    add_stabilise_option(parser, defaults=False)
    add_colour_options(parser, defaults=False)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--target-palette", metavar="FILE", help="game palette (.png, .gpl, .hex, .pal)")
    target.add_argument(
        "--no-target-palette", dest="target_palette", action="store_const", const="", help="no game palette"
    )
    parser.add_argument("--indexed", action=on_off, help="write paletted PNGs (--no-indexed: RGBA)")
    parser.add_argument("--out", metavar="DIR", help="output folder ('': the default, 'sprites' beside the renders)")
    parser.add_argument("--character", metavar="NAME", type=_name, help="frames of one character share one palette")
    parser.add_argument(
        "--sprite-size-render",
        action=on_off,
        help="render directly at sprite size (--no-sprite-size-render: full size, then downscale)",
    )
    parser.add_argument(
        "--normals", action=on_off,
        help="Normal Maps: render the Normal pass too and write normal-map sprites and sheets (--no-normals: off)",
    )  # fmt: skip
    parser.add_argument("--normals-y-down", action=on_off, help="normal maps with green pointing down (DirectX)")
    parser.add_argument("--packed", action=on_off, help=f"sheets: {options.PACKED_HELP} (--no-packed: fixed cells)")
    add_option(parser, options.EXTRUDE, default=argparse.SUPPRESS)
    add_finish_options(parser, defaults=False)
    add_game_data_options(parser)
    sprite_set = parser.add_argument_group("sprite set (any of these renders a set, as Render Sprite Set does)")
    add_option(sprite_set, options.DIRECTIONS, default=argparse.SUPPRESS)
    sprite_set.add_argument("--start-facing", choices=COMPASS, help="facing as set up")
    sprite_set.add_argument("--mirror", action=on_off, help="mirror W from E (--no-mirror: render every facing)")
    sprite_set.add_argument("--pivot-object", metavar="NAME", help="object to turn")
    sprite_set.add_argument("--actions", metavar="A,B", help="the actions of the file to render, by name")
    add_option(sprite_set, options.FRAME_STEP, default=argparse.SUPPRESS)
    sprite_set.add_argument("--sheets", action=on_off, help="write sheets too (--no-sheets: sprites only)")
    sprite_set.add_argument(
        "--variant", type=_variant, action="append", metavar="NAME=FILE",
        help=options.VARIANT_HELP + " (added to the scene's Palette Variants; a name there gets the new file)",
    )  # fmt: skip
    sprite_set.add_argument(
        "--no-variants", action="store_true", help="empty the scene's Palette Variants (before any --variant)"
    )
    return parser.parse_args(argv)


def add_game_data_options(parser: argparse.ArgumentParser) -> None:
    """--points, --boxes and --in-place, each with its --no- form; names are looked up in the scene once it is open
    (:func:`apply_game_data`), their syntax here."""
    from pixel_sprites.engine import options

    game_data = parser.add_argument_group("game data (points, boxes and root motion in every engine file)")
    for flag, help_text, nothing in (
        ("--points", options.POINTS_HELP, "no points"),
        ("--boxes", options.BOXES_HELP, "no boxes"),
    ):
        either = game_data.add_mutually_exclusive_group()
        either.add_argument(flag, type=_sources(flag), metavar="SOURCE,...", help=f"{help_text} (replaces the scene's)")
        either.add_argument(f"--no-{flag[2:]}", dest=flag[2:], action="store_const", const="", help=nothing)
    game_data.add_argument(
        "--in-place", action=argparse.BooleanOptionalAction, help=f"{options.IN_PLACE_HELP} (--no-in-place: off)"
    )


def _sources(flag: str):  # type: ignore[no-untyped-def]
    """The syntax of --points or --boxes checked as the arguments are parsed; the text kept for the scene."""
    from pixel_sprites.engine.errors import OptionError
    from pixel_sprites.engine.sets.rig_names import parse_list

    def checked(text: str) -> str:
        try:
            parse_list(text, flag)
        except OptionError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(f"{flag} ")) from None
        return text

    return checked


def _variant(text: str):  # type: ignore[no-untyped-def]
    from pixel_sprites.engine.errors import OptionError
    from pixel_sprites.engine.export.variants import parse_variant

    try:
        return parse_variant(text)
    except OptionError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--variant: ")) from None


# Options whose value goes to the scene property as it is: option name -> property name.
OPTION_SETTINGS = {
    "pixel": "pixel",
    "alpha_threshold": "alpha_threshold",
    "sampling": "sampling",
    "stabilise": "stabilise",
    "tolerance": "tolerance",
    "max_colors": "max_colors",
    "method": "method",
    "seed": "seed",
    "indexed": "indexed",
    "character": "character",
    "sprite_size_render": "render_at_sprite_size",
    "normals": "normal_maps",
    "normals_y_down": "normal_y_down",
    "packed": "sheet_packed",
    "extrude": "sheet_extrude",
    "outline": "outline",
    "outline_colour": "outline_colour",
    "outline_neighbours": "outline_neighbours",
    "cleanup": "cleanup",
    "inner_lines": "inner_lines",
    "in_place": "in_place",
}
SET_OPTION_SETTINGS = {
    "directions": "directions",
    "start_facing": "start_facing",
    "mirror": "mirror",
    "sheets": "make_sheets",
}
SET_OPTIONS = (*SET_OPTION_SETTINGS, "pivot_object", "actions", "frame_step", "variant", "no_variants")


def apply_set_options(settings, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    """Set the sprite-set settings given; with --actions, only those actions are checked."""
    given = vars(args)
    for option, setting in SET_OPTION_SETTINGS.items():
        if option in given:
            setattr(settings, setting, given[option])
    if "pivot_object" in given:
        pivot = bpy.data.objects.get(given["pivot_object"])
        if pivot is None:
            raise LookupError(f"--pivot-object: no object named {given['pivot_object']!r} in this file")
        settings.pivot_object = pivot
    names = [name.strip() for name in given.get("actions", "").split(",") if name.strip()]
    for name in names:
        action = bpy.data.actions.get(name)
        if action is None:
            raise LookupError(f"--actions: no action named {name!r} in this file")
        if not any(entry.action == action for entry in settings.set_actions):
            settings.set_actions.add().action = action
    for entry in settings.set_actions:
        if names:
            entry.enabled = entry.action is not None and entry.action.name in names
        if "frame_step" in given:
            entry.frame_step = given["frame_step"]
    if "frame_step" in given and not settings.set_actions:
        bpy.context.scene.frame_step = given["frame_step"]
    apply_variants(settings, given.get("variant", []), clear=given.get("no_variants", False))


def apply_variants(settings, variants, *, clear: bool) -> None:  # type: ignore[no-untyped-def]
    """Empty the scene's palette variants if ``clear``, then add each given one (a name there gets the new file)."""
    if clear:
        settings.palette_variants.clear()
    for variant in variants:
        entry = next((item for item in settings.palette_variants if item.name == variant.name), None)
        if entry is None:
            entry = settings.palette_variants.add()
            entry.name = variant.name
        entry.file = str(variant.file.resolve())


def apply_options(settings, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    """Set the settings given (see :func:`apply_set_options` for the sprite set's); the others keep their values.

    Sprites After Render goes on in any case: sprites after the render are what this script is for.
    """
    given = vars(args)
    settings.enabled = True
    if "size" in given:
        settings.size_mode, (settings.width, settings.height) = "SIZE", given["size"]
    if "pixel" in given:
        settings.size_mode = "PIXEL"
    if "colors" in given:
        settings.auto_colors = given["colors"] is None  # --colors auto
        if given["colors"] is not None:
            settings.colors = given["colors"]
    for option, setting in OPTION_SETTINGS.items():
        if option in given:
            setattr(settings, setting, given[option])
    # An empty path means what the empty setting means: no game palette, the default output folder.
    if "target_palette" in given:
        settings.target_palette = str(Path(given["target_palette"]).resolve()) if given["target_palette"] else ""
    if "out" in given:
        settings.output_folder = str(Path(given["out"]).resolve()) + "/" if given["out"] else ""
    apply_game_data(settings, args)


def apply_game_data(settings, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    """Replace the scene's points and boxes with those given, each name looked up in the scene.

    Raises
    ------
    OptionError
        Naming the point or box, before either list changes: a name not in the scene, a bone not in the armature,
        a name that is both an object and a collection, a collection without meshes, or a name the outputs cannot
        hold; also for the scene's own lists, so that a bad one is refused before anything renders.
    """
    given = vars(args)
    if "points" in given or "boxes" in given:
        settings.set_game_data(points=given.get("points"), boxes=given.get("boxes"))
    settings.rig_request()


def main() -> int:
    argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
    addon = load_addon()
    from pixel_sprites.engine.errors import OptionError

    args = parse(argv)
    scene = bpy.context.scene
    try:
        apply_options(scene.pixel_sprites, args)
    except OptionError as error:  # a point or box the scene cannot give: nothing rendered
        print(f"render_sprites.py: error: {error}", file=sys.stderr)
        return 2
    problem = addon.blender.sprites.settings_problem(scene)
    if problem:  # before anything is rendered
        print(f"render_sprites.py: error: {problem}", file=sys.stderr)
        return 2
    if any(name in vars(args) for name in SET_OPTIONS):
        try:
            apply_set_options(scene.pixel_sprites, args)
        except LookupError as error:
            print(f"render_sprites.py: error: {error.args[0]}", file=sys.stderr)
            return 2
        try:
            bpy.ops.pixel_sprites.render_set()
        except RuntimeError as error:  # the operator refused (a setting named in the message): nothing rendered
            print(f"render_sprites.py: error: {str(error).removeprefix('Error: ').strip()}", file=sys.stderr)
            return 2
    else:
        bpy.ops.pixel_sprites.render_sprites()
    summary = scene.pixel_sprites.last_summary
    return 1 if summary.startswith("Error") or summary.startswith("No sprites") else 0


if __name__ == "__main__":
    # Bad input is reported by the add-on in one summary line (and the exit code); anything raised here is a
    # bug or a failed render, and its traceback goes to the log.
    try:
        code = main()
    except SystemExit as exit_request:  # argparse: a bad option, already explained
        code = exit_request.code if isinstance(exit_request.code, int) else 2
    except Exception:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.exit(code)
