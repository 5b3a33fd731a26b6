"""The README's clean-up picture: one sprite plain, outlined, selout and cleaned up, side by side and enlarged.

    .venv/bin/python scripts/cleanup_examples.py [--frames DIR] [--frame NAME] [--out docs/cleanup_examples.png]

Without ``--frames`` it renders the mage of ``quality_characters`` (one pose from 8 angles, Cycles at 640x900 and
16 samples) into ``--work`` with bpy, kept there for the next run. The sprites are made by the command line, as a
user makes them: 64x90, 16 colours, nearest sampling, with ``--outline outer``, ``--outline selout``,
``--cleanup``, and ``--cleanup --outline selout --outline-neighbours 8``; the picture shows ``--frame`` of each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
WAYS = {
    "plain": [],
    "outer": ["--outline", "outer"],
    "selout": ["--outline", "selout"],
    "cleanup": ["--cleanup"],
    "cleanup_selout_8": ["--cleanup", "--outline", "selout", "--outline-neighbours", "8"],
}
BACKGROUND = (214, 220, 228, 255)  # light, so that a dark outline shows
GAP = 2  # sprite pixels between the panels


def render_mage(work: Path) -> Path:
    folder = work / "mage"
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[-2]); "
        "from quality_characters import render_quality_character; "
        "render_quality_character('mage', Path(sys.argv[-1]), poses=1)"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT / "scripts"), str(folder)], check=True)
    return folder


def sprites(frames: Path, frame: str, work: Path) -> list[np.ndarray]:
    """``frame``'s sprite made each of the ``WAYS``, as RGBA."""
    result = []
    for name, options in WAYS.items():
        out = work / name
        command = [sys.executable, "-m", "pixel_sprites", "process", str(frames), "--out", str(out), "--size", "64x90",
                   "--colors", "16", "--workers", "1", *options]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        result.append(np.asarray(Image.open(out / frame).convert("RGBA")))
    return result


def side_by_side(panels: list[np.ndarray], scale: int) -> Image.Image:
    height, width = panels[0].shape[:2]
    canvas = Image.new("RGBA", ((width + GAP) * len(panels) + GAP, height + 2 * GAP), BACKGROUND)
    for index, panel in enumerate(panels):
        sprite = Image.fromarray(panel, "RGBA")
        canvas.alpha_composite(sprite, (GAP + index * (width + GAP), GAP))
    return canvas.convert("RGB").resize((canvas.width * scale, canvas.height * scale), Image.Resampling.NEAREST)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=Path, help="a folder of renders (default: render the mage)")
    parser.add_argument("--frame", default="0002.png", help="the frame shown (default 0002.png)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pixel_sprites_cleanup_examples")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "cleanup_examples.png")
    parser.add_argument("--scale", type=int, default=3, help="enlargement (default 3)")
    args = parser.parse_args()
    frames = args.frames or render_mage(args.work)
    picture = side_by_side(sprites(frames, args.frame, args.work / "sprites"), args.scale)
    picture.save(args.out, optimize=True)
    print(f"{args.out}: {', '.join(WAYS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
