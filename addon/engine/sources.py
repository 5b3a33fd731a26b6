"""Finding the frames to process and checking where their sprites may go."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .atomic import remove_stale_temporary_files


class SetupError(Exception):
    """A problem that stops the whole run before any file is written."""


@dataclass(frozen=True)
class FrameSource:
    """A frame file and the path of its sprite relative to the output folder."""

    path: Path
    relative: Path


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def discover_frames(
    sources: Sequence[Path | str],
    *,
    exclude: Iterable[Path | str] = (),
    recursive: bool = True,
    root: Path | str | None = None,
) -> list[FrameSource]:
    """The PNG frames in ``sources`` (folders, searched recursively unless told not to, or files), sorted.

    Sprites keep the frames' layout: relative to the folder when one folder is
    given, and relative to the folders' common parent when several are, so
    frames of one character spread over angle or action folders stay apart.
    Anything inside an ``exclude`` folder (such as the output folder) is left
    out, unless that folder is itself a source: naming it is a mistake that
    :func:`prepare_output_folder` reports. With ``root``, sprites keep the
    frames' paths below ``root`` instead, so that runs over different parts of
    one render folder (a farm's chunks) write the sprites where one run over
    all of it would.

    Raises
    ------
    SetupError
        If a source does not exist, or a frame is not inside ``root``.
    """
    if not sources:
        raise SetupError("no frames given: name a folder or PNG files")
    excluded = {Path(folder).resolve() for folder in exclude} - {Path(source).resolve() for source in sources}
    found: list[Path] = []
    roots: list[Path] = []
    for source in map(Path, sources):
        resolved = source.resolve()
        if resolved.is_dir():
            roots.append(resolved)
            found.extend(
                path
                for path in (resolved.rglob("*") if recursive else resolved.iterdir())
                if path.suffix.lower() == ".png" and path.is_file() and not path.name.startswith(".")
            )
        elif resolved.is_file():
            roots.append(resolved.parent)
            found.append(resolved)
        else:
            raise SetupError(f"{source}: no such file or folder")
    base = Path(os.path.commonpath(roots)) if len(set(roots)) > 1 else roots[0]
    if root is not None:
        base = Path(root).resolve()
        outside = next((path for path in found if not _is_inside(path, base)), None)
        if outside is not None:
            raise SetupError(f"{outside}: not inside --root {root}")
    unique = sorted({path for path in found if not any(_is_inside(path, folder) for folder in excluded)})
    return [FrameSource(path, path.relative_to(base)) for path in unique]


def prepare_output_folder(output: Path | str, frames: Sequence[FrameSource], sources: Sequence[Path | str]) -> Path:
    """Create ``output`` and check that writing sprites there cannot touch a render.

    Raises
    ------
    SetupError
        If ``output`` is a source folder, a sprite would replace a frame or
        another frame's sprite, or the folder cannot be created or written to.
    """
    output = Path(output).resolve()
    for source in map(Path, sources):
        if source.resolve() == output:
            raise SetupError(f"{output}: the output folder is an input folder; sprites would replace the renders")
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
        probe = output / f".pixel_sprites_write_test_{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        # Only where this run writes: a run of one frame costs the same in a folder of 30,000 sprites.
        remove_stale_temporary_files({(output / frame.relative).parent for frame in frames})
    except OSError as error:
        raise SetupError(f"{output}: cannot write to the output folder ({error.strerror or error})") from error
    return output
