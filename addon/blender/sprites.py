"""From a scene's settings to engine jobs, and from their reports back to the scene."""

from __future__ import annotations

import atexit
import itertools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import bpy

from ..engine import Character, Report, RunOptions, check_indexed_fits, record_frames
from ..engine.errors import OptionError, PaletteFileError, SetupError
from ..engine.export.formats.aseprite import aseprite_duration_problem
from ..engine.jobs.run import (
    LOCKED_PALETTE_FIT,
    add_locked_frames,
    fit_character_palette,
    steady_locked_character,
    update_character_sprites,
)
from ..engine.options import non_finite_problem
from . import jobs
from .pass_engines import inner_lines_problem, normal_pass_problem
from .render_size import SPRITE_SIZE_FOLDER

SUMMARY_PREFIX = "Pixel Sprites"


def renders_folder(scene: bpy.types.Scene) -> Path:
    """The folder the scene's animation frames are written to: its ``sprite_size/`` folder at sprite size."""
    folder = Path(scene.render.frame_path(frame=scene.frame_start)).parent
    return folder / SPRITE_SIZE_FOLDER if scene.pixel_sprites.render_at_sprite_size else folder


def character_of(scene: bpy.types.Scene, renders: Path) -> Character:
    settings = scene.pixel_sprites
    return Character(settings.output_folder_for(renders), settings.character)


def non_finite_setting(scene: bpy.types.Scene) -> str | None:
    """A NaN float setting of the scene's Pixel Sprites (Blender's range check lets NaN through), named as a
    Python expression sets it (``pixel_sprites.tolerance``), or None."""
    settings = scene.pixel_sprites
    for prop in settings.bl_rna.properties:
        if prop.type == "FLOAT" and not prop.is_array:
            problem = non_finite_problem(getattr(settings, prop.identifier))
            if problem:
                return f"pixel_sprites.{prop.identifier}: {problem}"
    return None


def settings_problem(scene: bpy.types.Scene) -> str | None:
    """What in the scene's settings would make a sprite job fail, found before any render or work."""
    settings = scene.pixel_sprites
    try:
        palette = settings.palette_settings()  # refuses NaN and values out of range, naming the option
        # Refuses an outline colour that is not auto or #RRGGBB; where the depth frames are does not matter here.
        finish = settings.finish_settings(Path())
        adds = int(finish is not None and finish.adds_colour)
        check_indexed_fits(settings.indexed, palette.colors, palette.max_colors, palette.method, added=adds)
    except OptionError as error:
        return str(error)
    non_finite = non_finite_setting(scene)
    if non_finite:
        return non_finite
    problem = (settings.normal_maps and normal_pass_problem(scene)) or (
        settings.inner_lines and inner_lines_problem(scene)
    )
    if problem:
        return problem
    if settings.make_sheets:  # every sheet format is written from the panel, .aseprite included
        steps = [entry.frame_step for entry in settings.set_actions if entry.enabled] or [scene.frame_step]
        problem = aseprite_duration_problem(scene.render.fps, scene.render.fps_base, max(steps))
        if problem:
            return f"Sheets: {problem}"
    return None


def start_update(
    scene: bpy.types.Scene,
    frames: Sequence[Path],
    *,
    title: str,
    frames_at_sprite_size: bool = False,
    partial: bool = False,
) -> None:
    """Add ``frames`` to the scene's character and rewrite its sprites (see ``update_character_sprites``)."""
    settings = scene.pixel_sprites
    job = settings.sprite_job(Path(frames[0]).parent, frames_at_sprite_size=frames_at_sprite_size)
    scene_name = scene.name

    def work(options: RunOptions) -> Report:
        return update_character_sprites(job, frames, options)

    def done(report: Report | None, error: str | None) -> None:
        store_result(scene_name, report, error, partial=partial)

    settings.last_summary = ""  # the panel shows progress now, and this job's outcome when it is done
    jobs.submit(title, work, done)


# A frame-list render's set root (see farm_prepare): sprites keep the frames' paths below it.
frame_list_root: Path | None = None
_sprites_at_exit: list[Callable[[RunOptions], None]] = []
_steady_folders: set[Path] = set()


def frame_list_update(scene: bpy.types.Scene, frames: Sequence[Path]) -> None:
    """Sprites for a frame-list render (``-f``, ``--render-frame``), whose every frame is a render of its own.

    With a locked palette each frame is remapped alone as soon as it is written (and with Steady Colours all the
    folders' frames are steadied again once the render is over, since a frame may have come before those it looks
    back on); otherwise it is only recorded (both cost the same whatever the character's size), and the process
    makes the sprites once, at the end, over every frame of the character, holding its lock: the last process to
    end refits over all of them.
    """
    root = frame_list_root
    job = scene.pixel_sprites.sprite_job(root or Path(frames[0]).parent, root=root)
    if job.locked:
        try:
            report = add_locked_frames(job, frames)
        except (SetupError, PaletteFileError, OptionError) as error:
            store_result(scene.name, None, str(error))
            return
        store_result(scene.name, report, None)
        if job.stabilise:
            _steady_folders.update(Path(frame).parent for frame in frames)
            _at_the_end(scene, frames, lambda options: steady_locked_character(job, sorted(_steady_folders), options))
        return
    record_frames(job.output, job.palette_name, frames, root)
    _at_the_end(scene, frames, lambda options: update_character_sprites(job, [], options))


