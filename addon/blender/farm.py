"""Render-farm tasks, reachable through the installed add-on's operators (no path to this repository needed).

A farm renders a character in chunks on many workers (``--render-frame A..B``),
then fits one palette over every render, then applies it to each chunk, then
makes the sheets::

    blender -b scene.blend --render-output //renders/###### \\
        --python-expr "import bpy; bpy.ops.pixel_sprites.farm_prepare(action='walk', facing='E')" -f 1..10
    blender -b scene.blend --python-exit-code 1 --python-expr \\
        "import bpy; bpy.ops.pixel_sprites.farm_fit(renders='/farm/hero/renders')"
    blender -b scene.blend --python-exit-code 1 --python-expr \\
        "import bpy; bpy.ops.pixel_sprites.farm_apply(renders='/farm/hero/renders', frames='1..10', \\
                                                     action='walk', facing='E')"
    blender -b scene.blend --python-exit-code 1 --python-expr \\
        "import bpy; bpy.ops.pixel_sprites.farm_sheets(renders='/farm/hero/renders')"

Each operator reports an error (so the task fails with a non-zero exit, with ``--python-exit-code 1``) naming
the file or setting at fault. The apply step writes, byte for byte, the sprites one ``pixel-sprites process`` of
the whole render folder writes with the same palette: paths below the render folder, whatever the chunk.
"""

from __future__ import annotations

import re
from pathlib import Path

import bpy

from ..engine import (
    Action,
    OutputSettings,
    PaletteFileError,
    SetupError,
    SheetOptions,
    SpriteSet,
    apply,
    discover_frames,
    fit,
    read_palette,
    write_palette,
    write_sheets,
)
from ..engine.character import character_file_name
from ..engine.sprite_set import frame_number
from . import sprite_set, sprites
from .render_size import sprite_resolution
from .scene_state import SceneState

REPORTS_FOLDER = "reports"


def parse_frames(text: str) -> set[int]:
    """Frame numbers from ``A..B``, ``A-B``, ``A`` or a comma-separated mix of them (as farms write chunks).

    Raises
    ------
    SetupError
        Naming the text, if it is none of those.
    """
    numbers: set[int] = set()
    for part in text.replace(" ", "").split(","):
        match = re.fullmatch(r"(-?\d+)(?:(?:\.\.|-)(-?\d+))?", part)
        if match is None:
            raise SetupError(f"frames: expected A..B, A-B or A,B,C, got {text!r}")
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        numbers.update(range(min(start, end), max(start, end) + 1))
    return numbers


def _character_folder(scene: bpy.types.Scene, renders: Path) -> Path:
    return scene.pixel_sprites.output_folder_for(renders)


def _palette_name(scene: bpy.types.Scene) -> str:
    return character_file_name(scene.pixel_sprites.character)


class _FarmOperator(bpy.types.Operator):
    bl_options = {"INTERNAL"}

    renders: bpy.props.StringProperty(name="Renders", description="The render folder of the character")  # type: ignore[valid-type]

    def renders_folder(self) -> Path:
        if not self.renders:
            raise SetupError("renders: give the render folder (a farm's --render-output is not saved in the .blend)")
        folder = Path(bpy.path.abspath(self.renders)).resolve()
        if not folder.is_dir():
            raise SetupError(f"{folder}: no such render folder")
        return folder

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            message = self.run(context.scene)
        except (SetupError, PaletteFileError) as error:
            print(f"{sprites.SUMMARY_PREFIX}: Error: {error}", flush=True)
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        print(f"{sprites.SUMMARY_PREFIX}: {message}", flush=True)
        self.report({"INFO"}, message)
        return {"FINISHED"}

    def run(self, scene: bpy.types.Scene) -> str:
        raise NotImplementedError


class PIXEL_SPRITES_OT_farm_prepare(bpy.types.Operator):
    """Before a farm's render task: set up an action and facing of the sprite set, and per-frame sprites"""

    bl_idname = "pixel_sprites.farm_prepare"
    bl_label = "Prepare Farm Render"
    bl_options = {"INTERNAL"}

    action: bpy.props.StringProperty(name="Action", description="The set's action (its safe name); empty: plain")  # type: ignore[valid-type]
    facing: bpy.props.StringProperty(name="Facing", description="The facing's name, e.g. E")  # type: ignore[valid-type]
    make_sprites: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Sprites per Frame",
        description="Make sprites as frames are written (with a locked palette); off leaves them to the apply tasks",
        default=False,
    )

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene = context.scene
        scene.pixel_sprites.enabled = self.make_sprites
        if not self.action:
            sprites.frame_list_root = None
            return {"FINISHED"}
        try:
            set_plan = sprite_set.plan(scene)
            action = next((item for item in set_plan.actions if item.name == self.action), None)
            facing = next((item for item in set_plan.facings if item.name == self.facing), None)
            if action is None or facing is None:
                names = ", ".join(item.name for item in set_plan.actions)
                raise SetupError(
                    f"farm_prepare: no action {self.action!r} (the set has {names}) or facing {self.facing!r}"
                )
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        # The render output the farm gave is the set's root; this task renders into <root>/<action>/<facing>/.
        set_plan.steps = [(action, facing)]
        state = SceneState.capture(scene, set_plan.pivot, set_plan.animated)
        sprite_set._set_up_step(scene, set_plan, state, 0)
        sprites.frame_list_root = set_plan.renders
        return {"FINISHED"}


