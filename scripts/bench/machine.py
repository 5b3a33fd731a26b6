"""Where and when a run was made: the machine (from /proc and the installed packages), the date and the commit, so
that every table can say which run it comes from. No path of the machine that ran it is kept: results files and the
tables made from them are published (``portable_path``, ``portable_command``)."""

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
# The benchmark's options whose value is a path (``run.parse_arguments``).
PATH_OPTIONS = ("--results", "--work-dir", "--frames-from", "--packing-demo")


def portable_path(value: str | os.PathLike[str] | None) -> str | None:
    """A path as it may be published: relative to the repository where it lies inside it, a relative path as given,
    and of any other absolute path (``/tmp/results.json``, ``/home/me/renders``) its last component alone."""
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        return path.as_posix()
    try:
        return Path(os.path.normpath(path)).relative_to(ROOT).as_posix()  # lexically: a venv's python is a link
    except ValueError:
        return path.name or "PATH"


def portable_command(argv: list[str]) -> list[str]:
    """The benchmark's arguments with every path option's value made ``portable_path``: the option names stay."""
    command: list[str] = []
    after_path_option = False
    for argument in argv:
        name, equals, value = argument.partition("=")
        if after_path_option:
            command.append(portable_path(argument) or argument)
        elif equals and name in PATH_OPTIONS:
            command.append(f"{name}={portable_path(value)}")
        else:
            command.append(argument)
        after_path_option = argument in PATH_OPTIONS
    return command


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
        "python_executable": portable_path(sys.executable),
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
        "command": portable_command(argv),
        "load_average_before": os.getloadavg()[0],
    }
