"""Sheets of a sprite set and the files game engines import, beside each sheet.

For each action (or one atlas for the whole set) this writes, in
``<sprites folder>/sheets/``: the sheet pages (paletted PNG when the sprites'
colours fit, else RGBA), an Aseprite/TexturePacker JSON per page (Phaser,
PixiJS), a Godot 4 ``SpriteFrames`` resource, an ``.aseprite`` file and an
animated preview with all facings side by side. With ``packed``, the pages hold trimmed, merged, densely
packed frames (:mod:`.packed_layout`) and the engine files say where each full-size frame lies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import FrameError, SheetError
from ..files.atomic import write_atomically
from ..files.png import encode_png
from ..frames.downscale import read_frame
from ..options import EXTRUDE, INDEXED_LIMIT, LAYOUT, MARGIN
from ..sets.manifest import Action, SpriteSet, frame_number
from ..sprites.files import encode_indexed_png
from .colours import colour_indices, palette_for, palette_lookup
from .formats import REGISTERED, chosen_formats
from .formats.base import GroupPages, SheetFormat, WrittenPages
from .layout import DEFAULT_MAX_SIZE, DEFAULT_PADDING, Animation, Page, pack
from .normal_sheets import compose_normals, normal_page_name
from .packed_layout import Spacing, compose_packed, pack_trimmed, trimmed_frames
from .preview import preview_palette
from .sheet_files import claim_sheet_files, remove_unmade_variant_files
from .trimming import TrimmedFrame
from .variant_writing import write_variants
from .variants import GroupFiles, PaletteVariant, plan_variants

FORMATS = REGISTERED
LAYOUTS = LAYOUT.choices
SHEETS_FOLDER = "sheets"
PREVIEW_SCALE = 4


@dataclass(frozen=True)
class SheetOptions:
    """How sheets are laid out and which files are written beside them."""

    layout: str = LAYOUT.default  # type: ignore[assignment]
    max_size: int = DEFAULT_MAX_SIZE
    padding: int = DEFAULT_PADDING
    margin: int = MARGIN.default  # type: ignore[assignment]
    rgba: bool = False
    formats: tuple[str, ...] = FORMATS
    preview_scale: int = PREVIEW_SCALE
    normals: bool = False
    """A normal sheet ``<stem>_n.png`` beside every page, from ``normals/`` below the sprites folder."""
    packed: bool = False
    """Trimmed, merged, MaxRects-packed pages (:mod:`.packed_layout`) in place of fixed cells."""
    extrude: int = EXTRUDE.default  # type: ignore[assignment]
    variants: tuple[PaletteVariant, ...] = ()
    """Palette variants besides the manifest's (:mod:`.variants`); ``keep_variants`` False drops the manifest's."""
    keep_variants: bool = True

    def __post_init__(self) -> None:
        extrude_problem = EXTRUDE.problem(self.extrude)
        if extrude_problem or (self.extrude and not self.packed):
            raise SheetError(f"{EXTRUDE.flag}: {extrude_problem or 'needs --packed (fixed cells have no edges)'}")
        if self.layout not in LAYOUTS:
            raise SheetError(f"--layout: expected one of {', '.join(LAYOUTS)}, got {self.layout!r}")
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown:
            raise SheetError(f"--formats: unknown {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        if self.max_size < 1 or self.preview_scale < 1:
            raise SheetError("--max-size and the preview scale must be at least 1")


@dataclass
class SheetReport:
    """The files written, and the sprites left out with the reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cells: int = 0
    merged: int = 0
    """Packed sheets: frames that share the rectangle of an identical frame."""


class _Sprites:
    """The set's sprites, read once each, checked for size; what cannot be used is reported and left out."""

    def __init__(self, sprite_set: SpriteSet, report: SheetReport, folder: Path) -> None:
        self.sprite_set, self.folder = sprite_set, folder
        self.report = report
        self._cache: dict[Path, NDArray[np.uint8]] = {}

    def usable(self, paths: Iterable[Path]) -> list[Path]:
        kept = []
        for path in paths:
            if frame_number(path) is None:
                self.report.skipped.append((str(path), "the file name ends in no frame number"))
            elif not path.is_file():
                self.report.skipped.append((str(path), "missing"))
            elif self._read(path) is not None:
                kept.append(path)
        return kept

    def _read(self, path: Path) -> NDArray[np.uint8] | None:
        if path not in self._cache:
            try:
                rgba = read_frame(path).rgba
            except FrameError as error:
                self.report.skipped.append((str(path), error.reason))
                return None
            height, width = rgba.shape[:2]
            if self.sprite_set.sprite_size == (0, 0):
                self.sprite_set.sprite_size = (width, height)
            if (width, height) != self.sprite_set.sprite_size:
                expected = "x".join(map(str, self.sprite_set.sprite_size))
                self.report.skipped.append((str(path), f"size {width}x{height} differs from the set's {expected}"))
                return None
            self._cache[path] = rgba
        return self._cache[path]

    def __getitem__(self, path: Path) -> NDArray[np.uint8]:
        return self._cache[path]

    @property
    def cache(self) -> dict[Path, NDArray[np.uint8]]:
        return self._cache


