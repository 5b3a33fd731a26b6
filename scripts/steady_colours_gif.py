"""The Steady Colours page's animation: a still pose's 8 renders that differ only in Cycles' seed, made into sprites
plain (left) and with ``--stabilise`` (right), enlarged with nearest neighbour and played in a loop.

    .venv/bin/python scripts/steady_colours_gif.py [--frames DIR] [--sampling nearest] [--out docs/steady_colours.gif]

``--frames`` is a folder of the renders; without it, the golem's still pose of the benchmark's Steady Colours
section (``python -m scripts.bench --only steady``, kept in its work folder). Both sides are what the command line
writes, ``pixel-sprites process FRAMES --size 64x90 --colors 16 --sampling SAMPLING`` without and with
``--stabilise``; each side's caption gives its flicker: the share of opaque pixels that change from frame to frame.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path
from statistics import mean

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
# The golem's still pose in the benchmark's default work folder (scripts/bench/run.py's DEFAULT_WORK).
DEFAULT_FRAMES = Path("/var/tmp/pixel_sprites_benchmark/steady_640x900_16spp/golem/still")
SCALE = 4
GAP = 16
CAPTION = 26
FONT_SIZE = 16
BACKGROUND = (64, 64, 72)
TEXT = (235, 235, 235)
FRAME_MILLISECONDS = 125  # an idle animation's 8 frames a second


def sprites(frames: Path, out: Path, sampling: str, stabilise: bool) -> list[np.ndarray]:
    """The sprites ``pixel-sprites process`` writes for ``frames``, as RGBA arrays in frame order."""
    from pixel_sprites.cli import main

    steady = ["--stabilise"] if stabilise else []
    arguments = [str(frames), "--out", str(out), "--size", "64x90", "--colors", "16", "--sampling", sampling]
    if main(["process", *arguments, *steady]) != 0:
        raise SystemExit(f"pixel-sprites process {' '.join(arguments + steady)} failed")
    return [np.asarray(Image.open(out / path.name).convert("RGBA")) for path in sorted(frames.glob("*.png"))]


def flicker(side: list[np.ndarray]) -> float:
    """The mean share of opaque pixels (in either frame) that change from one frame to the next, in percent."""
    shares = []
    for first, second in itertools.pairwise(side):
        either = (first[:, :, 3] == 255) | (second[:, :, 3] == 255)
        shares.append((first != second).any(axis=2)[either].mean())
    return 100 * float(mean(shares))


def composed(plain: np.ndarray, steadied: np.ndarray, captions: tuple[str, str]) -> Image.Image:
    """One frame of the animation: both sprites enlarged on a plain background, each under its caption."""
    height, width = plain.shape[:2]
    canvas = Image.new("RGB", (2 * width * SCALE + 3 * GAP, height * SCALE + CAPTION + 2 * GAP), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=FONT_SIZE)
    for index, (sprite, caption) in enumerate(zip((plain, steadied), captions, strict=True)):
        left = GAP + index * (width * SCALE + GAP)
        enlarged = Image.fromarray(sprite, "RGBA").resize((width * SCALE, height * SCALE), Image.Resampling.NEAREST)
        canvas.paste(enlarged, (left, GAP + CAPTION), enlarged)
        draw.text((left, GAP), caption, fill=TEXT, font=font)
    return canvas


def paletted(frames: list[Image.Image]) -> list[Image.Image]:
    """``frames`` with one exact palette of all their colours (the sprites' and the captions'), no dithering."""
    stacked = np.stack([np.asarray(frame) for frame in frames])
    colours, indices = np.unique(stacked.reshape(-1, 3), axis=0, return_inverse=True)
    if len(colours) > 256:
        raise SystemExit(f"{len(colours)} colours: a GIF holds 256")
    flat_palette = colours.astype(np.uint8).reshape(-1).tolist()
    result = []
    for frame_indices in indices.reshape(stacked.shape[:3]):
        image = Image.fromarray(frame_indices.astype(np.uint8), "P")
        image.putpalette(flat_palette)
        result.append(image)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=Path, default=DEFAULT_FRAMES, help="a still pose's renders")
    parser.add_argument("--sampling", default="nearest", choices=("nearest", "majority"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "steady_colours.gif")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="steady_colours_") as folder:
        plain = sprites(args.frames, Path(folder) / "plain", args.sampling, False)
        steadied = sprites(args.frames, Path(folder) / "steadied", args.sampling, True)
    captions = (f"plain: {flicker(plain):.1f}% change", f"Steady Colours: {flicker(steadied):.1f}%")
    frames = paletted([composed(*pair, captions) for pair in zip(plain, steadied, strict=True)])
    frames[0].save(
        args.out, save_all=True, append_images=frames[1:], duration=FRAME_MILLISECONDS, loop=0, optimize=False
    )
    print(f"{args.out}: {len(frames)} frames; {captions[0]}, {captions[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
