"""Where and when a run was made: the machine (from /proc and the installed packages), the date and the commit, so
that every table can say which run it comes from."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import ROOT

PACKAGES = ("numpy", "bpy", "pillow", "scikit-learn", "scikit-image", "pyspng", "deflate")


def proc_field(path: str, name: str) -> str | None:
    """The value of the first ``name: value`` line of a /proc file, if there is one."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.split(":", 1)[0].strip() == name), None)


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe_machine() -> dict[str, Any]:
    memory = proc_field("/proc/meminfo", "MemTotal")  # "24683784 kB"
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": proc_field("/proc/cpuinfo", "model name"),
        "ram_bytes": int(memory.split()[0]) * 1024 if memory else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "packages": {name: package_version(name) for name in PACKAGES},
    }


def git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def describe_run(argv: list[str]) -> dict[str, Any]:
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_uncommitted_changes": bool(status) if status is not None else None,
        "command": argv,
        "load_average_before": os.getloadavg()[0],
    }
