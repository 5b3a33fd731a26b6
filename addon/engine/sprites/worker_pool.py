"""Work spread over a pool of worker processes or threads, in batches, in order, stoppable between batches.

Processes decode in parallel whatever the codec does with the GIL; threads are for hosts such as Blender,
where a child process cannot be started safely.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..frames.png_inflate import keep_large_buffers_on_heap

ProgressCallback = Callable[[str, int, int], None]
CancelCheck = Callable[[], bool]
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


@dataclass(frozen=True)
class RunOptions:
    """How many workers a run uses and of which kind, how it reports progress, whether it should stop.

    Processes decode in parallel whatever the codec does with the GIL; threads
    are for hosts such as Blender, where a child process cannot be started safely.
    """

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    processes: bool = False
    progress: ProgressCallback | None = None
    should_cancel: CancelCheck | None = None
    spool_dir: Path | None = None  # where small frames wait between the fit and the writing; default the output


def _start_worker() -> None:
    """In worker processes: leave stop signals to the parent, keep linear algebra to this process's core, and
    keep frame-sized buffers for reuse.

    A Ctrl-C or SIGTERM sent to the whole process group is the parent's to handle. Each worker already has a core;
    BLAS threads of its own would only spin against the other workers (the matrices are a few columns wide).
    """
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    keep_large_buffers_on_heap()
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn, so always installed with it

    threadpool_limits(limits=1, user_api="blas")


def map_batches(
    function: Callable[[list[_Item]], _Result], items: Iterable[_Item], options: RunOptions, *, batch_size: int
) -> Iterator[_Result]:
    """``function`` over batches of ``items`` in a worker pool, in order, with a bounded number in flight.

    Work travels in batches so that handing it to a process costs little beside the work itself. Once
    ``options.should_cancel`` says so, batches not yet started are dropped and those already running are
    still yielded, so that the caller counts exactly the work that was done.
    """
    workers = max(1, options.workers)
    if workers == 1 and not options.processes:
        # One worker needs no pool, and a pool cannot start once the interpreter is shutting down (at exit).
        for batch in _batches(items, batch_size):
            if cancelled(options):
                return
            yield function(batch)
        return
    pool: Executor = (
        ProcessPoolExecutor(workers, initializer=_start_worker) if options.processes else ThreadPoolExecutor(workers)
    )
    pending: deque[Future[_Result]] = deque()
    try:
        for batch in _batches(items, batch_size):
            if cancelled(options):
                break
            pending.append(pool.submit(function, batch))
            if len(pending) >= workers * 3:
                yield pending.popleft().result()
        while pending:
            if cancelled(options):
                for future in pending:
                    future.cancel()
            future = pending.popleft()
            if not future.cancelled():
                yield future.result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def cancelled(options: RunOptions) -> bool:
    return options.should_cancel is not None and options.should_cancel()


def _batches(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    batch: list[_Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
