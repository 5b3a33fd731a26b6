"""Blender exits cleanly after a ``--python`` script has enabled the add-on and made sprites with it (issue 27).

Importing ``multiprocessing`` points ``sys.modules["__mp_main__"]`` at the ``__main__`` of that moment; in a
``--python`` script that is a namespace Blender frees after the script, and ``addon_utils.disable_all()`` at
exit then crashes (SIGSEGV, exit code 139) on it. So the add-on imports nothing that imports ``multiprocessing``
when a script enables it (in Blender the work runs in threads; the command line, which starts processes, imports
it there), and when Blender enables it at start-up it imports it at once, pinning the alias to Blender's own
``__main__``, so that a script that imports it later (scikit-learn does) cannot alias the script's namespace.
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
pinned = sys.modules.get("__mp_main__") is sys.modules["__main__"]
print(json.dumps({"before": before, "enabled": enabled, "processed": [name for name in watched if name in sys.modules],
                  "pinned": pinned, "summary": settings.last_summary}))
sys.stdout.flush()
os._exit(0)  # bpy 4.2 as a module crashes at exit once the add-on is registered (see the conftest)
"""


def _enable_and_process(tmp_path: Path, *, as_script: bool) -> dict[str, object]:
    frames = tmp_path / "frames"
    write_truth_set(frames, 4, 3, seed=1)
    if as_script:  # its __main__ has a __file__, as a --python script's has
        (tmp_path / "enable_and_process.py").write_text(ENABLE_AND_PROCESS)
        command = [sys.executable, str(tmp_path / "enable_and_process.py"), f"{frames}/"]
    else:  # no __file__: as Blender's own __main__ while it starts up
        command = [sys.executable, "-c", ENABLE_AND_PROCESS, f"{frames}/"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    if found["before"]:
        pytest.skip(f"this bpy imports {found['before']} itself")
    assert str(found["summary"]).startswith("3/3 sprites")
    return found


def test_enabled_from_a_script_neither_the_addon_nor_its_sprites_import_multiprocessing(tmp_path: Path) -> None:
    found = _enable_and_process(tmp_path, as_script=True)
    assert found["enabled"] == found["processed"] == []


def test_enabled_at_start_up_the_addon_pins_multiprocessing_to_blenders_own_main(tmp_path: Path) -> None:
    """So that a script run later, which imports it itself (scikit-learn does), cannot alias a freed namespace."""
    found = _enable_and_process(tmp_path, as_script=False)
    assert "__mp_main__" in found["enabled"] and found["pinned"] is True


@pytest.mark.debian_blender
@needs_debian_blender
def test_blender_b_exits_cleanly_when_a_script_imports_multiprocessing_after_the_addon_started(tmp_path: Path) -> None:
    """A farm worker's Blender enables the add-on from its saved preferences at start-up; a task script that then
    imports scikit-learn (joblib imports multiprocessing) crashed Blender 3.4's exit (SIGSEGV) without the pin."""
    (tmp_path / "config").mkdir()  # Blender takes BLENDER_USER_CONFIG only where the folder exists
    env = {**addon_env(tmp_path), "BLENDER_USER_CONFIG": str(tmp_path / "config")}
    save = "import addon_utils, bpy; addon_utils.enable('pixel_sprites', default_set=True); bpy.ops.wm.save_userpref()"
    saved = blender("--python-exit-code", "1", "--python-expr", save, env=env)
    assert saved.returncode == 0 and (tmp_path / "config" / "userpref.blend").is_file(), saved.stdout + saved.stderr
    script = tmp_path / "late_import.py"
    script.write_text("import multiprocessing\nimport bpy\nassert hasattr(bpy.ops.pixel_sprites, 'process')\n")
    result = blender("--python-exit-code", "1", "--python", str(script), env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
