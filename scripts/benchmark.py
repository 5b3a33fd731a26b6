"""Speed, memory and quality of Pixel Sprites against the original script, measured in one run.

    .venv/bin/python scripts/benchmark.py [--frames 1500] [--small-frames 300] [--runs 3]
                                          [--memory-frames 30000] [--work-dir DIR] [--skip SECTION ...]

1. Makes its own frames: real Cycles renders (640x900) of the procedural
   character with ``bpy``, hard-linked up to the frame count.
2. Speed, each pipeline in its own process (peak RSS from wait4), at
   ``--frames`` and at ``--small-frames``, ``--runs`` times in turn: a
   decode-only pass (Pillow, all cores), a faithful re-implementation of the
   original script (skimage load and resize, MeanShift on 2000 pixels, cdist
   remaps to the reduced and a 47-colour target palette, skimage save), and
   Pixel Sprites with the same target. Medians, every run, and the ratios.
3. Memory flatness: Pixel Sprites on ``--memory-frames`` frames.
4. PNG decoders on one core and on all cores, the engine's own (libdeflate, then libspng) among them.
5. Quality on four rendered characters (the demo one and the metal, gradient
   and many-coloured thin-limbed ones of ``quality_characters``): mean ΔE2000
   at 6, 12 and 24 colours against scikit-learn ``KMeans(n_init=4,
   random_state=0)`` in CIELAB on 20,000 pooled pixels, with the fit's time;
   Pillow's median cut and libimagequant (if installed) beside them; the
   automatic count and the original MeanShift. Ground-truth sets (K flat
   colours + noise + shading) for the automatic count.
6. Sampling: ``--sampling nearest`` against ``majority`` at 16 colours: cost
   per frame, speckle (opaque pixels unlike all four neighbours), flicker
   (pixels that change between renders of one still pose that differ only in
   render noise) and the error against each block's average colour.
7. Sprite-size rendering against render + downscale on the demo scene.
8. Sprite sets: Render Sprite Set against plain renders of the same frames
   (the set's overhead, as a share of the render time), and sheet packing
   with every engine file, per 1,000 cells.

Ratios are what to read: absolute times vary by 2x between runs and machines.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

SPRITE_SIZE = (64, 90)
RENDER_SIZE = (640, 900)


# ---------------------------------------------------------------- frames


def render_frames(folder: Path, poses: int, samples: int) -> list[Path]:
    """Cycles renders of the demo character, rendered once and kept."""
    existing = sorted(folder.glob("*.png"))
    if len(existing) == 8 * poses:
        return existing
    code = (
        "import sys; sys.path.insert(0, {scripts!r})\n"
        "import bpy\nfrom pathlib import Path\nfrom character_scene import build_character_scene\n"
        "build_character_scene(output=Path({folder!r}), resolution={size!r}, samples={samples}, poses={poses})\n"
        "bpy.ops.render.render(animation=True)\n"
    ).format(scripts=str(ROOT / "scripts"), folder=str(folder), size=RENDER_SIZE, samples=samples, poses=poses)
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return sorted(folder.glob("*.png"))


def link_frames(renders: list[Path], folder: Path, count: int) -> Path:
    """``count`` frames in ``folder``, hard links to the renders in turn (no extra disk, same bytes)."""
    if folder.exists() and len(list(folder.glob("*.png"))) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index in range(count):
        os.link(renders[index % len(renders)], folder / f"frame_{index:05d}.png")
    return folder


def target_palette(path: Path) -> Path:
    """A 47-colour game palette as a PNG swatch, fixed by seed."""
    from PIL import Image

    colours = np.random.default_rng(47).integers(0, 256, size=(47, 3), dtype=np.uint8)
    Image.fromarray(colours[None]).save(path)
    return path


# ---------------------------------------------------------------- pipelines (run in child processes)


def _pillow_decode(path: str) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return int(np.asarray(image).shape[0])


def child_decode_only(frames: Path, workers: int) -> None:
    paths = [str(path) for path in sorted(frames.glob("*.png"))]
    with ProcessPoolExecutor(workers) as pool:
        for _ in pool.map(_pillow_decode, paths, chunksize=16):
            pass


def child_original(frames: Path, out: Path, palette_path: Path) -> None:
    """The original script's pipeline, as published: every frame held as float64 at once."""
    import skimage.io
    import skimage.transform
    from scipy.spatial.distance import cdist
    from sklearn.cluster import MeanShift, estimate_bandwidth

    def remap(data: np.ndarray, palette: np.ndarray) -> np.ndarray:
        return palette[np.argmin(cdist(data, palette), axis=1)]

    files = sorted(frames.glob("*.png"))
    width, height = SPRITE_SIZE
    collection = np.empty((len(files), height, width, 4))
    for index, path in enumerate(files):
        image = skimage.io.imread(path)
        collection[index] = skimage.transform.resize(
            image, (height, width), mode="edge", anti_aliasing=False, preserve_range=True, order=0
        )
    flat = collection.reshape(-1, 4)
    opaque = flat[:, 3] != 0
    data = flat[opaque][:, :3]
    sample = np.random.default_rng(0).permutation(data)[:2000]
    bandwidth = estimate_bandwidth(sample, quantile=0.14, n_samples=len(sample))
    reduced = MeanShift(bandwidth=bandwidth, bin_seeding=True).fit(sample).cluster_centers_.astype(np.uint8)
    target_image = skimage.io.imread(palette_path)
    target = np.unique(target_image.reshape(-1, target_image.shape[-1]), axis=0)[:, :3]
    data = remap(remap(data, reduced), target)
    result = np.zeros_like(flat)
    result[opaque, :3] = data
    result[opaque, 3] = 255
    out.mkdir(parents=True, exist_ok=True)
    for path, image in zip(files, result.reshape(collection.shape), strict=True):
        skimage.io.imsave(out / path.name, image.astype(np.uint8), check_contrast=False)