def _animations(folder: Path, sprite_set: SpriteSet, action: Action, sprites: _Sprites) -> list[Animation]:
    result = []
    for facing in sprite_set.facings:
        facing_folder = folder / action.name / facing.name
        if not facing_folder.is_dir():
            sprites.report.skipped.append((str(facing_folder), f"no sprites of {action.name} facing {facing.name}"))
            continue
        paths = sprites.usable(facing_folder / name for name in action.files)
        if paths:
            name = f"{action.name}_{facing.name}"
            result.append(Animation(name, tuple(paths), action.duration_ms, action.rate, action.loop))
    return result


def _compose(page: Page, sprites: _Sprites, size: tuple[int, int]) -> NDArray[np.uint8]:
    width, height = size
    image = np.zeros((page.height, page.width, 4), dtype=np.uint8)
    for cell in page.cells:
        image[cell.y : cell.y + height, cell.x : cell.x + width] = sprites[cell.sprite]
    return image


def _encode_sheet(image: NDArray[np.uint8], palette: Palette | None, rgba: bool) -> tuple[bytes, str]:
    if not rgba and palette is not None:
        indices = colour_indices(image, palette_lookup(palette))
        if indices is not None:
            return encode_indexed_png(indices, palette), "I8"
    return encode_png(image), "RGBA8888"


def write_sheets(
    folder: Path,
    sprite_set: SpriteSet,
    options: SheetOptions | None = None,
    palette: Palette | None = None,
    variant_palette: Palette | None = None,
) -> SheetReport:
    """Write the sheets of ``sprite_set`` (sprites in ``folder``) and their engine files into ``folder/sheets``.

    ``palette`` is the character's; sheets and ``.aseprite`` files use it when every sprite colour is in it.
    ``variant_palette`` is what palette variants index where the manifest keeps no palette (default ``palette``).
    ``sprite_set.sheets`` lists what was written, for the manifest.

    Raises
    ------
    SheetError
        If a sheet cannot be laid out within ``options.max_size``, or no sprite of the set can be used.
    """
    options = options or SheetOptions()
    report = SheetReport()
    sprites = _Sprites(sprite_set, report, folder)
    groups = [(action.name, _animations(folder, sprite_set, action, sprites)) for action in sprite_set.actions]
    groups = [(name, animations) for name, animations in groups if animations]
    if not groups:
        reasons = "\n".join(f"  {path}: {reason}" for path, reason in report.skipped)
        raise SheetError(f"{folder}: none of the set's sprites can be used:\n{reasons}")
    formats = chosen_formats(options.formats)
    for sheet_format in formats:
        problem = sheet_format.check(sprite_set)
        if problem is not None:
            raise SheetError(problem)
    if options.layout == "atlas":
        everything = [animation for _, animations in groups for animation in animations]
        groups = [(f"{sprite_set.character}_atlas", everything)]
    out = folder / SHEETS_FOLDER
    plans = [_plan_group(name, animations, sprites, palette, options) for name, animations in groups]
    base_paths = [path for plan in plans for path in plan.paths(options, formats)]
    group_files = [plan.files(formats) for plan in plans]
    indexed = variant_palette if variant_palette is not None else palette
    variants = plan_variants(folder, sprite_set, options, indexed, group_files, base_paths)
    # Every file of every sheet is checked before the first is written: none may replace a file not ours.
    claimed = claim_sheet_files(folder, out, base_paths, variants)
    sprite_set.sheets = [_write_group(out, plan, sprites, options, formats) for plan in plans]
    if variants is not None:
        write_variants(out, variants, report.files)
        report.notes += variants.notes
    remove_unmade_variant_files(folder, out, claimed, [plan.pages.name for plan in plans] + [sprite_set.character])
    return report


@dataclass
class _GroupPlan:
    """One action's (or the atlas's) pages, and the palette its paletted files use, before anything is written."""

    pages: GroupPages
    trimmed: dict[Path, TrimmedFrame] | None = None
    """Packed sheets: every sprite trimmed (with its normals), what the pages are composed from."""

    def paths(self, options: SheetOptions, formats: Sequence[SheetFormat]) -> list[Path]:
        """The files :func:`_write_group` writes, relative to the sheets folder: the pages, their normal sheets,
        and each format's files."""
        names = list(self.pages.image_names)
        if options.normals:
            names += [f"{normal_page_name(page.name)}.png" for page in self.pages.pages]
        names += [name for sheet_format in formats for name in sheet_format.files(self.pages)]
        return [Path(name) for name in names]

    def files(self, formats: Sequence[SheetFormat]) -> GroupFiles:
        """The files each format writes, and the sprites' colours: what variants are made from."""
        by_format = {sheet_format.name: tuple(sheet_format.files(self.pages)) for sheet_format in formats}
        pages = tuple(page.name for page in self.pages.pages)
        return GroupFiles(pages, by_format, self.pages.indexed_palette, self.pages.cells)


