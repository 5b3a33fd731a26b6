"""Small frames parked in a temporary file between the palette fit and the writing, so memory stays flat."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from ..errors import SetupError
from ..frames.sources import FrameSource


class Spool:
    """Small frames parked in a temporary file between the fit and the writing."""

    def __init__(self, folder: Path) -> None:
        try:  # unnamed where the OS allows (O_TMPFILE), else hidden and deleted on close
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix=".pixel_sprites_spool_", dir=folder)  # noqa: SIM115
        except OSError as error:
            raise SetupError(
                f"{folder}: cannot hold the spool file ({error.strerror or error}); see --spool-dir"
            ) from error
        self._entries: list[tuple[FrameSource, tuple[int, ...]]] = []

    def append(self, source: FrameSource, small: NDArray[np.uint8]) -> None:
        self._file.write(small.tobytes())
        self._entries.append((source, small.shape))

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[tuple[FrameSource, NDArray[np.uint8]]]:
        self._file.flush()
        self._file.seek(0)
        for source, shape in self._entries:
            data = self._file.read(int(np.prod(shape)))
            yield source, np.frombuffer(data, dtype=np.uint8).reshape(shape)

    def close(self) -> None:
        self._file.close()