def child_ours(frames: Path, out: Path, palette_path: Path, workers: int) -> None:
    from pixel_sprites import engine

    width, height = SPRITE_SIZE
    engine.process(
        engine.discover_frames([frames]),
        [frames],
        engine.DownscaleSettings(size=(width, height)),
        engine.PaletteSettings(),
        engine.OutputSettings(folder=out, target=engine.read_palette(palette_path)),
        engine.RunOptions(workers=workers, processes=True),
    )


def run_child(*args: str) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one pipeline in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "child", *args])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"child {args[0]} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def speed(renders: list[Path], work: Path, palette: Path, frames: int, workers: int, runs: int) -> dict[str, object]:
    """The three pipelines on ``frames`` frames, ``runs`` times in turn; medians, spreads and ratios of medians."""
    folder = link_frames(renders, work / f"frames_{frames}", frames)
    seconds: dict[str, list[float]] = {"decode-only": [], "original": [], "pixel-sprites": []}
    peaks: dict[str, float] = {}
    for _ in range(runs):  # in turn, so that no pipeline gets a quieter machine than the others
        for name, args in (
            ("decode-only", ("decode", str(folder), str(workers))),
            ("original", ("original", str(folder), str(work / "out_original"), str(palette))),
            ("pixel-sprites", ("ours", str(folder), str(work / "out_ours"), str(palette), str(workers))),
        ):
            elapsed, peak = run_child(*args)
            seconds[name].append(elapsed)
            peaks[name] = max(peaks.get(name, 0.0), peak)
    median = {name: float(np.median(times)) for name, times in seconds.items()}
    ours, original, decode = seconds["pixel-sprites"], seconds["original"], seconds["decode-only"]
    ours_vs_original = [before / after for before, after in zip(original, ours, strict=True)]
    ours_vs_decode = [after / floor for after, floor in zip(ours, decode, strict=True)]
    return {
        "frames": frames,
        "runs": runs,
        **{f"{name} ms/frame (median)": 1000 * median[name] / frames for name in seconds},
        **{f"{name} s, every run": [round(time_, 2) for time_ in times] for name, times in seconds.items()},
        "original / pixel-sprites (medians)": median["original"] / median["pixel-sprites"],
        "original / pixel-sprites, run by run": [round(ratio, 2) for ratio in ours_vs_original],
        "pixel-sprites / decode-only (medians)": median["pixel-sprites"] / median["decode-only"],
        "pixel-sprites / decode-only, run by run": [round(ratio, 3) for ratio in ours_vs_decode],
        **{f"{name} peak MB": peak for name, peak in peaks.items()},
    }


# ---------------------------------------------------------------- decoders


def _decode_pillow(path: Path) -> tuple[int, ...]:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image).shape


def _decode_pyspng(path: Path) -> tuple[int, ...]:
    import pyspng

    return pyspng.load(path.read_bytes()).shape


def _decode_pixel_sprites(path: Path) -> tuple[int, ...]:
    """The engine's decoder: libdeflate inflates, libspng unfilters (engine/png_inflate.py)."""
    from pixel_sprites.engine.frames.downscale import read_frame

    return read_frame(path).rgba.shape


