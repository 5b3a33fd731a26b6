"""From a scene's settings to engine jobs, and from their reports back to the scene."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bpy

from ..engine import (
    Character,
    FrameSource,
    Report,
    RunOptions,
    discover_frames,
    fit,
    read_palette,
    update_character,
    write_palette,
)
from . import jobs

SUMMARY_PREFIX = "Pixel Sprites"


def renders_folder(scene: bpy.types.Scene) -> Path:
    """The folder the scene's animation frames are written to."""
    return Path(scene.render.frame_path(frame=scene.frame_start)).parent


def character_of(scene: bpy.types.Scene, renders: Path) -> Character:
    settings = scene.pixel_sprites
    return Character(settings.output_folder_for(renders), settings.character)


def frame_sources(frames: Sequence[Path], *, shared_output: bool) -> list[FrameSource]:
    """Where each frame's sprite goes: beside its renders by default, or under the render
    folder's name in a shared output folder, so several render jobs of one character stay apart."""
    return [
        FrameSource(path, Path(path.parent.name, path.name) if shared_output else Path(path.name)) for path in frames
    ]


def start_update(
    scene: bpy.types.Scene,
    frames: Sequence[Path],
    *,
    title: str,
    frames_at_sprite_size: bool = False,
    partial: bool = False,
) -> None:
    """Add ``frames`` to the scene's character and rewrite its sprites (see ``update_character``)."""
    settings = scene.pixel_sprites
    folder = settings.output_folder_for(Path(frames[0]).parent)
    name = settings.character
    downscale = settings.downscale_settings(frames_at_sprite_size=frames_at_sprite_size)
    palette_settings = settings.palette_settings()
    target_path = settings.target_palette_path()
    indexed, locked = settings.indexed, settings.palette_locked
    scene_name = scene.name
    sources = frame_sources(frames, shared_output=bool(settings.output_folder))

    def work(options: RunOptions) -> Report:
        target = read_palette(target_path) if target_path else None
        character = Character(folder, name)
        return update_character(
            character, sources, downscale, palette_settings,
            target=target, indexed=indexed, locked=locked, options=options,
        )  # fmt: skip

    def done(report: Report | None, error: str | None) -> None:
        store_result(scene_name, report, error, partial=partial)

    jobs.submit(title, work, done)


def start_fit(scene: bpy.types.Scene, renders: Path) -> None:
    """Fit the character's palette over its frames and those in ``renders``, and save it."""
    settings = scene.pixel_sprites
    folder, name = settings.output_folder_for(renders), settings.character
    downscale = settings.downscale_settings()
    palette_settings = settings.palette_settings()
    scene_name = scene.name
    shared = bool(settings.output_folder)

    def work(options: RunOptions) -> Report:
        character = Character(folder, name)
        found = discover_frames([renders], exclude=[character.folder], recursive=False)
        character.add(frame_sources([frame.path for frame in found], shared_output=shared))
        character.save()
        palette, report = fit(character.frames(), downscale, palette_settings, options)
        write_palette(palette, character.palette_path)
        report.palette = palette.hex_codes()
        report.sprite_colors = report.palette
        report.output_folder = character.folder
        return report

    def done(report: Report | None, error: str | None) -> None:
        store_result(scene_name, report, error, fitted_only=True)

    jobs.submit("Fitting palette", work, done)


def show_palette(settings: bpy.types.PropertyGroup, hex_codes: Sequence[str]) -> None:
    settings.palette.clear()
    for code in hex_codes:
        item = settings.palette.add()
        item.color = tuple(int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))


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
    if not bpy.app.background:  # the console line is the report in background mode
        troubled = error is not None or partial or (report is not None and bool(report.skipped))
        level = "WARNING" if troubled else "INFO"
        bpy.ops.pixel_sprites.report(level=level, message=f"{SUMMARY_PREFIX}: {summary}")

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
    return summary
