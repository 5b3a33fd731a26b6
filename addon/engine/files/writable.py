"""Whether a run can write where it means to, asked before any work: a read-only target found only when its file
is written would leave a run half done (every sprite written, then a traceback for the report or the sheets)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from ..errors import SetupError
from .paths import absolute

# The hidden name of every write probe (the output folder's too, ``frames.sources.prepare_output_folder``), so
# that a probe left by a killed run is known for what it is.
PROBE_PREFIX = ".pixel_sprites_write_test_"


def _nearest_existing(folder: Path) -> Path:
    """``folder``, or its nearest ancestor that exists: where the run would create the missing folders."""
    return next((candidate for candidate in (folder, *folder.parents) if candidate.exists()), folder)


def probe_writable(folder: Path) -> None:
    """Create and remove a hidden probe file in ``folder``; raises ``OSError`` where that fails."""
    # Creating a file is the only sure test: permissions say nothing on a read-only mount, and root ignores them.
    # The name is unique across machines and containers sharing the folder, whose process numbers repeat.
    probe = folder / f"{PROBE_PREFIX}{uuid.uuid4().hex}"
    with open(probe, "xb"):
        pass
    probe.unlink()


def check_folders_writable(folders: Iterable[Path]) -> None:
    """Refuse, naming the folder, if a file cannot be created in any of ``folders`` (the folders a run writes its
    files into). A folder that does not exist yet is checked where the run would create it, in its nearest
    existing ancestor; nothing is created, and each probe file is removed at once.

    Raises
    ------
    SetupError
        ``<folder>: cannot write here (<reason>)``, for the first such folder.
    """
    checked: set[Path] = set()
    for folder in folders:
        folder = absolute(folder)
        existing = _nearest_existing(folder)
        if existing in checked:
            continue
        checked.add(existing)
        if not existing.is_dir():
            raise SetupError(f"{folder}: cannot write here ({existing} is a file, not a folder)")
        try:
            probe_writable(existing)
        except OSError as error:
            reason = error.strerror or str(error)
            where = "" if existing == folder else f"; it would be created in {existing}"
            raise SetupError(f"{folder}: cannot write here ({reason}{where})") from error
