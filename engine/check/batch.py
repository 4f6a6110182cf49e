"""Checking a batch of scenario files: one run per file, one verdict per expectation.

The front doors (``signpost check`` and the pytest plugin) share this module. Each valid file
is run once with :func:`engine.run.run` ``scope="checks"`` (the main result and the what-ifs
its expectations name; a scenario whose numbers are all fixed is answered exactly, without
sampling) and every ``expect`` entry is judged by :mod:`engine.run.expect`. An invalid
file is reported with its validation errors and the other files are still checked.

A check is *too close to call* when its margin is smaller than three Monte Carlo standard
errors (SPEC §5). By default that is neither a pass nor a failure: it is reported and does not
change the exit code. With ``strict`` it counts as a failure.

Everything here is plain data; :mod:`engine.check.text` prints it and :func:`exit_code`
chooses the exit code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from engine.cli.exit import BAD_INPUT, CHECK_FAILED, OK, ExitCode
from engine.run.result import Check, Status
from engine.scenario.issues import ScenarioIssue


@dataclass
class FileChecks:
    """The checks of one scenario file.

    Attributes
    ----------
    path : Path
        The file as named.
    checks : dict of str to Check
        Every expectation's verdict, in file order; empty when the file is invalid.
    issues : list of ScenarioIssue
        The validation errors; empty when the file is valid.
    reliable : bool
        Whether the sampler's run met the reliability bar (always True when exact).
    method : str
        ``"exact"`` or ``"nuts"``; empty when the file is invalid.
    seconds : float
        Wall time of the run.
    """

    path: Path
    checks: dict[str, Check] = field(default_factory=dict)
    issues: list[ScenarioIssue] = field(default_factory=list)
    reliable: bool = True
    method: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the file is a valid scenario."""
        return not self.issues

    def node(self, name: str) -> str:
        """``file::check``, the name of one check in lines, JUnit and pytest."""
        return f"{self.path.as_posix()}::{name}"


def verdict(check: Check, *, strict: bool = False) -> Status:
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
    from engine.run import run  # the runner (and PyMC when sampling) only when checking

    started = time.perf_counter()
    result = run(scenario, scope="checks")
    return FileChecks(
        Path(path),
        checks=dict(result.expect),
        reliable=result.reliable,
        method=result.diagnostics.method,
        seconds=time.perf_counter() - started,
    )


def check_paths(
    paths: Iterable[str | Path], *, progress: Callable[[Path], None] | None = None
) -> Iterator[FileChecks]:
    """Check every scenario file among ``paths``, yielding each file as soon as it is done.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders (see :func:`engine.scenario.discover.discover`; ``_*.yaml`` are parents only).
    progress : callable, optional
        Called with each valid file's path before it is run.

    Yields
    ------
    FileChecks
        Invalid files first (validation is quick), then each valid file once run.
    """
    from engine.scenario.validate import invalid_first

    invalid, valid = invalid_first(paths)
    for entry in invalid:
        yield FileChecks(entry.path, issues=list(entry.issues))
    for entry in valid:
        if progress is not None:
            progress(entry.path)
        yield run_checks(entry.scenario, entry.path)


def exit_code(files: Iterable[FileChecks], *, strict: bool = False) -> ExitCode:
    """2 when any file is invalid or none was found, else 1 when any check fails, else 0."""
    files = list(files)
    if not files or any(not f.ok for f in files):
        return BAD_INPUT
    failed = any(verdict(c, strict=strict) == Status.FAIL for f in files for c in f.checks.values())
    return CHECK_FAILED if failed else OK


def tally(files: Iterable[FileChecks], *, strict: bool = False) -> dict[str, int]:
    """Counts of checks by verdict, of checks, and of invalid files."""
    counts = {**dict.fromkeys(Status, 0), "checks": 0, "invalid": 0}
    for file in files:
        counts["invalid"] += not file.ok
        for check in file.checks.values():
            counts[verdict(check, strict=strict)] += 1
            counts["checks"] += 1
    return counts