def _start_pixel_sprites_worker() -> None:
    from pixel_sprites.engine.frames.png_inflate import keep_large_buffers_on_heap

    keep_large_buffers_on_heap()  # as the engine's worker processes do


def _decode_imagecodecs(path: Path) -> tuple[int, ...]:
    import imagecodecs

    return imagecodecs.png_decode(path.read_bytes()).shape


def _decode_opencv(path: Path) -> tuple[int, ...]:
    import cv2

    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED).shape


def decoder_table(paths: list[Path], workers: int) -> dict[str, dict[str, float]]:
    """ms per frame of each installed decoder: one core, a thread pool and a process pool over all cores."""
    import importlib.util

    decoders = {"pillow": _decode_pillow}
    for name, function in (("pyspng", _decode_pyspng), ("imagecodecs", _decode_imagecodecs), ("cv2", _decode_opencv)):
        if importlib.util.find_spec(name) is not None:
            decoders[name] = function
    decoders["pixel sprites (libdeflate + pyspng)"] = _decode_pixel_sprites
    table = {}
    for name, decode in decoders.items():
        row = {}
        started = time.perf_counter()
        for path in paths:
            decode(path)
        row["one core ms"] = (time.perf_counter() - started) / len(paths) * 1000
        start_process = _start_pixel_sprites_worker if decode is _decode_pixel_sprites else None
        pools: tuple[tuple[str, Executor], ...] = (
            ("threads ms", ThreadPoolExecutor(workers)),
            ("processes ms", ProcessPoolExecutor(workers, initializer=start_process)),  # workers start on use
        )
        for kind, pool in pools:
            with pool:
                list(pool.map(decode, paths[:workers]))  # start the workers outside the timing
                started = time.perf_counter()
                list(pool.map(decode, paths, chunksize=4 if kind == "processes ms" else 1))
                row[kind] = (time.perf_counter() - started) / len(paths) * 1000
        row["processes vs pillow processes"] = 0.0
        table[name] = row
    for row in table.values():
        row["processes vs pillow processes"] = row["processes ms"] / table["pillow"]["processes ms"]
    return table


# ---------------------------------------------------------------- quality

QUALITY_COUNTS = (6, 12, 24)
# The reference: scikit-learn k-means in CIELAB on this many pooled opaque pixels (all of them when fewer).
REFERENCE_SAMPLE = 20_000

CHARACTERS_RENDER = """
import sys
sys.path.insert(0, {scripts!r})
from pathlib import Path
from quality_characters import CHARACTERS, render_quality_character
for name in CHARACTERS:
    render_quality_character(name, Path({folder!r}) / name)
"""


def render_characters(work: Path, demo: list[Path]) -> dict[str, list[Path]]:
    """The demo character's renders and those of ``quality_characters`` (metal, gradients, thin parts, many colours)."""
    folder = work / "characters"
    code = CHARACTERS_RENDER.format(scripts=str(ROOT / "scripts"), folder=str(folder))
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return {"demo": demo} | {path.name: sorted(path.glob("*.png")) for path in sorted(folder.iterdir())}


def opaque_downscaled_pixels(paths: list[Path]) -> np.ndarray:
    """Every opaque pixel of the nearest-downscaled frames, in frame order."""
    from pixel_sprites import engine

    settings = engine.DownscaleSettings(size=SPRITE_SIZE)
    pixels = []
    for path in paths:
        rgba = engine.read_frame(path).rgba
        small = settings.downscaler(rgba.shape[:2])(rgba)
        pixels.append(small[small[:, :, 3] == 255][:, :3])
    return np.concatenate(pixels)


def _error_with_nearest_lab(pixels: np.ndarray, palette_rgb: np.ndarray) -> float:
    """Mean ΔE2000 with each pixel mapped to its nearest palette colour in CIELAB, as k-means in CIELAB assigns."""
    from pixel_sprites.engine.colour.nearest import nearest_centres
    from pixel_sprites.engine.colour.spaces import delta_e_2000, distinct_colours, srgb_to_lab

    colours, _, counts = distinct_colours(pixels)
    lab, palette_lab = srgb_to_lab(colours), srgb_to_lab(np.asarray(palette_rgb, np.uint8))
    errors = delta_e_2000(lab, palette_lab[nearest_centres(lab, palette_lab)])
    return float(np.average(errors, weights=counts))


