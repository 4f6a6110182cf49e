"""Checking a batch of scenario files: one run per file, one status per expectation.

The front doors (``signpost check`` and the pytest plugin) share this module. Each valid file
is run once with :func:`engine.run.run` ``scope="checks"`` (the main result and the what-ifs
its expectations name; a scenario whose numbers are all fixed is answered exactly, without
sampling) and every ``expect`` entry is judged by :mod:`engine.run.expect`. The files go through
the batch loop of :mod:`engine.run.batch`: an invalid file is reported with its validation
errors and the other files are still checked.

A check is *too close to call* when its margin is within sampling noise
(:func:`engine.inference.diagnostics.within_noise`, SPEC §5). By default that is neither a pass
nor a failure: it is reported and does not change the exit code. With ``strict`` it counts as a
failure (:func:`counted_status`).

Everything here is plain data; :mod:`engine.check.text` prints it and the CLI chooses the exit
code (:func:`engine.cli.exit.batch_exit_code`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from engine.infra.executor import Executor
from engine.run.batch import FileRecord, run_batch, run_record, settled
from engine.run.result import Check, Status


@dataclass
class FileChecks(FileRecord):
    """The checks of one scenario file: the fields of :class:`~engine.run.batch.FileRecord`,
    and ``checks``, every expectation's verdict in file order (empty when the file is invalid
    or was not run)."""

    checks: dict[str, Check] = field(default_factory=dict)

    def node(self, name: str) -> str:
        """``file::check``, the name of one check in lines, JUnit and pytest."""
        return f"{self.path.as_posix()}::{name}"


def counted_status(check: Check, *, strict: bool = False) -> Status:
    """The status that counts: ``strict`` turns *too close to call* into a failure."""
    if strict and check.status == Status.TOO_CLOSE:
        return Status.FAIL
    return Status(check.status)


def run_checks(scenario, path: str | Path = "") -> FileChecks:
    """Run one validated scenario for its expectations only and judge them.

    Parameters
    ----------
    scenario : engine.scenario.schema.Scenario
        A validated scenario.
    path : str or Path
        The file it came from, for naming its checks.

    Returns
    -------
    FileChecks
        Every expectation's verdict, and whether the run was reliable.
    """

    def own(result) -> dict[str, dict[str, Check]]:
        return {"checks": dict(result.expect)}

    return run_record(FileChecks, scenario, path, scope="checks", own=own)


def _check_job(task, progress=None) -> FileChecks:
    scenario, path = task
    return run_checks(scenario, path)


def check_batch(
    paths: Iterable[str | Path],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    announce: Callable[[str], None] | None = None,
) -> Iterator[FileChecks]:
    """Check every scenario file among ``paths``, yielding each file as soon as it is done.

    Parameters
    ----------
    paths, jobs, executor, announce
        Which files, and where they run: as :func:`engine.run.batch.run_batch`.

    Yields
    ------
    FileChecks
        Invalid files first (validation is quick), then each valid file once run.
    """
    runs = run_batch(paths, _check_job, jobs=jobs, executor=executor, announce=announce)
    yield from settled(runs, FileChecks)


def any_failed(files: Iterable[FileChecks], *, strict: bool = False) -> bool:
    """Whether any check of any file counts as failed."""
    return any(
        counted_status(c, strict=strict) == Status.FAIL for f in files for c in f.checks.values()
    )


def tally(files: Iterable[FileChecks], *, strict: bool = False) -> dict[str, int]:
    """Counts of checks by status, of checks, of invalid files and of files not run."""
    counts = {**dict.fromkeys(Status, 0), "checks": 0, "invalid": 0, "not run": 0}
    for file in files:
        counts["invalid"] += file.invalid
        counts["not run"] += bool(file.error)
        for check in file.checks.values():
            counts[counted_status(check, strict=strict)] += 1
            counts["checks"] += 1
    return counts
