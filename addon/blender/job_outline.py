"""What a render button will do, said before it is pressed: how many renders, and where the sprites go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bpy

from ..engine.errors import SetupError
from . import sprite_set, sprites

# A job of more renders than this asks for confirmation when started from the UI.
CONFIRM_RENDERS = 500


@dataclass(frozen=True)
class JobOutline:
    """``facings`` × ``frames`` → ``renders`` renders (mirrored facings are flipped, not rendered) → ``output``."""

    facings: int
    frames: int
    renders: int
    output: Path

    def line(self) -> str:
        """``8 facings × 250 frames → 2,000 renders → //renders/sprites`` (one facing: no facings)."""
        facing_part = f"{self.facings} facings × " if self.facings > 1 else ""
        frames = "frame" if self.frames == 1 else "frames"
        renders = "render" if self.renders == 1 else "renders"
        return f"{facing_part}{self.frames:,} {frames} → {self.renders:,} {renders} → {_shown(self.output)}"

    @property
    def needs_confirmation(self) -> bool:
        return self.renders > CONFIRM_RENDERS


def _shown(folder: Path) -> str:
    """``folder`` relative to the .blend (``//renders/sprites``) where it is below it, else whole."""
    return bpy.path.relpath(str(folder)) if bpy.data.filepath else str(folder)


def render_sprites(scene: bpy.types.Scene) -> JobOutline:
    """What Render Sprites does: the scene's frame range, from the camera as set up."""
    frames = len(range(scene.frame_start, scene.frame_end + 1, max(scene.frame_step, 1)))
    renders = sprites.renders_folder(scene)
    return JobOutline(1, frames, frames, scene.pixel_sprites.output_folder_for(renders))


def render_set(scene: bpy.types.Scene) -> JobOutline | None:
    """What Render Sprite Set does, or None where its settings cannot make a set (its button says why)."""
    try:
        planned = sprite_set.plan(scene)
    except SetupError:
        return None
    frames = sum(len(range(a.frame_start, a.frame_end + 1, max(a.frame_step, 1))) for a in planned.actions)
    rendered = sum(1 for facing in planned.facings if facing.mirror_of is None)
    return JobOutline(
        len(planned.facings), frames, frames * rendered, scene.pixel_sprites.output_folder_for(planned.renders)
    )