def _our_error(pixels: np.ndarray, palette: object) -> float:
    """Mean ΔE2000 of our sprites: the pixels remapped as the pipeline remaps them."""
    from pixel_sprites.engine import Remapper

    rgba = np.concatenate([pixels, np.full((len(pixels), 1), 255, np.uint8)], axis=1)[None]
    return Remapper(palette).remap(rgba).errors.mean  # type: ignore[arg-type]


def _other_quantisers(sample: np.ndarray, count: int) -> dict[str, np.ndarray]:
    """Palettes of Pillow's median cut and, if installed, libimagequant, fitted to ``sample``."""
    from PIL import Image

    image = Image.fromarray(sample[None], "RGB")
    palettes = {"pillow-median-cut": image.quantize(count, method=Image.Quantize.MEDIANCUT)}
    try:
        import imagequant

        palettes["libimagequant"] = imagequant.quantize_pil_image(
            image.convert("RGBA"), max_colors=count, dithering_level=0.0
        )
    except ImportError:
        pass
    return {
        name: np.array(quantised.getpalette()[: 3 * count], dtype=np.uint8).reshape(-1, 3)
        for name, quantised in palettes.items()
    }


def quality_of_character(paths: list[Path]) -> dict[str, object]:
    """Our palette against the k-means reference at fixed counts, with the fit's time, and the automatic count.

    Ours goes the pipeline's way: a reservoir sample over the frames, ``fit_palette``, the ``Remapper``. The
    reference is ``KMeans(n_init=4, random_state=0)`` in CIELAB on 20,000 pooled pixels, each pixel mapped to its
    nearest centre in CIELAB.
    """
    from sklearn.cluster import KMeans

    from pixel_sprites import engine
    from pixel_sprites.engine.colour.spaces import lab_to_srgb, srgb_to_lab
    from pixel_sprites.engine.sprites import pipeline

    pixels = opaque_downscaled_pixels(paths)
    reservoir = engine.PixelReservoir(pipeline.SAMPLE_SIZE, seed=0)
    reservoir.add(pixels)
    ours_sample = reservoir.sample()
    reference_sample = np.random.default_rng(0).permutation(pixels)[:REFERENCE_SAMPLE]
    row: dict[str, object] = {"frames": len(paths), "opaque pixels": len(pixels)}
    for count in QUALITY_COUNTS:
        centres = KMeans(n_clusters=count, n_init=4, random_state=0).fit(srgb_to_lab(reference_sample)).cluster_centers_
        reference = _error_with_nearest_lab(pixels, lab_to_srgb(centres))
        started = time.perf_counter()
        fitted = engine.fit_palette(ours_sample, engine.PaletteSettings(colors=count))
        fit_seconds = time.perf_counter() - started
        ours = _our_error(pixels, fitted.palette)
        row[f"{count} colours"] = {
            "pixel-sprites ΔE": ours,
            "reference ΔE": reference,
            "pixel-sprites / reference": ours / reference,
            "fit s": fit_seconds,
            "refinement sample": fitted.sample_size,
            **{
                f"{name} / reference": _error_with_nearest_lab(pixels, palette) / reference
                for name, palette in _other_quantisers(reference_sample, count).items()
            },
        }
    started = time.perf_counter()
    auto = engine.fit_palette(ours_sample, engine.PaletteSettings())
    row["auto (tolerance 3)"] = {
        "colours": len(auto.palette),
        "ΔE": _our_error(pixels, auto.palette),
        "fit s": time.perf_counter() - started,
    }
    meanshift = engine.fit_palette(ours_sample, engine.PaletteSettings(method="meanshift-seed")).palette
    row["original meanshift"] = {"colours": len(meanshift), "ΔE": _our_error(pixels, meanshift)}
    return row


def quality_on_ground_truth(work: Path) -> list[dict[str, float]]:
    """Colour counts found and error against the clean truth, for K known colours."""
    from synthetic import write_truth_set

    from pixel_sprites import engine
    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab

    rows = []
    for count, noise, shading in ((6, 3, 0.04), (12, 3, 0.04), (24, 3, 0.04), (16, 8, 0.12)):
        folder = work / f"truth_{count}_{noise}"
        shutil.rmtree(folder, ignore_errors=True)
        _, truths = write_truth_set(folder, count, 6, noise=noise, shading=shading, seed=count)
        row: dict[str, float] = {"true colours": count, "noise": noise}
        for method in ("kmeans-lab", "meanshift-seed"):
            frames = engine.discover_frames([folder])
            out = work / f"truth_out_{count}_{method}"
            report = engine.process(
                frames, [folder], engine.DownscaleSettings(size=SPRITE_SIZE),
                engine.PaletteSettings(method=method), engine.OutputSettings(folder=out),
            )  # fmt: skip
            errors = []
            for frame, truth in zip(frames, truths, strict=True):
                from PIL import Image

                sprite = np.asarray(Image.open(out / frame.relative))
                opaque = truth.sprite[:, :, 3] == 255
                errors.append(delta_e_2000(srgb_to_lab(sprite[opaque, :3]), srgb_to_lab(truth.sprite[opaque, :3])))
            row[f"{method} colours"] = len(report.palette)
            row[f"{method} ΔE vs truth"] = float(np.concatenate(errors).mean())
        rows.append(row)
    return rows


