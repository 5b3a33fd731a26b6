"""Small frames → sprite files: remapped to the palette, encoded and written, a batch at a time by the workers.

A worker process imports this module rather than the whole pipeline, so it starts sooner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import FATAL_WRITE_ERRORS, FrameError, OutputError
from ..files.atomic import run_tag, use_run_tag, write_atomically
from ..files.locking import DEFAULT_LOCK_TIMEOUT
from ..files.paths import portable
from ..files.png import encode_png
from ..frames.downscale import DownscaleSettings, png_size, read_frame
from ..frames.normals import NormalSettings
from ..frames.sources import FrameSource
from ..palette.majority import MajorityDownscaler
from ..palette.remap import ErrorStats, RemappedFrame, Remapper
from .files import encode_indexed_png
from .finishing import FinishSettings, finish_sprite
from .inner_lines import nearest_block_depth, sprite_inner_lines
from .normal_sprites import NormalProblem, frame_normals, normal_sprite, normal_sprite_path
from .report import Report
from .worker_pool import WorkerPool, cancelled

# Small frames per task handed to a worker. The colour error's sum adds up batch by batch, so this is part of
# what makes a report's figures repeat to the last digit: change it and they may differ in the last bit.
WRITE_BATCH = 32


@dataclass(frozen=True)
class OutputSettings:
    """Where and how sprites are written: built once per job (``SpriteJob.output_settings``) and handed whole to
    the sprite stage, through the character's and the set's updates, which re-list none of its fields.

    An option of how a sprite's colours are kept or finished is a field here, or of :class:`FinishSettings`, read in
    :class:`SpriteWriter` (or, for ``stabilise``, in ``steady_writer``, which steadies an animation's frames before
    this writer finishes them), and nothing between the job and the writer changes. Per-frame data from the scene
    (rig points and boxes) is not a sprite setting: it travels with the frames to the sheet stage's formats
    (``export.formats``).
    """

    folder: Path
    indexed: bool = False
    target: Palette | None = None
    palette_name: str = "palette"
    report_path: Path | None = None
    normals: NormalSettings | None = None
    """Normal-map sprites beside the sprites, from these normal frames; None for none."""
    finish: FinishSettings | None = None
    """Clean-up and outline of every sprite once its colours are final; None (or all off) for none."""
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    """How long a run that fits a palette waits for another holding the folder's palette lock, in seconds."""
    stabilise: bool = False
    """Steady Colours: a pixel keeps its colour from the frame before until its surface changes (``stabilise``)."""

    @property
    def report_file(self) -> Path:
        """The run's report: ``report_path``, else ``<palette name>_report.json`` in the folder."""
        return self.report_path or self.folder / f"{self.palette_name}_report.json"


# A frame's path, its sprite's path relative to the output folder, and its small frame: what a worker is handed.
# Not the FrameSource itself: pickling an object reads its __dict__, which Python then keeps for the object's life.
_Sprite = tuple[Path, Path, NDArray[np.uint8]]


# A sprite ready to be finished and written: its frame's path and its own relative one, its colours, its normal
# sprite (None for none) and its inner lines (None for none).
FinishedSprite = tuple[tuple[Path, Path], RemappedFrame, NDArray[np.uint8] | None, NDArray[np.bool_] | None]


@dataclass
class WrittenBatch:
    written: int
    failures: list[tuple[Path, str]]
    errors: ErrorStats
    normal_problems: list[NormalProblem]
    depth_problems: list[tuple[Path, str]]
    sprites: list[tuple[str, int, float]]
    """Each sprite written: its path relative to the output folder, its error pixels and error total."""
    fatal: OSError | None = None
    """What stopped the batch: a write no later write can get past (a full disk, a read-only file system)."""


