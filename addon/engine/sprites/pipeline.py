"""The whole job: frames → small frames → palette → sprites, in bounded memory.

Frames are decoded and downscaled by this process and helper processes (the
command line) or threads (inside Blender, where starting processes is not
safe), one pool of them for the whole run (see ``worker_pool``), a reservoir
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
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..colour.palette import Palette
from ..errors import FATAL_WRITE_ERRORS, Cancelled, OutputError, SetupError
from ..files import kinds
from ..files.atomic import remove_run_temporary_files, write_atomically
from ..files.locking import character_lock
from ..files.names import WRITTEN_PALETTE_SUFFIXES
from ..files.paths import absolute, portable
from ..files.record import claim
from ..frames.downscale import DownscaleSettings
from ..frames.sources import FrameSource, prepare_output_folder
from ..options import INDEXED_LIMIT, check_indexed_fits
from ..palette.files import write_palette
from ..palette.fit import PaletteSettings, fit_palette
from ..palette.remap import Remapper
from ..palette.sampling import PixelReservoir
from .finishing import check_outline_colour, outline_colour, with_outline_colour
from .normal_sprites import normal_sprite_path
from .report import Report, merge_into_report
from .small_frames import READ_BATCH, SmallFrame, small_frames
from .spool import Spool
from .steady_writer import spooled, steady_surfaces, write_steady_sprites
from .worker_pool import CancelCheck, ProgressCallback, RunOptions, WorkerPool, cancelled
from .writing import WRITE_BATCH, OutputSettings, write_sprites

__all__ = [
    "WRITE_BATCH",
    "CancelCheck",
    "Cancelled",
    "OutputSettings",
    "ProgressCallback",
    "RunOptions",
    "apply",
    "fit",
    "process",
]

# Pixels the reservoir keeps for the palette: the count search uses the first 4,000 and the refinement as many as
# the error needs (see quantize). 32,768 pixels are under 0.5 MB whatever the number of frames.
SAMPLE_SIZE = 32_768


def _opaque_pixels(small: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return small[:, :, :3][small[:, :, 3] == 255]


def _palette_paths(output: OutputSettings) -> list[Path]:
    return [output.folder / f"{output.palette_name}{suffix}" for suffix in WRITTEN_PALETTE_SUFFIXES]


def _finish(
    report: Report,
    output: OutputSettings,
    remapper: Remapper,
    started: float,
    frames: Sequence[FrameSource],
    *,
    fitted: bool,
) -> None:
    """Write the palette (only a run that fitted one and wrote every sprite: a locked palette is read, never
    rewritten) and the report.

    The palette files come last, so that they never hold a palette the sprites beside them were not written with;
    a run that stopped early keeps the earlier palette files and names, in its report, the sprites it left stale.
    An apply's report is merged into the one already there, under the lock, so that no apply's sprites are lost
    when several (a farm's chunks, a frame-list render's frames) write to one folder.
    """
    palette_file = with_outline_colour(remapper.palette, output.finish) if fitted else remapper.palette
    if fitted and report.cancelled:
        _mark_stale(report, frames)
    elif fitted:
        for path in _palette_paths(output):
            write_palette(palette_file, path)
    report.set_palettes(remapper)
    report.palette_file = palette_file.hex_codes()
    report.timings["total"] = time.perf_counter() - started
    report.report_path = output.report_file
    if fitted:
        write_atomically(report.report_path, report.to_json().encode("utf-8"))
    else:
        merge_into_report(report, report.report_path)


def _mark_stale(report: Report, frames: Sequence[FrameSource]) -> None:
    """A fitting run that stopped early: its palette is not saved, and the sprites it did not write are stale."""
    report.palette_saved = False
    names = (portable(frame.relative) for frame in frames)
    report.stale = [name for name in names if name not in report.written]


@contextmanager
def _stopped_cleanly(
    frames: Sequence[FrameSource], spool_dir: Path | None, *, fits_palette: bool
) -> Iterator[list[Report]]:
    """A run stopped by a full disk, a quota or a read-only file system (or stopped hard) takes its temporary
    files with it, and the disk's refusal becomes one line naming the folder (:class:`OutputError`), with a report
    that counts the sprites written, where the disk still takes one.

    Yields a list for the run's report, once it has one; entered outside the worker pool, so that the helpers have
    finished their writes when their temporary files are looked for.
    """
    started: list[Report] = []
    try:
        yield started
    except BaseException as error:
        if not started:
            raise
        report = started[0]
        folder = report.output_folder
        if folder is not None:
            remove_run_temporary_files({(folder / frame.relative).parent for frame in frames} | {folder})
        fatal = isinstance(error, OSError) and error.errno in FATAL_WRITE_ERRORS
        if folder is not None and (fatal or isinstance(error, OutputError)):
            report.cancelled = True
            if fits_palette:
                _mark_stale(report, frames)
            try:
                assert report.report_path is not None  # set when the run started
                write_atomically(report.report_path, report.to_json().encode("utf-8"))
            except OSError:
                pass  # the disk takes nothing more: the error says why
        if fatal:
            assert isinstance(error, OSError)
            where = Path(error.filename).parent if error.filename else spool_dir or folder
            raise OutputError(f"{where}: {error.strerror or error}; the run stopped") from error
        raise


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
    with WorkerPool(options) as pool:
        if len(frames) > READ_BATCH:
            pool.start()
        for item in small_frames(frames, downscale, report, pool):
            reservoir.add(_opaque_pixels(item.pixels))
            report.frames_read += 1
        if report.cancelled:
            raise Cancelled(report)
        palette = _fit_or_explain(reservoir, report, palette_settings, pool)
    report.timings["read_and_fit"] = time.perf_counter() - started
    return palette, report


def _fit_or_explain(reservoir: PixelReservoir, report: Report, settings: PaletteSettings, pool: WorkerPool) -> Palette:
    if report.frames_read == 0:
        raise SetupError(f"none of the {report.frames_in} frames could be used:\n{report.skipped_text()}")
    if reservoir.pixels_seen == 0:
        raise SetupError("every frame is fully transparent: there are no pixels to fit a palette to")
    options = pool.options
    started = time.perf_counter()
    if options.progress is not None:
        options.progress("fitting", 0, 1)
    result = fit_palette(reservoir.sample(), settings, pool.helper_processes())
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
    *,
    fits_palette: bool,
    skipped: Sequence[tuple[Path, str]] = (),
) -> tuple[OutputSettings, Report]:
    """Check that there is work and a safe place for it, and claim every file the run writes (see
    ``output_record``); the output settings get the checked folder."""
    if not frames:
        raise SetupError("no frames to process")
    folder = prepare_output_folder(output.folder, frames, sources)
    output = replace(output, folder=folder)
    sprites = {folder / frame.relative: kinds.SPRITE for frame in frames}
    normals = {normal_sprite_path(folder, frame.relative): kinds.SPRITE for frame in frames if output.normals}
    palettes = {path: kinds.palette_kind(path) for path in _palette_paths(output) if fits_palette}
    report_path = absolute(output.report_file)
    # One run's outputs checked against each other first: a frame named palette.png and the palette strip, or a
    # --report onto a palette file, would otherwise replace one another in silence.
    claim(kinds.combined(sprites, normals, palettes, {report_path: kinds.REPORT}), root=folder)
    report = Report(frames_in=len(frames), output_folder=folder, report_path=report_path)
    for path, reason in skipped:
        report.skip(path, reason)
    return output, report


def process(
    frames: Sequence[FrameSource],
    sources: Sequence[Path | str],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    output: OutputSettings,
    options: RunOptions | None = None,
    skipped: Sequence[tuple[Path, str]] = (),
) -> Report:
    """Read ``frames``, fit one palette over all of them and write their sprites. ``skipped`` names what the
    frames' discovery left out (a folder of an earlier run's outputs), for the report.

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
    adds = output.finish is not None and output.finish.adds_colour
    check_indexed_fits(output.indexed, settings.colors, settings.max_colors, settings.method, added=int(adds))
    check_outline_colour(output.finish, None, output.target)
    options = options or RunOptions()
    with _stopped_cleanly(frames, options.spool_dir, fits_palette=True) as started, WorkerPool(options) as pool:
        if len(frames) > READ_BATCH:  # the helpers start while the output folder is checked
            pool.start()  # the same workers read and write
        return _read_fit_and_write(frames, sources, downscale, palette_settings, output, pool, started, skipped)


