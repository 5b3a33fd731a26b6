"""Steady Colours' sprite writing: each run of an animation's frames steadied (``stabilise``), then finished and
written as every sprite is (``writing``).

The character palette's indices are steadied first; the target palette, clean-up, outlines and inner lines follow
from them, and the normal sprite keeps the normals sampled for each pixel (its opacity is the colour sprite's:
steadying keeps a pixel's opacity). Workers get whole runs (``steady_runs``), so each frame is steadied with the
same frames before it however the frames were split between runs, batches or chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import match_to_palette
from ..errors import FrameError
from ..files.atomic import run_tag, use_run_tag
from ..frames.downscale import DownscaleSettings, png_size, read_frame
from ..palette.majority import MajorityDownscaler
from ..palette.remap import ErrorStats, Remapper
from .normal_sprites import frame_normals, normal_sprite
from .report import Report
from .small_frames import SmallFrame, read_small_frame
from .spool import Spool
from .stabilise import SteadyChains, SteadyFrame, majority_frame, nearest_frame
from .steady_runs import SteadyItem, planned_runs, run_items
from .worker_pool import WorkerPool
from .writing import FinishedSprite, OutputSettings, SpriteWriter, WrittenBatch, count_written, given


@dataclass(frozen=True)
class _Looked:
    """What one frame gives: the rule's view of it, and for a frame to write its nearest-downscaled frame (the
    colour error's reference), its render alpha (majority: for inner lines) and its normals or why it has none."""

    frame: SteadyFrame
    render_alpha: NDArray[np.uint8] | None
    normals: NDArray[np.float32] | None
    normal_error: FrameError | None
    lab: NDArray[np.float64] | None = None
    """Nearest sampling: the CIELAB of each opaque pixel of the small frame, which the colour error is measured from."""


