"""The batch script's options change the scene's saved settings they name, and no others.

Most tests run the script's own parse and apply steps in the bpy module, on a scene whose every setting is
away from its default, and compare all of the settings before and after. One runs Debian's ``blender -b`` on a
saved scene, end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bpy
import pytest
import render_sprites
from test_blender_binary import BLENDER, ROOT, blender, summary_lines

SCRIPT = str(ROOT / "scripts" / "render_sprites.py")


@pytest.fixture
def settings() -> Any:
    """A scene whose Pixel Sprites settings are all away from their defaults, as if saved that way."""
    render_sprites.load_addon()
    scene = bpy.context.scene
    for name in ("Rig", "Turntable"):
        scene.collection.objects.link(bpy.data.objects.new(name, None))
    for name in ("idle", "walk", "run"):
        bpy.data.actions.new(name).use_fake_user = True
    saved = scene.pixel_sprites
    saved.enabled = False
    saved.size_mode, saved.pixel, saved.width, saved.height = "SIZE", 6, 48, 60
    saved.auto_colors, saved.colors, saved.tolerance, saved.max_colors = False, 12, 5.0, 40
    saved.seed, saved.method, saved.alpha_threshold, saved.sampling = 9, "meanshift-seed", 100, "majority"
    saved.target_palette, saved.indexed = "/saved/game.gpl", True
    saved.output_folder, saved.character = "/saved/out/", "hero"
    saved.render_at_sprite_size = True
    saved.directions, saved.start_facing, saved.mirror = 16, "E", True
    saved.pivot_object = bpy.data.objects["Turntable"]
    for name, step in (("idle", 3), ("run", 2)):
        entry = saved.set_actions.add()
        entry.action, entry.frame_step = bpy.data.actions[name], step
    saved.make_sheets = True
    saved.sheet_packed, saved.sheet_extrude = True, 3
    saved.cleanup, saved.outline, saved.outline_colour, saved.outline_neighbours = True, "inner", "#abcdef", "8"
    saved.inner_lines = saved.stabilise = True
    scene.frame_step = 5
    return saved


def snapshot(group: Any) -> dict[str, Any]:
    """Every property of a settings group, objects and actions by name, collections item by item."""
    values: dict[str, Any] = {}
    for prop in group.bl_rna.properties:
        if prop.identifier == "rna_type":
            continue
        value = getattr(group, prop.identifier)
        if prop.type == "COLLECTION":
            value = [snapshot(item) for item in value]
        elif prop.type == "POINTER":
            value = value.name if value is not None else None
        elif getattr(prop, "is_array", False):
            value = tuple(value)
        values[prop.identifier] = value
    return values


def scene_state() -> dict[str, Any]:
    return {**snapshot(bpy.context.scene.pixel_sprites), "scene.frame_step": bpy.context.scene.frame_step}


def apply_batch_options(*argv: str) -> dict[str, Any]:
    """Set the scene as the script does before it renders; returns the settings that changed, new values."""
    before = scene_state()
    settings = bpy.context.scene.pixel_sprites
    args = render_sprites.parse(list(argv))
    render_sprites.apply_options(settings, args)
    if any(name in vars(args) for name in render_sprites.SET_OPTIONS):
        render_sprites.apply_set_options(settings, args)
    after = scene_state()
    return {name: value for name, value in after.items() if before[name] != value}


# Sprites After Render goes on whatever is given: rendering sprites is what the script is for.
TURNED_ON = {"enabled": True}


@pytest.mark.parametrize(
    ("argv", "changes"),
    [
        ([], {}),
        (["--tolerance", "7.5"], {"tolerance": 7.5}),
        (["--pixel", "4"], {"size_mode": "PIXEL", "pixel": 4}),
        (["--size", "32x40"], {"width": 32, "height": 40}),
        (["--colors", "auto"], {"auto_colors": True}),
        (["--colors", "20"], {"colors": 20}),
        (["--sampling", "nearest", "--seed", "3"], {"sampling": "nearest", "seed": 3}),
        (["--character", "villain"], {"character": "villain"}),
        (["--no-target-palette"], {"target_palette": ""}),
        (["--out", ""], {"output_folder": ""}),  # the default: 'sprites' beside the renders
        (["--directions", "4"], {"directions": 4}),
        (["--start-facing", "N"], {"start_facing": "N"}),
        (["--extrude", "1"], {"sheet_extrude": 1}),
        (
            ["--outline", "selout", "--outline-color", "#102030", "--outline-neighbors", "4"],
            {"outline": "selout", "outline_colour": "#102030", "outline_neighbours": "4"},
        ),
        (["--outline-colour", "auto", "--outline-neighbours", "8"], {"outline_colour": "auto"}),
        (["--no-stabilize"], {"stabilise": False}),  # the US spelling, as the command line's --stabilize
    ],
)
def test_only_the_options_given_change_the_scene(settings, argv: list[str], changes: dict[str, Any]) -> None:
    assert apply_batch_options(*argv) == {**TURNED_ON, **changes}


def test_paths_given_are_made_absolute(settings, tmp_path: Path) -> None:
    changes = apply_batch_options("--target-palette", str(tmp_path / "game.gpl"), "--out", str(tmp_path / "out"))
    assert changes == {**TURNED_ON, "target_palette": str(tmp_path / "game.gpl"), "output_folder": f"{tmp_path}/out/"}


@pytest.mark.parametrize(
    ("flag", "setting"),
    [
        ("sheets", "make_sheets"),
        ("sprite-size-render", "render_at_sprite_size"),
        ("indexed", "indexed"),
        ("mirror", "mirror"),
        ("packed", "sheet_packed"),
        ("cleanup", "cleanup"),
        ("inner-lines", "inner_lines"),
        ("stabilise", "stabilise"),
    ],
)
def test_each_on_off_flag_turns_its_setting_either_way_and_nothing_else(settings, flag: str, setting: str) -> None:
    assert apply_batch_options(f"--no-{flag}") == {**TURNED_ON, setting: False}
    assert apply_batch_options(f"--{flag}") == {setting: True}


def test_a_sprite_set_keeps_the_saved_sheets_and_the_settings_not_given(settings) -> None:
    """Issue 14: a scene saved with Sheets on, given --directions, --pivot-object and --actions only."""
    changes = apply_batch_options("--directions", "4", "--pivot-object", "Rig", "--actions", "idle,walk")
    assert changes.keys() == {"enabled", "directions", "pivot_object", "set_actions"}
    assert (changes["directions"], changes["pivot_object"]) == (4, "Rig")
    assert [(entry["action"], entry["enabled"], entry["frame_step"]) for entry in changes["set_actions"]] == [
        ("idle", True, 3),
        ("run", False, 2),
        ("walk", True, 1),
    ]
    assert settings.make_sheets and settings.render_at_sprite_size and settings.mirror


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        # Only the --flag=value form can give "-inf": alone it reads as a flag.
        *((f"--tolerance={value}", f"argument --tolerance: expected a finite number, got {value}") for value in
          ("nan", "inf", "-inf")),
        ("--character=", "argument --character: expected a name, got ''"),
        ("--outline-colour=black", "argument --outline-colour/--outline-color: expected auto or #RRGGBB, got 'black'"),
    ],
)  # fmt: skip
def test_a_bad_value_is_refused_in_one_line(settings, capsys, argv: str, problem: str) -> None:
    with pytest.raises(SystemExit) as exit_request:
        render_sprites.parse([argv])
    assert exit_request.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"render_sprites.py: error: {problem}"


needs_debian_blender = pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed")

SAVE_SET_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_set_scene
from render_sprites import load_addon
build_set_scene(output=Path({renders!r}))
load_addon()
settings = bpy.context.scene.pixel_sprites
settings.make_sheets = settings.render_at_sprite_size = True
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""


@pytest.mark.debian_blender
@needs_debian_blender
def test_blender_b_renders_the_saved_scene_with_its_sheets_at_sprite_size(tmp_path: Path) -> None:
    blend, renders = tmp_path / "set.blend", tmp_path / "renders"
    code = SAVE_SET_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(renders), blend=str(blend))
    made = blender("--python-expr", code)
    assert blend.is_file(), made.stdout[-2000:] + made.stderr

    result = blender(str(blend), "--python", SCRIPT, "--", "--directions", "4", "--pivot-object", "character",
                     "--actions", "idle,walk", "--frame-step", "3")  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert summary_lines(result.stdout)[-1].startswith("Pixel Sprites: 16/16 sprites")
    sheets = renders / "sprite_size" / "sprites" / "sheets"  # the saved Render at Sprite Size, kept
    assert json.loads((sheets / "walk.json").read_text())["meta"]["frameTags"][0]["name"] == "walk_S"
    assert not (renders / "walk").exists()


@pytest.mark.debian_blender
@needs_debian_blender
def test_blender_b_refuses_nan_in_one_line_before_any_render(tmp_path: Path) -> None:
    # Should the NaN get through, one frame is rendered, into tmp_path, and the test fails quickly.
    renders = ("-o", f"{tmp_path}/", "-e", "1")
    result = blender(
        "--factory-startup", *renders, "--python", SCRIPT, "--", "--tolerance", "nan", "--out", str(tmp_path)
    )
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors == ["render_sprites.py: error: argument --tolerance: expected a finite number, got nan"]
    assert "Traceback" not in result.stdout + result.stderr
    assert not any(tmp_path.iterdir())