# ---------------------------------------------------------------- sampling (nearest or majority)

STILL_RENDER = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_character_scene
scene = build_character_scene(output=Path({folder!r}), resolution={size!r}, samples=16)
for obj in bpy.data.objects:  # one pose, one angle: frames differ by render noise alone
    obj.animation_data_clear()
scene.frame_start, scene.frame_end = 1, {frames}
scene.cycles.use_animated_seed = True
bpy.ops.render.render(animation=True)
"""


def _lonely_share(sprite: np.ndarray) -> float:
    """Speckle: the share of opaque pixels whose colour differs from all four neighbours (inside the sprite)."""
    codes = sprite[:, :, :3].astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    opaque = sprite[:, :, 3] == 255
    lonely = opaque[1:-1, 1:-1].copy()
    for neighbour in (codes[:-2, 1:-1], codes[2:, 1:-1], codes[1:-1, :-2], codes[1:-1, 2:]):
        lonely &= codes[1:-1, 1:-1] != neighbour
    return float(lonely.sum() / max(1, opaque.sum()))


def _changed_share(first: np.ndarray, second: np.ndarray) -> float:
    """Flicker: the share of pixels opaque in either frame whose RGBA differs between the two."""
    either = (first[:, :, 3] == 255) | (second[:, :, 3] == 255)
    return float((first != second).any(axis=2)[either].sum() / max(1, either.sum()))


def _error_to_block_average(sprite: np.ndarray, rgba: np.ndarray) -> float:
    """Mean ΔE2000 of each opaque sprite pixel against the mean CIELAB colour of its block's opaque pixels."""
    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab
    from pixel_sprites.engine.palette.majority import block_edges

    rows, cols = block_edges(rgba.shape[0], sprite.shape[0]), block_edges(rgba.shape[1], sprite.shape[1])
    lab = srgb_to_lab(rgba[:, :, :3])
    opaque = rgba[:, :, 3] >= 128
    errors = []
    for row, col in zip(*np.nonzero(sprite[:, :, 3] == 255), strict=True):
        block = (slice(rows[row], rows[row + 1]), slice(cols[col], cols[col + 1]))
        if opaque[block].any():
            average = lab[block][opaque[block]].mean(axis=0)
            errors.append(float(delta_e_2000(srgb_to_lab(sprite[row, col, :3]), average)))
    return float(np.mean(errors))


def sampling_comparison(work: Path, characters: dict[str, list[Path]], colours: int = 16) -> dict[str, object]:
    """``--sampling nearest`` against ``majority`` at ``colours`` colours: cost, speckle, flicker and error.

    Flicker is measured on renders of one still pose that differ only in their render noise (Cycles' seed), as
    consecutive frames of a character standing still do; speckle on every character's renders too.
    """
    from PIL import Image

    from pixel_sprites import engine
    from pixel_sprites.engine.options import SAMPLINGS

    still = work / "still_pose"
    if len(list(still.glob("*.png"))) != 8:
        code = STILL_RENDER.format(scripts=str(ROOT / "scripts"), folder=str(still), size=RENDER_SIZE, frames=8)
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    results: dict[str, object] = {}
    for name, paths in {"still pose (8 renders, noise only)": sorted(still.glob("*.png")), **characters}.items():
        row: dict[str, float] = {}
        for sampling in SAMPLINGS:
            out = work / "sampling" / name.split()[0] / sampling
            shutil.rmtree(out, ignore_errors=True)
            started = time.perf_counter()
            engine.process(
                engine.discover_frames([paths[0].parent]),
                [paths[0].parent],
                engine.DownscaleSettings(size=SPRITE_SIZE, sampling=sampling),
                engine.PaletteSettings(colors=colours),
                engine.OutputSettings(folder=out),
                engine.RunOptions(workers=1),
            )
            row[f"{sampling} ms/frame"] = 1000 * (time.perf_counter() - started) / len(paths)
            sprites = [np.asarray(Image.open(out / path.name).convert("RGBA")) for path in paths]
            row[f"{sampling} speckle %"] = 100 * float(np.mean([_lonely_share(sprite) for sprite in sprites]))
            if name.startswith("still"):
                changes = [_changed_share(first, second) for first, second in itertools.pairwise(sprites)]
                row[f"{sampling} flicker %"] = 100 * float(np.mean(changes))
                block_errors = [
                    _error_to_block_average(sprite, engine.read_frame(path).rgba)
                    for sprite, path in zip(sprites, paths, strict=True)
                ]
                row[f"{sampling} ΔE to block average"] = float(np.mean(block_errors))
        row["majority cost ms/frame"] = row["majority ms/frame"] - row["nearest ms/frame"]
        results[name] = row
    return results


