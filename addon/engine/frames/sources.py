"""Finding the frames to process and checking where their sprites may go."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import SetupError
from ..files.atomic import remove_stale_temporary_files
from ..files.kinds import DATA_KINDS
from ..files.paths import absolute, below_anchor, common_folder, is_inside
from ..files.record import OUTPUT_FOLDER_NAMES, holds_record, recorded
from ..files.writable import probe_writable

__all__ = [
    "FrameSource",
    "SetupError",
    "discover_frames",
    "folder_frames",
    "frames_base",
    "pass_frame_path",
    "prepare_output_folder",
]

SKIPPED_OUTPUT_FOLDER = "holds outputs of an earlier run"


def pass_frame_path(folder: Path, root: Path | None, frame: Path, relative: Path, pass_folder: str) -> Path:
    """Where a render pass (normals, depth) keeps the frame of the colour frame ``frame``, whose sprite is at
    ``relative``: at the frame's place below ``root`` in ``folder`` (the pass folder Blender writes below the
    render folder ``root``), in a ``pass_folder`` beside a frame outside ``root``, or at the sprite's own path
    below ``folder`` when there is no ``root`` (a folder the user gave)."""
    if root is None:
        return folder / relative
    try:
        return folder / Path(frame).relative_to(root)
    except ValueError:
        return Path(frame).parent / pass_folder / Path(frame).name


@dataclass(frozen=True)
class FrameSource:
    """A frame file and the path of its sprite relative to the output folder."""

    path: Path
    relative: Path


def _frames_below(folder: Path, recursive: bool, skipped_folders: list[Path]) -> Iterator[Path]:
    """The PNG files in ``folder``, and below it unless told not to, leaving out this tool's own outputs: the
    folders it names so (``sprites``, ``sprite_size``, ``sheets``, ``normals``, ``depth``), any folder whose record
    holds sprites, sheets or a set (added to ``skipped_folders``), and the palette and data files a record names.
    ``folder`` itself is searched whatever its name, since the user named it."""
    for current, folders, files in os.walk(folder):
        here = Path(current)
        ours = _recorded_here(here)
        yield from (
            here / name
            for name in files
            if name.lower().endswith(".png") and not name.startswith(".") and name not in ours
            and (here / name).is_file()
        )  # fmt: skip
        if not recursive:
            return
        kept = []
        for name in folders:
            if name in OUTPUT_FOLDER_NAMES:
                continue
            if _holds_outputs(here / name):
                skipped_folders.append(here / name)
                continue
            kept.append(name)
        folders[:] = kept


def folder_frames(folder: Path) -> list[Path]:
    """The PNG frames directly in ``folder`` (absolute), as :func:`discover_frames` finds them there: an animation's
    frames, whichever of them a run was given; none if the folder cannot be read."""
    try:
        return list(_frames_below(absolute(folder), False, []))
    except OSError:
        return []


def _recorded_here(folder: Path) -> set[str]:
    """The palette and data files directly in ``folder`` that its record names (a palette strip saved beside the
    frames): never frames. Its sprites stay: a folder of sprites given by name is read as frames (a grid's)."""
    if not holds_record(folder):
        return set()
    return {name for name, kind in recorded(folder).items() if "/" not in name and kind in DATA_KINDS}


def _holds_outputs(folder: Path) -> bool:
    """Whether ``folder`` is an output folder of an earlier run: its record names a sprite, a sheet or a set. A
    folder whose only outputs are palette, report or per-frame data files still holds frames."""
    return holds_record(folder) and any(kind not in DATA_KINDS for kind in recorded(folder).values())


def _sprite_path(path: Path, base: Path | None) -> Path:
    # Frames on several drives have no common folder: each keeps its path below its drive.
    return path.relative_to(base) if base is not None else Path(below_anchor(path))


def frames_base(sources: Sequence[Path | str], root: Path | str | None = None) -> Path | None:
    """The folder the sprites keep the frames' paths below: ``root`` if given, else the sources' common folder (a
    folder source itself, a file source's folder); None when they lie on different drives."""
    if root is not None:
        return absolute(root)
    folders = {path if path.is_dir() else path.parent for path in map(absolute, sources)}
    return common_folder(sorted(folders))


def discover_frames(
    sources: Sequence[Path | str],
    *,
    exclude: Iterable[Path | str] = (),
    recursive: bool = True,
    root: Path | str | None = None,
    skipped_folders: list[Path] | None = None,
) -> list[FrameSource]:
    """The PNG frames in ``sources`` (folders, searched recursively unless told not to, or files), sorted.

    Sprites keep the frames' layout: relative to the folder when one folder is
    given, and relative to the folders' common parent when several are, so
    frames of one character spread over angle or action folders stay apart.
    Anything inside an ``exclude`` folder (such as the output folder) is left
    out, unless that folder is itself a source: naming it is a mistake that
    :func:`prepare_output_folder` reports. Below a source, this tool's own
    output folders are left out too (see :func:`_frames_below`). With ``root``,
    sprites keep the frames' paths below ``root`` instead, so that runs over
    different parts of one render folder (a farm's chunks) write the sprites
    where one run over all of it would. Paths are absolute and lexical (see
    ``paths``). Folders left out because they hold an earlier run's outputs are
    added to ``skipped_folders``, for the caller to name.

    Raises
    ------
    SetupError
        If a source does not exist, or a frame is not inside ``root``.
    """
    if not sources:
        raise SetupError("no frames given: name a folder or PNG files")
    excluded = {absolute(folder) for folder in exclude} - {absolute(source) for source in sources}
    found: list[Path] = []
    for source in map(Path, sources):
        path = absolute(source)
        if path.is_dir():
            found.extend(_frames_below(path, recursive, skipped_folders if skipped_folders is not None else []))
        elif path.is_file():
            found.append(path)
        else:
            raise SetupError(f"{source}: no such file or folder")
    base = frames_base(sources, root)
    if base is not None and root is not None:
        outside = next((path for path in found if not is_inside(path, base)), None)
        if outside is not None:
            raise SetupError(f"{outside}: not inside --root {root}")
    unique = sorted({path for path in found if not any(is_inside(path, folder) for folder in excluded)})
    return [FrameSource(path, _sprite_path(path, base)) for path in unique]


def _check_no_frame_replaced(real_output: Path, frames: Sequence[FrameSource]) -> None:
    """Where the output folder is reached through a symlink, no sprite may land on a frame by its real path."""
    real_frames = {os.path.realpath(frame.path) for frame in frames}
    for frame in frames:
        destination = os.path.realpath(real_output / frame.relative)
        if destination in real_frames:
            raise SetupError(f"{destination}: a sprite would replace this render; choose another output folder")


def prepare_output_folder(output: Path | str, frames: Sequence[FrameSource], sources: Sequence[Path | str]) -> Path:
    """Create ``output`` and check that writing sprites there cannot touch a render.

    Raises
    ------
    SetupError
        If ``output`` is a source folder, a sprite would replace a frame or
        another frame's sprite, or the folder cannot be created or written to.
    """
    output = absolute(output)
    real_output = os.path.realpath(output)
    for source in map(Path, sources):
        # By what the folders are, not their text: an output folder that is a symlink to the renders is the renders.
        if absolute(source) == output or os.path.realpath(source) == real_output:
            raise SetupError(f"{output}: the output folder is an input folder; sprites would replace the renders")
    if real_output != str(output):
        _check_no_frame_replaced(Path(real_output), frames)
    inputs = {frame.path for frame in frames}
    claimed: dict[Path, Path] = {}
    for frame in frames:
        destination = output / frame.relative
        if destination in inputs:
            raise SetupError(f"{destination}: a sprite would replace this render; choose another output folder")
        other = claimed.setdefault(destination, frame.path)
        if other != frame.path:
            raise SetupError(f"{destination}: the sprites of {other} and {frame.path} would both be written here")
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe_writable(output)
        # Only where this run writes: a run of one frame costs the same in a folder of 30,000 sprites.
        remove_stale_temporary_files({(output / frame.relative).parent for frame in frames})
    except OSError as error:
        raise SetupError(f"{output}: cannot write to the output folder ({error.strerror or error})") from error
    return output
