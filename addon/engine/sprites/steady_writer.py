"""Steady Colours' sprite writing: each run of an animation's frames steadied (``stabilise``), then finished and
written as every sprite is (``writing``).

The character palette's indices are steadied first; the target palette, clean-up, outlines and inner lines follow
from them, and the normal sprite keeps the normals sampled for each pixel (its opacity is the colour sprite's:
steadying keeps a pixel's opacity). Workers get whole runs (``steady_runs``), so each frame is steadied with the
same frames before it however the frames were split between runs, batches or chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..colour.nearest import MatchedColours, match_colours
from ..errors import FrameError
from ..files.atomic import run_tag, use_run_tag
from ..frames.downscale import DownscaleSettings, png_size, read_frame
from ..palette.majority import MajorityDownscaler
from ..palette.remap import ErrorStats, Remapper
from .normal_sprites import frame_normals, normal_sprite
from .report import Report
from .small_frames import SmallFrame, read_small_frame
from .spool import Spool
from .stabilise import LOOK_BACK, SteadyChains, SteadyFrame, majority_frame, nearest_frames
from .steady_runs import SteadyItem, planned_runs, run_items
from .worker_pool import WorkerPool
from .writing import FinishedSprite, OutputSettings, SpriteWriter, WrittenBatch, count_written, given

LOOK_GROUP = 2 * LOOK_BACK
"""Frames looked at together: their colours are matched, converted and measured in a few whole-array steps each,
which cost little more for eight frames than for one."""


@dataclass(frozen=True)
class _Looked:
    """What one frame gives: the rule's view of it, and for a frame to write its render alpha (majority: for inner
    lines), its normals or why it has none, and its opaque pixels' colours among its group's distinct colours
    (nearest: the colour error is measured from them)."""

    frame: SteadyFrame
    render_alpha: NDArray[np.uint8] | None
    normals: NDArray[np.float32] | None
    normal_error: FrameError | None
    colour_of_pixel: NDArray[np.intp] | None = None


@dataclass(frozen=True)
class _NearestRead:
    """A nearest-sampled frame's small frame, surface colours, opaque pixels (flat) and normals or why it has none."""

    small: NDArray[np.uint8]
    surface: NDArray[np.uint8]
    opaque: NDArray[np.intp]
    normals: NDArray[np.float32] | None
    normal_error: FrameError | None


