"""Sets the add-on's settings on the scene Debian's ``blender`` has opened, before it renders (frame-list section):

    blender -b scene.blend --addons pixel_sprites --python scripts/bench/in_blender/frame_list_settings.py \\
        -a -- '{"pixel": 5, "enabled": true, "locked": false}'

Blender runs its arguments in order, so the script runs before ``-a`` or ``--render-frame`` renders; it ignores
what follows ``--``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import bpy


def main() -> None:
    job = json.loads(sys.argv[-1])
    scene: Any = bpy.context.scene  # its add-on settings are unknown to the stubs
    settings = scene.pixel_sprites
    settings.pixel = job["pixel"]
    settings.enabled = job["enabled"]
    settings.palette_locked = job["locked"]


if __name__ == "__main__":
    main()
