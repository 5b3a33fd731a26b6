"""The quality sections: mean ΔE2000 of our palettes against a k-means reference, and against known colours.

``quality``: on the base frames and three more rendered characters (metal, gradients, thin parts and many
colours), at 6, 12 and 24 colours, our error over the reference's, with the fit's time; Pillow's median cut and
libimagequant (if installed) against the same reference; the automatic count and the original MeanShift. The
reference is scikit-learn ``KMeans(n_init=4, random_state=0)`` in CIELAB on 20,000 pooled opaque pixels (all when
fewer), each pixel mapped to its nearest centre in CIELAB; ours goes the pipeline's way (reservoir, fit, remap).

``ground-truth``: sprites painted from K known colours, upscaled, with render-like noise and shading
(``tests/synthetic.py``): the count the automatic fit and the original MeanShift find, and their error against
the clean truth.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import ROOT
from .inputs import SPRITE_SIZE, Inputs

COUNTS = (6, 12, 24)
REFERENCE_SAMPLE = 20_000
# (true colours, noise, shading) of the ground-truth sets: three clean-ish ones and a heavy one.
TRUTH_SETS = ((6, 3, 0.04), (12, 3, 0.04), (24, 3, 0.04), (16, 8, 0.12))
TRUTH_FRAMES = 6


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


def error_with_nearest_lab(pixels: np.ndarray, palette_rgb: np.ndarray) -> float:
    """Mean ΔE2000 with each pixel mapped to its nearest palette colour in CIELAB, as k-means in CIELAB assigns."""
    from pixel_sprites.engine.colour.nearest import nearest_centres
    from pixel_sprites.engine.colour.spaces import delta_e_2000, distinct_colours, srgb_to_lab

    colours, _, counts = distinct_colours(pixels)
    lab, palette_lab = srgb_to_lab(colours), srgb_to_lab(np.asarray(palette_rgb, np.uint8))
    errors = delta_e_2000(lab, palette_lab[nearest_centres(lab, palette_lab)])
    return float(np.average(errors, weights=counts))


def our_error(pixels: np.ndarray, palette: Any) -> float:
    """Mean ΔE2000 of our sprites: the pixels remapped as the pipeline remaps them."""
    from pixel_sprites import engine

    rgba = np.concatenate([pixels, np.full((len(pixels), 1), 255, np.uint8)], axis=1)[None]
    return float(engine.Remapper(palette).remap(rgba).errors.mean)


def other_quantisers(sample: np.ndarray, count: int) -> dict[str, np.ndarray]:
    """Palettes of Pillow's median cut and, if installed, libimagequant, fitted to ``sample``."""
    from PIL import Image

    image = Image.fromarray(sample[None], "RGB")
    palettes = {"pillow_median_cut": image.quantize(count, method=Image.Quantize.MEDIANCUT)}
    try:
        import imagequant

        palettes["libimagequant"] = imagequant.quantize_pil_image(
            image.convert("RGBA"), max_colors=count, dithering_level=0.0
        )
    except ImportError:
        pass
    return {
        name: np.array((quantised.getpalette() or [])[: 3 * count], dtype=np.uint8).reshape(-1, 3)
        for name, quantised in palettes.items()
    }


def fixed_count_row(
    pixels: np.ndarray, ours_sample: np.ndarray, reference_sample: np.ndarray, count: int
) -> dict[str, Any]:
    from sklearn.cluster import KMeans

    from pixel_sprites import engine
    from pixel_sprites.engine.colour.spaces import lab_to_srgb, srgb_to_lab

    kmeans = KMeans(n_clusters=count, n_init=4, random_state=0).fit(srgb_to_lab(reference_sample))
    reference = error_with_nearest_lab(pixels, lab_to_srgb(kmeans.cluster_centers_))
    started = time.perf_counter()
    fitted = engine.fit_palette(ours_sample, engine.PaletteSettings(colors=count))
    fit_seconds = time.perf_counter() - started
    ours = our_error(pixels, fitted.palette)
    others = other_quantisers(reference_sample, count)
    return {
        "pixel_sprites_delta_e": ours,
        "reference_delta_e": reference,
        "pixel_sprites_over_reference": ours / reference,
        "fit_seconds": fit_seconds,
        "refinement_sample": fitted.sample_size,
        "others_over_reference": {
            name: error_with_nearest_lab(pixels, palette) / reference for name, palette in others.items()
        },
    }


