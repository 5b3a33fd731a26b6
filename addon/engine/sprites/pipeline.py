"""The whole job: frames → small frames → palette → sprites, in bounded memory.

Frames are decoded and downscaled by worker processes (the command line) or
threads (inside Blender, where starting processes is not safe), a reservoir
keeps a fixed-size pixel sample for the palette, and the small frames wait in
a temporary spool file rather than in memory, so memory stays flat whatever
the number of frames. The spool is a hidden, unnamed file in the output folder
by default, not in ``$TMPDIR``: where that is a tmpfs it would sit in RAM.

Before anything is written, every file a run will write is checked against the
output folder's record (see ``output_record``): a file the tool did not write
is never replaced.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import Cancelled, FrameError, SetupError
from ..files.atomic import write_atomically
from ..files.names import WRITTEN_PALETTE_SUFFIXES
from ..files.paths import absolute
from ..files.png import encode_png
from ..files.record import claim
from ..frames.downscale import DownscaleSettings, read_frame
from ..frames.sources import FrameSource, prepare_output_folder
from ..options import INDEXED_LIMIT, check_indexed_fits
from ..palette.files import write_palette
from ..palette.fit import PaletteSettings, fit_palette
from ..palette.majority import MajorityDownscaler
from ..palette.remap import ErrorStats, RemappedFrame, Remapper
from ..palette.sampling import PixelReservoir
from .files import encode_indexed_png
from .report import Report, merge_into_report
from .small_frames import small_frames
from .spool import Spool
from .worker_pool import CancelCheck, ProgressCallback, RunOptions, cancelled, map_batches

__all__ = ["CancelCheck", "Cancelled", "OutputSettings", "ProgressCallback", "RunOptions", "apply", "fit", "process"]

# Pixels the reservoir keeps for the palette: the count search uses the first 4,000 and the refinement as many as
# the error needs (see quantize). 32,768 pixels are under 0.5 MB whatever the number of frames.
SAMPLE_SIZE = 32_768
WRITE_BATCH = 32  # small frames per task handed to a writing worker


@dataclass(frozen=True)
class OutputSettings:
    """Where and how sprites are written."""

    folder: Path
    indexed: bool = False
    target: Palette | None = None
    palette_name: str = "palette"
    report_path: Path | None = None


def _opaque_pixels(small: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return small[:, :, :3][small[:, :, 3] == 255]


@dataclass
class _WrittenBatch:
    written: int
    failures: list[tuple[Path, str]]
    errors: ErrorStats


@dataclass(frozen=True)
class _SpriteWriter:
    """Remap small frames and write their sprites; picklable, so it runs in worker processes too.

    With majority sampling each frame is read again and its blocks vote over the fitted palette; the error is
    still measured against the nearest-downscaled frame, as with nearest sampling.
    """

    remapper: Remapper
    output: OutputSettings
    downscale: DownscaleSettings

    def __call__(self, batch: list[tuple[FrameSource, NDArray[np.uint8]]]) -> _WrittenBatch:
        outcome = _WrittenBatch(0, [], ErrorStats())
        if self.downscale.sampling == "majority":
            sprites = self._by_majority(batch, outcome)
        else:
            sources, smalls = [source for source, _ in batch], [small for _, small in batch]
            sprites = zip(sources, self.remapper.remap_frames(smalls), strict=True)
        for source, remapped in sprites:
            if self.output.indexed:
                data = encode_indexed_png(remapped.indices, self.remapper.output_palette)
            else:
                data = encode_png(remapped.rgba)
            try:
                write_atomically(self.output.folder / source.relative, data)
            except OSError as error:
                outcome.failures.append((source.path, f"sprite not written ({error.strerror or error})"))
                continue
            outcome.written += 1
            outcome.errors.merge(remapped.errors)
        return outcome

    def _by_majority(
        self, batch: list[tuple[FrameSource, NDArray[np.uint8]]], outcome: _WrittenBatch
    ) -> Iterator[tuple[FrameSource, RemappedFrame]]:
        majority: dict[tuple[int, int], MajorityDownscaler] = {}
        for source, small in batch:
            try:
                rgba = read_frame(source.path).rgba
            except FrameError as error:
                outcome.failures.append((source.path, f"{error.reason}, when read again for --sampling majority"))
                continue
            shape = (rgba.shape[0], rgba.shape[1])
            if shape[0] < small.shape[0] or shape[1] < small.shape[1]:
                outcome.failures.append(
                    (source.path, "changed since it was first read: it is now smaller than the sprite")
                )
                continue
            if shape not in majority:
                majority[shape] = MajorityDownscaler(
                    shape, (small.shape[0], small.shape[1]), self.remapper.palette, self.downscale.alpha_threshold
                )
            yield source, self.remapper.remap(majority[shape](rgba), compared_to=small)


def _write_sprites(
    items: Iterable[tuple[FrameSource, NDArray[np.uint8]]],
    total: int,
    remapper: Remapper,
    output: OutputSettings,
    downscale: DownscaleSettings,
    report: Report,
    options: RunOptions,
) -> None:
    errors = ErrorStats()
    done = 0
    writer = _SpriteWriter(remapper, output, downscale)
    for batch in map_batches(writer, items, options, batch_size=WRITE_BATCH):
        for path, reason in batch.failures:
            report.skip(path, reason)
        report.frames_written += batch.written
        errors.merge(batch.errors)
        done += batch.written + len(batch.failures)
        if options.progress is not None:
            options.progress("writing", done, total)
    # Batches dropped on a cancel wrote nothing; those that ran are counted above, so the report matches the disk.
    report.cancelled = report.cancelled or cancelled(options)
    report.set_errors(errors)


def _report_path(output: OutputSettings) -> Path:
    return output.report_path or output.folder / f"{output.palette_name}_report.json"


def _palette_paths(output: OutputSettings) -> list[Path]:
    return [output.folder / f"{output.palette_name}{suffix}" for suffix in WRITTEN_PALETTE_SUFFIXES]


def _finish(report: Report, output: OutputSettings, remapper: Remapper, started: float, *, fitted: bool) -> None:
    """Write the palette (only a run that fitted one: a locked palette is read, never rewritten) and the report.

    An apply's report is merged into the one already there, under the lock, so that no apply's counts are lost
    when several (a farm's chunks, a frame-list render's frames) write to one folder.
    """
    if fitted:
        for path in _palette_paths(output):
            write_palette(remapper.palette, path)
    report.set_palettes(remapper)
    report.timings["total"] = time.perf_counter() - started
    report.report_path = _report_path(output)
    if fitted:
        write_atomically(report.report_path, report.to_json().encode("utf-8"))
    else:
        merge_into_report(report, report.report_path)


def fit(
    frames: Sequence[FrameSource],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    options: RunOptions | None = None,
) -> tuple[Palette, Report]:
    """Fit one palette to the opaque pixels of all ``frames``.

    Raises
    ------
    SetupError
        If no frame can be used or the frames have no opaque pixel.
    Cancelled
        If ``options.should_cancel`` said so.
    """
    options = options or RunOptions()
    report = Report(frames_in=len(frames))
    started = time.perf_counter()
    reservoir = PixelReservoir(SAMPLE_SIZE, seed=palette_settings.seed)
    for item in small_frames(frames, downscale, report, options):
        assert item.pixels is not None
        reservoir.add(_opaque_pixels(item.pixels))
        report.frames_read += 1
    if report.cancelled:
        raise Cancelled(report)
    palette = _fit_or_explain(reservoir, report, palette_settings, options)
    report.timings["read_and_fit"] = time.perf_counter() - started
    return palette, report


def _fit_or_explain(
    reservoir: PixelReservoir, report: Report, settings: PaletteSettings, options: RunOptions
) -> Palette:
    if report.frames_read == 0:
        raise SetupError(f"none of the {report.frames_in} frames could be used:\n{report.skipped_text()}")
    if reservoir.pixels_seen == 0:
        raise SetupError("every frame is fully transparent: there are no pixels to fit a palette to")
    started = time.perf_counter()
    if options.progress is not None:
        options.progress("fitting", 0, 1)
    result = fit_palette(reservoir.sample(), settings)
    if options.progress is not None:
        options.progress("fitting", 1, 1)
    report.timings["fit"] = time.perf_counter() - started
    report.fit_settings = settings
    report.counts_tried = list(result.counts_tried)
    report.sample_size = result.sample_size
    if cancelled(options):  # a stop asked for during the fit, which cannot be interrupted
        report.cancelled = True
        raise Cancelled(report)
    return result.palette


def _check_indexed(output: OutputSettings, palette_size: int, what: str) -> None:
    if output.indexed and palette_size > INDEXED_LIMIT:
        raise SetupError(
            f"{what} has {palette_size} colours, and a paletted PNG (--indexed) holds at most {INDEXED_LIMIT} "
            "besides the transparent one"
        )


def _start_writing_run(
    frames: Sequence[FrameSource],
    sources: Sequence[Path | str],
    output: OutputSettings,
    options: RunOptions | None,
    *,
    fits_palette: bool,
) -> tuple[RunOptions, OutputSettings, Report]:
    """Check that there is work and a safe place for it, and claim every file the run writes (see
    ``output_record``); the output settings get the checked folder."""
    if not frames:
        raise SetupError("no frames to process")
    folder = prepare_output_folder(output.folder, frames, sources)
    output = replace(output, folder=folder)
    files = {folder / frame.relative: "sprite" for frame in frames}
    if fits_palette:
        files.update(dict.fromkeys(_palette_paths(output), "palette"))
    files[absolute(_report_path(output))] = "report"
    claim(files, root=folder)
    return options or RunOptions(), output, Report(frames_in=len(frames), output_folder=folder)


def process(
    frames: Sequence[FrameSource],
    sources: Sequence[Path | str],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    output: OutputSettings,
    options: RunOptions | None = None,
) -> Report:
    """Read ``frames``, fit one palette over all of them and write their sprites.

    Returns
    -------
    report : Report
        Frames in, written and skipped (with reasons), the palette, errors and timings.

    Raises
    ------
    SetupError
        If the output folder is unusable or no frame can be used.
    Cancelled
        If ``options.should_cancel`` said so.
    """
    settings = palette_settings
    check_indexed_fits(output.indexed, settings.colors, settings.max_colors, settings.method)
    options, output, report = _start_writing_run(frames, sources, output, options, fits_palette=True)
    started = time.perf_counter()
    reservoir = PixelReservoir(SAMPLE_SIZE, seed=palette_settings.seed)
    spool = Spool(options.spool_dir or output.folder)
    try:
        for item in small_frames(frames, downscale, report, options):
            assert item.pixels is not None
            reservoir.add(_opaque_pixels(item.pixels))
            spool.append(item.source, item.pixels)
            report.frames_read += 1
        if report.cancelled:
            raise Cancelled(report)
        report.timings["read"] = time.perf_counter() - started
        palette = _fit_or_explain(reservoir, report, palette_settings, options)
        remapper = Remapper(palette, output.target)
        _check_indexed(output, len(remapper.output_palette), "the fitted palette")
        writing = time.perf_counter()
        _write_sprites(spool, len(spool), remapper, output, downscale, report, options)
        report.timings["write"] = time.perf_counter() - writing
    finally:
        spool.close()
    _finish(report, output, remapper, started, fitted=True)
    if report.cancelled:
        raise Cancelled(report)
    return report


def apply(
    frames: Sequence[FrameSource],
    sources: Sequence[Path | str],
    downscale: DownscaleSettings,
    palette: Palette,
    output: OutputSettings,
    options: RunOptions | None = None,
) -> Report:
    """Write the sprites of ``frames`` with a given (locked) ``palette``, in one streaming pass."""
    _check_indexed(output, len(palette), "the palette")  # a target palette only ever maps it to fewer
    options, output, report = _start_writing_run(frames, sources, output, options, fits_palette=False)
    started = time.perf_counter()
    remapper = Remapper(palette, output.target)

    def counted(items: Iterator[Any]) -> Iterator[tuple[FrameSource, NDArray[np.uint8]]]:
        for item in items:
            report.frames_read += 1
            yield item.source, item.pixels

    _write_sprites(
        counted(small_frames(frames, downscale, report, options)),
        len(frames),
        remapper,
        output,
        downscale,
        report,
        options,
    )
    if report.frames_read == 0 and not report.cancelled:
        raise SetupError(f"none of the {report.frames_in} frames could be used:\n{report.skipped_text()}")
    report.timings["read_and_write"] = time.perf_counter() - started
    _finish(report, output, remapper, started, fitted=False)
    if report.cancelled:
        raise Cancelled(report)
    return report
