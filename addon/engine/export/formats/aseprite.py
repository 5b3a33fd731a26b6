"""``.aseprite`` files (Aseprite, and Unity through its importer): one per group, a frame per cell and a tag per
animation, in the group's indexed palette, and where the set has game data the slices of the JSON pages (the pivot,
each point and box, a key per frame); a palette variant's copy has the variant's palette."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ...sets.manifest import SpriteSet, frame_duration_ms
from ..aseprite import MAX_DURATION_MS, write_aseprite
from ..aseprite_slices import Slice, pivot_slice, rig_slices
from ..colours import colour_indices, palette_lookup
from ..palette_chunks import repaint_aseprite_palette
from ..recolour import Recolour
from .base import FormatOutcome, GroupPages, SheetFormat, WrittenPages


def aseprite_duration_problem(fps: float, fps_base: float, frame_step: int) -> str | None:
    """Why an action at this rate cannot have an ``.aseprite`` file, or None: its frame durations are 16-bit."""
    duration = frame_duration_ms(fps, fps_base, frame_step)
    if duration <= MAX_DURATION_MS:
        return None
    return (
        f"frame step {frame_step} at {fps / fps_base:g} fps shows each sprite for {duration} ms, and an .aseprite "
        f"frame lasts at most {MAX_DURATION_MS} ms: lower the frame step, or leave .aseprite out of the formats"
    )


class AsepriteFiles(SheetFormat):
    name = "aseprite"

    def check(self, sprite_set: SpriteSet) -> str | None:
        for action in sprite_set.actions:
            problem = aseprite_duration_problem(action.fps, action.fps_base, action.frame_step)
            if problem:
                return f"{action.name}: {problem}"
        return None

    def files(self, group: GroupPages) -> list[str]:
        return [f"{group.name}.aseprite"] if group.indexed_palette is not None else []

    def write(self, out: Path, group: GroupPages, pages: WrittenPages) -> FormatOutcome:
        palette = group.indexed_palette
        if palette is None:
            return FormatOutcome([], note=f"{group.name}: no .aseprite file, its colours do not fit an indexed palette")
        lookup = palette_lookup(palette)
        frames = []
        for image in group.cells:
            indices = colour_indices(image, lookup)
            assert indices is not None  # the palette was chosen to hold every colour of these cells
            frames.append(indices)
        tags, first = [], 0
        for animation in group.animations:
            tags.append((animation.name, first, first + len(animation.sprites) - 1))
            first += len(animation.sprites)
        durations = [animation.duration_ms for animation in group.animations for _ in animation.sprites]
        slices = _slices(group.sprite_set, [sprite for animation in group.animations for sprite in animation.sprites])
        path = write_aseprite(out / f"{group.name}.aseprite", frames, palette.colors, tags, durations, slices)
        return FormatOutcome([path.name], manifest_key="aseprite")

    def variant_copy(self, data: bytes, name: str, pages: Sequence[str], variant: str, recolour: Recolour) -> bytes:
        return repaint_aseprite_palette(data, recolour, name)


def _slices(sprite_set: SpriteSet, sprites: Sequence[Path]) -> list[Slice]:
    """The file's slices: none without points or boxes (the file stays as it was before there was game data), else
    the pivot's and the game data's, frame by frame."""
    rig = sprite_set.rig
    if rig is None or not (rig.points or rig.boxes):
        return []
    pivot = pivot_slice(sprite_set.sprite_size, sprite_set.pivot_pixel)
    return [pivot, *rig_slices(rig, [rig.for_sprite(sprite) for sprite in sprites])]


FORMAT = AsepriteFiles()
