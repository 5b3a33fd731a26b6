"""Animated previews: each action's facings side by side, enlarged, playing (``<action>_preview.gif``, or an APNG
when the colours need RGBA); a palette variant's copy is the same animation in the variant's colours."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..palette_chunks import repaint_gif_palettes
from ..preview import preview_path, write_preview
from ..recolour import Recolour
from .base import FormatOutcome, GroupPages, SheetFormat, WrittenPages


class AnimatedPreviews(SheetFormat):
    name = "preview"

    def files(self, group: GroupPages) -> list[str]:
        return [preview_path(Path(f"{action}_preview"), usable).name for action, _, usable in group.previews]

    def write(self, out: Path, group: GroupPages, pages: WrittenPages) -> FormatOutcome:
        written = [
            write_preview(out / f"{action}_preview", own, group.sprites, group.indexed_palette, group.preview_scale)
            for action, own, _ in group.previews
        ]
        return FormatOutcome([path.name for path in written], manifest_key="preview")

    def variant_copy(self, data: bytes, name: str, pages: Sequence[str], variant: str, recolour: Recolour) -> bytes:
        return (
            repaint_gif_palettes(data, recolour, name)
            if name.endswith(".gif")
            else _repaint_animated_png(data, recolour, name)
        )


def _repaint_animated_png(data: bytes, recolour: Recolour, where: str) -> bytes:
    """An RGBA preview (APNG) with every frame's colours recoloured, timing and looping kept."""
    from PIL import Image, ImageSequence

    source = Image.open(io.BytesIO(data))
    frames = []
    for frame in ImageSequence.Iterator(source):
        rgba = np.array(frame.convert("RGBA"))
        opaque = rgba[..., 3] > 0
        rgba[..., :3][opaque] = recolour(rgba[..., :3][opaque], where)
        frames.append(Image.fromarray(rgba, "RGBA"))
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="PNG", save_all=True, append_images=frames[1:], duration=source.info.get("duration", 100),
        loop=0, disposal=1,
    )  # fmt: skip
    return buffer.getvalue()


FORMAT = AnimatedPreviews()
