"""A batch's tasks on Dask: a running ``dask.distributed`` scheduler, or a ``LocalCluster``.

:func:`run_on_dask` is what :func:`engine.infra.workers.run_tasks` does with an
:class:`~engine.infra.workers.Executor` that names a scheduler (``--scheduler ADDRESS``) or a
number of local Dask workers (``--dask N``). ``dask.distributed`` is imported only here.

- Each task is submitted as one future (``pure=False``: two equal tasks are still two runs) and
  its outcome yielded as its future finishes, in the order they finish.
- A worker that dies mid-task: the scheduler gives the task to another worker (up to Dask's
  ``distributed.scheduler.allowed-failures``, 3 by default); a task that keeps killing its
  workers ends as ``KilledWorker``, which becomes its outcome like any task's exception.
- On Ctrl-C, or when the caller stops (an output error), every future is cancelled and the
  client closed (and the LocalCluster stopped) before the exception propagates.
- A scheduler that cannot be reached within Dask's connect timeout
  (``distributed.comm.timeouts.connect``, 30 s unless configured), workers that cannot import
  Signpost or run another version of it: :class:`~engine.infra.workers.ExecutorError`.

A LocalCluster's workers start without Dask's ``MALLOC_TRIM_THRESHOLD_=65536``
(``distributed.nanny.pre-spawn-environ``; its thread limits are kept): with it, glibc hands
memory back to the system after nearly every array a task frees, and a batch of 100 reports took
64 % longer than on the local pool, twice the system time. Workers that a scheduler's own
operator starts are theirs to configure.

A LocalCluster listens on 127.0.0.1 only (scheduler and dashboard, on free ports). Its worker
processes ignore SIGINT, so a terminal's Ctrl-C (sent to the whole process group) reaches only
this process, which stops them: they are started while this process ignores it (an ignored
signal stays ignored in a child), and each worker ignores it again when it starts
(:func:`dask_setup`, a Dask preload), for a worker the cluster restarts later. They end with this
process however it ends (Dask's worker processes watch a pipe from their parent).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from engine.infra.executor import Executor, ExecutorError, outcome_of
from engine.infra.fingerprint import engine_fingerprint

LOCAL_HOST = "127.0.0.1"  # anything that listens binds to localhost
INSTALL = "pip install 'signpost[dask]'"


def run_on_dask(
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    executor: Executor,
    *,
    announce: Callable[[str], None] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Run ``fn(task)`` for every task on Dask; yield ``(task, outcome)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A top-level function of an installed module (workers import it by name).
    tasks : sequence
        Picklable tasks.
    executor : Executor
        ``scheduler`` (an address) or ``dask`` (a number of local workers).
    announce : callable, optional
        Called once with where the tasks run: the scheduler, its workers, the dashboard.

    Yields
    ------
    (task, outcome)
        The outcome is what ``fn`` returned or the exception it raised (``KilledWorker`` when
        its workers kept dying).

    Raises
    ------
    ExecutorError
        Dask is not installed, the scheduler cannot be reached, or its workers cannot run this
        Signpost.
    """
    distributed = _import_distributed()
    with _quiet(executor.quiet), _client(executor, distributed) as client:
        _same_engine_on_workers(client, executor)
        if announce is not None:
            announce(where(client, executor))
        futures = {client.submit(fn, task, pure=False): task for task in tasks}
        try:
            for future in distributed.as_completed(futures, loop=client.loop):
                yield futures[future], outcome_of(future.result)
        except BaseException:  # Ctrl-C, or the caller stopped: nothing may go on running
            client.cancel(list(futures), force=True)
            raise


def where(client, executor: Executor) -> str:
    """``on Dask at tcp://…: 2 workers; dashboard http://…/status``, in one line."""
    info = client.scheduler_info()
    workers = len(info.get("workers", {}))
    address = info.get("address") or executor.scheduler
    kind = "a local Dask cluster" if executor.dask else "Dask"
    line = f"on {kind} at {address}: {workers} worker{'s' if workers != 1 else ''}"
    if not workers:
        line += " (none yet: the tasks wait for one to join)"
    dashboard = _dashboard(client)
    return f"{line}; dashboard {dashboard}" if dashboard else f"{line}; no dashboard"


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ExecutorError(f"--scheduler and --dask need dask.distributed: {INSTALL}") from None
    return distributed