@dataclass(frozen=True)
class SteadyWriter:
    """Steady and write runs of an animation's frames (lists of :class:`SteadyItem`); picklable, as
    :class:`SpriteWriter` is."""

    writer: SpriteWriter

    def __call__(self, runs: list[list[SteadyItem]]) -> WrittenBatch:
        use_run_tag(self.writer.temporary_tag)
        outcome = WrittenBatch(0, [], ErrorStats(), [], [], [])
        for run in runs:
            self.writer.write(self._steadied(run, outcome), outcome)
            if outcome.fatal is not None:
                break
        return outcome

    def _steadied(self, run: list[SteadyItem], outcome: WrittenBatch) -> Iterator[FinishedSprite]:
        """The run's sprites to write, each from its frame's steadied palette indices."""
        writer = self.writer
        first = next(item for item in run if item.relative is not None and item.small is not None)
        assert first.small is not None and first.relative is not None
        sprite_shape = first.small.shape[:2]
        chains = SteadyChains(writer.remapper.palette)
        majority: dict[tuple[int, int], MajorityDownscaler] = {}
        for item in run:
            try:
                # A frame only looked back on has the sprite path its sibling's would have: its normal frame's place.
                relative = item.relative or first.relative.parent / item.path.name
                looked = self._look(item, relative, (sprite_shape[0], sprite_shape[1]), majority)
            except FrameError as error:
                if item.relative is not None:
                    outcome.failures.append((item.path, error.reason))
                continue  # a frame only looked back on that cannot be used is left out, as every run leaves it
            steadied = chains.add(item.position, looked.frame)
            if item.relative is None:
                continue
            assert item.small is not None  # every frame written was read by the run's reading stage
            sprite = writer.remapper.remap_palette_indices(steadied.reshape(sprite_shape), item.small, looked.lab)
            normals = None
            if writer.output.normals is not None:
                sampled = given(looked.normals) if looked.normals is not None else _raiser(looked.normal_error)
                normals = normal_sprite(writer.output.normals, sprite.rgba, sampled, outcome.normal_problems)
            lines = writer.inner_lines(item.path, item.relative, sprite.rgba, outcome, looked.render_alpha)
            yield (item.path, item.relative), sprite, normals, lines

    def _look(
        self,
        item: SteadyItem,
        relative: Path,
        sprite_shape: tuple[int, int],
        majority: dict[tuple[int, int], MajorityDownscaler],
    ) -> _Looked:
        """The frame of ``item`` as the rule sees it, read from disk where the run was not given it.

        Raises
        ------
        FrameError
            If the frame cannot be used.
        """
        if self.writer.downscale.sampling == "majority":
            return self._look_by_majority(item.path, relative, sprite_shape, majority)
        small, surface = item.small, item.surface
        if small is None or surface is None:
            read = read_small_frame(item.path, self.writer.downscale)
            if read is None:
                raise FrameError(item.path, "cannot be read again to look back on")
            small, surface = read
        if small.shape[:2] != sprite_shape:
            raise FrameError(item.path, "is not of the other frames' size")
        flat = small.reshape(-1, 4)
        opaque = np.flatnonzero(flat[:, 3] == 255)
        fitted, inverse, lab = match_to_palette(flat[opaque, :3], self.writer.remapper.palette)
        indices = np.full(len(flat), -1, dtype=np.intp)
        indices[opaque] = fitted[inverse]
        normals, error = self._nearest_normals(item.path, relative)
        steady = nearest_frame(
            indices.reshape(sprite_shape), small[:, :, :3], surface, self.writer.remapper.palette, normals
        )
        return _Looked(steady, None, normals, error, lab[inverse])

    def _nearest_normals(self, path: Path, relative: Path) -> tuple[NDArray[np.float32] | None, FrameError | None]:
        """The normals of the very pixels a nearest-sampled sprite's colours come from, or why there are none."""
        settings = self.writer.output.normals
        if settings is None:
            return None, None
        size = png_size(path)
        if size is None:
            return None, FrameError(path, "cannot be read again for its normals")
        shape = (size[1], size[0])
        try:
            full = frame_normals(settings, path, relative, shape)
        except FrameError as error:
            return None, error
        return self.writer.downscale.downscaler(shape).sample(full).astype(np.float32), None

    def _look_by_majority(
        self,
        path: Path,
        relative: Path,
        sprite_shape: tuple[int, int],
        majority: dict[tuple[int, int], MajorityDownscaler],
    ) -> _Looked:
        writer = self.writer
        try:
            rgba = read_frame(path).rgba
        except FrameError as unreadable:
            raise FrameError(path, f"{unreadable.reason}, when read again for --sampling majority") from unreadable
        shape = (rgba.shape[0], rgba.shape[1])
        if shape[0] < sprite_shape[0] or shape[1] < sprite_shape[1]:
            raise FrameError(path, "changed since it was first read: it is now smaller than the sprite")
        if shape not in majority:
            threshold = writer.downscale.alpha_threshold
            majority[shape] = MajorityDownscaler(shape, sprite_shape, writer.remapper.palette, threshold)
        downscaler = majority[shape]
        settings = writer.output.normals
        full, error = None, None
        if settings is not None:
            try:
                full = frame_normals(settings, path, relative, shape)
            except FrameError as problem:  # no usable normal frame: the colours as ever, a flat normal
                error = problem
        indices, shares, normals = downscaler.indices_and_shares(rgba, full)
        return _Looked(majority_frame(indices, shares, normals), rgba[:, :, 3], normals, error)


def _raiser(error: FrameError | None) -> Callable[[], NDArray[np.float32]]:
    def sampled() -> NDArray[np.float32]:
        assert error is not None
        raise error

    return sampled


def write_steady_sprites(
    spool: Spool,
    remapper: Remapper,
    output: OutputSettings,
    downscale: DownscaleSettings,
    report: Report,
    pool: WorkerPool,
) -> None:
    """Write the steadied sprite of every small frame in ``spool``, run by run, counting them in ``report`` (as
    ``writing.write_sprites`` does for plain sprites)."""
    writer = SteadyWriter(SpriteWriter(remapper, output, downscale, run_tag()))
    runs = planned_runs(spool.sources(), pool.helpers + 1)
    count_written(pool.map_batches(writer, run_items(runs, spool), batch_size=1), len(spool), output, report, pool)


def steady_surfaces(output: OutputSettings, downscale: DownscaleSettings) -> bool:
    """Whether the frames' reading keeps their surface colours: Steady Colours with nearest sampling (majority
    sampling reads each frame again when it writes its sprite, and takes them then)."""
    return output.stabilise and downscale.sampling != "majority"


def spooled(items: Iterable[SmallFrame], spool: Spool) -> Spool:
    """``spool`` holding ``items``: an apply's frames, parked until every one of an animation's runs is known."""
    for item in items:
        spool.append(item.source, item.pixels, item.surface)
    return spool
