"""An action's animated preview: all its facings side by side, enlarged, playing (GIF, or APNG for RGBA)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..files.atomic import write_atomically
from .colours import colour_indices, palette_for, palette_lookup
from .layout import Animation


class SpriteImages(Protocol):
    """The sprites' pixels by path."""

    def __getitem__(self, path: Path) -> NDArray[np.uint8]: ...


def preview_palette(animations: Sequence[Animation], sprites: SpriteImages, palette: Palette | None) -> Palette | None:
    """The palette of an action's GIF preview, or None for an APNG: the strips hold exactly the cells' colours."""
    return palette_for([sprites[path] for animation in animations for path in animation.sprites], palette)


def preview_path(stem: Path, usable: Palette | None) -> Path:
    return stem.with_suffix(".gif") if usable is not None else stem.with_suffix(".png")


def write_preview(
    path: Path, animations: Sequence[Animation], sprites: SpriteImages, palette: Palette | None, scale: int
) -> Path:
    """All facings of one action side by side, enlarged, playing: a GIF, or an APNG if the colours need RGBA."""
    from PIL import Image

    height, width = sprites[animations[0].sprites[0]].shape[:2]
    length = max(len(animation.sprites) for animation in animations)
    strips = []
    for step in range(length):
        strip = np.zeros((height, len(animations) * (width + 1) - 1, 4), dtype=np.uint8)
        for column, animation in enumerate(animations):
            sprite = sprites[animation.sprites[step % len(animation.sprites)]]
            strip[:, column * (width + 1) : column * (width + 1) + width] = sprite
        strips.append(strip)

    def enlarged(image: NDArray[np.generic]) -> NDArray[np.generic]:
        return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)

    duration = animations[0].duration_ms
    usable = preview_palette(animations, sprites, palette)
    buffer = io.BytesIO()
    if usable is not None:
        lookup = palette_lookup(usable)
        entries = np.vstack([np.zeros((1, 3), np.uint8), usable.colors]).tobytes()
        images = []
        for strip in strips:
            indices = colour_indices(strip, lookup)
            assert indices is not None  # usable holds every colour of every strip
            image = Image.fromarray(enlarged(indices + 1).astype(np.uint8), "P")
            image.putpalette(entries, rawmode="RGB")
            images.append(image)
        images[0].save(
            buffer, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0,
            transparency=0, disposal=2, optimize=False,
        )  # fmt: skip
    else:
        images = [Image.fromarray(enlarged(strip), "RGBA") for strip in strips]
        images[0].save(
            buffer, format="PNG", save_all=True, append_images=images[1:], duration=duration, loop=0, disposal=1
        )
    path = preview_path(path, usable)
    write_atomically(path, buffer.getvalue())
    return path
