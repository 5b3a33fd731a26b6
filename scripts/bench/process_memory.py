"""Wall time and peak memory of a command, the memory being that of its whole process tree.

Every memory figure of the benchmark comes from here. ``ru_maxrss`` sees one process, and a pipeline's worker
processes hold much of its memory, so a sampler reads VmRSS from /proc for the command's process and every
descendant, every 50 ms, and keeps the peak of the sum. It also keeps the peak growth of /dev/shm: tmpfs pages are
RAM that no process's RSS shows (other processes writing there during a run would count too). A peak shorter than
the sampling interval can be missed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
SHM = Path("/dev/shm")


# Where the kernel keeps them (CONFIG_PROC_CHILDREN), each thread's children are listed under /proc: walking the
# tree through them takes a tenth of the time of reading every process's parent, time taken from the runs measured.
HAS_CHILDREN_LISTS = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def children_from_lists(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        children += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return children


def children_from_parents() -> Callable[[int], list[int]]:
    """Every process's children, from the parent each names in /proc/PID/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended since the listing
            continue
        # The command name, in parentheses, may hold spaces: the fields after its closing one are state, parent.
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry))
    return lambda pid: children.get(pid, [])


def tree_rss(root: int) -> int:
    """Summed VmRSS in bytes of the process ``root`` and all its descendants (0 once they have all ended)."""
    children_of = children_from_lists if HAS_CHILDREN_LISTS else children_from_parents()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            todo.extend(children_of(pid))
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def shm_used() -> int:
    """Bytes in use on /dev/shm."""
    stats = os.statvfs(SHM)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


class TreeMemorySampler:
    """Samples ``tree_rss(pid)`` and the growth of /dev/shm every ``SAMPLE_SECONDS`` on a thread of its own, so
    that the caller can wait for the process and time it exactly."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss = self.peak_shm = self.peak_rss_plus_shm = 0
        self._shm_before = shm_used()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample_until_stopped(self) -> None:
        while not self._stop.is_set():
            rss, shm = tree_rss(self.pid), max(0, shm_used() - self._shm_before)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_shm = max(self.peak_shm, shm)
            self.peak_rss_plus_shm = max(self.peak_rss_plus_shm, rss + shm)
            self._stop.wait(SAMPLE_SECONDS)


@dataclass(frozen=True)
class Measured:
    """One command's wall time (from start to exit, startup included) and its tree's memory peaks in bytes."""

    seconds: float
    peak_rss: int
    peak_shm: int
    peak_rss_plus_shm: int

    def figures(self) -> dict[str, float]:
        return {
            "seconds": self.seconds,
            "peak_rss_bytes": self.peak_rss,
            "peak_shm_bytes": self.peak_shm,
            "peak_rss_plus_shm_bytes": self.peak_rss_plus_shm,
        }


def run_measured(command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> Measured:
    """Run ``command`` to its end, sampling its process tree's memory; raise with its error output if it fails."""
    # The error output goes to a file, not a pipe: nobody reads a pipe while the command runs, and a full one
    # would stall it.
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors, text=True)
        with TreeMemorySampler(process.pid) as sampler:
            returncode = process.wait()
            seconds = time.perf_counter() - started
        if returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed with exit code {returncode}:\n{errors.read()[-3000:]}")
    return Measured(seconds, sampler.peak_rss, sampler.peak_shm, sampler.peak_rss_plus_shm)
