"""The pipelines the speed and memory sections time, each run in a fresh process (``speed.pipeline_command``):

    python -m scripts.bench.pipelines decode-only FRAMES --workers N
    python -m scripts.bench.pipelines original FRAMES --out OUT --target PALETTE.png
    python -m scripts.bench.pipelines pixel-sprites FRAMES --out OUT --target PALETTE.png --workers N --timings FILE

``decode-only`` decodes every frame with Pillow on ``N`` processes and keeps nothing: a floor for any pipeline
that reads its frames. ``original`` is the original script's pipeline, re-implemented as published. ``pixel-sprites``
is ``engine.process`` with the same target palette; ``--timings`` gets its report's timings (read, fit, write).
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from .inputs import SPRITE_SIZE


def _pillow_decode(path: str) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return int(np.asarray(image).shape[0])


def decode_only(frames: Path, workers: int) -> None:
    paths = [str(path) for path in sorted(frames.glob("*.png"))]
    with ProcessPoolExecutor(workers) as pool:
        for _ in pool.map(_pillow_decode, paths, chunksize=16):
            pass


def original(frames: Path, out: Path, target_path: Path) -> None:
    """The original script's pipeline: skimage load and resize with every frame held as float64 at once, MeanShift
    on 2,000 pixels, ``cdist`` remaps to the reduced palette and then to the target one, skimage save."""
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
    target_image = skimage.io.imread(target_path)
    target = np.unique(target_image.reshape(-1, target_image.shape[-1]), axis=0)[:, :3]
    data = remap(remap(data, reduced), target)
    result = np.zeros_like(flat)
    result[opaque, :3] = data
    result[opaque, 3] = 255
    out.mkdir(parents=True, exist_ok=True)
    for path, image in zip(files, result.reshape(collection.shape), strict=True):
        skimage.io.imsave(out / path.name, image.astype(np.uint8), check_contrast=False)


def pixel_sprites(frames: Path, out: Path, target_path: Path, workers: int, timings: Path) -> None:
    from pixel_sprites import engine

    report = engine.process(
        engine.discover_frames([frames]),
        [frames],
        engine.DownscaleSettings(size=SPRITE_SIZE),
        engine.PaletteSettings(),
        engine.OutputSettings(folder=out, target=engine.read_palette(target_path)),
        engine.RunOptions(workers=workers, processes=True),
    )
    timings.write_text(json.dumps(report.timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    pipelines = parser.add_subparsers(dest="pipeline", required=True)
    decode = pipelines.add_parser("decode-only")
    decode.add_argument("frames", type=Path)
    decode.add_argument("--workers", type=int, required=True)
    for name in ("original", "pixel-sprites"):
        pipeline = pipelines.add_parser(name)
        pipeline.add_argument("frames", type=Path)
        pipeline.add_argument("--out", type=Path, required=True)
        pipeline.add_argument("--target", type=Path, required=True, help="the target palette, a PNG swatch")
    ours = pipelines.choices["pixel-sprites"]
    ours.add_argument("--workers", type=int, required=True)
    ours.add_argument("--timings", type=Path, required=True, help="a JSON file for the report's timings")
    args = parser.parse_args()
    if args.pipeline == "decode-only":
        decode_only(args.frames, args.workers)
    elif args.pipeline == "original":
        original(args.frames, args.out, args.target)
    else:
        pixel_sprites(args.frames, args.out, args.target, args.workers, args.timings)


if __name__ == "__main__":
    main()
