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

Bad input (a missing folder, an unreadable palette, a frame range such as ``5..2``, a NaN setting) gives one line
naming the file or setting, ``Pixel Sprites: Error: ...``, and, in background mode (a farm task), ends Blender at
once with exit code 1, with or without ``--python-exit-code``; in the UI the operator reports it instead.
Anything else is a bug and shows its traceback (exit code 1 with ``--python-exit-code 1``).
The apply step writes, byte for byte, the sprites one ``pixel-sprites process`` of the whole render folder writes
with the same palette: paths below the render folder, whatever the chunk.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import bpy

from ..engine import SpriteSet, discover_frames
from ..engine.errors import FrameError, OptionError, PaletteFileError, SetupError
from ..engine.files.names import character_file_name
from ..engine.frames.rig_file import RIG_FILE
from ..engine.jobs.run import fit_palette_file, make_sprites
from ..engine.jobs.set_files import palettes_on_disk, write_set_files
from ..engine.jobs.set_rig import attach_rig
from ..engine.jobs.spec import manifest_normals
from ..engine.options import non_finite_problem
from ..engine.sets.manifest import frame_number
from . import rig_capture, sprite_set, sprites
from .render_size import sprite_resolution
from .scene_state import SceneState

REPORTS_FOLDER = "reports"
# What the command line treats as bad input (SheetError is a SetupError), and a file or folder the task cannot
# read or write: one line each. Anything else is a bug, and keeps its traceback.
BAD_INPUT = (SetupError, PaletteFileError, FrameError, OptionError, OSError)
BAD_INPUT_EXIT_CODE = 1  # what a failed task script gives with --python-exit-code 1, as farm tasks run
# Blender's frame numbers (MINAFRAME..MAXFRAME): a chunk beyond them is a typo, not billions of frames to look for.
FRAME_LIMIT = 1048574
_FRAMES_PART = re.compile(r"(?P<start>-?[0-9]+)(?:(?:\.\.|-)(?P<end>-?[0-9]+))?")


def parse_frames(text: str) -> list[range]:
    """The frames of ``A..B``, ``A-B``, ``A`` or a comma-separated mix of them (as farms write chunks).

    Raises
    ------
    SetupError
        Naming the text, if it is empty or none of those, or holds a range that ends before it starts or goes
        beyond Blender's frames.
    """
    parts = "".join(text.split()).split(",")
    if parts == [""]:
        raise SetupError("frames: no frames given; expected A..B, A-B or A,B,C")
    within = f" (in {text!r})" if len(parts) > 1 else ""
    chunk = []
    for part in parts:
        match = _FRAMES_PART.fullmatch(part)
        if match is None:
            raise SetupError(f"frames: expected A..B, A-B or A,B,C, got {text!r}")
        start = _frame(match["start"], within)
        end = _frame(match["end"], within) if match["end"] is not None else start
        if end < start:
            raise SetupError(f"frames: {part} ends before it starts{within}")
        chunk.append(range(start, end + 1))
    return chunk


def _frame(digits: str, within: str) -> int:
    # Digits are counted first: int() refuses a number of over 4300 of them (ValueError, not bad input).
    if len(digits.lstrip("-")) > len(str(FRAME_LIMIT)) or abs(int(digits)) > FRAME_LIMIT:
        raise SetupError(f"frames: {digits} is beyond Blender's frames, -{FRAME_LIMIT}..{FRAME_LIMIT}{within}")
    return int(digits)


def check_settings(scene: bpy.types.Scene) -> None:
    """Refuse a float setting of the scene's Pixel Sprites that no task can use: NaN passes Blender's range check.

    Raises
    ------
    OptionError
        Naming the setting as a Python expression sets it (``pixel_sprites.tolerance``).
    """
    problem = sprites.non_finite_setting(scene)
    if problem:
        raise OptionError(problem)


def _check_float(name: str, value: float) -> None:
    problem = non_finite_problem(value)
    if problem:
        raise OptionError(f"{name}: {problem}")


def _character_name(scene: bpy.types.Scene) -> str:
    """The scene's character as its files are named (``Hero Knight`` → ``Hero_Knight``), as the engine names them."""
    return character_file_name(scene.pixel_sprites.character)


def _character_folder(scene: bpy.types.Scene, renders: Path) -> Path:
    return scene.pixel_sprites.output_folder_for(renders)


def _one_line(error: Exception) -> str:
    text = (
        f"{error.filename}: {error.strerror or error}" if isinstance(error, OSError) and error.filename else str(error)
    )
    # One line, also of a message that lists frames below its first line (indented, one a line).
    first, *more = [line.strip() for line in text.splitlines() if line.strip()] or [text]
    return " ".join([first, "; ".join(more)]) if more else first


