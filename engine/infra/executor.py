"""Where a batch's tasks run: the :class:`Executor` (the options ``-j``, ``--scheduler``,
``--dask``) and the error of an executor that cannot run them.

Plain data, shared by the local pool (:mod:`engine.infra.workers`) and Dask
(:mod:`engine.infra.cluster`), so that neither imports the other to know them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class ExecutorError(Exception):
    """The tasks cannot be run where asked: a Dask scheduler that cannot be reached, Dask not
    installed. Bad input (exit 2): the message names the address or says what to install."""

    bad_input = True


@dataclass(frozen=True)
class Executor:
    """Where a batch's tasks run (the options ``-j``, ``--scheduler``, ``--dask``).

    Attributes
    ----------
    jobs : int
        Local worker processes when neither of the others is given; 1 runs the tasks in this
        process, in order.
    scheduler : str
        The address of a running ``dask.distributed`` scheduler (``tcp://host:8786``).
    dask : int
        Worker processes of a ``LocalCluster`` started for the batch and stopped after it.
    quiet : bool
        Keep Dask's own log lines (a worker restarted, a connection closed) off the terminal;
        ``--debug`` shows them.
    """

    jobs: int = 1
    scheduler: str = ""
    dask: int = 0
    quiet: bool = True

    @property
    def distributed(self) -> bool:
        """The tasks run on Dask (a scheduler, or a LocalCluster)."""
        return bool(self.scheduler or self.dask)

    def workers(self, tasks: int) -> int:
        """How many local processes run ``tasks`` tasks (1: this one); 0 on Dask."""
        return 0 if self.distributed else max(1, min(self.jobs, tasks))


def outcome_of(call: Callable[[], Any]) -> Any:
    """What a task gives: what ``call()`` returns, or the exception it raises — the task's own,
    or its worker's that stopped — which becomes the task's outcome (the others go on).

    ``call`` is the task itself (run here) or a finished future's ``result`` (the local pool,
    Dask): the one place a task's failure is caught."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - a task's failure is its outcome
        return exc


def worker_stopped(exc: BaseException) -> bool:
    """Whether ``exc`` says the task's worker stopped (killed, out of memory) rather than the
    task raising: the local pool's ``BrokenProcessPool``, Dask's ``KilledWorker``."""
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool) or type(exc).__name__ == "KilledWorker"
