r"""Running independent tasks on worker processes, in this process, or on a Dask cluster.

:func:`run_tasks` is the one executor of the batch commands (``check``, ``score``, ``report``,
and ``sweep``); an :class:`Executor` says where the tasks run:

- the local pool (the default): ``jobs == 1`` (or a single task) runs each task here, passing it
  a progress callback; otherwise a pool of ``spawn``\ ed processes runs them;
- ``Executor(scheduler=ADDRESS)``: a running ``dask.distributed`` scheduler; ``Executor(dask=N)``:
  a ``LocalCluster`` of N worker processes, started and stopped around the tasks
  (:mod:`engine.infra.cluster`; ``dask`` is imported only then).

Either way each outcome is yielded as it finishes. A task that raises, or whose worker dies
(killed, out of memory) for good, becomes that exception as its outcome; the other tasks go on.
A task gets what it needs in its arguments (no shared disk) and returns what is to be written:
the caller writes.

Local workers end with their parent (``PR_SET_PDEATHSIG`` on Linux, and a thread that watches
the parent's pid everywhere) and ignore Ctrl-C: on Ctrl-C (or any exception in the caller's loop)
the parent stops them (SIGTERM, then SIGKILL) before the exception propagates; on Dask the
futures are cancelled instead.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from engine.infra.executor import Executor, outcome_of

PARENT_POLL_SECONDS = 0.5

Task = TypeVar("Task")
Step = Callable[[str], None]


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[Task],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    step: Callable[[Task, str], None] | None = None,
    announce: Callable[[str], None] | None = None,
    in_order: bool = False,
) -> Iterator[tuple[Task, Any]]:
    """Run ``fn(task)`` for every task and yield ``(task, outcome)`` as each finishes (with
    ``in_order``, in the order of ``tasks``).

    Parameters
    ----------
    fn : callable
        A picklable top-level function ``fn(task, progress=None)``; ``progress`` is given only
        in this process (a message before each step).
    tasks : sequence
        Picklable tasks, carrying everything ``fn`` needs (a worker may have no disk in common
        with this process).
    jobs : int
        Worker processes of the local pool; 1 runs the tasks here, in order. Used when no
        ``executor`` is given.
    executor : Executor, optional
        Where to run them: the local pool of ``executor.jobs``, or Dask.
    step : callable, optional
        ``step(task, message)``: the progress of a task run in this process.
    announce : callable, optional
        Called once with a line saying where the tasks run, when that is Dask (the scheduler,
        its workers and the dashboard's address when there is one).
    in_order : bool
        Yield in the order of ``tasks`` wherever they run: an outcome that comes early waits
        for those before it (for a caller whose output follows the tasks' order).

    Yields
    ------
    (task, outcome)
        The outcome is what ``fn`` returned, or the exception it raised (or that stopped its
        worker). ``KeyboardInterrupt`` and anything raised by the caller's loop stop the workers
        (cancel the futures) and propagate.

    Raises
    ------
    ExecutorError
        Dask was asked for and its scheduler cannot be reached, or Dask is not installed.
    """
    executor = executor or Executor(jobs=jobs)
    if executor.distributed and tasks:
        from engine.infra.cluster import run_on_dask

        outcomes = run_on_dask(fn, tasks, executor, announce=announce)
    else:
        outcomes = _run_here_or_on_a_pool(fn, tasks, executor.jobs, step)
    with contextlib.closing(outcomes):  # stops the workers when the caller stops early
        yield from _in_order(outcomes, tasks) if in_order else outcomes


def _in_order(
    outcomes: Iterator[tuple[Task, Any]], tasks: Sequence[Task]
) -> Iterator[tuple[Task, Any]]:
    """``outcomes`` in the order of ``tasks`` (run_tasks yields the same task objects)."""
    index = {id(task): i for i, task in enumerate(tasks)}
    waiting: dict[int, tuple[Task, Any]] = {}
    due = 0
    for task, outcome in outcomes:
        waiting[index[id(task)]] = (task, outcome)
        while due in waiting:
            yield waiting.pop(due)
            due += 1


def _run_here_or_on_a_pool(
    fn: Callable[..., Any],
    tasks: Sequence[Task],
    jobs: int,
    step: Callable[[Task, str], None] | None,
) -> Iterator[tuple[Task, Any]]:
    """The local pool: ``jobs`` spawned processes, or this process when there is one job or
    one task (with ``step`` as each task's progress)."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            progress = (lambda message, task=task: step(task, message)) if step else None
            yield task, outcome_of(functools.partial(fn, task, progress))
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pool = concurrent.futures.ProcessPoolExecutor(
        min(jobs, len(tasks)),
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    try:
        with sigint_blocked():  # the workers start with Ctrl-C blocked, then ignore it
            futures = {pool.submit(fn, task): task for task in tasks}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], outcome_of(future.result)
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
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


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold a Ctrl-C until the block ends, then act on it as it would have: for a step that
    must finish whole, such as a report counted as done and its line printed (an interrupt
    between the two would count a report the user never saw announced).

    A second Ctrl-C acts at once (a step that hangs can still be stopped). An exception raised
    in the block goes on as it is; a Ctrl-C held meanwhile is then dropped. A handler, not a
    blocked mask: in a process with threads the kernel hands a blocked signal to another
    thread, and Python still runs its handler in the main thread at once."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler; Python runs SIGINT's only there
        return
    caught: list[Any] = []
    previous = signal.getsignal(signal.SIGINT)
    restore = signal.SIG_DFL if previous is None else previous  # None: set outside Python

    def deliver(frame) -> None:
        signal.signal(signal.SIGINT, restore)
        if callable(restore):
            restore(signal.SIGINT, frame)  # the default handler raises KeyboardInterrupt
        elif restore == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)  # what it would have done: end the process

    def hold(signum, frame) -> None:
        if caught:
            deliver(frame)  # the second: now
        caught.append(frame)

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    except BaseException:
        signal.signal(signal.SIGINT, restore)
        raise
    if caught:
        deliver(caught[0])
    else:
        signal.signal(signal.SIGINT, restore)


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