@dataclass(frozen=True)
class _Group:
    """A group's frames as the rule sees them (a frame that cannot be used: why), and with nearest sampling the
    distinct colours of their small frames matched to the palette."""

    looked: list[_Looked | FrameError]
    colours: MatchedColours | None = None


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
        first = next(item for item in run if item.relative is not None and item.small is not None)
        assert first.small is not None and first.relative is not None
        sprite_shape = (first.small.shape[0], first.small.shape[1])
        chains = SteadyChains(self.writer.remapper.palette)
        majority: dict[tuple[int, int], MajorityDownscaler] = {}
        for start in range(0, len(run), LOOK_GROUP):
            items = run[start : start + LOOK_GROUP]
            # A frame only looked back on has the sprite path its sibling's would have: its normal frame's place.
            relatives = [item.relative or first.relative.parent / item.path.name for item in items]
            if self.writer.downscale.sampling == "majority":
                looks = [
                    _or_reason(self._look_by_majority, item.path, relative, sprite_shape, majority)
                    for item, relative in zip(items, relatives, strict=True)
                ]
                group = _Group(looks)
            else:
                group = self._look_nearest(items, relatives, sprite_shape)
            steadied = []
            for item, looked in zip(items, group.looked, strict=True):
                if isinstance(looked, FrameError):
                    if item.relative is not None:
                        outcome.failures.append((item.path, looked.reason))
                    continue  # a frame only looked back on that cannot be used is left out, as every run leaves it
                indices = chains.add(item.position, looked.frame)
                if item.relative is not None:
                    steadied.append((item, looked, indices.reshape(sprite_shape)))
            yield from self._finished(steadied, group.colours, outcome)

    def _finished(
        self,
        steadied: list[tuple[SteadyItem, _Looked, NDArray[np.intp]]],
        colours: MatchedColours | None,
        outcome: WrittenBatch,
    ) -> Iterator[FinishedSprite]:
        """The sprites of a group's frames to write, from their steadied indices."""
        writer = self.writer
        smalls = [item.small for item, _, _ in steadied]
        if colours is not None:  # each error from the colours matched already, the group's at once
            of_pixel = [looked.colour_of_pixel for _, looked, _ in steadied]
            inverse = np.concatenate([pixels for pixels in of_pixel if pixels is not None] or [np.zeros(0, np.intp)])
            colours = replace(colours, inverse=inverse)
        assert all(small is not None for small in smalls)  # every frame written was read by the run's reading stage
        sprites = writer.remapper.remap_palette_indices(
            [indices for *_, indices in steadied], [small for small in smalls if small is not None], colours
        )
        for (item, looked, _), sprite in zip(steadied, sprites, strict=True):
            assert item.relative is not None
            normals = None
            if writer.output.normals is not None:
                sampled = given(looked.normals) if looked.normals is not None else _raiser(looked.normal_error)
                normals = normal_sprite(writer.output.normals, sprite.rgba, sampled, outcome.normal_problems)
            lines = writer.inner_lines(item.path, item.relative, sprite.rgba, outcome, looked.render_alpha)
            yield (item.path, item.relative), sprite, normals, lines

    def _look_nearest(self, items: list[SteadyItem], relatives: list[Path], sprite_shape: tuple[int, int]) -> _Group:
        """The nearest-sampled frames of ``items`` as the rule sees them, read from disk where the run was not
        given them; their colours matched and converted together."""
        read = [_or_reason(self._nearest_read, *where, sprite_shape) for where in zip(items, relatives, strict=True)]
        usable = [frame for frame in read if not isinstance(frame, FrameError)]
        if not usable:
            return _Group([frame for frame in read if isinstance(frame, FrameError)])
        palette = self.writer.remapper.palette
        colours = match_colours(
            np.concatenate([frame.small.reshape(-1, 4)[frame.opaque, :3] for frame in usable]), palette
        )
        of_pixel = np.split(colours.inverse, np.cumsum([len(frame.opaque) for frame in usable])[:-1])
        plain = []
        for frame, pixels in zip(usable, of_pixel, strict=True):
            indices = np.full(sprite_shape[0] * sprite_shape[1], -1, dtype=np.intp)
            indices[frame.opaque] = colours.indices[pixels]
            plain.append(indices.reshape(sprite_shape))
        sampled = colours.din99o[colours.inverse]
        steady = nearest_frames(
            plain, sampled, [frame.surface for frame in usable], palette, [frame.normals for frame in usable]
        )
        looked = iter(
            _Looked(steady_frame, None, frame.normals, frame.normal_error, pixels)
            for steady_frame, frame, pixels in zip(steady, usable, of_pixel, strict=True)
        )
        return _Group([frame if isinstance(frame, FrameError) else next(looked) for frame in read], colours)

    def _nearest_read(self, item: SteadyItem, relative: Path, sprite_shape: tuple[int, int]) -> _NearestRead:
        small, surface = self._small_frame(item, sprite_shape)
        normals, error = self._nearest_normals(item.path, relative)
        return _NearestRead(small, surface, np.flatnonzero(small[:, :, 3].reshape(-1) == 255), normals, error)

    def _small_frame(
        self, item: SteadyItem, sprite_shape: tuple[int, int]
    ) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
        """The small frame and surface colours of ``item``, read from disk where the run was not given them.

        Raises
        ------
        FrameError
            If the frame cannot be used.
        """
        small, surface = item.small, item.surface
        if small is None or surface is None:
            read = read_small_frame(item.path, self.writer.downscale)
            if read is None:
                raise FrameError(item.path, "cannot be read again to look back on")
            small, surface = read
        if small.shape[:2] != sprite_shape:
            raise FrameError(item.path, "is not of the other frames' size")
        return small, surface

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
        # The render's alpha only for inner lines, and copied: a view of it would hold the whole render while the
        # frame's group waits to be written.
        finish = writer.output.finish
        render_alpha = rgba[:, :, 3].copy() if finish is not None and finish.inner_lines is not None else None
        return _Looked(majority_frame(indices, shares, normals), render_alpha, normals, error)


_Read = TypeVar("_Read")


def _or_reason(look: Callable[..., _Read], *arguments: Any) -> _Read | FrameError:
    """What ``look`` makes of a frame, or why it cannot be used."""
    try:
        return look(*arguments)
    except FrameError as error:
        return error


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