# ---------------------------------------------------------------- sprite-size rendering


# The add-on loaded from this repository into a bpy child process, for the rendering benchmarks.
LOAD_ADDON = """
import sys, time, json
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_character_scene, build_set_scene
import importlib.util
spec = importlib.util.spec_from_file_location("pixel_sprites", {addon!r} + "/__init__.py",
                                              submodule_search_locations=[{addon!r}])
module = importlib.util.module_from_spec(spec); sys.modules["pixel_sprites"] = module; spec.loader.exec_module(module)
module.register()
"""


def timings_in_blender(script: str, work: Path, **fields: object) -> dict[str, float]:
    """Run ``script`` (LOAD_ADDON and more) in a fresh ``bpy`` process working in ``work``; the TIMINGS it prints."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    code = script.format(scripts=str(ROOT / "scripts"), addon=str(ROOT / "addon"), work=str(work), **fields)
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.split("TIMINGS", 1)[1].splitlines()[0])


SPRITE_SIZE_RENDER = (
    LOAD_ADDON
    + """
timings = {{}}
for mode in ("full", "sprite"):
    scene = build_character_scene(output=Path({work!r}) / mode, resolution={size!r}, samples=16)
    scene.pixel_sprites.size_mode = "SIZE"
    scene.pixel_sprites.width, scene.pixel_sprites.height = {sprite!r}
    scene.pixel_sprites.colors, scene.pixel_sprites.auto_colors = 12, False
    scene.pixel_sprites.render_at_sprite_size = mode == "sprite"
    started = time.perf_counter()
    bpy.ops.pixel_sprites.render_sprites()
    timings[mode] = (time.perf_counter() - started) / (scene.frame_end - scene.frame_start + 1)
print("TIMINGS", json.dumps(timings))
"""
)


def sprite_size_rendering(work: Path) -> dict[str, float]:
    from pixel_sprites import engine
    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab

    timings = timings_in_blender(SPRITE_SIZE_RENDER, work, size=RENDER_SIZE, sprite=SPRITE_SIZE)
    settings = engine.DownscaleSettings(size=SPRITE_SIZE)
    errors, agree, total = [], 0, 0
    for full in sorted((work / "full").glob("*.png")):
        rgba = engine.read_frame(full).rgba
        reference = settings.downscaler(rgba.shape[:2])(rgba)
        small = engine.read_frame(work / "sprite" / "sprite_size" / full.name).rgba
        small_alpha = small[:, :, 3] >= 128
        agree += int((small_alpha == (reference[:, :, 3] == 255)).sum())
        total += small_alpha.size
        both = small_alpha & (reference[:, :, 3] == 255)
        errors.append(delta_e_2000(srgb_to_lab(small[both, :3]), srgb_to_lab(reference[both, :3])))
    return {
        "render + downscale s/frame": timings["full"],
        "sprite-size render s/frame": timings["sprite"],
        "speed-up": timings["full"] / timings["sprite"],
        "mean ΔE2000 vs render + downscale": float(np.concatenate(errors).mean()),
        "alpha agreement %": 100 * agree / total,
    }


# ---------------------------------------------------------------- sprite sets


SET_RENDER = (
    LOAD_ADDON
    + """