def _plan_group(
    name: str, animations: list[Animation], sprites: _Sprites, palette: Palette | None, options: SheetOptions
) -> _GroupPlan:
    sprite_set = sprites.sprite_set
    cells = [sprites[path] for animation in animations for path in animation.sprites]
    trimmed = None
    if options.packed:
        paths = [path for animation in animations for path in animation.sprites]
        normals_folder = sprites.folder if options.normals else None
        trimmed = trimmed_frames(paths, sprites.cache, normals_folder, sprites.report.skipped)
        spacing = Spacing(options.padding, options.margin, options.extrude)
        packed = pack_trimmed(animations, trimmed, name=name, max_size=options.max_size, spacing=spacing)
        pages = packed.pages
        sprites.report.merged += packed.merged
        sprites.report.notes.append(
            f"{name}: {packed.merged} of {len(paths)} frames merged with an identical frame, sharing its rectangle"
        )
    else:
        pages = pack(
            animations, sprite_set.sprite_size, name=name,
            max_size=options.max_size, padding=options.padding, margin=options.margin,
        )  # fmt: skip
    indexed_palette = palette_for(cells, palette)
    previews = [
        (action, own, preview_palette(own, sprites, indexed_palette))
        for action, own in _by_action(animations, sprite_set)
    ]
    group = GroupPages(
        name, sprite_set, animations, pages, cells, sprites, indexed_palette, previews, options.preview_scale
    )
    return _GroupPlan(group, trimmed)


def _write_group(
    out: Path, plan: _GroupPlan, sprites: _Sprites, options: SheetOptions, formats: Sequence[SheetFormat]
) -> dict[str, str]:
    """One action's (or the atlas's) pages, normal sheets and every format's files; returns the manifest's entry
    for them."""
    report, sprite_set, group = sprites.report, sprites.sprite_set, plan.pages
    if group.indexed_palette is None and not options.rgba:
        report.notes.append(f"{group.name}: more than {INDEXED_LIMIT} colours, so its sheets are RGBA")
    entry = {"name": group.name}
    image_formats: list[str] = []
    normal_names: list[str | None] = []
    for number, (page, image_name) in enumerate(zip(group.pages, group.image_names, strict=True)):
        if plan.trimmed is None:
            image = _compose(page, sprites, sprite_set.sprite_size)
        else:
            image = compose_packed(page, plan.trimmed, options.extrude)
        data, image_format = _encode_sheet(image, group.indexed_palette, options.rgba)
        write_atomically(out / image_name, data)
        report.files.append(out / image_name)
        image_formats.append(image_format)
        report.cells += len(page.cells)
        normal_name = None
        if options.normals:
            normal_name = f"{normal_page_name(page.name)}.png"
            if plan.trimmed is None:
                normals = compose_normals(page, sprites.cache, out.parent, sprite_set.sprite_size, report.skipped)
            else:
                normals = compose_packed(page, plan.trimmed, options.extrude, normals=True)
            write_atomically(out / normal_name, encode_png(normals))
            report.files.append(out / normal_name)
        normal_names.append(normal_name)
        several = len(group.pages) > 1
        entry[f"image_{number + 1}" if several else "image"] = f"{SHEETS_FOLDER}/{image_name}"
        if normal_name is not None:
            entry[f"normal_{number + 1}" if several else "normal"] = f"{SHEETS_FOLDER}/{normal_name}"
    written = WrittenPages(image_formats, normal_names)
    for sheet_format in formats:
        outcome = sheet_format.write(out, group, written)
        report.files += [out / name for name in outcome.files]
        if outcome.note is not None:
            report.notes.append(outcome.note)
        if outcome.manifest_key is not None and outcome.files:
            entry[outcome.manifest_key] = f"{SHEETS_FOLDER}/{outcome.files[0]}"
    return entry


def _by_action(animations: Sequence[Animation], sprite_set: SpriteSet) -> list[tuple[str, list[Animation]]]:
    """The animations grouped by action (an atlas holds several), in the set's order."""
    result = []
    for action in sprite_set.actions:
        own = [animation for animation in animations if animation.name.rsplit("_", 1)[0] == action.name]
        if own:
            result.append((action.name, own))
    return result
