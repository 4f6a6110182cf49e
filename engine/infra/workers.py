r"""Running independent tasks on worker processes, or in this process.

:func:`run_tasks` is the one executor of the batch commands (``check``, ``score``, ``report``):
``jobs == 1`` (or a single task) runs each task here, passing it a progress callback; otherwise a
pool of ``spawn``\ ed processes runs them and yields each outcome as it finishes. A task that
raises, or whose worker dies (killed, out of memory), becomes that exception as its outcome;
the other tasks go on.

Workers end with their parent (``PR_SET_PDEATHSIG`` on Linux, and a thread that watches the
parent's pid everywhere) and ignore Ctrl-C: on Ctrl-C (or any exception in the caller's loop)
the parent stops them (SIGTERM, then SIGKILL) before the exception propagates.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

PARENT_POLL_SECONDS = 0.5

Task = TypeVar("Task")
Step = Callable[[str], None]


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[Task],
    *,
    jobs: int = 1,
    step: Callable[[Task, str], None] | None = None,
) -> Iterator[tuple[Task, Any]]:
    """Run ``fn(task)`` for every task and yield ``(task, outcome)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A picklable top-level function ``fn(task, progress=None)``; ``progress`` is given only
        in this process (a message before each step).
    tasks : sequence
        Picklable tasks.
    jobs : int
        Worker processes; 1 runs the tasks here, in order.
    step : callable, optional
        ``step(task, message)``: the progress of a task run in this process.

    Yields
    ------
    (task, outcome)
        The outcome is what ``fn`` returned, or the exception it raised (or that stopped its
        worker). ``KeyboardInterrupt`` and anything raised by the caller's loop stop the workers
        and propagate.
    """
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            progress = (lambda message, task=task: step(task, message)) if step else None
            try:
                outcome = fn(task, progress)
            except Exception as exc:  # noqa: BLE001 - the task's failure is its outcome
                outcome = exc
            yield task, outcome
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pool = concurrent.futures.ProcessPoolExecutor(
        min(jobs, len(tasks)),
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    try:
        with _sigint_blocked():  # the workers start with Ctrl-C blocked, then ignore it
            futures = {pool.submit(fn, task): task for task in tasks}
        for future in concurrent.futures.as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - the task raised, or its worker died
                outcome = exc
            yield futures[future], outcome
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while workers are spawned: they inherit the mask, so a
    Ctrl-C before their initializer runs stays pending there (and is then discarded) instead
    of printing a traceback. Here it is delivered to another thread or when unblocked."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop_workers(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Cancel the tasks not started and end the workers now (SIGTERM, then SIGKILL)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public handle
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
    pool.shutdown(wait=True, cancel_futures=True)


def _worker_init(parent: int) -> None:
    """Run first in each worker: ignore Ctrl-C (the parent stops the workers) and end with the
    parent, however it ends (``kill -9`` included)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # discards a Ctrl-C pending since the spawn
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG: SIGKILL
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    watcher = threading.Thread(
        target=_watch_parent, args=(parent,), name="signpost-parent", daemon=True
    )
    watcher.start()


def _watch_parent(parent: int) -> None:
    """End this worker when its parent is gone (the pid of a dead parent's child changes)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
