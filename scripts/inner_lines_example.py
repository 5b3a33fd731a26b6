"""The README's inner-lines picture and figures: the knight's sprites without and with ``--inner-lines``.

    .venv/bin/python scripts/inner_lines_example.py [--work DIR] [--out docs/inner_lines_example.png]

It renders the knight of ``quality_characters`` (8 angles, 2 poses; Cycles at 640x900 and 16 samples) with bpy,
its depth frames written by the add-on's compositor set-up (``blender.normal_pass.writing_normals`` with
``depth``), into ``--work``, kept there for the next run. The sprites are made by the command line, as a user makes
them: 64x90, 16 colours, nearest and majority sampling, without and with ``--inner-lines``. It prints the share of
opaque pixels that became inner-line pixels and the seconds per frame the renders took, and draws four frames
plain and lined, side by side and enlarged.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOWN = ("0002.png", "0011.png", "0013.png", "0016.png")
BACKGROUND = (214, 220, 228, 255)  # light, so that a dark line shows
GAP = 3  # sprite pixels between the panels

RENDER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[-3])
import bpy
import addon_utils
addon_utils.enable("pixel_sprites", default_set=True)
from pixel_sprites.blender import depth_pass, normal_pass
from quality_characters import build_quality_scene
folder = Path(sys.argv[-2])
scene = build_quality_scene("knight", poses=2, output=folder)
scene.pixel_sprites.enabled = False  # the sprites are made by the command line below
depth_pass.write_depth_file(folder, scene)
started = time.perf_counter()
with normal_pass.writing_normals(scene, folder, normals=False, depth=True):
    bpy.ops.render.render(animation=True)
Path(sys.argv[-1]).write_text(str((time.perf_counter() - started) / scene.frame_end))
"""


def render_knight(work: Path) -> Path:
    """The knight's frames and depth frames in ``work/knight`` (rendered unless all 16 are there)."""
    folder = work / "knight"
    if len(list(folder.glob("*.png"))) == 16 and len(list((folder / "depth").glob("*.png"))) == 16:
        return folder
    scripts = work / "addons"
    (scripts / "addons").mkdir(parents=True, exist_ok=True)
    link = scripts / "addons" / "pixel_sprites"
    if not link.exists():
        link.symlink_to(ROOT / "addon")
    seconds = work / "seconds_per_frame.txt"
    command = [sys.executable, "-c", RENDER, str(ROOT / "scripts"), str(folder), str(seconds)]
    subprocess.run(command, check=True, env={**os.environ, "BLENDER_USER_SCRIPTS": str(scripts)})
    print(f"rendered with the depth pass: {float(seconds.read_text()):.2f} s per frame")
    return folder


def sprites(frames: Path, out: Path, sampling: str, *options: str) -> Path:
    command = [sys.executable, "-m", "pixel_sprites", "process", str(frames), "--out", str(out), "--size", "64x90",
               "--colors", "16", "--workers", "1", "--sampling", sampling, *options]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def lined_share(plain: Path, lined: Path) -> float:
    """The share of opaque pixels that inner lines recoloured (alpha checked unchanged)."""
    opaque_total = recoloured = 0
    for path in sorted(plain.glob("*.png")):
        if path.name.startswith("palette"):
            continue
        before = np.asarray(Image.open(path).convert("RGBA"))
        after = np.asarray(Image.open(lined / path.name).convert("RGBA"))
        assert (before[..., 3] == after[..., 3]).all(), path.name
        opaque = before[..., 3] > 0
        opaque_total += int(opaque.sum())
        recoloured += int(((before != after).any(axis=2) & opaque).sum())
    return recoloured / opaque_total


def depth_costs(frames: Path, rounds: int = 9) -> dict[str, float]:
    """Milliseconds per sprite (median of ``rounds``, one core) to read a frame's depth frame and take one depth per
    sprite pixel, by sampling, and to find the lines from those depths."""
    from pixel_sprites.engine.frames.depth import DEPTH_FILE, read_depth, read_depth_file
    from pixel_sprites.engine.frames.downscale import DownscaleSettings, decode_png
    from pixel_sprites.engine.sprites.inner_lines import inner_line_mask, nearest_block_depth

    depth_frames = sorted((frames / "depth").glob("*.png"))
    scale = read_depth_file(frames / "depth" / DEPTH_FILE)
    opaque = [decode_png((frames / path.name).read_bytes())[..., 3] >= 128 for path in depth_frames]
    shape, sprite = opaque[0].shape, (90, 64)
    nearest = DownscaleSettings(size=(sprite[1], sprite[0])).downscaler(shape).sample
    depths = [read_depth(path, shape, scale, nearest) for path in depth_frames]
    sizes = [scale.sprite_pixel_size(depth, sprite[1]) for depth in depths]
    sprite_opaque = [nearest(alpha) for alpha in opaque]
    work = {
        "read, nearest": lambda: [read_depth(path, shape, scale, nearest) for path in depth_frames],
        "read, majority": lambda: [
            read_depth(path, shape, scale, lambda grey, alpha=alpha: nearest_block_depth(grey, alpha, sprite))
            for path, alpha in zip(depth_frames, opaque, strict=True)
        ],
        "lines": lambda: [inner_line_mask(*args) for args in zip(depths, sprite_opaque, sizes, strict=True)],
    }
    timings: dict[str, list[float]] = {name: [] for name in work}
    for _round in range(rounds):
        for name, run in work.items():
            started = time.perf_counter()
            run()
            timings[name].append((time.perf_counter() - started) / len(depth_frames) * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def side_by_side(plain: Path, lined: Path, scale: int) -> Image.Image:
    panels = [Image.open(folder / name).convert("RGBA") for name in SHOWN for folder in (plain, lined)]
    width, height = panels[0].size
    canvas = Image.new("RGBA", ((width + GAP) * len(panels) + GAP, height + 2 * GAP), BACKGROUND)
    for index, panel in enumerate(panels):
        canvas.alpha_composite(panel, (GAP + index * (width + GAP), GAP))
    return canvas.convert("RGB").resize((canvas.width * scale, canvas.height * scale), Image.Resampling.NEAREST)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pixel_sprites_inner_lines")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "inner_lines_example.png")
    parser.add_argument("--scale", type=int, default=3, help="enlargement (default 3)")
    args = parser.parse_args()
    frames = render_knight(args.work)
    for sampling in ("nearest", "majority"):
        plain = sprites(frames, args.work / f"{sampling}_plain", sampling)
        lined = sprites(frames, args.work / f"{sampling}_lined", sampling, "--inner-lines")
        print(f"{sampling}: {lined_share(plain, lined):.1%} of opaque pixels take an inner line")
        if sampling == "nearest":
            side_by_side(plain, lined, args.scale).save(args.out, optimize=True)
    print(f"{args.out}: frames {', '.join(SHOWN)}, plain then --inner-lines")
    costs = ", ".join(f"{name} {ms:.2f} ms" for name, ms in depth_costs(frames).items())
    print(f"per sprite (median of 9 rounds, one core): {costs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