class _FarmOperator(bpy.types.Operator):
    bl_options = {"INTERNAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            check_settings(context.scene)
            message = self.run(context.scene)
        except BAD_INPUT as error:
            return self.refuse(_one_line(error))
        if message:
            print(f"{sprites.SUMMARY_PREFIX}: {message}", flush=True)
            self.report({"INFO"}, message)
        return {"FINISHED"}

    def refuse(self, problem: str) -> set[str]:
        print(f"{sprites.SUMMARY_PREFIX}: Error: {problem}", flush=True)
        if bpy.app.background:
            # A farm task. An error report would raise in the task's --python-expr, and Blender would print a
            # traceback under the line; a SystemExit ends Blender as sys.exit() in a script does, cleanly.
            sys.exit(BAD_INPUT_EXIT_CODE)
        self.report({"ERROR"}, problem)
        return {"CANCELLED"}

    def run(self, scene: bpy.types.Scene) -> str | None:
        """The task; returns its summary line, if it has one."""
        raise NotImplementedError


class _RendersOperator(_FarmOperator):
    renders: bpy.props.StringProperty(name="Renders", description="The render folder of the character")  # type: ignore[valid-type]

    def renders_folder(self) -> Path:
        if not self.renders:
            raise SetupError("renders: give the render folder (a farm's --render-output is not saved in the .blend)")
        folder = Path(bpy.path.abspath(self.renders)).resolve()
        if not folder.is_dir():
            raise SetupError(f"{folder}: no such render folder")
        return folder


class PIXEL_SPRITES_OT_farm_prepare(_FarmOperator):
    """Before a farm's render task: set up an action and facing of the sprite set, and per-frame sprites"""

    bl_idname = "pixel_sprites.farm_prepare"
    bl_label = "Prepare Farm Render"

    action: bpy.props.StringProperty(name="Action", description="The set's action (its safe name); empty: plain")  # type: ignore[valid-type]
    facing: bpy.props.StringProperty(name="Facing", description="The facing's name, e.g. E")  # type: ignore[valid-type]
    make_sprites: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Sprites per Frame",
        description="Make sprites as frames are written (with a locked palette); off leaves them to the apply tasks",
        default=False,
    )

    def run(self, scene: bpy.types.Scene) -> None:
        scene.pixel_sprites.enabled = self.make_sprites
        if not self.action:
            rig_capture.checked_request(scene)  # refused before anything is rendered (a set's plan checks it)
            sprites.frame_list_root = None
            return
        set_plan = sprite_set.plan(scene)
        action = next((item for item in set_plan.actions if item.name == self.action), None)
        facing = next((item for item in set_plan.facings if item.name == self.facing), None)
        if action is None or facing is None:
            names = ", ".join(item.name for item in set_plan.actions)
            raise SetupError(f"farm_prepare: no action {self.action!r} (the set has {names}) or facing {self.facing!r}")
        # The render output the farm gave is the set's root; this task renders into <root>/<action>/<facing>/.
        set_plan.steps = [(action, facing)]
        state = SceneState.capture(scene, set_plan.pivot, set_plan.animated)
        sprite_set._set_up_step(scene, set_plan, state, 0)
        sprites.frame_list_root = set_plan.renders


class PIXEL_SPRITES_OT_farm_fit(_RendersOperator):
    """A farm's fit task: one palette over every render of the character, saved for the apply tasks"""

    bl_idname = "pixel_sprites.farm_fit"
    bl_label = "Fit Palette on the Farm"

    def run(self, scene: bpy.types.Scene) -> str:
        problem = sprites.settings_problem(scene)  # before the fit, as the command line checks it
        if problem:
            raise OptionError(problem)
        renders = self.renders_folder()
        job = scene.pixel_sprites.sprite_job(renders, root=renders)
        frames = discover_frames([renders], exclude=[job.output], root=renders)
        if not frames:
            raise SetupError(f"{renders}: no PNG renders to fit a palette to")
        path = job.output / f"{job.palette_name}.gpl"
        palette, report = fit_palette_file(job, frames, path)  # claimed before the fit: a foreign file stays
        return f"palette of {len(palette)} colours from {report.frames_read} frames written to {path}"