def _at_the_end(scene: bpy.types.Scene, frames: Sequence[Path], make: Callable[[RunOptions], Report]) -> None:
    """Make the sprites with ``make`` once the render is over: after the last frame Blender's command line lists,
    or at exit (for a list it cannot read), whichever comes first."""
    if not _sprites_at_exit:

        def make_sprites(options: RunOptions) -> None:
            if not _sprites_at_exit:
                return  # made already
            _sprites_at_exit.clear()
            try:
                report = make(options)
            except (SetupError, PaletteFileError, OptionError) as error:
                print(f"{SUMMARY_PREFIX}: Error: {error}", flush=True)
                return
            print(f"{SUMMARY_PREFIX}: {report.summary()}", flush=True)

        _sprites_at_exit.append(make_sprites)
        # At exit no thread pool can start any more: one worker, on this thread.
        atexit.register(make_sprites, RunOptions(workers=1))
    if frames[-1] == last_listed_frame(scene):
        _sprites_at_exit[0](RunOptions())


def last_listed_frame(scene: bpy.types.Scene) -> Path | None:
    """The file of the last frame Blender's command line lists (``-f 1..6,9`` → 9), when it can be read."""
    listed: list[int] = []
    # Only Blender's own arguments: what follows "--" belongs to a script and may say "-f" for its own ends.
    own = sys.argv[: sys.argv.index("--")] if "--" in sys.argv else sys.argv
    for flag, value in itertools.pairwise(own):
        if flag not in ("-f", "--render-frame"):
            continue
        for part in value.split(","):
            numbers = part.split("..")
            if not all(number.strip().isdigit() for number in numbers):
                return None  # relative frames (+1, -2): leave the sprites to the exit
            listed.append(int(numbers[-1]))
    return Path(scene.render.frame_path(frame=listed[-1])) if listed else None


def fit_refusal(scene: bpy.types.Scene) -> str | None:
    """Why Fit Palette must not run now, or None: a locked palette is never refitted."""
    if scene.pixel_sprites.palette_locked:
        return LOCKED_PALETTE_FIT
    return None


def start_fit(scene: bpy.types.Scene, renders: Path, *, frames_at_sprite_size: bool = False) -> None:
    """Fit the character's palette over its frames and those in ``renders``, and save it.

    Raises
    ------
    SetupError
        If the palette is locked: refitting would change every sprite the locked palette keeps as it is.
    """
    refusal = fit_refusal(scene)
    if refusal:
        raise SetupError(refusal)
    settings = scene.pixel_sprites
    job = settings.sprite_job(renders, frames_at_sprite_size=frames_at_sprite_size)
    scene_name = scene.name

    def work(options: RunOptions) -> Report:
        return fit_character_palette(job, renders, options)

    def done(report: Report | None, error: str | None) -> None:
        store_result(scene_name, report, error, fitted_only=True)

    settings.last_summary = ""
    jobs.submit("Fitting palette", work, done)


def show_palette(settings: bpy.types.PropertyGroup, hex_codes: Sequence[str]) -> None:
    settings.palette.clear()
    for code in hex_codes:
        item = settings.palette.add()
        item.color = tuple(int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _show_report(level: str, message: str) -> None:
    """Report ``message`` in the Info editor and the status bar, from wherever this runs (a timer has no window)."""
    windows = list(getattr(bpy.context.window_manager, "windows", []))
    if not windows:  # no window to report into (Blender is closing): the console only
        bpy.ops.pixel_sprites.report(level=level, message=message)
        return
    with bpy.context.temp_override(window=bpy.context.window or windows[0]):
        bpy.ops.pixel_sprites.report("INVOKE_DEFAULT", level=level, message=message)


def store_result(
    scene_name: str,
    report: Report | None,
    error: str | None,
    *,
    partial: bool = False,
    fitted_only: bool = False,
    note: str = "",
) -> str:
    """Show a job's outcome in the scene's panel and on the console; returns the summary line."""
    if error is not None:
        summary = f"Error: {error}"
    elif report is None:
        summary = note or "Nothing to do"
    elif fitted_only:
        summary = f"Palette of {len(report.palette)} colours fitted over {report.frames_read} frames"
    else:
        summary = report.summary()
    if partial and error is None:
        summary = f"Render cancelled: sprites for the frames written so far only. {summary}"
    print(f"{SUMMARY_PREFIX}: {summary}")
    for path, text in report.notes if report is not None else ():
        print(f"{SUMMARY_PREFIX}: note: {path}: {text}")
    if not bpy.app.background:  # the console line is the report in background mode
        troubled = error is not None or partial or (report is not None and bool(report.skipped or report.notes))
        _show_report("WARNING" if troubled else "INFO", f"{SUMMARY_PREFIX}: {summary}")

    scene = bpy.data.scenes.get(scene_name)
    if scene is None:
        return summary
    settings = scene.pixel_sprites
    settings.last_summary = summary
    settings.skipped.clear()
    if report is not None:
        show_palette(settings, report.sprite_colors or report.palette)
        settings.last_output = str(report.output_folder or "")
        for path, reason in report.skipped:
            item = settings.skipped.add()
            item.path, item.reason = path, reason
        for path, text in report.notes:
            item = settings.skipped.add()
            item.path, item.reason, item.note = path, text, True
    return summary
