"""Running the scripts of ``in_blender/``: in a process of this Python, where ``bpy`` is a module, or in Debian's
``blender`` binary.

Each script takes one JSON object as its last argument, after ``--``, and writes the figures it measures, if any,
as JSON to the file named by its ``result`` field. The scene builders of ``scripts/`` (``character_scene``,
``quality_characters``) reach them through PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import ROOT

SCRIPTS = ROOT / "scripts"
IN_BLENDER = Path(__file__).resolve().parent / "in_blender"
# Set by the bpy module for its own Python; Debian's blender must find its own.
SET_BY_BPY = ("OCIO", "MATERIALX_SEARCH_PATH", "PXR_MTLX_STDLIB_SEARCH_PATHS", "BLENDER_USER_SCRIPTS")


def scene_builders_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without what bpy set, with ``scripts/`` on PYTHONPATH, and ``extra``."""
    environment = {key: value for key, value in os.environ.items() if key not in SET_BY_BPY}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")]))
    return environment | (extra or {})


def run_checked(command: list[str], environment: dict[str, str]) -> None:
    """Run ``command``; if it fails, raise with the end of its output (Blender prints its errors on stdout)."""
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-4000:]
        raise RuntimeError(f"{' '.join(command)} failed with exit code {result.returncode}:\n{output}")


def run_in_bpy(script: str, job: dict[str, Any]) -> dict[str, Any]:
    """Run ``in_blender/<script>`` with ``job`` in a fresh process where ``bpy`` is a module; the figures it wrote."""
    with tempfile.TemporaryDirectory(prefix="pixel_sprites_bench_") as folder:
        result = Path(folder) / "result.json"
        argument = json.dumps(job | {"result": str(result)})
        run_checked([sys.executable, str(IN_BLENDER / script), "--", argument], scene_builders_environment())
        return json.loads(result.read_text()) if result.exists() else {}
