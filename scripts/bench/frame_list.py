"""The frame-list section, with Debian's ``blender -b``: what the add-on adds to ``-a`` and to
``--render-frame 1..N`` over the same frames (as render farms run them), and per frame with a locked palette.

Each figure is the time with the add-on's sprites on less the time with them off, in the same kind of run, on
Workbench renders of the demo scene at 320x450, which keep the renders themselves short. Single runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from . import ROOT
from .blender_jobs import IN_BLENDER, run_checked, scene_builders_environment
from .inputs import Inputs

POSES = 6  # 48 frames
RESOLUTION = (320, 450)
PIXEL = 5


class FrameListRuns:
    """Timed ``blender -b scene.blend`` runs with the add-on enabled from ``work/addons`` (this repository's)."""

    def __init__(self, blender: str, work: Path) -> None:
        self.blender, self.work = blender, work
        self.blend, self.renders = work / "scene.blend", work / "renders"
        self.locked_palette = work / "locked.gpl"
        (work / "addons").mkdir(parents=True)
        (work / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
        self.environment = scene_builders_environment({"BLENDER_USER_SCRIPTS": str(work)})

    def make_scene(self) -> None:
        job = {"renders": str(self.renders), "blend": str(self.blend), "poses": POSES, "resolution": list(RESOLUTION)}
        script = ["--python-use-system-env", "--python", str(IN_BLENDER / "frame_list_scene.py")]
        run_checked([self.blender, "-b", *script, "--", json.dumps(job)], self.environment)

    def seconds(self, render: list[str], *, sprites: bool = True, locked: bool = False) -> float:
        """Seconds of one ``blender -b`` run rendering with ``render`` (``-a`` or ``--render-frame``)."""
        shutil.rmtree(self.renders / "sprites", ignore_errors=True)
        if locked:  # the character's palette from an earlier run, as a farm's locked palette
            (self.renders / "sprites").mkdir(parents=True)
            shutil.copy(self.locked_palette, self.renders / "sprites" / "character.gpl")
        job = {"pixel": PIXEL, "enabled": sprites, "locked": locked}
        settings = ["--python", str(IN_BLENDER / "frame_list_settings.py")]
        command = [self.blender, "-b", str(self.blend), "--addons", "pixel_sprites", *settings, *render]
        started = time.perf_counter()
        run_checked([*command, "--", json.dumps(job)], self.environment)
        return time.perf_counter() - started

    def keep_palette(self) -> None:
        shutil.copy(self.renders / "sprites" / "character.gpl", self.locked_palette)


def frame_list_section(inputs: Inputs) -> dict[str, Any]:
    blender = shutil.which("blender")
    if blender is None:
        return {"skipped": "no blender binary on PATH"}
    work = inputs.options.work / "frame_list"
    shutil.rmtree(work, ignore_errors=True)
    runs = FrameListRuns(blender, work)
    runs.make_scene()
    frames = 8 * POSES
    animation, frame_list = ["-a"], ["--render-frame", f"1..{frames}"]
    plain_animation = runs.seconds(animation, sprites=False)
    after_animation = runs.seconds(animation) - plain_animation
    runs.keep_palette()  # the palette of the run just made, locked for the last run
    plain_list = runs.seconds(frame_list, sprites=False)
    after_list = runs.seconds(frame_list) - plain_list
    after_locked = runs.seconds(frame_list, locked=True) - plain_list
    version = subprocess.run([blender, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {
        "blender": version,
        "frames": frames,
        "render_size": list(RESOLUTION),
        "sprites_after_animation_seconds": after_animation,
        "sprites_after_frame_list_seconds": after_list,
        "frame_list_over_animation": after_list / after_animation,
        "locked_palette_ms_per_frame": 1000 * after_locked / frames,
    }
