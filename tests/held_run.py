"""Command-line runs with the write of one sprite held, for the tests that stop a run while it writes.

Stopping a run "while it writes" by watching its output folder races the workers: a fast machine finishes before
the stop, a loaded one is stopped before any sprite. Here every process of the run (the command and its workers,
forked or spawned) loads hooks as it starts, from a ``sitecustomize`` on its ``PYTHONPATH``. They hold the write
of one chosen sprite and tell the test, over a local socket: each process's id as it starts (``started``), the
held write once it is reached (``reached``), and each stop signal once the command's own handler has run
(``handled``). The test acts on these events, so the run is stopped at the same point on every machine.

Two holds:

``kill``
    Half the sprite's bytes are written, then the process waits to be killed: a SIGKILL in the middle of a write.
``release``
    The write waits until the test calls :meth:`HeldRun.release`, then goes on as usual.

This module runs in the test and, through ``install``, in the processes of the run: it imports the standard
library only.
"""

from __future__ import annotations

import builtins
import io
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

_ADDRESS = "PIXEL_SPRITES_TEST_EVENTS"  # host:port of the test's socket
_SPRITE = "PIXEL_SPRITES_TEST_HELD_SPRITE"  # the file name of the sprite whose write is held
_HOLD = "PIXEL_SPRITES_TEST_HOLD"  # "kill" or "release"
# How long the test waits for an event at most: it only guards against a run that hangs, and a run that ends
# instead is noticed within a second.
EVENT_TIMEOUT = 120.0