class PIXEL_SPRITES_OT_farm_apply(_RendersOperator):
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
        wanted = parse_frames(self.frames)
        folder = scene.pixel_sprites.output_folder_for(renders)
        own_palette = folder / f"{_character_name(scene)}.gpl"
        palette_path = Path(bpy.path.abspath(self.palette)) if self.palette else own_palette
        if not palette_path.is_file():
            raise SetupError(f"{palette_path}: no palette: run the fit task first, or give a palette file")
        chunk = renders / self.action / self.facing if self.action else renders
        if not chunk.is_dir():
            raise SetupError(f"{chunk}: no such folder of renders (action {self.action!r}, facing {self.facing!r})")
        files = sorted(
            path
            for path in chunk.glob("*.png")
            if not path.name.startswith(".") and any(frame_number(path) in frames for frames in wanted)
        )
        if not files:
            raise SetupError(f"{chunk}: no PNG renders of frames {self.frames}")
        label = "_".join(part for part in (self.action, self.facing, self.frames.replace("..", "-")) if part)
        job = replace(
            scene.pixel_sprites.sprite_job(renders, root=renders),
            palette_mode="file",
            palette_file=palette_path,
            report_path=folder / REPORTS_FOLDER / f"apply_{label}.json",
        )
        # The engine merges an apply's report into the one there under a lock file beside it: the folder must exist.
        (folder / REPORTS_FOLDER).mkdir(parents=True, exist_ok=True)
        report, _ = make_sprites(job, files)
        return report.summary()


class PIXEL_SPRITES_OT_farm_sheets(_RendersOperator):
    """A farm's sheets task: the set's manifest, sheets and engine files, from the sprites the apply tasks wrote"""

    bl_idname = "pixel_sprites.farm_sheets"
    bl_label = "Make Sheets on the Farm"

    def run(self, scene: bpy.types.Scene) -> str:
        settings, render = scene.pixel_sprites, scene.render
        _check_float("render.fps_base", render.fps_base)  # the manifest's frame rate
        renders = self.renders_folder()
        folder = _character_folder(scene, renders)
        if not settings.set_actions and not (renders / sprite_set.DEFAULT_ACTION).is_dir():
            raise SetupError("sheets: the scene has no sprite set (Directions & Actions) to make sheets of")
        set_plan = sprite_set.plan(scene)
        first = set_plan.facings[0].name
        actions = [
            planned.manifest_action(
                scene, sorted((path.name for path in (folder / planned.name / first).glob("*.png")), key=_by_number)
            )
            for planned in set_plan.actions
        ]
        name = _character_name(scene)
        steadied = _steady_again(scene, renders, folder / f"{name}.gpl")
        palettes = palettes_on_disk(folder, name)  # the character's, which the fit task saved
        pivot = sprite_set.pivot_pixel(scene, set_plan.pivot)
        made = SpriteSet(
            name, set_plan.facings, actions, sprite_resolution(scene), pivot,
            palettes.sheets.hex_codes() if palettes.sheets is not None else [],
            normals=manifest_normals(settings.normal_settings(renders)),
        )  # fmt: skip
        rig_path = renders / RIG_FILE  # the game data the render tasks projected, if the scene asks for it
        notes = attach_rig(folder, made, rig_path if set_plan.rig is not None and rig_path.is_file() else None)
        options = settings.sheet_options()
        report = write_set_files(folder, made, options, palettes).report
        for note in notes:
            print(f"{sprites.SUMMARY_PREFIX}: note: {note}")
        for path, reason in report.skipped:
            print(f"{sprites.SUMMARY_PREFIX}: skipped {path}: {reason}")
        merged = f", {report.merged} merged with identical frames" if options.packed else ""
        return f"{steadied}{report.cells} sprites on sheets in {folder / 'sheets'}{merged}"


def _steady_again(scene: bpy.types.Scene, renders: Path, palette: Path) -> str:
    """With Steady Colours, every sprite written again from all the renders, as one run writes them: a sprite
    written as its frame arrived (Sprites per Frame) may not have had the frames before it, rendered by another
    task. Returns the line that says so, or nothing with the option off or no palette of the character's."""
    job = scene.pixel_sprites.sprite_job(renders, root=renders)
    if not job.stabilise or not palette.is_file():
        return ""
    folder = job.output
    (folder / REPORTS_FOLDER).mkdir(parents=True, exist_ok=True)
    report_path = folder / REPORTS_FOLDER / "apply_steady.json"
    job = replace(job, palette_mode="file", palette_file=palette, report_path=report_path)
    report, _ = make_sprites(job, [renders])
    return f"{report.frames_written} sprites steadied again; "


def _by_number(name: str) -> tuple[int, str]:
    return frame_number(Path(name)) or 0, name


CLASSES = (
    PIXEL_SPRITES_OT_farm_prepare,
    PIXEL_SPRITES_OT_farm_fit,
    PIXEL_SPRITES_OT_farm_apply,
    PIXEL_SPRITES_OT_farm_sheets,
)
