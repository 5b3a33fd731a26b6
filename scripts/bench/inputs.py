"""What the sections share: the run's options and the frames they measure on, made on first use and kept in the
work folder, so that a second run skips the minutes of rendering."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .blender_jobs import run_in_bpy

SPRITE_SIZE = (64, 90)
DEMO_POSES = 3  # 24 renders: 3 poses at 8 angles
TARGET_COLOURS = 47  # the game palette the speed section maps to, as the original script did


@dataclass(frozen=True)
class Options:
    """The command line's choices; see ``run.parse_arguments`` for what each means."""

    work: Path
    frames: int
    small_frames: int
    runs: int
    memory_frames: int
    spool_frames: int
    safety_frames: int
    sheet_cells: int
    packing_sprites: int
    packing_demo: Path | None
    workers: int
    render_size: tuple[int, int]
    samples: int
    frames_from: Path | None


class Inputs:
    """The frames of one run. ``base_frames`` are the demo character's Cycles renders, or the frames of
    ``--frames-from``; the quality and sampling sections render more characters of their own."""

    def __init__(self, options: Options) -> None:
        self.options = options
        width, height = options.render_size
        self.render_tag = f"{width}x{height}_{options.samples}spp"  # renders of other sizes are kept apart

    @property
    def base_name(self) -> str:
        """What ``base_frames`` are, as a row name in the tables."""
        return "demo" if self.options.frames_from is None else "given frames"

    @cached_property
    def base_frames(self) -> list[Path]:
        if self.options.frames_from is not None:
            frames = sorted(self.options.frames_from.glob("*.png"))
            if not frames:
                raise SystemExit(f"no PNG frames in {self.options.frames_from}")
            return frames
        folder = self.options.work / f"demo_{self.render_tag}"
        if len(list(folder.glob("*.png"))) != 8 * DEMO_POSES:
            self._render("demo", folder, poses=DEMO_POSES)
        return sorted(folder.glob("*.png"))

    @cached_property
    def characters(self) -> dict[str, list[Path]]:
        """``base_frames`` and the renders of ``quality_characters`` (metal, gradients, thin parts, many colours)."""
        folder = self.options.work / f"characters_{self.render_tag}"
        # Starts bpy even when all are rendered (a second or two): which characters there are is its to say.
        names = self._render("characters", folder)["characters"]
        return {self.base_name: self.base_frames} | {name: sorted((folder / name).glob("*.png")) for name in names}

    def still_pose(self, frames: int, character: str | None = None, *, denoised: bool = False) -> list[Path]:
        """``frames`` renders of one pose at one angle that differ only in their render noise (Cycles' seed): of the
        demo character, or of ``character`` of ``quality_characters``; ``denoised`` through OpenImageDenoise."""
        name = f"still_pose{'' if character is None else '_' + character}{'_denoised' if denoised else ''}"
        folder = self.options.work / f"{name}_{self.render_tag}"
        if len(list(folder.glob("*.png"))) != frames:
            shutil.rmtree(folder, ignore_errors=True)
            self._render("still", folder, frames=frames, character=character, denoise=denoised)
        return sorted(folder.glob("*.png"))

    def _render(self, subject: str, folder: Path, **job: Any) -> dict[str, Any]:
        job_fields = {"subject": subject, "folder": str(folder), "resolution": list(self.options.render_size)}
        return run_in_bpy("render_frames.py", job_fields | {"samples": self.options.samples, **job})

    @cached_property
    def target_palette(self) -> Path:
        """A game palette of ``TARGET_COLOURS`` colours as a PNG swatch, fixed by seed."""
        from PIL import Image

        path = self.options.work / f"target{TARGET_COLOURS}.png"
        colours = np.random.default_rng(TARGET_COLOURS).integers(0, 256, size=(TARGET_COLOURS, 3), dtype=np.uint8)
        Image.fromarray(colours[None]).save(path)
        return path

    def linked_frames(self, count: int) -> Path:
        """A folder of ``count`` frames, hard links to ``base_frames`` in turn: no extra disk, the same bytes."""
        base = self.base_frames
        folder = self.options.work / "linked" / f"{base[0].parent.name}_{count}"
        frames = sorted(folder.glob("*.png")) if folder.is_dir() else []
        if len(frames) == count and os.path.samefile(frames[0], base[0]):
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for index in range(count):
            os.link(base[index % len(base)], folder / f"frame_{index:06d}.png")
        return folder