def _read_fit_and_write(
    frames: Sequence[FrameSource],
    sources: Sequence[Path | str],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    output: OutputSettings,
    pool: WorkerPool,
    started_reports: list[Report],
    skipped: Sequence[tuple[Path, str]],
) -> Report:
    """:func:`process` once its workers are there: the output folder claimed, then the frames read, the palette
    fitted and the sprites written."""
    output, report = _start_writing_run(frames, sources, output, fits_palette=True, skipped=skipped)
    started_reports.append(report)
    # The folder's palette lock, from the first frame read to the last file written (taken once the folder is known
    # to be ours): two runs into one folder leave one run's palette and sprites whole, never a mix.
    with character_lock(output.folder, output.palette_name, output.lock_timeout):
        return _fit_and_write(frames, downscale, palette_settings, output, pool, report)


def _fit_and_write(
    frames: Sequence[FrameSource],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    output: OutputSettings,
    pool: WorkerPool,
    report: Report,
) -> Report:
    options = pool.options
    started = time.perf_counter()
    reservoir = PixelReservoir(SAMPLE_SIZE, seed=palette_settings.seed)
    spool = Spool(options.spool_dir or output.folder)
    try:
        for item in small_frames(frames, downscale, report, pool, surfaces=steady_surfaces(output, downscale)):
            reservoir.add(_opaque_pixels(item.pixels))
            spool.append(item.source, item.pixels, item.surface)
            report.frames_read += 1
        if report.cancelled:
            raise Cancelled(report)
        report.timings["read"] = time.perf_counter() - started
        palette = _fit_or_explain(reservoir, report, palette_settings, pool)
        remapper = Remapper(palette, output.target, outline_colour(output.finish, palette, output.target))
        _check_indexed(output, len(remapper.output_palette), "the fitted palette")
        writing = time.perf_counter()
        if output.stabilise:
            write_steady_sprites(spool, remapper, output, downscale, report, pool)
        else:
            write_sprites(spool, len(spool), remapper, output, downscale, report, pool)
        report.timings["write"] = time.perf_counter() - writing
    finally:
        spool.close()
    _finish(report, output, remapper, started, frames, fitted=True)
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
    skipped: Sequence[tuple[Path, str]] = (),
) -> Report:
    """Write the sprites of ``frames`` with a given (locked) ``palette``, in one streaming pass (``skipped`` as
    for :func:`process`)."""
    _check_indexed(output, len(palette), "the palette")  # a target palette only ever maps it to fewer
    check_outline_colour(output.finish, palette, output.target)
    remapper = Remapper(palette, output.target, outline_colour(output.finish, palette, output.target))
    _check_indexed(output, len(remapper.output_palette), "the palette with the outline colour")
    options = options or RunOptions()
    with _stopped_cleanly(frames, options.spool_dir, fits_palette=False) as started_reports:
        with WorkerPool(options) as pool:  # the same workers read and write, as the frames come
            if len(frames) > READ_BATCH:  # the helpers start while the output folder is checked
                pool.start()
            output, report = _start_writing_run(frames, sources, output, fits_palette=False, skipped=skipped)
            started_reports.append(report)
            started = time.perf_counter()

            def counted(items: Iterator[SmallFrame]) -> Iterator[SmallFrame]:
                for item in items:
                    report.frames_read += 1
                    yield item

            items = counted(small_frames(frames, downscale, report, pool, surfaces=steady_surfaces(output, downscale)))
            if output.stabilise:  # an animation's runs are known once all its frames are read
                with closing(spooled(items, Spool(options.spool_dir or output.folder))) as spool:
                    write_steady_sprites(spool, remapper, output, downscale, report, pool)
            else:
                plain = ((item.source, item.pixels) for item in items)
                write_sprites(plain, len(frames), remapper, output, downscale, report, pool)
        if report.frames_read == 0 and not report.cancelled:
            raise SetupError(f"none of the {report.frames_in} frames could be used:\n{report.skipped_text()}")
        report.timings["read_and_write"] = time.perf_counter() - started
        _finish(report, output, remapper, started, frames, fitted=False)
    if report.cancelled:
        raise Cancelled(report)
    return report
