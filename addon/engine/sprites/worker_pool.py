"""Work spread over this process and helper processes or threads, in batches, in order, stoppable between batches.

Processes decode in parallel whatever the codec does with the GIL; threads are for hosts such as Blender,
where a child process cannot be started safely. The calling thread is one of the workers: it takes a batch
whenever the helpers have enough queued, so ``workers`` counts it and the run starts at once, while helper
processes are still importing their libraries. One pool serves every stage of a run, so its helpers start once.

Helper processes are spawned, not forked: a forked process starts with every page its parent holds (the list
of frames above all), and the run's memory would grow with the number of frames once more per helper.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from ..frames.png_inflate import keep_large_buffers_on_heap

ProgressCallback = Callable[[str, int, int], None]
CancelCheck = Callable[[], bool]
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Batches queued per helper: one running and one waiting, so that a helper never waits for the next.
_QUEUED_PER_HELPER = 2
# Batches started and not yet handed on, per worker: the bound on the results held, and on the work a stop lets finish.
_IN_FLIGHT_PER_WORKER = 3


@dataclass(frozen=True)
class RunOptions:
    """How many workers a run uses and of which kind, how it reports progress, whether it should stop.

    ``workers`` counts the calling thread, which works too: ``workers - 1`` helper processes (``processes``) or
    threads. Processes decode in parallel whatever the codec does with the GIL; threads are for hosts such as
    Blender, where a child process cannot be started safely. With processes, the calling process is set up as
    they are (see :func:`_work_as_a_worker`), and a script must start its work under
    ``if __name__ == "__main__":``, since helpers are spawned.
    """

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    processes: bool = False
    progress: ProgressCallback | None = None
    should_cancel: CancelCheck | None = None
    spool_dir: Path | None = None  # where small frames wait between the fit and the writing; default the output


def _linear_algebra_on_one_thread() -> AbstractContextManager[object]:
    """BLAS kept to one thread (until the returned context ends, if used as one): the matrices are a few columns
    wide, and each worker already has a core, so threads of its own would only spin against the other workers."""
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn, so always installed with it

    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def _start_helper() -> None:
    """In helper processes: leave stop signals to the parent, and work as a worker.

    A Ctrl-C or SIGTERM sent to the whole process group is the parent's to handle; the helper started with them
    blocked (see :func:`_stop_signals_blocked`), and one that came meanwhile goes with the blocking.
    """
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    keep_large_buffers_on_heap()
    _linear_algebra_on_one_thread()


@contextmanager
def _work_as_a_worker() -> Iterator[None]:
    """The calling process set up as a helper process is, while it works beside them: frame-sized buffers kept
    for reuse (from then on), linear algebra on one thread (until the pool closes)."""
    keep_large_buffers_on_heap()
    with _linear_algebra_on_one_thread():
        yield


@contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Stop signals held back from this thread while it may start a helper process, which inherits the block.

    A spawned helper takes a fifth of a second to import its libraries before :func:`_start_helper` ignores
    the stop signals; a Ctrl-C to the process group in that time would kill it, and the run with it. Signals
    sent to this process meanwhile are delivered as the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process-group signals to guard against
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _ready() -> None:
    """A task that only has a helper started."""


def cancelled(options: RunOptions) -> bool:
    return options.should_cancel is not None and options.should_cancel()


class _Done(Generic[_Result]):
    """A batch done in the calling thread, held in line with the helpers' futures."""

    def __init__(self, result: _Result) -> None:
        self._result = result

    def done(self) -> bool:
        return True

    def result(self) -> _Result:
        return self._result


