"""Frames → small frames: each frame read and downscaled by the workers, of one size, in order."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError, SetupError
from ..frames.downscale import Downscaler, DownscaleSettings, read_frame, sizes_by_count
from ..frames.sources import FrameSource
from .report import Report
from .surfaces import nearest_means
from .worker_pool import WorkerPool, cancelled

# Frames per task handed to a worker: large enough that the hand-over costs little, small enough for smooth progress.
READ_BATCH = 8


@dataclass
class _Read:
    """What a worker makes of one frame; the frame's source stays with the caller, which has it already."""

    pixels: NDArray[np.uint8] | None = None
    surface: NDArray[np.uint8] | None = None
    frame_shape: tuple[int, int] = (0, 0)
    notes: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class SmallFrame:
    source: FrameSource
    pixels: NDArray[np.uint8]
    surface: NDArray[np.uint8] | None = None
    """Steady Colours with nearest sampling: each sprite pixel's surface colour (see ``surfaces``), taken while the
    frame is at hand; None otherwise."""


@functools.lru_cache(maxsize=4)
def _downscaler(downscale: DownscaleSettings, shape: tuple[int, int]) -> Downscaler:
    """The downscaler of frames of ``shape``, made once per worker: its index arrays cost a fifth of what
    downscaling a frame does."""
    return downscale.downscaler(shape)


def _read_small(path: Path, downscale: DownscaleSettings, surfaces: bool = False) -> _Read:
    try:
        frame = read_frame(path)
    except FrameError as error:
        return _Read(error=error.reason)
    shape = (frame.rgba.shape[0], frame.rgba.shape[1])
    small = _downscaler(downscale, shape)(frame.rgba)
    if downscale.sampling == "majority" and (small.shape[0] > shape[0] or small.shape[1] > shape[1]):
        return _Read(
            error=f"{shape[1]}x{shape[0]} is smaller than the {small.shape[1]}x{small.shape[0]} sprite, and "
            "--sampling majority needs a block of render pixels for each sprite pixel",
        )
    surface = None
    if surfaces:
        sprite_shape = (small.shape[0], small.shape[1])
        opaque = np.flatnonzero(small[:, :, 3].reshape(-1) == 255)
        surface = nearest_means(frame.rgba, sprite_shape, downscale.alpha_threshold, opaque)
    return _Read(small, surface, shape, frame.notes)


def read_small_frame(path: Path, downscale: DownscaleSettings) -> tuple[NDArray[np.uint8], NDArray[np.uint8]] | None:
    """One frame's small frame and surface colours (see :class:`SmallFrame`), or None if it cannot be used: a frame
    read again only for Steady Colours to look back on."""
    read = _read_small(path, downscale, surfaces=True)
    if read.pixels is None or read.surface is None:
        return None
    return read.pixels, read.surface


def _read_batch(paths: list[Path], downscale: DownscaleSettings, surfaces: bool) -> list[_Read]:
    return [_read_small(path, downscale, surfaces) for path in paths]


def _common_size(frames: Sequence[FrameSource], report: Report) -> tuple[list[FrameSource], tuple[int, int] | None]:
    """The frames of the size most of them have, and that size; the others are skipped and named.

    The size is read from each PNG's header, before any frame is decoded, so neither the order of the frames
    nor a stray small one can decide it. Frames whose header cannot be read are kept: reading them names why.

    Raises
    ------
    SetupError
        If two sizes are equally common: which one the renders have cannot be told.
    """
    sizes, counts = sizes_by_count([frame.path for frame in frames])
    if len(counts) <= 1:
        return list(frames), counts[0][0] if counts else None
    (common, count), (runner_up, second_count) = counts[:2]
    if count == second_count:
        raise SetupError(
            f"as many frames are {_wxh(common)} as {_wxh(runner_up)} ({count} each): give the frames of one "
            "size only (one folder per size)"
        )
    kept = []
    for frame, size in zip(frames, sizes, strict=True):
        if size is None or size == common:
            kept.append(frame)
        else:
            report.skip(
                frame.path,
                f"size {_wxh(size)} differs from {_wxh(common)}, the size of {count} of the {len(frames)} frames",
            )
    return kept, common


def _wxh(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def small_frames(
    frames: Sequence[FrameSource],
    downscale: DownscaleSettings,
    report: Report,
    pool: WorkerPool,
    *,
    surfaces: bool = False,
) -> Iterator[SmallFrame]:
    """Downscaled frames in order, all of the most common size; unusable ones are recorded in ``report`` and
    left out. With ``surfaces``, each with its surface colours (see :class:`SmallFrame`)."""
    options = pool.options
    frames, common = _common_size(frames, report)
    expected: tuple[int, int] | None = (common[1], common[0]) if common is not None else None
    if options.progress is not None:  # at once, not when the first batch is back: the user sees the run start
        options.progress("reading", 0, len(frames))
    read_batch = functools.partial(_read_batch, downscale=downscale, surfaces=surfaces)
    batches = pool.map_batches(read_batch, (frame.path for frame in frames), batch_size=READ_BATCH)
    # The results come in the order of the frames, each matched with this process's own source: a copy sent back
    # by the worker would hold a second set of paths, for as long as the run holds the frame.
    results = itertools.chain.from_iterable(batches)  # shorter than the frames if the run is stopped
    for done, (source, item) in enumerate(zip(frames, results, strict=False), start=1):
        if cancelled(options):
            report.cancelled = True
            return
        if options.progress is not None:
            options.progress("reading", done, len(frames))
        if item.error is not None:
            report.skip(source.path, item.error)
            continue
        if expected is None:
            expected = item.frame_shape
        elif item.frame_shape != expected:  # its header said otherwise, or it changed since
            height, width = item.frame_shape
            report.skip(
                source.path, f"size {width}x{height} differs from {expected[1]}x{expected[0]} of the other frames"
            )
            continue
        for note in item.notes:
            report.note(source.path, note)
        assert item.pixels is not None
        yield SmallFrame(source, item.pixels, item.surface)
    report.cancelled = report.cancelled or cancelled(options)