from pixel_sprites.blender import sprite_set
from pixel_sprites.blender.scene_state import SceneState
timings = {{"plain": 0.0, "set": 0.0}}
scene = build_set_scene(output=Path({work!r}) / "warm-up", resolution={size!r}, engine="CYCLES", samples=16)
bpy.ops.render.render()  # the first Cycles render of a process pays for kernels and caches: not part of either
# Each way twice, alternating, so that neither gets the warmer machine.
for mode in ("set", "plain", "set", "plain"):
    scene = build_set_scene(output=Path({work!r}) / mode, resolution={size!r}, engine="CYCLES", samples=16)
    settings = scene.pixel_sprites
    settings.directions, settings.pixel = {directions}, 10
    settings.set_actions.add().action = bpy.data.actions["walk"]
    started = time.perf_counter()
    if mode == "set":
        bpy.ops.pixel_sprites.render_set()
    else:  # the same renders, turned and assigned the same way, with no sprite work
        settings.enabled = False
        plan = sprite_set.plan(scene)
        state = SceneState.capture(scene, plan.pivot, plan.animated)
        for index in range(len(plan.steps)):
            sprite_set._set_up_step(scene, plan, state, index)
            bpy.ops.render.render(animation=True)
        state.restore()
    timings[mode] += (time.perf_counter() - started) / 2