@dataclass(frozen=True)
class SpriteWriter:
    """Remap small frames and write their sprites; picklable, so it runs in worker processes too.

    With majority sampling each frame is read again and its blocks vote over the fitted palette; the error is
    still measured against the nearest-downscaled frame, as with nearest sampling.
    """

    remapper: Remapper
    output: OutputSettings
    downscale: DownscaleSettings
    temporary_tag: str
    """The run's tag, which the temporary files of helper processes carry too (see ``atomic``)."""

    def __call__(self, batch: list[_Sprite]) -> WrittenBatch:
        use_run_tag(self.temporary_tag)
        outcome = WrittenBatch(0, [], ErrorStats(), [], [], [])
        if self.downscale.sampling == "majority":
            sprites = self._by_majority(batch, outcome)
        else:
            remapped = self.remapper.remap_frames([small for _, _, small in batch])
            sprites = (
                (
                    (path, relative),
                    sprite,
                    self.nearest_normals(path, relative, sprite.rgba, outcome),
                    self.inner_lines(path, relative, sprite.rgba, outcome),
                )
                for (path, relative, _), sprite in zip(batch, remapped, strict=True)
            )
        self.write(sprites, outcome)
        return outcome

    def write(self, sprites: Iterable[FinishedSprite], outcome: WrittenBatch) -> None:
        """Finish (clean-up, outline), encode and write each sprite, counting it in ``outcome``."""
        finish = self.output.finish
        for (path, relative), sprite, normals, lines in sprites:
            if finish is not None and finish.active:
                sprite, normals = finish_sprite(sprite, normals, self.remapper, finish, lines)
            if self.output.indexed:
                data = encode_indexed_png(sprite.indices, self.remapper.output_palette)
            else:
                data = encode_png(sprite.rgba)
            try:
                write_atomically(self.output.folder / relative, data)
                if normals is not None:
                    write_atomically(normal_sprite_path(self.output.folder, relative), encode_png(normals))
            except OSError as error:
                if error.errno in FATAL_WRITE_ERRORS:
                    outcome.fatal = error
                    break
                outcome.failures.append((path, f"sprite not written ({error.strerror or error})"))
                continue
            outcome.written += 1
            outcome.errors.merge(sprite.errors)
            outcome.sprites.append((portable(relative), sprite.errors.pixels, sprite.errors.total))

    def nearest_normals(
        self, path: Path, relative: Path, colour: NDArray[np.uint8], outcome: WrittenBatch
    ) -> NDArray[np.uint8] | None:
        """The normal sprite of a nearest-sampled sprite: the normals of the very pixels its colours came from."""
        settings = self.output.normals
        if settings is None:
            return None

        def sampled() -> NDArray[np.float32]:
            size = png_size(path)
            if size is None:
                raise FrameError(path, "cannot be read again for its normals")
            shape = (size[1], size[0])
            sample = self.downscale.downscaler(shape).sample(frame_normals(settings, path, relative, shape))
            return sample.astype(np.float32)

        return normal_sprite(settings, colour, sampled, outcome.normal_problems)

    def inner_lines(
        self,
        path: Path,
        relative: Path,
        colour: NDArray[np.uint8],
        outcome: WrittenBatch,
        render_alpha: NDArray[np.uint8] | None = None,
    ) -> NDArray[np.bool_] | None:
        """The inner lines of a sprite, with ``--inner-lines``: from the depth of the very pixels its colours came
        from (nearest), or the nearest depth of its block's opaque pixels (majority: the frame's ``render_alpha``)."""
        depth = self.output.finish.inner_lines if self.output.finish is not None else None
        if depth is None:
            return None
        sprite_shape = (colour.shape[0], colour.shape[1])
        if render_alpha is not None:
            shape = (render_alpha.shape[0], render_alpha.shape[1])
            opaque_render = render_alpha >= self.downscale.alpha_threshold

            def sampled(values: NDArray[Any]) -> NDArray[Any]:
                return nearest_block_depth(values, opaque_render, sprite_shape)

        else:
            size = png_size(path)
            if size is None:
                outcome.depth_problems.append((path, "cannot be read again for its inner lines"))
                return None
            shape = (size[1], size[0])

            def sampled(values: NDArray[Any]) -> NDArray[Any]:
                return self.downscale.downscaler(shape).sample(values)

        opaque = colour[:, :, 3] > 0
        return sprite_inner_lines(depth, path, relative, shape, sampled, opaque, outcome.depth_problems)

    def _by_majority(self, batch: list[_Sprite], outcome: WrittenBatch) -> Iterator[FinishedSprite]:
        majority: dict[tuple[int, int], MajorityDownscaler] = {}
        settings = self.output.normals
        for path, relative, small in batch:
            try:
                rgba = read_frame(path).rgba
            except FrameError as error:
                outcome.failures.append((path, f"{error.reason}, when read again for --sampling majority"))
                continue
            shape = (rgba.shape[0], rgba.shape[1])
            if shape[0] < small.shape[0] or shape[1] < small.shape[1]:
                outcome.failures.append((path, "changed since it was first read: it is now smaller than the sprite"))
                continue
            if shape not in majority:
                majority[shape] = MajorityDownscaler(
                    shape, (small.shape[0], small.shape[1]), self.remapper.palette, self.downscale.alpha_threshold
                )
            downscaler = majority[shape]
            if settings is None:
                colour = downscaler(rgba)
                lines = self.inner_lines(path, relative, colour, outcome, rgba[:, :, 3])
                yield (path, relative), self.remapper.remap(colour, compared_to=small), None, lines
                continue
            try:
                indices, voted = downscaler.indices_and_normals(rgba, frame_normals(settings, path, relative, shape))
                colour = downscaler.sprite(indices)
                normals = normal_sprite(settings, colour, given(voted), outcome.normal_problems)
            except FrameError as error:  # no usable normal frame: the colours as ever, a flat normal
                colour = downscaler(rgba)
                normals = normal_sprite(settings, colour, _raiser(error), outcome.normal_problems)
            lines = self.inner_lines(path, relative, colour, outcome, rgba[:, :, 3])
            yield (path, relative), self.remapper.remap(colour, compared_to=small), normals, lines