class HeldRun:
    """The test's side: the environment that holds a run's write of ``sprite``, and the events of that run."""

    def __init__(self, folder: Path, sprite: str, hold: str) -> None:
        if hold not in ("kill", "release"):
            raise ValueError(f"hold is 'kill' or 'release', not {hold!r}")
        self.sprite, self.hold = sprite, hold
        self.pids: set[int] = set()  # every process of the run that started with the hooks
        self._hooks = folder / "hooks"
        self._hooks.mkdir(parents=True)
        (self._hooks / "sitecustomize.py").write_text("import held_run\n\nheld_run.install()\n")
        self._server = socket.create_server(("127.0.0.1", 0))
        self._held: socket.socket | None = None  # the connection of the held write, answered by release()

    def environment(self) -> dict[str, str]:
        host, port = self._server.getsockname()[:2]
        python_path = [str(self._hooks), str(Path(__file__).resolve().parent)]
        if os.environ.get("PYTHONPATH"):
            python_path.append(os.environ["PYTHONPATH"])
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(python_path),
            _ADDRESS: f"{host}:{port}",
            _SPRITE: self.sprite,
            _HOLD: self.hold,
        }

    def wait_for(self, kind: str, process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> str:
        """The words of the next event of ``kind``; the ids of processes that start meanwhile are kept in
        :attr:`pids`. Fails if ``process`` ends first."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        while time.monotonic() < deadline:
            event = self._next_event(timeout=1.0)
            if event is None:
                if process.poll() is not None:
                    self.drain()
                    raise AssertionError(f"the run ended (exit code {process.returncode}) before {kind!r}")
                continue
            if event[0] == kind:
                return event[1]
        raise AssertionError(f"no {kind!r} event in {EVENT_TIMEOUT:g} s: the run hangs")

    def drain(self) -> None:
        """Keep the ids of the processes that reported since the last event waited for."""
        while self._next_event(timeout=0) is not None:
            pass

    def release(self) -> None:
        """Let the held write go on."""
        assert self._held is not None, "no write is held"
        self._held.sendall(b"go\n")
        self._held.close()
        self._held = None

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
        self._server.close()

    def __enter__(self) -> HeldRun:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _next_event(self, timeout: float) -> tuple[str, str] | None:
        self._server.settimeout(timeout)
        try:
            connection, _ = self._server.accept()
        except (TimeoutError, BlockingIOError):
            return None
        connection.settimeout(EVENT_TIMEOUT)
        line = connection.makefile("rb").readline().decode().strip()
        kind, _, words = line.partition(" ")
        if kind == "started":
            self.pids.add(int(words))
        if kind == "reached":
            self._held = connection  # answered by release(), or closed with the test
        else:
            connection.close()
        return kind, words


# In the processes of the run.


def _tell(line: str, *, wait_for_answer: bool = False) -> None:
    host, port = os.environ[_ADDRESS].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port))) as connection:
            connection.sendall(line.encode() + b"\n")
            if wait_for_answer:
                connection.recv(16)  # "go", or nothing once the test has given up
    except OSError:
        pass  # the test is gone: there is no one to tell, and the run must not fail for it


class _Hold:
    """Holds the first write of the chosen sprite (under its own name or a temporary one) in this process."""

    def __init__(self, sprite: str, hold: str) -> None:
        self.sprite, self.hold = sprite, hold
        self.done = False
        self.fds: set[int] = set()  # descriptors os.open gave for the sprite, not written yet

    def names_the_sprite(self, file: object) -> bool:
        if self.done or not isinstance(file, (str, bytes, os.PathLike)):
            return False
        name = os.path.basename(os.fsdecode(file))
        return name == self.sprite or name.startswith(f".{self.sprite}.")  # a temporary file of the sprite

    def write(self, real_write: Callable[[bytes], int], data: bytes) -> int:
        """Hold this write, which ``real_write`` makes (it must reach the file at once, unbuffered)."""
        self.done = True
        if self.hold == "kill":
            real_write(bytes(data[: len(data) // 2]))
            _tell(f"reached {self.sprite}")
            threading.Event().wait()  # until the test kills the process
        _tell(f"reached {self.sprite}", wait_for_answer=True)
        return real_write(data)


class _HeldFile:
    """A file whose first write is held; the rest is the file's own."""

    def __init__(self, file: io.IOBase, hold: _Hold) -> None:
        self._file, self._hold = file, hold

    def write(self, data: bytes) -> int:
        if self._hold.done:
            return self._file.write(data)

        def write_and_flush(chunk: bytes) -> int:
            written = self._file.write(chunk)
            self._file.flush()
            return written

        return self._hold.write(write_and_flush, data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._file, name)

    def __enter__(self) -> _HeldFile:
        return self

    def __exit__(self, *_: object) -> None:
        self._file.close()


def install() -> None:
    """Hook this process (and the ones it forks): report its id, hold the sprite's write, report stop signals."""
    if _ADDRESS not in os.environ:
        return
    hold = _Hold(os.environ[_SPRITE], os.environ[_HOLD])
    real_open, real_os_open, real_os_write, real_signal = io.open, os.open, os.write, signal.signal

    def os_open(path, flags, *args, **kwargs):
        fd = real_os_open(path, flags, *args, **kwargs)
        if flags & (os.O_WRONLY | os.O_RDWR) and hold.names_the_sprite(path):
            hold.fds.add(fd)
        return fd

    def os_write(fd, data):
        if fd in hold.fds and not hold.done:
            return hold.write(lambda chunk: real_os_write(fd, chunk), data)
        return real_os_write(fd, data)

    def open_file(file, mode="r", *args, **kwargs):
        opened = real_open(file, mode, *args, **kwargs)
        writes = any(letter in mode for letter in "wax+")
        held = file in hold.fds if isinstance(file, int) else hold.names_the_sprite(file)
        return _HeldFile(opened, hold) if writes and held and not hold.done else opened

    def set_handler(number, handler):
        if number not in (signal.SIGINT, signal.SIGTERM) or not callable(handler):
            return real_signal(number, handler)

        def handle_then_tell(number, frame):
            try:
                return handler(number, frame)
            finally:
                _tell(f"handled {signal.Signals(number).name}")

        return real_signal(number, handle_then_tell)

    os.open, os.write, signal.signal = os_open, os_write, set_handler
    io.open = builtins.open = open_file  # os.fdopen and pathlib open files through io.open
    _tell(f"started {os.getpid()}")
    os.register_at_fork(after_in_child=lambda: _tell(f"started {os.getpid()}"))
