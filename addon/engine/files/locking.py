"""One writer at a time for a character shared by several processes or machines.

Every read-modify-write of a character's state (its frame list, palette and
sprites) holds the character's lock: an operating-system lock (``flock``, via
the ``filelock`` library) on ``.<character>.lock`` in the character's folder.
An OS lock goes away with the process that held it, so a killed render never
leaves a lock behind; a process that hangs while holding it makes the others
wait up to the timeout, then fail with a message naming the lock file.

It holds on local file systems, on NFSv4 and on NFSv3 with the lock daemon
(Linux turns ``flock`` on NFS into POSIX byte-range locks), and on SMB shares
mounted with locking on; it does not hold on NFS mounted ``nolock``, or across
machines whose shares do not pass locks on: there, render with a locked
palette, or fit once and apply (the two-phase tasks), which need no lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SetupError

DEFAULT_LOCK_TIMEOUT = 3600.0


@contextmanager
def character_lock(folder: Path | str, name: str, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold the lock of character ``name`` in ``folder``; yields the lock file's path.

    Raises
    ------
    SetupError
        Naming the lock file, if another process held it for ``timeout`` seconds.
    """
    from filelock import FileLock, Timeout

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise SetupError(
            f"{path}: another process has held this character's lock for {timeout:g} s; "
            "if no Pixel Sprites process is still running, the file system may not pass locks on"
        ) from None
    try:
        yield path
    finally:
        lock.release()