class PIXEL_SPRITES_OT_farm_fit(_FarmOperator):
    """A farm's fit task: one palette over every render of the character, saved for the apply tasks"""

    bl_idname = "pixel_sprites.farm_fit"
    bl_label = "Fit Palette on the Farm"

    def run(self, scene: bpy.types.Scene) -> str:
        renders = self.renders_folder()
        folder = _character_folder(scene, renders)
        frames = discover_frames([renders], exclude=[folder], root=renders)
        if not frames:
            raise SetupError(f"{renders}: no PNG renders to fit a palette to")
        settings = scene.pixel_sprites
        palette, report = fit(frames, settings.downscale_settings(), settings.palette_settings())
        path = write_palette(palette, folder / f"{_palette_name(scene)}.gpl")
        return f"palette of {len(palette)} colours from {report.frames_read} frames written to {path}"


class PIXEL_SPRITES_OT_farm_apply(_FarmOperator):
    """A farm's apply task: the sprites of one chunk, with the fitted (or a locked) palette"""

    bl_idname = "pixel_sprites.farm_apply"
    bl_label = "Apply Palette on the Farm"

    frames: bpy.props.StringProperty(name="Frames", description="The chunk: A..B, A-B or A,B,C")  # type: ignore[valid-type]
    action: bpy.props.StringProperty(name="Action", description="The set's action; empty for a plain scene")  # type: ignore[valid-type]
    facing: bpy.props.StringProperty(name="Facing", description="The facing's name")  # type: ignore[valid-type]
    palette: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Palette", description="The palette file; empty for the character's, as the fit task wrote it"
    )

    def run(self, scene: bpy.types.Scene) -> str:
        renders = self.renders_folder()
        folder = _character_folder(scene, renders)
        name = _palette_name(scene)
        palette_path = Path(bpy.path.abspath(self.palette)) if self.palette else folder / f"{name}.gpl"
        if not palette_path.is_file():
            raise SetupError(f"{palette_path}: no palette: run the fit task first, or give a palette file")
        palette = read_palette(palette_path)
        chunk = renders / self.action / self.facing if self.action else renders
        wanted = parse_frames(self.frames) if self.frames else None
        files = sorted(
            path
            for path in chunk.glob("*.png")
            if not path.name.startswith(".") and (wanted is None or frame_number(path) in wanted)
        )
        if not files:
            raise SetupError(f"{chunk}: no PNG renders of frames {self.frames or 'any'}")
        settings = scene.pixel_sprites
        target_path = settings.target_palette_path()
        label = "_".join(part for part in (self.action, self.facing, self.frames.replace("..", "-")) if part)
        output = OutputSettings(
            folder=folder,
            indexed=settings.indexed,
            target=read_palette(target_path) if target_path else None,
            palette_name=name,
            report_path=folder / REPORTS_FOLDER / f"apply_{label or 'all'}.json",
        )
        frames = discover_frames(files, root=renders)
        report = apply(frames, [renders], settings.downscale_settings(), palette, output)
        return report.summary()


class PIXEL_SPRITES_OT_farm_sheets(_FarmOperator):
    """A farm's sheets task: the set's manifest, sheets and engine files, from the sprites the apply tasks wrote"""

    bl_idname = "pixel_sprites.farm_sheets"
    bl_label = "Make Sheets on the Farm"

    def run(self, scene: bpy.types.Scene) -> str:
        renders = self.renders_folder()
        folder = _character_folder(scene, renders)
        if not scene.pixel_sprites.set_actions and not (renders / sprite_set.DEFAULT_ACTION).is_dir():
            raise SetupError("sheets: the scene has no sprite set (Directions & Actions) to make sheets of")
        set_plan = sprite_set.plan(scene)
        settings, render = scene.pixel_sprites, scene.render
        first = set_plan.facings[0].name
        actions = [
            Action(
                planned.name,
                sorted((path.name for path in (folder / planned.name / first).glob("*.png")), key=_by_number),
                render.fps,
                render.fps_base,
                planned.frame_step,
                planned.loop,
            )
            for planned in set_plan.actions
        ]
        palette_path = folder / f"{_palette_name(scene)}.gpl"
        palette = read_palette(palette_path) if palette_path.is_file() else None
        pivot = sprite_set.pivot_pixel(scene, set_plan.pivot)
        made = SpriteSet(
            _palette_name(scene), set_plan.facings, actions, sprite_resolution(scene), pivot,
            palette.hex_codes() if palette is not None else [],
        )  # fmt: skip
        options = SheetOptions(
            layout=settings.sheet_layout, max_size=settings.max_sheet_size, padding=settings.sheet_padding,
            margin=settings.sheet_margin, rgba=settings.sheet_rgba,
        )  # fmt: skip
        report = write_sheets(folder, made, options, palette)
        made.save(folder)
        for path, reason in report.skipped:
            print(f"{sprites.SUMMARY_PREFIX}: skipped {path}: {reason}")
        return f"{report.cells} sprites on sheets in {folder / 'sheets'}"


def _by_number(name: str) -> tuple[int, str]:
    return frame_number(Path(name)) or 0, name


CLASSES = (
    PIXEL_SPRITES_OT_farm_prepare,
    PIXEL_SPRITES_OT_farm_fit,
    PIXEL_SPRITES_OT_farm_apply,
    PIXEL_SPRITES_OT_farm_sheets,
)
