"""What a command does while it runs: a progress bar on a terminal, and stopping cleanly on SIGINT or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from typing import TextIO

from ..engine.sprites.report import Report


class ProgressBar:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or (done % 8 and done != total):
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{stage:8s} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


class StopRequests:
    """SIGINT and SIGTERM set a flag that the run checks between stages and batches.

    A ``KeyboardInterrupt`` raised wherever the main thread happens to be can be swallowed by compiled code
    (scikit-learn's k-means prints "Exception ignored" and goes on); a flag is never lost, and the run then
    stops at its next check, writes its report and exits with 128 + the signal number. A second Ctrl-C
    stops at once. A SIGINT the shell set to be ignored (a background job) stays ignored.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_number: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                previous = signal.getsignal(number)
                if previous is not signal.SIG_IGN:
                    self._previous[number] = previous
                    signal.signal(number, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)  # type: ignore[arg-type]

    def _handle(self, number: int, _frame: object) -> None:
        if self.event.is_set() and number == signal.SIGINT:
            raise KeyboardInterrupt
        self.signal_number = number
        self.event.set()

    @property
    def exit_code(self) -> int:
        return 128 + (self.signal_number or signal.SIGINT)


def print_skipped(report: Report) -> None:
    """Every frame skipped, and every note on a frame made without a part of it (a normal or depth frame that is
    missing or unusable), one line each on stderr: the report file has them too."""
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for path, text in report.notes:
        print(f"note: {path}: {text}", file=sys.stderr)
