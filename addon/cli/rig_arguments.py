"""``--rig-from FILE``: the game data (points, boxes, root motion) Blender projected from the rig, for renders made
anywhere.

``process`` and ``apply`` read ``<root>/rig.json`` when it is there (the root being ``--root``, or the folder the
frames are found below), as Blender writes it beside the renders; ``--rig-from`` names another. They keep the data
of the frames they make in ``OUT/rig.json``, keyed by the sprites' own paths (the frames' paths below the root), so
that a later ``sheet`` of the folder (a farm's chunks, then their sheets) finds it there: ``sheet`` reads
``<sprites>/rig.json`` when it is there. Without any, every output is as it was.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..engine import options
from ..engine.files.locking import DEFAULT_LOCK_TIMEOUT
from ..engine.frames.rig_file import RIG_FILE, RigFile, read_rig_file, write_rig_file
from ..engine.frames.sources import FrameSource, frames_base

RIG_FROM_FLAG = "--rig-from"


def add_rig_option(parser: argparse.ArgumentParser, *, default: str) -> None:
    parser.add_argument(
        RIG_FROM_FLAG, type=Path, metavar="FILE", help=f"{options.RIG_FROM_HELP} (default: {default} when it is there)"
    )


def rig_path(args: argparse.Namespace, folder: Path | None) -> Path | None:
    """The rig file of a run: ``--rig-from``'s, else ``folder/rig.json`` when it is there; None for none. It is read
    now, so that a bad one is refused before any work.

    Raises
    ------
    FrameError
        Naming the file, if it is missing or not a rig file of Pixel Sprites.
    """
    path = args.rig_from
    if path is None and folder is not None and (folder / RIG_FILE).is_file():
        path = folder / RIG_FILE
    if path is not None:
        read_rig_file(path)
    return path


def frames_rig_path(args: argparse.Namespace) -> Path | None:
    """:func:`rig_path` for ``process`` and ``apply``: by default the root's ``rig.json``."""
    return rig_path(args, frames_base(args.sources, args.root))


def keep_rig_beside_sprites(
    path: Path, frames: Sequence[FrameSource], output: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> list[str]:
    """Add the game data of ``frames`` (from the rig file at ``path``) to ``output/rig.json`` under its lock, keyed
    by their sprites' paths; returns a note for each frame the file has no data for."""
    rig = read_rig_file(path)
    keys = [frame.relative.as_posix() for frame in frames]
    found = {key: rig.frames[key] for key in keys if key in rig.frames}
    write_rig_file(output, RigFile(rig.points, rig.boxes, rig.in_place, found), merge=True, lock_timeout=lock_timeout)
    return [f"{key}: no game data in {path} for this frame" for key in keys if key not in found]


def print_rig_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
