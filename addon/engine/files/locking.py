"""One writer at a time for a character shared by several processes or machines.

Every read-modify-write of a character's state (its frame list, palette and sprites) holds the character's
lock, and so does every run that writes a palette (``process``, ``fit``, the add-on's refits), for the whole run:
an operating-system lock (``flock``; on Windows ``LockFileEx`` through the ``filelock`` library) on
``.<character>.lock`` in the character's folder (``.palette.lock`` for a folder's palette). The holder writes its
host and process number into the file, so that a process that waits too long can name it. An OS lock goes away
with the process that held it, so a killed render never leaves a lock behind; a process that hangs while holding
it makes the others wait up to the timeout, then fail with a message naming the lock file and its holder.

It holds on local file systems, on NFSv4 and on NFSv3 with the lock daemon (Linux turns ``flock`` on NFS into
POSIX byte-range locks), and on SMB shares mounted with locking on; it does not hold on NFS mounted ``nolock``,
or across machines whose shares do not pass locks on: there, two runs into one folder at once may leave a palette
file that does not match every sprite; render with a locked palette, or fit once and apply (the two-phase tasks,
whose chunks write distinct sprites and no palette), which need no lock.

The lock is re-entrant within a thread: a run that holds it may call code that takes it again.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SetupError

DEFAULT_LOCK_TIMEOUT = 3600.0
_POLL_SECONDS = 0.05
_held: dict[tuple[str, int], int] = {}  # (lock file, thread) → depth, for re-entry
_held_guard = threading.Lock()


def lock_holder(path: Path) -> str:
    """Who holds (or last held) the lock at ``path``, as its holder wrote it; empty if unknown."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _timed_out(path: Path, timeout: float) -> SetupError:
    holder = lock_holder(path)
    held_by = f" by {holder}" if holder else ""
    return SetupError(
        f"{path}: held{held_by} for {timeout:g} s, so this run cannot write the character's palette and sprites; "
        "wait for that run to finish, or, if no Pixel Sprites process is still running there, the file system may "
        "not pass locks on"
    )


@contextmanager
def _os_lock(path: Path, timeout: float) -> Iterator[None]:
    if os.name != "posix":  # Windows: filelock's LockFileEx, which keeps other processes from reading the file
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise _timed_out(path, timeout) from None
        try:
            yield
        finally:
            lock.release()
        return
    import fcntl

    # Opened without truncating (unlike filelock), so that the holder's name stays readable while others wait.
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _timed_out(path, timeout) from None
                time.sleep(_POLL_SECONDS)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"host {socket.gethostname()} process {os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


@contextmanager
def character_lock(folder: Path | str, name: str, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold the lock of character ``name`` in ``folder``; yields the lock file's path.

    Raises
    ------
    SetupError
        Naming the lock file and its holder, if another process held it for ``timeout`` seconds.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    key = (os.path.abspath(path), threading.get_ident())
    with _held_guard:
        depth = _held.get(key, 0)
        _held[key] = depth + 1
    try:
        if depth:
            yield path
            return
        with _os_lock(path, timeout):
            yield path
    finally:
        with _held_guard:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]
