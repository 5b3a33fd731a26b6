"""Bringing a character's sprite set up to date after some of its actions were rendered.

The rendered actions' frames replace what the character had of them (frames
an action no longer has leave its frame list, its fit and its sheets; the
files stay on disk), the character's sprites are brought up to date with one
palette (refitted, or the locked one), mirrored facings are flipped from their
rendered twins, and the manifest and the sheets are written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..export.sheets import SheetOptions, SheetReport
from ..files.atomic import write_atomically
from ..files.png import encode_png
from ..files.record import claim
from ..frames.downscale import DownscaleSettings, read_frame
from ..frames.normals import NORMALS_FOLDER, mirror_normals
from ..palette.fit import PaletteSettings
from ..sets.facings import Facing
from ..sets.manifest import MANIFEST_SUFFIX, Action, SpriteSet, load_manifest
from ..sprites.character import Character, update_character
from ..sprites.pipeline import OutputSettings, RunOptions
from ..sprites.report import Report
from .set_files import SetPalettes, write_set_files
from .set_rig import attach_rig
from .spec import manifest_normals


@dataclass(frozen=True)
class RenderedAction:
    """An action as just rendered: its folder of facing folders and the frames written there."""

    action: Action
    folder: Path
    frames: tuple[Path, ...]


@dataclass
class SetOutcome:
    report: Report
    sprite_set: SpriteSet
    sheets: SheetReport | None


def update_sprite_set(
    character: Character,
    renders: Path,
    rendered: Sequence[RenderedAction],
    facings: Sequence[Facing],
    sprite_size: tuple[int, int],
    pivot: tuple[int, int] | None,
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    *,
    output: OutputSettings | None = None,
    locked: bool = False,
    sheets: SheetOptions | None = None,
    options: RunOptions | None = None,
    rig_file: Path | None = None,
) -> SetOutcome:
    """Update ``character``'s sprites with ``rendered`` actions, then its manifest and (if asked) sheets.

    Frames under ``renders`` (the set's render folder) get their sprites at the same path below the character's
    folder: ``<action>/<facing>/<frame>.png``. With a locked palette only the rendered actions' sprites are
    written, so every other sprite stays byte-identical; unlocked, the whole character is refitted, and the
    mirrored facings of every action are flipped again from the refitted sprites. Sprites are written as ``output``
    says (the job's settings, whole). With its ``normals``, normal sprites are made too (and mirrored), the
    manifest keeps their rotation, and the sheets get normal sheets. Its ``finish`` (clean-up, outline) acts on the
    rendered twins; each of its rules looks at a pixel's neighbours only, never at
    which side they are on, so a flipped finished sprite is the finished flipped one: symmetric.
    """
    for item in rendered:
        character.drop_missing_under(item.folder, item.frames)
    new_frames = [frame for item in rendered for frame in item.frames]
    report = update_character(
        character, new_frames, downscale, palette_settings, output=output, root=renders, locked=locked, options=options
    )
    normals = output.normals if output is not None else None
    sprite_set = _merged_manifest(character, rendered, facings, sprite_size, pivot, report)
    sprite_set.normals = manifest_normals(normals)
    rig_notes = attach_rig(character.folder, sprite_set, rig_file, replaced=[item.action.name for item in rendered])
    rewritten = sprite_set.actions if not locked else [item.action for item in rendered]
    for action in rewritten:
        _mirror(character.folder, action, facings)
        if normals is not None:
            _mirror(character.folder, action, facings, normals=True)
    report.notes.extend((str(rig_file), note) for note in rig_notes)
    if sheets is None:
        sprite_set.save(character.folder)
        return SetOutcome(report, sprite_set, None)
    written = write_set_files(character.folder, sprite_set, sheets, SetPalettes.known(report.sprite_palette))
    return SetOutcome(report, sprite_set, written.report)


def _mirror(character_folder: Path, action: Action, facings: Sequence[Facing], *, normals: bool = False) -> None:
    """Write each mirrored facing's sprites as its rendered twin's, flipped left to right; with ``normals``, its
    normal sprites, whose x components turn too."""
    from PIL import Image

    folder = character_folder / NORMALS_FOLDER / action.name if normals else character_folder / action.name
    mirrored = [
        (folder / facings[facing.mirror_of].name / name, folder / facing.name / name)
        for facing in facings
        if facing.mirror_of is not None
        for name in action.files
        if (folder / facings[facing.mirror_of].name / name).is_file()
    ]
    claim({destination: "sprite" for _, destination in mirrored}, root=character_folder)
    for twin, destination in mirrored:
        if normals:
            write_atomically(destination, encode_png(mirror_normals(read_frame(twin).rgba)))
            continue
        with Image.open(twin) as image:
            flipped = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            buffer = io.BytesIO()
            # A paletted sprite stays paletted, with its transparent entry.
            extra = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
            flipped.save(buffer, format="PNG", optimize=False, **extra)
        write_atomically(destination, buffer.getvalue())


def _merged_manifest(
    character: Character,
    rendered: Sequence[RenderedAction],
    facings: Sequence[Facing],
    sprite_size: tuple[int, int],
    pivot: tuple[int, int] | None,
    report: Report,
) -> SpriteSet:
    """The manifest with the rendered actions replaced and the others kept as they were."""
    path = character.folder / f"{character.name}{MANIFEST_SUFFIX}"
    earlier = load_manifest(path).actions if path.is_file() else []
    names = {item.action.name for item in rendered}
    kept = [action for action in earlier if action.name not in names]
    actions = kept + [item.action for item in rendered]
    palette = report.sprite_colors or report.palette
    earlier_rig = load_manifest(path).rig if path.is_file() else None
    return SpriteSet(character.name, list(facings), actions, sprite_size, pivot, palette, rig=earlier_rig)
