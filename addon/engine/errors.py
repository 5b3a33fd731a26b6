"""Every error the engine raises on purpose, in one place: each names the file or option and the problem."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any


class SetupError(Exception):
    """A problem that stops the whole run before any file is written; the message names the file or option."""


class OutputError(SetupError):
    """The outputs cannot be written at all (a full disk, a quota, a read-only file system): the run stops at once,
    having removed its temporary files; the message names the folder and the problem."""


# What no later write can get past: a run that meets one of these stops rather than skipping frame after frame.
FATAL_WRITE_ERRORS = frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EROFS") if hasattr(errno, name))


class OptionError(ValueError):
    """A value outside what its option allows; the message names the option."""


class FrameError(Exception):
    """A frame that cannot be used, with the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class PaletteFileError(Exception):
    """A palette file that cannot be read, naming the file and the problem."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class SheetError(SetupError):
    """A sheet that cannot be laid out as asked; the message names the setting."""


class Cancelled(Exception):
    """The run was cancelled; the report so far is attached."""

    def __init__(self, report: Any) -> None:  # the Report of the sprites stage, which raises this
        super().__init__("cancelled")
        self.report = report
