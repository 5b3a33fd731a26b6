"""Running a :class:`~.spec.SpriteJob`: every entry point of the command line, the scene and the farm ends here.

* :func:`make_sprites`: a folder's frames → sprites (fitted, or with a given palette), then the sheets asked for;
* :func:`fit_palette_file`: frames → one palette file, claimed before the work so a foreign file is never replaced;
* :func:`update_character_sprites`, :func:`add_locked_frames`, :func:`steady_locked_character`,
  :func:`update_set`: a character's frames, kept in its frame list under its lock, brought up to date after a render;
* :func:`write_set_sheets`: a set's sheets and manifest from its sprites alone (the set's files are written by
  :func:`.set_files.write_set_files` in every case).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..colour.palette import Palette
from ..errors import SetupError
from ..files import kinds
from ..files.locking import character_lock
from ..files.record import check_writable, claim
from ..frames.sources import SKIPPED_OUTPUT_FOLDER, FrameSource, discover_frames, folder_frames
from ..palette.files import read_palette, write_palette
from ..sets.facings import Facing
from ..sets.manifest import SpriteSet, open_sprite_set
from ..sprites.character import add_frames_with_locked_palette, locked_character, update_character
from ..sprites.finishing import with_outline_colour
from ..sprites.pipeline import OutputSettings, RunOptions, apply, fit, process
from ..sprites.report import Report, written_palette
from .set_files import SetPalettes, SheetsOutcome, palettes_on_disk, write_set_files
from .set_rig import attach_rig
from .set_update import RenderedAction, SetOutcome, update_sprite_set
from .spec import SetSheets, SpriteJob, manifest_normals

# Why a character's palette is not fitted while it is locked: refitting would change every sprite it keeps as it is.
LOCKED_PALETTE_FIT = "The palette is locked (Lock Palette): unlock it to fit a new one"


def _frames(
    sources: Sequence[Path], job: SpriteJob, exclude: Sequence[Path], skipped_folders: list[Path] | None = None
) -> list[FrameSource]:
    frames = discover_frames(sources, exclude=exclude, root=job.root, skipped_folders=skipped_folders)
    if not frames:
        raise SetupError(f"no PNG frames found in {', '.join(map(str, sources))}")
    return frames


def make_sprites(
    job: SpriteJob, sources: Sequence[Path], options: RunOptions | None = None
) -> tuple[Report, SheetsOutcome | None]:
    """The sprites of the frames in ``sources`` (folders or files), into ``job.output``, then the set's sheets if
    the job asks for them. A ``fit`` job fits one palette over all the frames (see :func:`.pipeline.process` for its
    lock); a ``file`` job uses the given one, and takes no lock (a farm's chunks run side by side)."""
    if job.locked:
        raise SetupError("a folder job fits its palette or is given one; only a character's palette is locked")
    job.check()
    skipped_folders: list[Path] = []
    frames = _frames(sources, job, exclude=[job.output], skipped_folders=skipped_folders)
    skipped = [(folder, SKIPPED_OUTPUT_FOLDER) for folder in skipped_folders]
    output = job.output_settings()
    if job.palette_file is not None:
        palette = read_palette(job.palette_file)
        _check_same_palette(job, output, palette)
        report = apply(frames, sources, job.downscale, palette, output, options, skipped)
    else:
        report = process(frames, sources, job.downscale, job.palette, output, options, skipped)
    return report, _sheets_of(job, report)


def _sheets_of(job: SpriteJob, report: Report) -> SheetsOutcome | None:
    """The set's files after a job's sprites, in the colours the job just wrote them in."""
    if job.sheets is None or report.output_folder is None:
        return None
    sprite_set = opened_set(report.output_folder, job.sheets, normals=manifest_normals(job.normals))
    notes = attach_rig(report.output_folder, sprite_set, job.sheets.rig_file)
    outcome = write_set_files(
        report.output_folder, sprite_set, job.sheets.options, SetPalettes.known(report.sprite_palette)
    )
    outcome.report.notes.extend(notes)
    return outcome


def _check_same_palette(job: SpriteJob, output: OutputSettings, palette: Palette) -> None:
    """Refuse an apply whose palette's colours differ from those the folder's sprites were written with: one
    report, and one set of sheets, cannot hold both. Colours are compared, not paths, since farm workers mount the
    share at different paths."""
    report = output.report_file
    earlier = written_palette(report)
    if earlier is not None and earlier != palette.hex_codes():
        raise SetupError(
            f"{job.palette_file}: its {len(palette)} colours differ from the {len(earlier)} the sprites in "
            f"{job.output} were written with ({report}); apply the same palette, or write into another folder"
        )


def fit_palette_file(
    job: SpriteJob, frames: Sequence[FrameSource], destination: Path, options: RunOptions | None = None
) -> tuple[Palette, Report]:
    """Fit one palette over ``frames`` and write it to ``destination`` (``.gpl``, ``.hex``, ``.pal`` or ``.png``)."""
    kind = {destination: kinds.palette_kind(destination)}
    check_writable(kind, root=destination.parent)  # before the work, not only before the write
    with character_lock(destination.parent, destination.stem, job.lock_timeout):  # two fits of one file: one's palette
        palette, report = fit(frames, job.downscale, job.palette, options)
        palette = with_outline_colour(palette, job.finish)  # as the apply tasks will find it in a locked palette
        claim(kind, root=destination.parent)
        write_palette(palette, destination)
    return palette, report


def update_character_sprites(job: SpriteJob, new_frames: Sequence[Path], options: RunOptions | None = None) -> Report:
    """Add ``new_frames`` to the job's character and bring its sprites up to date, under the character's lock
    (other Blenders may share the folder): refitted over all its frames, or only the new ones with a locked
    palette."""
    assert job.character is not None, "a character job"
    job.check()
    output = job.output_settings()  # the target palette read before the lock is taken
    with locked_character(job.output, job.character) as character:
        return update_character(
            character, new_frames, job.downscale, job.palette,
            output=output, root=job.root, locked=job.locked, options=options,
        )  # fmt: skip


def steady_locked_character(job: SpriteJob, folders: Sequence[Path], options: RunOptions | None = None) -> Report:
    """With Steady Colours and a locked palette, every frame in ``folders`` written again as one run writes it,
    under the character's lock. A frame-list render writes each sprite as its frame arrives, perhaps before the
    frames it looks back on (rendered by another Blender side by side, or later): the last Blender to end leaves
    every sprite as one run would."""
    return update_character_sprites(job, [frame for folder in folders for frame in folder_frames(folder)], options)


def fit_character_palette(job: SpriteJob, renders: Path, options: RunOptions | None = None) -> Report:
    """Add the frames in ``renders`` to the job's character and fit its palette over all its frames, saved as the
    character's palette file. No sprite is written."""
    assert job.character is not None, "a character job"
    if job.locked:
        raise SetupError(LOCKED_PALETTE_FIT)
    with locked_character(job.output, job.character) as character:
        found = discover_frames([renders], exclude=[character.folder], recursive=False)
        character.add(frame.path for frame in found)
        character.save()
        claim({character.palette_path: kinds.PALETTE}, root=character.folder)
        palette, report = fit(character.frames(), job.downscale, job.palette, options)
        palette = with_outline_colour(palette, job.finish)
        write_palette(palette, character.palette_path)
    report.palette = palette.hex_codes()
    report.sprite_colors = report.palette
    report.output_folder = character.folder
    return report


def add_locked_frames(job: SpriteJob, frames: Sequence[Path], options: RunOptions | None = None) -> Report:
    """The sprites of ``frames`` alone, with the character's locked palette (a frame-list render, frame by frame)."""
    assert job.character is not None and job.locked, "a character job with a locked palette"
    return add_frames_with_locked_palette(
        job.output, job.character, frames, job.downscale, output=job.output_settings(), root=job.root, options=options
    )


def update_set(
    job: SpriteJob,
    rendered: Sequence[RenderedAction],
    facings: Sequence[Facing],
    sprite_size: tuple[int, int],
    pivot: tuple[int, int] | None,
    options: RunOptions | None = None,
) -> SetOutcome:
    """A sprite set's rendered actions → the character's sprites, mirrored facings, manifest and sheets."""
    assert job.character is not None and job.root is not None, "a character job rooted at the set's renders"
    job.check()
    output = job.output_settings()  # the target palette read before the lock is taken
    with locked_character(job.output, job.character) as character:
        return update_sprite_set(
            character, job.root, rendered, facings, sprite_size, pivot, job.downscale, job.palette,
            output=output, locked=job.locked, options=options,
            sheets=job.sheets.options if job.sheets is not None else None,
            rig_file=job.sheets.rig_file if job.sheets is not None else None,
        )  # fmt: skip


def opened_set(folder: Path, wanted: SetSheets, *, normals: dict[str, object] | None = None) -> SpriteSet:
    """The sprite set in ``folder`` (from its manifest if it has one, else from its folders), with what ``wanted``
    overrides, and ``normals`` (the manifest's entry for normal maps), which makes normal sheets from now on."""
    sprite_set = open_sprite_set(folder, character=wanted.character, fps=wanted.fps)
    if wanted.pivot is not None:
        sprite_set.pivot = wanted.pivot
    if normals is not None:
        sprite_set.normals = normals
    return sprite_set


def write_set_sheets(folder: Path, wanted: SetSheets) -> SheetsOutcome:
    """The sheets and manifest of the sprite set in ``folder``, with no job behind them (``sheet``): in the palettes
    the folder holds (see :func:`.set_files.palettes_on_disk`)."""
    sprite_set = opened_set(folder, wanted)
    notes = attach_rig(folder, sprite_set, wanted.rig_file)
    outcome = write_set_files(folder, sprite_set, wanted.options, palettes_on_disk(folder, sprite_set.character))
    outcome.report.notes.extend(notes)
    return outcome