@contextlib.contextmanager
def _no_malloc_trim() -> Iterator[None]:
    """Dask's environment for new worker processes, without its malloc trim threshold (see the
    module's docstring)."""
    import dask

    spawned = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}))
    spawned.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": spawned}):
        yield


@contextlib.contextmanager
def _client(executor: Executor, distributed) -> Iterator[Any]:
    """A client of the scheduler asked for, or of a LocalCluster started (and stopped) here."""
    if not executor.dask:
        try:
            client = distributed.Client(executor.scheduler, set_as_default=False)
        except (OSError, ValueError, TypeError) as error:  # refused, timed out, not an address
            reason = " ".join(str(error).split())[:300]
            message = f"cannot reach the Dask scheduler at {executor.scheduler}: {reason}"
            raise ExecutorError(message) from None
        with client:
            yield client
        return
    cluster = None
    try:
        with _sigint_ignored(), _no_malloc_trim():  # the worker processes inherit both
            try:
                cluster = distributed.LocalCluster(
                    n_workers=executor.dask,
                    threads_per_worker=1,  # one task per process, as the local pool
                    processes=True,
                    host=LOCAL_HOST,
                    dashboard_address=f"{LOCAL_HOST}:0",
                    silence_logs=logging.CRITICAL if executor.quiet else logging.WARNING,
                    preload=[__name__],  # dask_setup: a restarted worker ignores Ctrl-C too
                )
            except Exception as error:  # noqa: BLE001 - no port, no process: say so in a line
                reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
                message = f"cannot start a local Dask cluster of {executor.dask} workers: {reason}"
                raise ExecutorError(message) from None
        with distributed.Client(cluster, set_as_default=False) as client:
            yield client
    finally:
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT in this process for a moment (a Ctrl-C meanwhile is lost: press again).

    Not a blocked mask: :mod:`multiprocessing`'s resource tracker unblocks SIGINT in the thread
    that starts it, which is the cluster's, so a mask would not reach the workers."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler; Ctrl-C reaches only it anyway
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def dask_setup(worker) -> None:
    """Dask's preload hook, run in each LocalCluster worker as it starts: ignore Ctrl-C (this
    process stops the workers), also in a worker started after the batch began; and keep quiet
    about what Dask's own objects meet while the worker is torn down (a client's ``__del__``
    once its event loop is closed), as the command itself does."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.unraisablehook = lambda unraisable: None


def _same_engine_on_workers(client, executor: Executor) -> None:
    """Every worker runs this Signpost (the same version and code): a report's manifest names
    the engine that made it, and the workers make it."""
    mine = engine_identity()
    try:
        theirs = client.run(engine_identity)
    except Exception as error:  # noqa: BLE001 - e.g. they cannot unpickle a function of ours
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        raise ExecutorError(
            f"the Dask workers cannot run Signpost ({reason}): install this version on every "
            f"worker ({INSTALL})"
        ) from None
    other = {worker: identity for worker, identity in theirs.items() if identity != mine}
    if other:
        worker, identity = next(iter(sorted(other.items())))
        raise ExecutorError(
            f"{len(other)} Dask worker(s) run another Signpost ({worker}: {identity}; this "
            f"one: {mine}): install the same version on every worker"
        )


def engine_identity() -> str:
    """The engine's version and a hash of its code (run on each worker, and here)."""
    return engine_fingerprint()


def _dashboard(client) -> str:
    """The dashboard's address, or empty when there is none (bokeh not installed)."""
    try:
        info = client.scheduler_info()
        if "dashboard" not in info.get("services", {}):
            return ""
        return client.dashboard_link or ""
    except Exception:  # noqa: BLE001 - a missing dashboard is no reason to stop
        return ""


@contextlib.contextmanager
def _quiet(quiet: bool) -> Iterator[None]:
    """Dask's log lines off the terminal while the batch runs (unless ``--debug``)."""
    if not quiet:
        yield
        return
    loggers = [logging.getLogger(name) for name in ("distributed", "bokeh", "tornado")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
