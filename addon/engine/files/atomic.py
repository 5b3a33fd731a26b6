"""Writing files so that a reader never sees a half-written one."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

# Temporary files of write_atomically: ".<name>.<12 hex digits>.tmp".
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")
# A write takes milliseconds; a temporary file this old was left by a process that was killed.
STALE_SECONDS = 600


def write_atomically(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    An interrupted write leaves either the old file or none, never a truncated one. The file gets the
    usual permissions (0o666 less the umask), as if written directly.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")  # see _TEMPORARY
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_stale_temporary_files(folders: Iterable[Path]) -> int:
    """Remove what killed writers left in ``folders``: only our own temporary files, and only old ones.

    Returns how many were removed. Files being written by a live process are minutes younger than any removed.
    """
    removed = 0
    cutoff = time.time() - STALE_SECONDS
    for path in (found for folder in folders for found in Path(folder).glob(".*.tmp")):
        try:
            if _TEMPORARY.match(path.name) and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue  # gone already, or not ours to remove: either way nothing to do
    return removed
