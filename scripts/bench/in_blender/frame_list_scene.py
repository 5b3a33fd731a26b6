"""The demo scene saved as a .blend by Debian's ``blender`` (a file newer Blenders write may not open in it), for
the frame-list section:

    blender -b --python-use-system-env --python scripts/bench/in_blender/frame_list_scene.py -- \\
        '{"renders": "...", "blend": "scene.blend", "poses": 6, "resolution": [320, 450]}'

Workbench renders, which keep the renders themselves short beside the sprite work measured.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import bpy


def main() -> None:
    job = json.loads(sys.argv[-1])
    # Imported by name: a Blender script, typed for the Blenders it runs in rather than for the stubs mypy reads
    # bpy from, so mypy is not pointed at it.
    builder = importlib.import_module("character_scene")
    width, height = job["resolution"]
    scene = builder.build_character_scene(output=Path(job["renders"]), resolution=(width, height), poses=job["poses"])
    scene.render.engine = "BLENDER_WORKBENCH"
    bpy.ops.wm.save_as_mainfile(filepath=job["blend"])


if __name__ == "__main__":
    main()
