"""Steady Colours' work plan: each animation's frames cut into runs, each with the frames it looks back on.

An animation is the frames directly in one folder, in natural name order (``stabilise.animation_order``), as the
folder holds them on disk, whichever of them a run was given: a frame's position is its place among them all, so
that a farm's chunk, one action rendered again and one run over everything give each frame the same position.
A run is the given frames of :func:`run_length` positions (a multiple of ``LOOK_BACK``, so a run re-reads only
``LOOK_BACK`` frames before it), with every frame from its first frame's chain start to its last frame: those not
given (or given to another run) are only looked back on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..frames.sources import FrameSource, folder_frames
from .spool import Spool
from .stabilise import LOOK_BACK, animation_order, chain_start

RUN_LENGTH = 8 * LOOK_BACK
"""The fewest positions per run handed to a worker: long enough that the frames it looks back on cost little."""
LONGEST_RUN = 32 * LOOK_BACK
"""The most positions per run. A run travels to its worker with its small frames and surface colours (about 60 kB a
frame at 64x90), and up to three a worker are in flight: 128 positions keep that near 45 MB on two workers, where
256 held twice as much (3,000 frames steadied peaked at 263 MiB, 194 MiB now, plain 129 MiB) for no speed."""
RUNS_PER_WORKER = 3
"""Runs are made longer (whole animations where they can) until there are about this many per worker: as many
runs as keep the workers busy, and no more frames read again than that takes."""


@dataclass(frozen=True)
class PlannedFrame:
    """One frame of a run: its position in its animation, its file, its sprite's path (None: only looked back on)
    and its place in the spool (None: not read by this run yet, the worker reads it)."""

    position: int
    path: Path
    relative: Path | None
    spooled: int | None


@dataclass(frozen=True)
class SteadyItem:
    """One frame of a run as a worker gets it: :class:`PlannedFrame` with its small frame and surface colours (see
    ``small_frames.SmallFrame``), if the spool had them."""

    position: int
    path: Path
    relative: Path | None
    small: NDArray[np.uint8] | None
    surface: NDArray[np.uint8] | None = None


def run_length(frames: int, workers: int) -> int:
    """Positions per run for ``frames`` frames on ``workers`` workers: a multiple of ``LOOK_BACK`` from
    :data:`RUN_LENGTH` to :data:`LONGEST_RUN`. Where the runs are cut changes no sprite: only how many frames are
    read twice."""
    # One worker gains nothing from more runs than one: each would only read its look-back frames again.
    wanted = frames if workers <= 1 else -(-frames // (RUNS_PER_WORKER * workers))
    return max(RUN_LENGTH, min(LONGEST_RUN, LOOK_BACK * -(-wanted // LOOK_BACK)))


def planned_runs(sources: Sequence[FrameSource], workers: int = 1) -> list[list[PlannedFrame]]:
    """The runs of the frames ``sources`` (in spool order) for ``workers`` workers, animation by animation, each
    run in position order."""
    length = run_length(len(sources), workers)
    spooled = {source.path: index for index, source in enumerate(sources)}
    by_folder: dict[Path, list[FrameSource]] = {}
    for source in sources:
        by_folder.setdefault(source.path.parent, []).append(source)
    runs: list[list[PlannedFrame]] = []
    for folder in sorted(by_folder, key=str):
        given = by_folder[folder]
        animation = animation_order(set(folder_frames(folder)) | {source.path for source in given})
        position = {path: index for index, path in enumerate(animation)}
        own = sorted(given, key=lambda source: position[source.path])
        for _, run_sources in groupby(own, key=lambda source: position[source.path] // length):
            written = {source.path: source.relative for source in run_sources}
            first, last = min(position[path] for path in written), max(position[path] for path in written)
            runs.append(
                [
                    PlannedFrame(index, path, written.get(path), spooled.get(path))
                    for index, path in enumerate(animation[chain_start(first) : last + 1], start=chain_start(first))
                ]
            )
    return runs


def run_items(runs: Sequence[list[PlannedFrame]], spool: Spool) -> Iterator[list[SteadyItem]]:
    """Each run as its worker gets it, the small frames the spool has taken out of it as the run is handed on."""
    for run in runs:
        yield [
            SteadyItem(frame.position, frame.path, frame.relative, *spool.pixels_at(frame.spooled))
            if frame.spooled is not None
            else SteadyItem(frame.position, frame.path, frame.relative, None)
            for frame in run
        ]
