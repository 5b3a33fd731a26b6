"""Debian's Blender started by the scripts that make the docs' pictures, from any Python (a venv's included): the
environment it starts in, and its UI on a virtual screen, one at a time with the tests'."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import tempfile
from pathlib import Path

# Set by the bpy module of a venv, which Debian's Blender must not see (as tests/blender/test_blender_binary.py).
SET_BY_BPY = ("OCIO", "MATERIALX_SEARCH_PATH", "PXR_MTLX_STDLIB_SEARCH_PATHS", "BLENDER_USER_SCRIPTS")
# The lock file of tests/blender/test_blender_binary.py: two ``xvfb-run -a`` started together can pick one display.
VIRTUAL_SCREEN_LOCK = Path(tempfile.gettempdir()) / "pixel-sprites-tests-xvfb.lock"


def blender_env() -> dict[str, str]:
    """This process's environment without a venv's bpy settings, and with a PATH without a venv's or pyenv's
    python3.11: Debian's Blender takes its Python's home from the first one on PATH."""
    env = {key: value for key, value in os.environ.items() if key not in SET_BY_BPY}
    system = [folder for folder in env.get("PATH", "").split(os.pathsep) if folder.startswith(("/usr/", "/bin"))]
    env["PATH"] = os.pathsep.join(system or ["/usr/local/bin", "/usr/bin", "/bin"])
    env.pop("VIRTUAL_ENV", None)
    return env


def run_on_virtual_screen(command: list[str], timeout: float) -> int | None:
    """Run ``command`` (an ``xvfb-run`` of Blender) holding the virtual screen's lock; its exit code, or None if it
    took over ``timeout`` seconds and was stopped, its virtual screen with it."""
    with open(VIRTUAL_SCREEN_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = subprocess.Popen(command, env=blender_env(), start_new_session=True)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return None