def character_quality(paths: list[Path]) -> dict[str, Any]:
    """Our palette against the reference at each of ``COUNTS``, the automatic count and the original MeanShift."""
    from pixel_sprites import engine
    from pixel_sprites.engine.sprites.pipeline import SAMPLE_SIZE

    pixels = opaque_downscaled_pixels(paths)
    reservoir = engine.PixelReservoir(SAMPLE_SIZE, seed=0)
    reservoir.add(pixels)
    ours_sample = reservoir.sample()
    reference_sample = np.random.default_rng(0).permutation(pixels)[:REFERENCE_SAMPLE]
    started = time.perf_counter()
    auto = engine.fit_palette(ours_sample, engine.PaletteSettings())
    auto_seconds = time.perf_counter() - started
    meanshift = engine.fit_palette(ours_sample, engine.PaletteSettings(method="meanshift-seed")).palette
    return {
        "frames": len(paths),
        "opaque_pixels": len(pixels),
        "counts": {str(count): fixed_count_row(pixels, ours_sample, reference_sample, count) for count in COUNTS},
        "auto": {"colours": len(auto.palette), "delta_e": our_error(pixels, auto.palette), "fit_seconds": auto_seconds},
        "original_meanshift": {"colours": len(meanshift), "delta_e": our_error(pixels, meanshift)},
    }


def quality_section(inputs: Inputs) -> dict[str, Any]:
    return {
        "render_size": list(inputs.options.render_size),
        "samples": inputs.options.samples,
        "reference_sample": REFERENCE_SAMPLE,
        "characters": {name: character_quality(paths) for name, paths in inputs.characters.items()},
    }


def truth_error(out: Path, frames: list[Any], truths: list[Any]) -> float:
    """Mean ΔE2000 of the written sprites against the clean truth, over the truth's opaque pixels."""
    from PIL import Image

    from pixel_sprites.engine.colour.spaces import delta_e_2000, srgb_to_lab

    errors = []
    for frame, truth in zip(frames, truths, strict=True):
        sprite = np.asarray(Image.open(out / frame.relative))
        opaque = truth.sprite[:, :, 3] == 255
        errors.append(delta_e_2000(srgb_to_lab(sprite[opaque, :3]), srgb_to_lab(truth.sprite[opaque, :3])))
    return float(np.concatenate(errors).mean())


def ground_truth_section(inputs: Inputs) -> dict[str, Any]:
    from pixel_sprites import engine

    sys.path.insert(0, str(ROOT / "tests"))  # the tests' synthetic characters, with their truth
    from synthetic import write_truth_set

    rows = []
    for count, noise, shading in TRUTH_SETS:
        folder = inputs.options.work / "truth" / f"{count}_{noise}"
        shutil.rmtree(folder.parent / f"{count}_{noise}_out", ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        _, truths = write_truth_set(folder, count, TRUTH_FRAMES, noise=noise, shading=shading, seed=count)
        row: dict[str, Any] = {"true_colours": count, "noise": noise, "shading": shading}
        for method in ("kmeans-lab", "meanshift-seed"):
            frames = engine.discover_frames([folder])
            out = folder.parent / f"{count}_{noise}_out" / method
            report = engine.process(
                frames, [folder], engine.DownscaleSettings(size=SPRITE_SIZE),
                engine.PaletteSettings(method=method), engine.OutputSettings(folder=out),
            )  # fmt: skip
            row[method] = {"colours": len(report.palette), "delta_e_vs_truth": truth_error(out, frames, truths)}
        rows.append(row)
    return {"frames_per_set": TRUTH_FRAMES, "sets": rows}