def given(normals: NDArray[np.float32]) -> Callable[[], NDArray[np.float32]]:
    return lambda: normals


def _raiser(error: FrameError) -> Callable[[], NDArray[np.float32]]:
    def sampled() -> NDArray[np.float32]:
        raise error

    return sampled


def write_sprites(
    items: Iterable[tuple[FrameSource, NDArray[np.uint8]]],
    total: int,
    remapper: Remapper,
    output: OutputSettings,
    downscale: DownscaleSettings,
    report: Report,
    pool: WorkerPool,
) -> None:
    """Write the sprite of every small frame of ``items`` (``total`` of them, for the progress) into
    ``output.folder``, counting what was written, what failed and the colour error in ``report``."""
    writer = SpriteWriter(remapper, output, downscale, run_tag())
    sprites = ((source.path, source.relative, small) for source, small in items)
    count_written(pool.map_batches(writer, sprites, batch_size=WRITE_BATCH), total, output, report, pool)


def count_written(
    batches: Iterable[WrittenBatch], total: int, output: OutputSettings, report: Report, pool: WorkerPool
) -> None:
    """Count the written ``batches`` in ``report`` as they come, with the progress; stop at a fatal write error."""
    options = pool.options
    errors = ErrorStats()
    done = 0
    for batch in batches:
        for name, error_pixels, error_total in batch.sprites:
            report.written[name] = [error_pixels, round(error_total, 3)]
        for path, reason in batch.failures:
            report.skip(path, reason)
        for path, text in batch.normal_problems + batch.depth_problems:
            report.note(path, text)
        report.frames_written += batch.written
        errors.merge(batch.errors)
        done += batch.written + len(batch.failures)
        if options.progress is not None:
            options.progress("writing", done, total)
        if batch.fatal is not None:  # batches still running finish unread: what is counted is on disk
            report.set_errors(errors)
            error = batch.fatal
            raise OutputError(f"{output.folder}: {error.strerror or error}; the run stopped") from error
    # Batches dropped on a cancel wrote nothing; those that ran are counted above, so the report matches the disk.
    report.cancelled = report.cancelled or cancelled(options)
    report.set_errors(errors)