class WorkerPool:
    """The workers of one run: the calling thread and ``workers - 1`` helpers, processes or threads.

    Helpers start with the second batch handed to the pool, or at :meth:`start`, and stop when the pool is
    closed (it is a context manager).
    """

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.helpers = max(1, options.workers) - 1
        self._executor: Executor | None = None
        self._queued: set[Future[Any]] = set()  # handed to the helpers and not done
        self._set_up: ExitStack | None = None  # what this process changed to work beside helper processes

    def map_batches(
        self, function: Callable[[list[_Item]], _Result], items: Iterable[_Item], *, batch_size: int
    ) -> Iterator[_Result]:
        """``function`` over batches of ``items``, in order, with a bounded number in flight.

        Work travels in batches so that handing it to a process costs little beside the work itself. Once
        ``options.should_cancel`` says so, batches not yet started are dropped and those already started are
        still yielded, so that the caller counts exactly the work that was done.
        """
        # Set up at the first batch, not before: glibc may still give back what the run's setup (the claim) freed.
        if self.options.processes and self._set_up is None:
            self._set_up = ExitStack()
            self._set_up.enter_context(_work_as_a_worker())
        in_flight: deque[Future[_Result] | _Done[_Result]] = deque()
        limit = (self.helpers + 1) * _IN_FLIGHT_PER_WORKER
        try:
            for batch in _batches(items, batch_size):
                if cancelled(self.options):
                    break
                helpers_free = len(self._queued) < self.helpers * _QUEUED_PER_HELPER
                # Until helpers have been started, the first batch is done here: a run of one starts none.
                if helpers_free and (self._executor is not None or in_flight):
                    in_flight.append(self._submit(function, batch))
                else:
                    in_flight.append(_Done(function(batch)))
                while in_flight and (in_flight[0].done() or len(in_flight) >= limit):
                    yield in_flight.popleft().result()
            while in_flight:
                if cancelled(self.options):
                    self._drop_unstarted(in_flight)
                    if not in_flight:
                        break
                yield in_flight.popleft().result()
        finally:
            for left in in_flight:  # a map left early: batches already running finish, unread
                if isinstance(left, Future):
                    left.cancel()

    @staticmethod
    def _drop_unstarted(in_flight: deque[Future[_Result] | _Done[_Result]]) -> None:
        """Cancel the batches not started, from the last back to the first that has: the ones before it stay,
        so that what is yielded stays the work done, in order, without a gap."""
        while in_flight and isinstance(in_flight[-1], Future) and in_flight[-1].cancel():
            in_flight.pop()

    def start(self) -> None:
        """Start the helpers now rather than with the first batch handed to them: a spawned helper spends a
        fifth of a second importing its libraries, better spent while this process does other work."""
        if self.helpers == 0 or self._executor is not None:
            return
        executor = self._executor = self._start()
        with _stop_signals_blocked():
            for _ in range(self.helpers):  # each submit starts a helper while none is idle
                executor.submit(_ready)

    def helper_processes(self) -> Executor | None:
        """The helper processes, once started, for work of the run other than batches while none is in flight
        (the palette fit); None if there are none. Helper threads are not offered: they would share the GIL."""
        return self._executor if self.options.processes else None

    def _submit(self, function: Callable[[list[_Item]], _Result], batch: list[_Item]) -> Future[_Result]:
        if self._executor is None:
            self._executor = self._start()
        if self.options.processes:
            with _stop_signals_blocked():  # a submit may start a helper process
                future = self._executor.submit(function, batch)
        else:
            future = self._executor.submit(function, batch)
        self._queued.add(future)
        future.add_done_callback(self._queued.discard)
        return future

    def _start(self) -> Executor:
        if not self.options.processes:
            return ThreadPoolExecutor(self.helpers)
        # Imported only here, where processes start: importing multiprocessing points sys.modules["__mp_main__"]
        # at Blender's __main__ of the moment, and `blender -b --python` crashes at exit (SIGSEGV) on it once
        # that namespace is freed. In Blender the work runs in threads and never gets here.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.helpers, mp_context=context, initializer=_start_helper)

    def close(self) -> None:
        """Stop the helpers once the batches they are running are done; those not started are dropped."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._set_up is not None:
            self._set_up.close()
            self._set_up = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def _batches(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    batch: list[_Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
