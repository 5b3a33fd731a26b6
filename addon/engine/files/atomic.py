"""Writing files so that a reader never sees a half-written one."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# Temporary files of write_atomically: ".<name>.<6 hex digits of the run><6 random hex digits>.tmp".
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")
# A write takes milliseconds; a temporary file this old was left by a process that was killed.
STALE_SECONDS = 600
# Bytes a file name may have on nearly every file system (ext4, NTFS, APFS count 255).
_NAME_LIMIT = 255
_SUFFIX_LENGTH = len(".000000000000.tmp")
# The tag of this run's temporary files, so that a run stopped hard removes its own and no other's. Helper
# processes take their run's tag (see use_run_tag).
_run_tag = secrets.token_hex(3)


def run_tag() -> str:
    """The tag in the names of the temporary files this process writes."""
    return _run_tag


def use_run_tag(tag: str) -> None:
    """Write temporary files with ``tag`` (a helper process of a run, with the run's own tag)."""
    global _run_tag
    _run_tag = tag


def temporary_path(path: Path) -> Path:
    """A fresh temporary name beside ``path``: hidden, tagged with the run, and short enough for the file system
    even where ``path``'s own name is near the limit."""
    name = path.name
    while len(f".{name}".encode()) + _SUFFIX_LENGTH > _NAME_LIMIT:
        name = name[: len(name) // 2]
    return path.with_name(f".{name}.{_run_tag}{secrets.token_hex(3)}.tmp")  # see _TEMPORARY


def write_atomically(path: Path | str, data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    An interrupted write leaves either the old file or none, never a truncated one. The file gets the
    usual permissions (0o666 less the umask), as if written directly. ``durable`` flushes the file and then its
    folder to the disk, so that after a power loss the file is there with its data, not renamed and empty: for
    the files that say what the others are (the record, the palette files).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        _flush_folder(path.parent)


def _flush_folder(folder: Path) -> None:
    """The rename itself made durable: on POSIX a folder's entries reach the disk with the folder's fsync."""
    if os.name != "posix":
        return  # Windows: NTFS journals the rename; a folder cannot be opened for fsync
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems (and FUSE mounts) refuse fsync on a folder; the file's data is on disk
    finally:
        os.close(handle)


def remove_stale_temporary_files(folders: Iterable[Path]) -> int:
    """Remove what killed writers left in ``folders``: only our own temporary files, and only old ones.

    Returns how many were removed. Files being written by a live process are minutes younger than any removed.
    """
    cutoff = time.time() - STALE_SECONDS
    return _remove_temporary_files(folders, lambda path: path.stat().st_mtime < cutoff)


def remove_run_temporary_files(folders: Iterable[Path], tag: str | None = None) -> int:
    """Remove the temporary files of the run tagged ``tag`` (this process's own run by default) in ``folders``:
    what a run stopped hard, or stopped by a full disk, leaves behind. Returns how many were removed."""
    tag = tag or _run_tag
    return _remove_temporary_files(folders, lambda path: path.name[-16:-10] == tag)


def _remove_temporary_files(folders: Iterable[Path], chosen: Callable[[Path], bool]) -> int:
    removed = 0
    for path in (found for folder in folders for found in Path(folder).glob(".*.tmp")):
        try:
            if _TEMPORARY.match(path.name) and path.is_file() and chosen(path):
                path.unlink()
                removed += 1
        except OSError:
            continue  # gone already, or not ours to remove: either way nothing to do
    return removed
