"""A set's game data from ``rig.json``, attached to its manifest before the set's files are written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import FrameError, SetupError
from ..frames.rig_file import read_rig_file
from ..sets.manifest import SpriteSet
from ..sets.rig import SetFrames, set_rig


def attach_rig(
    folder: Path, sprite_set: SpriteSet, rig_path: Path | None, *, replaced: Sequence[str] | None = None
) -> list[str]:
    """Give ``sprite_set`` (its sprites in ``folder``) the game data of ``rig_path`` (None: keep what it has), for
    the actions ``replaced`` (all when None); returns a note for each frame the file has no data for.

    Raises
    ------
    SetupError
        Naming the file, if it is not a rig file of Pixel Sprites.
    """
    if rig_path is None:
        return []
    try:
        rig_file = read_rig_file(rig_path)
    except FrameError as error:
        raise SetupError(str(error)) from error
    if sprite_set.sprite_size == (0, 0):  # a set read from its folders: its sprites' size
        sprite_set.sprite_size = _first_sprite_size(folder, sprite_set)
    actions = {action.name: list(action.files) for action in sprite_set.actions}
    frames = SetFrames(sprite_set.facings, sprite_set.sprite_size, actions)
    sprite_set.rig, notes = set_rig(rig_file, frames, earlier=sprite_set.rig, replaced=replaced)
    return notes


def _first_sprite_size(folder: Path, sprite_set: SpriteSet) -> tuple[int, int]:
    from PIL import Image

    for action in sprite_set.actions:
        for facing in sprite_set.facings:
            for name in action.files:
                path = folder / action.name / facing.name / name
                if path.is_file():
                    with Image.open(path) as image:
                        return image.size
    return (0, 0)
