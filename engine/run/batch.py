"""The one batch loop of ``signpost check``, ``score`` and ``report``.

1. :func:`validate_batch`: find the scenario files among the paths (``_*.yaml`` are parents only)
   and validate them all, scenario ids unique across the batch. Validating is quick, so invalid
   files are known (and reported) before anything runs.
2. :func:`execute`: run a job on each valid scenario where the executor says — ``jobs`` local
   worker processes, or Dask (:class:`engine.infra.workers.Executor`,
   :func:`engine.infra.workers.run_tasks`) — yielding each file's :class:`FileRun` as it
   finishes. A task carries the validated scenario itself, never a path to read: a worker needs
   no disk in common with this process. A scenario the job fails on is recorded (a valid
   scenario that cannot be run, such as one too wide to sum, as bad input; anything else as an
   internal error) and the rest go on.

:func:`run_batch` is both in order. What a file's outcome means for the exit code is the CLI's
choice (:func:`engine.cli.exit.batch_exit_code`), the same for every command.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from engine.infra.executor import Executor, worker_stopped
from engine.scenario.issues import ScenarioIssue
from engine.scenario.schema import Scenario
from engine.scenario.validate import Validated, validate_paths


class Outcome:
    """What a batch says of one file, whatever the command: invalid, bad input, crashed or ok.

    A mixin for a batch's records of a file, each a dataclass with these fields:

    Attributes
    ----------
    path : Path
        The file as named.
    issues : list of ScenarioIssue
        The validation errors; empty when the file is valid.
    error : str
        Why the job failed on a valid scenario, in one line; empty when it did not.
    bad_input : bool
        The job's failure is the scenario's (it cannot be run as written, e.g. too wide to sum),
        not a bug in Signpost.
    """

    path: Path
    issues: list[ScenarioIssue]
    error: str
    bad_input: bool

    @property
    def invalid(self) -> bool:
        """The file is not a valid scenario."""
        return bool(self.issues)

    @property
    def crashed(self) -> bool:
        """The job failed on a valid scenario through no fault of the scenario."""
        return bool(self.error) and not self.bad_input

    @property
    def ok(self) -> bool:
        """Valid, and the job succeeded."""
        return not self.issues and not self.error


@dataclass
class FileRecord(Outcome):
    """One file's record in ``signpost check`` and ``score``: what the two share.

    Attributes
    ----------
    path, issues, error, bad_input
        As :class:`Outcome`'s.
    reliable : bool
        Whether the run met the reliability bar (always True when exact).
    method : str
        How the numbers were computed (``exact``, ``importance``, ...); empty when not run.
    seconds : float
        Wall time of the run.
    """

    path: Path
    issues: list[ScenarioIssue] = field(default_factory=list)
    reliable: bool = True
    method: str = ""
    seconds: float = 0.0
    error: str = ""
    bad_input: bool = False


Record = TypeVar("Record", bound=FileRecord)


@dataclass
class FileRun(Outcome):
    """What became of one file of a batch.

    Attributes
    ----------
    path, issues, error, bad_input
        As :class:`Outcome`'s.
    scenario : Scenario or None
        The validated scenario; None when the file is invalid.
    value : Any
        What the job returned (None unless it succeeded).
    """

    path: Path
    scenario: Scenario | None = None
    issues: list[ScenarioIssue] = field(default_factory=list)
    value: Any = None
    error: str = ""
    bad_input: bool = False


def run_record(
    record: type[Record],
    scenario: Scenario,
    path: str | Path,
    *,
    scope: str,
    own: Callable[[Any], dict[str, Any]],
    progress: Callable[[str], None] | None = None,
) -> Record:
    """Run one validated scenario and return its ``record``: what every record of a run says.

    ``scope`` and ``progress`` are :func:`engine.run.run`'s; ``own(result)`` gives the
    record's own fields (its checks, its score). The record's ``reliable`` and ``method`` are
    the run's, its ``seconds`` the wall time of the run and of ``own``.
    """
    from engine.run import run  # the runner (and PyMC when sampling) only when running

    started = time.perf_counter()
    result = run(scenario, scope=scope, progress=progress)
    fields = own(result)
    return record(
        Path(path),
        reliable=result.reliable,
        method=result.diagnostics.method,
        seconds=time.perf_counter() - started,
        **fields,
    )


def validate_batch(paths: Iterable[str | Path]) -> tuple[list[Validated], list[Validated]]:
    """Every scenario file among ``paths`` validated as one batch: (invalid, valid), each in
    discovery order."""
    validated = validate_paths(paths)
    return [v for v in validated if not v.ok], [v for v in validated if v.ok]


def failure_of(exc: BaseException) -> tuple[str, bool]:
    """(one line, whether it is bad input) for an exception a job raised on a valid scenario,
    or for its worker that stopped (killed, out of memory): the one wording of every batch."""
    message = " ".join(str(exc).split())[:500]
    if getattr(exc, "bad_input", False):
        return message, True
    if worker_stopped(exc):
        return f"the worker stopped: {type(exc).__name__}: {message}", False
    return f"internal error: {type(exc).__name__}: {message}", False


def execute(
    job: Callable[..., Any],
    tasks: Sequence[Any],
    *,
    paths: Sequence[Path],
    scenarios: Sequence[Scenario],
    jobs: int = 1,
    executor: Executor | None = None,
    step: Callable[[Any, str], None] | None = None,
    announce: Callable[[str], None] | None = None,
    in_order: bool = False,
) -> Iterator[FileRun]:
    """Run ``job(task)`` for every task (the task of ``paths[i]`` is ``tasks[i]``) and yield each
    file's :class:`FileRun` as it finishes (in order when run in this process).

    ``executor`` says where (default: ``jobs`` local processes); ``step`` and ``announce`` are
    :func:`engine.infra.workers.run_tasks`'s, and so is ``in_order``: the runs in the order of
    ``tasks`` wherever they run.
    Raises :class:`~engine.infra.workers.ExecutorError` when Dask was asked for and cannot be
    used.
    """
    from engine.infra.workers import run_tasks

    where = {id(task): i for i, task in enumerate(tasks)}  # run_tasks yields the same objects
    outcomes = run_tasks(
        job, tasks, jobs=jobs, executor=executor, step=step, announce=announce, in_order=in_order
    )
    for task, outcome in outcomes:
        i = where[id(task)]
        run = FileRun(paths[i], scenarios[i])
        if isinstance(outcome, BaseException):
            run.error, run.bad_input = failure_of(outcome)
        else:
            run.value = outcome
        yield run


def run_batch(
    paths: Iterable[str | Path],
    job: Callable[..., Any],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    step: Callable[[Any, str], None] | None = None,
    announce: Callable[[str], None] | None = None,
    in_order: bool = False,
) -> Iterator[FileRun]:
    """Validate every file among ``paths``, then run ``job((scenario, path))`` on each valid one
    (where and how :func:`execute` says).

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders (see :func:`engine.scenario.discover.discover`).
    job : callable
        ``job(task, progress=None)``, what each valid file's task is run through.
    jobs : int
        Local worker processes (1: in this process, in order), when no ``executor`` is given.
    executor : Executor, optional
        Where the files run: the local pool, or Dask (:mod:`engine.infra.workers`).
    step, in_order : optional
        As :func:`engine.infra.workers.run_tasks`'s: progress from a job, and the runs in
        discovery order wherever they run.
    announce : callable, optional
        Called once with where the files run, on Dask.

    Yields
    ------
    FileRun
        The invalid files first (with their issues), then each valid file as its job finishes.
    """
    invalid, valid = validate_batch(paths)
    for entry in invalid:
        yield FileRun(entry.path, issues=list(entry.issues))
    tasks = [(entry.scenario, entry.path) for entry in valid]
    yield from execute(
        job,
        tasks,
        paths=[entry.path for entry in valid],
        scenarios=[entry.scenario for entry in valid],
        jobs=jobs,
        executor=executor,
        step=step,
        announce=announce,
        in_order=in_order,
    )


def settled(runs: Iterable[FileRun], record: type[Record]) -> Iterator[Record]:
    """Each file's record: what its job returned, or ``record`` of an invalid file (its issues)
    or of a job that failed (its error), in the order of ``runs``."""
    for run in runs:
        if run.ok:
            yield run.value
        else:
            yield record(run.path, issues=run.issues, error=run.error, bad_input=run.bad_input)
