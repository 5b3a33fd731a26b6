"""Speed, memory and quality of Pixel Sprites against the original script, measured in one run.

    .venv/bin/python scripts/benchmark.py [--frames 3000] [--memory-frames 30000] [--work-dir DIR]

1. Makes its own frames: real Cycles renders (640x900) of the procedural
   character with ``bpy``, hard-linked up to the frame count.
2. Speed and memory, each pipeline in its own process (peak RSS from wait4):
   a decode-only pass (Pillow, all cores: the floor), a faithful
   re-implementation of the original script (skimage load and resize,
   MeanShift on 2000 pixels, cdist remaps to the reduced and a 47-colour
   target palette, skimage save), and Pixel Sprites with the same target.
3. Memory flatness: Pixel Sprites on ``--memory-frames`` frames.
4. PNG decoders on one core and on all cores.
5. Quality: ground-truth sets (K flat colours + noise + shading) and the
   renders themselves, for our default, the original MeanShift, scikit-learn
   k-means in CIELAB, Pillow's median cut and libimagequant (if installed).
6. Sprite-size rendering against render + downscale on the demo scene.
7. Sprite sets: Render Sprite Set against plain renders of the same frames
   (the set's overhead, as a share of the render time), and sheet packing
   with every engine file, per 1,000 cells.

Ratios are what to read: absolute times vary by 2x between runs and machines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
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
    if existing:
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


# ---------------------------------------------------------------- decoders


def _decode_pillow(path: Path) -> tuple[int, ...]:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image).shape


def _decode_pyspng(path: Path) -> tuple[int, ...]:
    import pyspng

    return pyspng.load(path.read_bytes()).shape


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
    table = {}
    for name, decode in decoders.items():
        row = {}
        started = time.perf_counter()
        for path in paths:
            decode(path)
        row["one core ms"] = (time.perf_counter() - started) / len(paths) * 1000
        for kind, pool_type in (("threads ms", ThreadPoolExecutor), ("processes ms", ProcessPoolExecutor)):
            with pool_type(workers) as pool:
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


def _mean_error(pixels: np.ndarray, palette_rgb: np.ndarray) -> float:
    from pixel_sprites.engine import Palette, Remapper

    rgba = np.concatenate([pixels, np.full((len(pixels), 1), 255, np.uint8)], axis=1)[None]
    return Remapper(Palette.from_colors(palette_rgb)).remap(rgba).errors.mean


def _fitters(count: int, seed: int = 0) -> dict:  # type: ignore[type-arg]
    from PIL import Image
    from sklearn.cluster import KMeans

    from pixel_sprites.engine import PaletteSettings, fit_palette
    from pixel_sprites.engine.colour import lab_to_srgb, srgb_to_lab

    def ours(sample: np.ndarray) -> np.ndarray:
        return fit_palette(sample, PaletteSettings(colors=count, seed=seed)).palette.colors

    def sklearn_lab(sample: np.ndarray) -> np.ndarray:
        model = KMeans(n_clusters=count, n_init=10, random_state=seed).fit(srgb_to_lab(sample))
        return lab_to_srgb(model.cluster_centers_)

    def median_cut(sample: np.ndarray) -> np.ndarray:
        image = Image.fromarray(sample[None], "RGB").quantize(count, method=Image.Quantize.MEDIANCUT)
        return np.array(image.getpalette()[: 3 * count], dtype=np.uint8).reshape(-1, 3)

    fitters = {"pixel-sprites": ours, "sklearn-kmeans-lab": sklearn_lab, "pillow-median-cut": median_cut}
    try:
        import imagequant

        def libimagequant(sample: np.ndarray) -> np.ndarray:
            image = Image.fromarray(sample[None], "RGB").convert("RGBA")
            quantized = imagequant.quantize_pil_image(image, max_colors=count, dithering_level=0.0)
            return np.array(quantized.getpalette()[: 3 * count], dtype=np.uint8).reshape(-1, 3)

        fitters["libimagequant"] = libimagequant
    except ImportError:
        pass
    return fitters


def opaque_downscaled_pixels(paths: list[Path]) -> np.ndarray:
    from pixel_sprites import engine

    settings = engine.DownscaleSettings(size=SPRITE_SIZE)
    pixels = []
    for path in paths:
        rgba = engine.read_frame(path).rgba
        small = settings.downscaler(rgba.shape[:2])(rgba)
        pixels.append(small[small[:, :, 3] == 255][:, :3])
    return np.concatenate(pixels)


def quality_on_renders(paths: list[Path]) -> dict[str, dict[str, float]]:
    """Mean ΔE2000 over all opaque downscaled pixels, palettes fitted on a 4000-pixel sample."""
    from pixel_sprites.engine import PaletteSettings, fit_palette

    pixels = opaque_downscaled_pixels(paths)
    sample = np.random.default_rng(0).permutation(pixels)[:4000]
    table: dict[str, dict[str, float]] = {}
    for count in (6, 12):
        table[f"{count} colours"] = {
            name: _mean_error(pixels, fitter(sample)) for name, fitter in _fitters(count).items()
        }
    meanshift = fit_palette(sample, PaletteSettings(method="meanshift-seed")).palette
    auto = fit_palette(sample, PaletteSettings()).palette
    table["original meanshift"] = {"colours": len(meanshift), "delta_e": _mean_error(pixels, meanshift.colors)}
    table["auto (tolerance 3)"] = {"colours": len(auto), "delta_e": _mean_error(pixels, auto.colors)}
    return table


def quality_on_ground_truth(work: Path) -> list[dict[str, float]]:
    """Colour counts found and error against the clean truth, for K known colours."""
    from synthetic import write_truth_set

    from pixel_sprites import engine
    from pixel_sprites.engine.colour import delta_e_2000, srgb_to_lab

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
    from pixel_sprites.engine.colour import delta_e_2000, srgb_to_lab

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
    from pixel_sprites.engine.sprite_files import write_png

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
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--memory-frames", type=int, default=30000, help="0 to skip the memory run")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/pixel_sprites_benchmark"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["speed", "memory", "decoders", "quality", "render", "set"]
    )
    args = parser.parse_args()
    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}

    renders = render_frames(work / "renders", poses=3, samples=16)
    palette = target_palette(work / "target47.png")
    print(f"{len(renders)} Cycles renders of {RENDER_SIZE[0]}x{RENDER_SIZE[1]} in {work / 'renders'}")

    if "speed" not in args.skip:
        frames = link_frames(renders, work / f"frames_{args.frames}", args.frames)
        decode_s, decode_mb = run_child("decode", str(frames), str(args.workers))
        original_s, original_mb = run_child("original", str(frames), str(work / "out_original"), str(palette))
        ours_s, ours_mb = run_child("ours", str(frames), str(work / "out_ours"), str(palette), str(args.workers))
        per_frame = 1000 / args.frames
        results["speed"] = speed = {
            "frames": args.frames,
            "decode-only ms/frame": decode_s * per_frame,
            "original ms/frame": original_s * per_frame,
            "pixel-sprites ms/frame": ours_s * per_frame,
            "original / pixel-sprites": original_s / ours_s,
            "pixel-sprites / decode-only": ours_s / decode_s,
            "original / decode-only": original_s / decode_s,
            "decode-only peak MB": decode_mb,
            "original peak MB": original_mb,
            "pixel-sprites peak MB": ours_mb,
        }
        print(json.dumps(speed, indent=1, ensure_ascii=False))

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
        results["quality_renders"] = quality = quality_on_renders(renders)
        print(json.dumps(quality, indent=1, ensure_ascii=False))
        results["quality_ground_truth"] = truth = quality_on_ground_truth(work)
        print(json.dumps(truth, indent=1, ensure_ascii=False))

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
