"""The decoders section: milliseconds per frame of each installed PNG decoder on the base frames (three times
over), on one core, on a thread pool and on a process pool over ``--workers``; the engine's own decoder (libdeflate
inflates, libspng unfilters) among them. The process pools against Pillow's are what to read."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .inputs import Inputs

REFERENCE = "pillow"
ENGINE = "pixel_sprites"


def decode_with_pillow(path: Path) -> tuple[int, ...]:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image).shape


def decode_with_pyspng(path: Path) -> tuple[int, ...]:
    import pyspng

    return pyspng.load(path.read_bytes()).shape


def decode_with_imagecodecs(path: Path) -> tuple[int, ...]:
    import imagecodecs

    return imagecodecs.png_decode(path.read_bytes()).shape


def decode_with_opencv(path: Path) -> tuple[int, ...]:
    import cv2

    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED).shape


def decode_with_engine(path: Path) -> tuple[int, ...]:
    from pixel_sprites import engine

    return engine.read_frame(path).rgba.shape


def start_engine_worker() -> None:
    """What the engine's worker processes do first: keep frame-sized buffers on glibc's heap (without, fresh
    memory maps are page-faulted in for every frame)."""
    from pixel_sprites.engine.frames.png_inflate import keep_large_buffers_on_heap

    keep_large_buffers_on_heap()


# Name → (the decoder, the module it needs installed).
DECODERS: dict[str, tuple[Callable[[Path], tuple[int, ...]], str]] = {
    REFERENCE: (decode_with_pillow, "PIL"),
    "pyspng": (decode_with_pyspng, "pyspng"),
    "imagecodecs": (decode_with_imagecodecs, "imagecodecs"),
    "opencv": (decode_with_opencv, "cv2"),
    ENGINE: (decode_with_engine, "pixel_sprites"),
}


def time_decoder(name: str, paths: list[Path], workers: int) -> dict[str, float]:
    decode = DECODERS[name][0]
    row = {}
    started = time.perf_counter()
    for path in paths:
        decode(path)
    row["one_core_ms"] = (time.perf_counter() - started) / len(paths) * 1000
    # The one-core and thread figures are without the engine workers' heap setting, as inside Blender, whose
    # allocator the add-on leaves alone.
    start_process = start_engine_worker if name == ENGINE else None
    pools: dict[str, Executor] = {
        "threads_ms": ThreadPoolExecutor(workers),
        "processes_ms": ProcessPoolExecutor(workers, initializer=start_process),  # workers start on first use
    }
    for kind, pool in pools.items():
        with pool:
            list(pool.map(decode, paths[:workers]))  # start the workers outside the timing
            started = time.perf_counter()
            list(pool.map(decode, paths, chunksize=4 if kind == "processes_ms" else 1))
            row[kind] = (time.perf_counter() - started) / len(paths) * 1000
    return row


def decoders_section(inputs: Inputs) -> dict[str, Any]:
    paths = inputs.base_frames * 3
    installed = [name for name, (_, module) in DECODERS.items() if importlib.util.find_spec(module) is not None]
    table = {name: time_decoder(name, paths, inputs.options.workers) for name in installed}
    for row in table.values():
        row["processes_over_pillow_processes"] = row["processes_ms"] / table[REFERENCE]["processes_ms"]
    return {"frames": len(paths), "workers": inputs.options.workers, "reference": REFERENCE, "decoders": table}
