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
    """Small frames, all of one shape, parked in a temporary file between the fit and the writing.

    Each frame keeps only a reference to its source here (the caller's own object, not a copy), so the spool
    adds a few bytes per frame to memory.
    """

    def __init__(self, folder: Path) -> None:
        try:  # unnamed where the OS allows (O_TMPFILE), else hidden and deleted on close
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix=".pixel_sprites_spool_", dir=folder)  # noqa: SIM115
        except OSError as error:
            raise SetupError(
                f"{folder}: cannot hold the spool file ({error.strerror or error}); see --spool-dir"
            ) from error
        self._sources: list[FrameSource] = []
        self._shape: tuple[int, ...] = ()
        self._surface_shape: tuple[int, ...] = ()

    def append(self, source: FrameSource, small: NDArray[np.uint8], surface: NDArray[np.uint8] | None = None) -> None:
        """Park ``small`` (and its surface colours, for Steady Colours: every frame has them, or none does)."""
        surface_shape = surface.shape if surface is not None else ()
        if not self._sources:
            self._shape, self._surface_shape = small.shape, surface_shape
        elif small.shape != self._shape or surface_shape != self._surface_shape:
            raise ValueError(f"the spool holds frames of shape {self._shape}, not {small.shape}")
        self._file.write(np.ascontiguousarray(small).data)
        if surface is not None:
            self._file.write(np.ascontiguousarray(surface).data)
        self._sources.append(source)

    def __len__(self) -> int:
        return len(self._sources)

    def __iter__(self) -> Iterator[tuple[FrameSource, NDArray[np.uint8]]]:
        self._file.flush()
        self._file.seek(0)
        size = int(np.prod(self._shape))
        surface_size = int(np.prod(self._surface_shape)) if self._surface_shape else 0
        for source in self._sources:
            yield source, np.frombuffer(self._file.read(size), dtype=np.uint8).reshape(self._shape)
            if surface_size:
                self._file.seek(surface_size, 1)

    def pixels_at(self, index: int) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None]:
        """The small frame appended ``index``-th and its surface colours, if the spool keeps them (a run of an
        animation's frames takes them out of order)."""
        self._file.flush()
        size = int(np.prod(self._shape))
        surface_size = int(np.prod(self._surface_shape)) if self._surface_shape else 0
        self._file.seek(index * (size + surface_size))
        small = np.frombuffer(self._file.read(size), dtype=np.uint8).reshape(self._shape)
        if not surface_size:
            return small, None
        return small, np.frombuffer(self._file.read(surface_size), dtype=np.uint8).reshape(self._surface_shape)

    def sources(self) -> list[FrameSource]:
        """The frames' sources, in the order they were appended."""
        return list(self._sources)

    def close(self) -> None:
        self._file.close()