timings["renders"] = len(plan.steps) * 6
print("TIMINGS", json.dumps(timings))
"""
)


def set_overhead(work: Path, size: tuple[int, int], directions: int) -> dict[str, float]:
    """Render Sprite Set against plain renders of the same frames: the walk action (6 frames) per facing."""
    timings = timings_in_blender(SET_RENDER, work, size=size, directions=directions)
    return {
        f"renders ({size[0]}x{size[1]}, Cycles 16 samples)": timings["renders"],
        "plain renders s": timings["plain"],
        "Render Sprite Set s (renders, sprites, manifest, sheets)": timings["set"],
        "overhead % of render time": 100 * (timings["set"] - timings["plain"]) / timings["plain"],
    }


def sheet_packing(work: Path, cells: int = 1000) -> dict[str, float]:
    """Sheets and every engine file for ``cells`` 64x90 sprites: one action, 8 facings."""
    from pixel_sprites import engine
    from pixel_sprites.engine.files.png import write_png

    shutil.rmtree(work, ignore_errors=True)
    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    frames_per_facing = cells // 8
    for facing in engine.facings(8):
        for frame in range(frames_per_facing):
            indices = rng.integers(0, 16, (SPRITE_SIZE[1] // 6, SPRITE_SIZE[0] // 4))
            sprite = np.zeros((SPRITE_SIZE[1], SPRITE_SIZE[0], 4), np.uint8)
            sprite[:, :, :3] = np.repeat(np.repeat(colours[indices], 6, axis=0), 4, axis=1)
            sprite[:, :, 3] = 255
            write_png(sprite, work / "run" / facing.name / f"{frame + 1:04d}.png")
    results = {}
    for formats in (("json",), engine.SHEET_FORMATS):
        sprite_set = engine.open_sprite_set(work)
        started = time.perf_counter()
        report = engine.write_sheets(work, sprite_set, engine.SheetOptions(formats=formats))
        seconds = time.perf_counter() - started
        results[f"s per 1,000 cells ({'+'.join(formats)})"] = seconds * 1000 / report.cells
    return results


# ---------------------------------------------------------------- frame-list renders (render farms)


FRAME_LIST_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_character_scene
scene = build_character_scene(output=Path({renders!r}), resolution=(320, 450), poses={poses})
scene.render.engine = "BLENDER_WORKBENCH"
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""


def frame_list_post_processing(work: Path, poses: int = 6) -> dict[str, float]:
    """Debian's ``blender -b``: what the add-on adds to ``-a`` and to ``--render-frame 1..N`` over the same frames.

    Each is the time with the add-on's sprites on less the time with them off, in the same kind of run; Workbench
    renders keep the renders themselves short.
    """
    blender = shutil.which("blender")
    if blender is None:
        return {}
    shutil.rmtree(work, ignore_errors=True)
    (work / "addons").mkdir(parents=True)
    (work / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
    env = {key: value for key, value in os.environ.items() if key not in ("OCIO", "BLENDER_USER_SCRIPTS")}
    env["BLENDER_USER_SCRIPTS"] = str(work)
    blend, renders = work / "scene.blend", work / "renders"
    code = FRAME_LIST_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(renders), blend=str(blend), poses=poses)
    subprocess.run([blender, "-b", "--python-expr", code], env=env, check=True, capture_output=True)
    frames = 8 * poses

    def timed(*args: str, sprites: bool = True, locked: bool = False) -> float:
        shutil.rmtree(renders / "sprites", ignore_errors=True)
        setup = (
            "import bpy; s = bpy.context.scene.pixel_sprites; "
            f"s.pixel = 5; s.enabled = {sprites}; s.palette_locked = {locked}"
        )
        if locked:  # the character's saved palette, as a farm's locked palette
            (renders / "sprites").mkdir(parents=True)
            shutil.copy(work / "locked.gpl", renders / "sprites" / "character.gpl")
        started = time.perf_counter()
        subprocess.run(
            [blender, "-b", str(blend), "--addons", "pixel_sprites", "--python-expr", setup, *args],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        return time.perf_counter() - started

    animation = ("-a",)
    frame_list = ("--render-frame", f"1..{frames}")
    after_a = timed(*animation) - timed(*animation, sprites=False)
    timed(*animation)
    shutil.copy(renders / "sprites" / "character.gpl", work / "locked.gpl")
    plain_list = timed(*frame_list, sprites=False)
    after_list = timed(*frame_list) - plain_list
    after_locked = timed(*frame_list, locked=True) - plain_list
    return {
        "frames (320x450 Workbench)": frames,
        "sprites after -a s": after_a,
        "sprites after --render-frame 1..N s": after_list,
        "--render-frame / -a": after_list / after_a,
        "locked palette, per frame of --render-frame ms": 1000 * after_locked / frames,
    }


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=1500)
    parser.add_argument("--small-frames", type=int, default=300, help="a small job too: one action at 8 facings")
    parser.add_argument("--runs", type=int, default=3, help="runs of each pipeline, in turn, for the spread")
    parser.add_argument("--memory-frames", type=int, default=30000, help="0 to skip the memory run")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/pixel_sprites_benchmark"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["speed", "memory", "decoders", "quality", "sampling", "render", "set"]
    )
    args = parser.parse_args()
    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}

    renders = render_frames(work / "renders", poses=3, samples=16)
    palette = target_palette(work / "target47.png")
    print(f"{len(renders)} Cycles renders of {RENDER_SIZE[0]}x{RENDER_SIZE[1]} in {work / 'renders'}")

    if "speed" not in args.skip:
        results["speed"] = speeds = [
            speed(renders, work, palette, frames, args.workers, args.runs)
            for frames in (args.frames, args.small_frames)
        ]
        print(json.dumps(speeds, indent=1, ensure_ascii=False))

    if "memory" not in args.skip and args.memory_frames:
        frames = link_frames(renders, work / f"frames_{args.memory_frames}", args.memory_frames)
        seconds, peak = run_child("ours", str(frames), str(work / "out_memory"), str(palette), str(args.workers))
        results["memory"] = memory = {
            "frames": args.memory_frames,
            "pixel-sprites peak MB": peak,
            "ms/frame": seconds * 1000 / args.memory_frames,
        }
        print(json.dumps(memory, indent=1))

    if "decoders" not in args.skip:
        results["decoders"] = decoders = decoder_table(renders * 3, args.workers)
        print(json.dumps(decoders, indent=1))

    if "quality" not in args.skip:
        characters = render_characters(work, renders)
        results["quality_renders"] = quality = {name: quality_of_character(paths) for name, paths in characters.items()}
        print(json.dumps(quality, indent=1, ensure_ascii=False))
        results["quality_ground_truth"] = truth = quality_on_ground_truth(work)
        print(json.dumps(truth, indent=1, ensure_ascii=False))

    if "sampling" not in args.skip:
        results["sampling"] = sampling = sampling_comparison(work, render_characters(work, renders))
        print(json.dumps(sampling, indent=1, ensure_ascii=False))

    if "render" not in args.skip:
        results["sprite_size_render"] = rendering = sprite_size_rendering(work / "sprite_size_render")
        print(json.dumps(rendering, indent=1, ensure_ascii=False))

    if "set" not in args.skip:
        results["sprite_set"] = sets = {
            "small renders": set_overhead(work / "set_render_small", (320, 450), directions=4),
            "full-size renders": set_overhead(work / "set_render_full", RENDER_SIZE, directions=2),
            **sheet_packing(work / "sheet_packing"),
            **frame_list_post_processing(work / "frame_list"),
        }
        print(json.dumps(sets, indent=1, ensure_ascii=False))

    (work / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"results in {work / 'results.json'}")
    return 0


def child(argv: list[str]) -> None:
    kind, *rest = argv
    if kind == "decode":
        child_decode_only(Path(rest[0]), int(rest[1]))
    elif kind == "original":
        child_original(Path(rest[0]), Path(rest[1]), Path(rest[2]))
    else:
        child_ours(Path(rest[0]), Path(rest[1]), Path(rest[2]), int(rest[3]))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
