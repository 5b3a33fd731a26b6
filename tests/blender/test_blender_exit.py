"""Blender exits cleanly after a ``--python`` script has enabled the add-on and made sprites with it (issue 27).

Importing ``multiprocessing`` points ``sys.modules["__mp_main__"]`` at the ``__main__`` of that moment; in a
``--python`` script that is a namespace Blender frees after the script, and ``addon_utils.disable_all()`` at
exit then crashes (SIGSEGV, exit code 139) on it. So nothing Blender loads may import ``multiprocessing``: in
Blender the work runs in threads, and only the command line, which starts processes, imports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic import write_truth_set
from test_blender_binary import BLENDER, ROOT, addon_env, blender, summary_lines

needs_debian_blender = pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed")

ENABLE = 'import addon_utils\naddon_utils.enable("pixel_sprites", default_set=False)\n'

ENABLE_AND_RENDER = """
import sys
sys.path.insert(0, {scripts!r})
import addon_utils, bpy
from pathlib import Path
from character_scene import build_character_scene
addon_utils.enable("pixel_sprites", default_set=False)
build_character_scene(output=Path({renders!r}), resolution=(64, 90), samples=1)
bpy.context.scene.frame_end = 3
bpy.ops.render.render(animation=True)
"""


@pytest.mark.debian_blender
@needs_debian_blender
def test_blender_b_exits_cleanly_after_a_script_enabled_the_addon(tmp_path: Path) -> None:
    script = tmp_path / "enable.py"
    script.write_text(ENABLE)
    result = blender("--factory-startup", "--python", str(script), env=addon_env(tmp_path))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.debian_blender
@needs_debian_blender
def test_blender_b_exits_cleanly_after_a_script_rendered_sprites_with_the_addon(tmp_path: Path) -> None:
    script, renders = tmp_path / "render.py", tmp_path / "renders"
    script.write_text(ENABLE_AND_RENDER.format(scripts=str(ROOT / "scripts"), renders=str(renders)))
    result = blender("--factory-startup", "--python", str(script), env=addon_env(tmp_path))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert summary_lines(result.stdout)[-1].startswith("Pixel Sprites: 3/3 sprites")
    assert sorted(path.name for path in (renders / "sprites").glob("000?.png")) == ["0001.png", "0002.png", "0003.png"]


# Run in a fresh interpreter, so that nothing the test session imported counts. BLENDER_USER_SCRIPTS, set by the
# conftest, is inherited: the add-on is found the way Blender finds it.
ENABLE_AND_PROCESS = """
import json, os, sys
import bpy
import addon_utils  # importable once bpy is
watched = ("multiprocessing", "concurrent.futures.process", "__mp_main__")
before = [name for name in watched if name in sys.modules]
addon_utils.enable("pixel_sprites", default_set=False)
enabled = [name for name in watched if name in sys.modules]
settings = bpy.context.scene.pixel_sprites
settings.source_folder = sys.argv[1]
bpy.ops.pixel_sprites.process()  # in background mode, at once, in threads
print(json.dumps({"before": before, "enabled": enabled, "processed": [name for name in watched if name in sys.modules],
                  "summary": settings.last_summary}))
sys.stdout.flush()
os._exit(0)  # bpy 4.2 as a module crashes at exit once the add-on is registered (see the conftest)
"""


def test_neither_enabling_the_addon_nor_making_sprites_in_blender_imports_multiprocessing(tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    write_truth_set(frames, 4, 3, seed=1)
    result = subprocess.run(
        [sys.executable, "-c", ENABLE_AND_PROCESS, f"{frames}/"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if found["before"]:
        pytest.skip(f"this bpy imports {found['before']} itself")
    assert found["summary"].startswith("3/3 sprites")
    assert found["enabled"] == found["processed"] == []
