"""``signpost score`` as plain data: one record per scenario file, then the SPEC §10 object.

The files go through the batch loop of :mod:`engine.run.batch` (as ``signpost check``'s do):
each valid file is run once with :func:`engine.run.run` ``scope="results"`` (main result and
timeline, no analysis) and scored when it has a ``resolved`` block. An invalid file is recorded
with its errors and the others are still scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.infra.executor import Executor
from engine.run.batch import FileRecord, FileRun, run_batch, run_record, settled
from engine.score.scores import Score, calibration_of, finite, means, score


@dataclass
class FileScore(FileRecord):
    """The score of one scenario file: the fields of :class:`~engine.run.batch.FileRecord`,
    and ``id`` (empty when the file is invalid), ``as_of``, and ``score`` (None when the
    scenario is unresolved, the file invalid or not run)."""

    id: str = ""
    as_of: dt.date | None = None
    score: Score | None = None

    @property
    def resolved(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        """One entry of SPEC §10's ``scenarios`` (resolved files only)."""
        assert self.score is not None
        return {
            "id": self.id,
            "file": self.path.as_posix(),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            **self.score.to_dict(),
            "reliable": self.reliable,
            "method": self.method,
        }


def score_scenario(scenario, path: str | Path = "", progress=None) -> FileScore:
    """Run one validated scenario (main result and timeline) and score it if it is resolved.

    Parameters
    ----------
    scenario : engine.scenario.schema.Scenario
        A validated scenario.
    path : str or Path
        The file it came from.
    progress : callable, optional
        Passed to :func:`engine.run.run` (a short message before each step).
    """

    def own(result) -> dict[str, Any]:
        resolved = score(result, scenario.resolved) if scenario.resolved else None
        return {"id": scenario.id, "as_of": scenario.as_of, "score": resolved}

    return run_record(FileScore, scenario, path, scope="results", own=own, progress=progress)


def _score_job(task, progress=None) -> FileScore:
    scenario, path = task
    return score_scenario(scenario, path, progress=progress)


def score_batch(
    paths: Iterable[str | Path],
    *,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    announce: Callable[[str], None] | None = None,
) -> Iterator[FileScore]:
    """Score every scenario file among ``paths``, yielding each file as soon as it is done.

    Parameters
    ----------
    paths, jobs, executor, announce
        Which files, and where they run: as :func:`engine.run.batch.run_batch`.
    progress : callable, optional
        Called with ``"file: step"`` messages while running (in this process), and with
        ``"N run"`` as each file finishes.

    Yields
    ------
    FileScore
        Invalid files first (validation is quick), then the valid files in discovery order, each
        once it and those before it have run.
    """

    def step(task, message: str) -> None:
        if progress is not None:
            progress(f"{Path(task[1]).as_posix()}: {message}")

    # in discovery order wherever they run, so that the output does not depend on where
    runs = run_batch(
        paths, _score_job, jobs=jobs, executor=executor, step=step, announce=announce, in_order=True
    )
    yield from settled(_counted(runs, progress), FileScore)


def _counted(runs: Iterable[FileRun], progress: Callable[[str], None] | None) -> Iterator[FileRun]:
    """``runs``, saying ``"N run"`` as each valid file finishes (it ran, maybe elsewhere)."""
    finished = 0
    for run in runs:
        if progress is not None and run.scenario is not None:
            finished += 1
            progress(f"{finished} run")
        yield run


def resolved(files: Iterable[FileScore]) -> list[FileScore]:
    """The valid, resolved files, in order."""
    return [f for f in files if f.ok and f.score is not None]


def unresolved(files: Iterable[FileScore]) -> list[FileScore]:
    """The valid files without ``resolved``, in order."""
    return [f for f in files if f.ok and f.score is None]


def to_json(files: Sequence[FileScore]) -> dict[str, Any]:
    """The SPEC §10 object, plus ``calibration`` (from ten resolved scenarios) and ``invalid``.

    Numbers are not rounded. A log score that is infinite (P(happened) = 0) is null.
    """
    scored = resolved(files)
    scores = [f.score for f in scored if f.score is not None]
    mean = means(scores)
    out: dict[str, Any] = {
        "count": len(scored),
        "mean": {"brier": mean["brier"], "log": finite(mean["log"])},
        "scenarios": [f.to_dict() for f in scored],
        "unresolved": [f.id for f in unresolved(files)],
        "reliable": all(f.reliable for f in files if f.ok),
    }
    table = calibration_of(scores)
    if table is not None:
        out["calibration"] = [b.to_dict() for b in table]
    out["invalid"] = [
        {"file": f.path.as_posix(), "errors": [issue.to_dict() for issue in f.issues]}
        for f in files
        if f.invalid
    ]
    out["not_run"] = [{"file": f.path.as_posix(), "error": f.error} for f in files if f.error]
    return out
