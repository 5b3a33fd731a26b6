"""Paths as this project stores and compares them: lexical, relative where they are kept, on any OS.

Paths are made absolute and normalised lexically (``os.path.abspath``), never through symlinks: two machines
that mount one share at different places, or one folder seen through a symlink, then agree on every path
stored relative to a folder both see. The functions take any ``PurePath`` flavour, so the Windows rules (drives,
``\\\\server\\share``) are the same code on every OS and tested with ``PureWindowsPath``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import TypeVar

_Pure = TypeVar("_Pure", bound=PurePath)


def absolute(path: Path | str) -> Path:
    """``path`` made absolute and normalised lexically (``..`` removed, symlinks kept as they are)."""
    return Path(os.path.abspath(path))


def is_inside(path: PurePath, folder: PurePath) -> bool:
    """Whether ``path`` is ``folder`` or below it (both absolute and lexical)."""
    return path == folder or folder in path.parents


def _comparable(path: PurePath) -> list[str]:
    # Windows compares names (drives and shares too) case-insensitively.
    return [part.casefold() for part in path.parts] if isinstance(path, PureWindowsPath) else list(path.parts)


def common_folder(paths: Sequence[_Pure]) -> _Pure | None:
    """The deepest folder holding every path, or None when they lie on different drives (``C:`` and ``D:``).

    ``os.path.commonpath`` raises ``ValueError`` there; a caller must choose what to do instead.
    """
    if not paths:
        return None
    first = paths[0]
    shared = len(first.parts)
    for other in paths[1:]:
        mine, theirs = _comparable(first), _comparable(other)
        length = 0
        while length < min(shared, len(theirs)) and mine[length] == theirs[length]:
            length += 1
        shared = length
    if shared == 0:  # not even the anchor in common: another drive
        return None
    return type(first)(*first.parts[:shared])


def relative_path(path: _Pure, folder: _Pure) -> PurePosixPath | None:
    """``path`` relative to ``folder``, lexically, with ``..`` where it lies outside; ``/``-separated.

    None when the two are on different drives, where no relative path exists.
    """
    common = common_folder([path, folder])
    if common is None:
        return None
    ups = [".."] * (len(folder.parts) - len(common.parts))
    downs = list(path.parts[len(common.parts) :])
    return PurePosixPath(*ups, *downs) if ups or downs else PurePosixPath(".")


def below_anchor(path: PurePath) -> PurePosixPath:
    """``path`` without its drive or root: ``D:\\renders\\walk\\0001.png`` → ``renders/walk/0001.png``."""
    return PurePosixPath(*path.parts[1:]) if path.anchor else PurePosixPath(*path.parts)


def portable(path: PurePath) -> str:
    """``path`` with ``/`` separators, as every stored path is written."""
    return path.as_posix()
