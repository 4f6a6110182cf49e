"""``signpost report``: every scenario of a batch into its own report folder, then an overview.

1. Take the lock of the reports folder (:func:`engine.infra.lock.folder_lock`): a second batch
   on the same folder waits for the first, saying so, or with ``wait=False`` refuses. Then remove
   the temporaries a killed batch left.
2. Validate the batch (:func:`engine.run.batch.validate_batch`). An invalid file is listed with
   its errors; the rest go on.
3. Skip a scenario whose report is up to date (:mod:`engine.report.cache`; ``--force`` re-does
   it).
4. Run and report the others, one scenario per task, on ``jobs`` worker processes
   (:func:`engine.infra.workers.run_tasks`; ``jobs == 1``: in this process), with a progress
   bar. A scenario that fails to run is listed with its error; the rest complete.
5. Write ``index.html`` and ``summary.csv`` over every scenario of the batch.

Every file is written atomically; a report's manifest is removed before its folder is rewritten
and written last, so a batch killed midway re-does the scenario it was writing and skips those
it finished. On Ctrl-C the workers are stopped, their temporaries removed, one line says what
finished, and the overview is left as it was. A file the system refuses to write (disk full,
permission denied, ``out`` a file) stops the batch the same way with one line naming the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine import __version__
from engine.infra.files import (
    OutputError,
    make_folder,
    output_error,
    remove_stale_temporaries,
    write_text,
)
from engine.infra.lock import FolderBusy, folder_lock
from engine.report.cache import (
    MANIFEST,
    input_key,
    merged_text,
    read_manifest,
    sha256_bytes,
    up_to_date,
)
from engine.run.batch import Outcome, failure_of, validate_batch
from engine.scenario.issues import ScenarioIssue
from engine.scenario.schema import Scenario


@dataclass(frozen=True)
class RunOptions:
    """Overrides of the scenarios' ``inference`` blocks, and whether to run the analysis."""

    draws: int | None = None
    chains: int | None = None
    seed: int | None = None
    analysis: bool = True


@dataclass
class Task:
    """One scenario to run and report (picklable: it goes to a worker process)."""

    file: str
    scenario: Scenario
    folder: Path
    key: str
    merged_yaml: str
    merged_sha256: str
    chain: list[tuple[str, str]]
    options: RunOptions


@dataclass
class Entry(Outcome):
    """What became of one file of the batch: ``reported``, ``unchanged`` (up to date) or
    ``failed`` (invalid, or the scenario could not be run or reported: ``issues`` or
    ``error``)."""

    file: str
    status: str
    id: str | None = None
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    issues: list[ScenarioIssue] = field(default_factory=list)
    bad_input: bool = False

    @property
    def message(self) -> str:
        """Why it failed, in as many lines as it takes."""
        return "\n".join(issue.format() for issue in self.issues) or self.error


@dataclass
class BatchResult:
    """What a batch did.

    Attributes
    ----------
    entries : list of Entry
        One per file settled: reported, unchanged (up to date) or failed, in discovery order.
    seconds : float
        Wall time.
    not_finished : list of Entry
        Scenarios to report that the batch did not finish (it was interrupted or stopped).
    error : str
        Why the batch stopped early (a file it could not write, a busy reports folder), already
        printed to stderr; empty when it did not.
    interrupted : bool
        Ctrl-C stopped the batch (its one-line summary already printed to stderr).
    """

    entries: list[Entry]
    seconds: float
    not_finished: list[Entry] = field(default_factory=list)
    error: str = ""
    interrupted: bool = False


def plan(
    paths: Iterable[str | Path], out: Path, options: RunOptions, force: bool
) -> tuple[list[Task], list[Entry]]:
    """Validate the batch and sort it into tasks to run and entries already settled.

    Returns
    -------
    tasks : list of Task
        Valid scenarios whose report is missing, stale, or ``force``\\ d.
    entries : list of Entry
        One per file in discovery order; ``status`` is ``failed`` (invalid), ``unchanged``
        (up to date) or, for the tasks, ``reported`` as a placeholder until they run.
    """
    invalid, valid = validate_batch(paths)
    entries = [Entry(str(v.path), "failed", issues=list(v.issues)) for v in invalid]
    tasks = []
    for checked in valid:
        file = str(checked.path)
        scenario, document = checked.scenario, checked.document
        text = merged_text(document.data)
        digest = sha256_bytes(text.encode())
        folder = out / scenario.id
        key = input_key(digest, options)
        manifest = None if force else up_to_date(folder, key)
        if manifest is not None:
            entries.append(Entry(file, "unchanged", scenario.id, summary=manifest["summary"]))
            continue
        chain = [(str(p), sha256_bytes(Path(p).read_bytes())) for p in document.chain]
        header = (
            f"# {scenario.id}: merged from {file} (extends applied) by signpost {__version__}\n"
        )
        tasks.append(Task(file, scenario, folder, key, header + text, digest, chain, options))
        entries.append(Entry(file, "reported", scenario.id))
    return tasks, entries


def report_one(task: Task, progress=None) -> Entry:
    """Run one scenario and write its report folder; a scenario's failure becomes the entry.

    Parameters
    ----------
    task : Task
        From :func:`plan`.
    progress : callable, optional
        Passed to :func:`engine.run.run` (a message before each step).

    Raises
    ------
    OutputError
        When a file of the report cannot be written (disk full, permission denied): that stops
        the batch, where a scenario that fails to run or render does not.
    """
    started = time.perf_counter()
    try:
        from engine.report.page import Provenance, write_report
        from engine.run import run

        options = task.options
        result = run(
            task.scenario,
            draws=options.draws,
            chains=options.chains,
            seed=options.seed,
            scope="all" if options.analysis else "results",
            progress=progress,
        )
        provenance = Provenance(
            file=task.file,
            file_sha256=task.chain[0][1],
            chain=task.chain,
            merged_sha256=task.merged_sha256,
            options={
                "draws": options.draws,
                "chains": options.chains,
                "seed": options.seed,
                "analysis": None if options.analysis else "off",
            },
            generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        make_folder(task.folder)  # OutputError: a file where the folder should be
        try:
            old = read_manifest(task.folder) or {}
            # no manifest while the folder is half old, half new: a killed run re-does it
            (task.folder / MANIFEST).unlink(missing_ok=True)
            files = write_report(task.folder, task.scenario, result, task.merged_yaml, provenance)
            for name in set(old.get("files", [])) - set(files):  # left by an earlier run
                (task.folder / name).unlink(missing_ok=True)
        except OSError as error:  # the folder or a file the system refused, not the scenario
            raise output_error(error, task.folder) from error
        summary = _summary(task, result)
        seconds = time.perf_counter() - started
        manifest = {
            "key": task.key,
            "engine_version": __version__,
            "options": asdict(options),
            "merged_sha256": task.merged_sha256,
            "files": files,
            "generated": provenance.generated,
            "seconds": round(seconds, 2),
            "summary": summary,
        }
        write_text(task.folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        return Entry(task.file, "reported", task.scenario.id, summary=summary, seconds=seconds)
    except OutputError:
        raise
    except Exception as exc:  # noqa: BLE001 - one scenario's failure must not stop the batch
        error, bad_input = failure_of(exc)
        seconds = time.perf_counter() - started
        return Entry(
            task.file, "failed", task.scenario.id, error=error, seconds=seconds, bad_input=bad_input
        )


def _summary(task: Task, result) -> dict[str, Any]:
    """What the overview needs from one report, kept in its manifest."""
    counts: dict[str, int] = {}
    for check in result.expect.values():
        counts[check.status] = counts.get(check.status, 0) + 1
    return {
        "id": result.id,
        "title": result.title,
        "file": task.file,
        "reliable": result.reliable,
        "method": result.diagnostics.method,
        "outcomes": {
            k: {"label": task.scenario.outcomes[k].label, "p": s.p, "lo": s.lo, "hi": s.hi}
            for k, s in result.main.outcomes.items()
        },
        "expectations": counts,
        "resolved": (
            {"outcome": resolution.outcome_id, "on": resolution.on.isoformat()}
            if (resolution := task.scenario.resolved) is not None
            else None
        ),
    }


def report_batch(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    jobs: int | None = None,
    options: RunOptions | None = None,
    force: bool = False,
    console: Console | None = None,
    wait: bool = True,
) -> BatchResult:
    """Report every scenario under ``paths`` into ``out``; see the module docstring.

    Parameters
    ----------
    paths : iterable of str or Path
        Scenario files and folders.
    out : str or Path
        The reports folder (``out/<id>/`` per scenario, ``out/index.html``, ``out/summary.csv``).
    jobs : int, optional
        Worker processes; default the number of CPUs; 1 runs in this process.
    options : RunOptions, optional
        Overrides of draws, chains and seed; the analysis on or off.
    force : bool
        Re-do reports that are up to date.
    console : rich.console.Console, optional
        Where progress and one line per scenario go.
    wait : bool
        When another batch is writing to ``out``: wait for it (saying so on stderr), or, if
        False, return at once with exit code 2.

    Returns
    -------
    BatchResult
        One entry per file, and the exit code: 1 if any scenario failed; 2 if a file could not
        be written or ``out`` is busy and ``wait`` is False; 130 on Ctrl-C. Those last three
        print one line to stderr and leave the overview as it was.
    """
    started = time.perf_counter()
    console = console or Console()
    out = Path(out)
    options = options or RunOptions()
    jobs = max(1, jobs or os.cpu_count() or 1)
    entries: list[Entry] = []
    done: dict[str, Entry] = {}

    def result(**stopped) -> BatchResult:
        settled = [done.get(e.file, e) if e.status == "reported" else e for e in entries]
        finished = [e for e in settled if e.status != "reported" or e.file in done]
        missing = [e for e in settled if e.status == "reported" and e.file not in done]
        return BatchResult(finished, time.perf_counter() - started, missing, **stopped)

    try:
        make_folder(out)
        with folder_lock(out, wait=wait):
            tasks, entries = plan(paths, out, options, force)
            _remove_temporaries(out, entries)
            for entry in entries:
                if entry.status != "reported":
                    _say(console, entry)
            try:
                _run_tasks(tasks, jobs, console, done)
            except BaseException:  # the workers are stopped: clear what they were writing
                _remove_temporaries(out, entries)
                raise
            batch = result()
            summaries = [e.summary for e in batch.entries if e.status != "failed"]
            failed = [
                {"file": e.file, "id": e.id, "error": e.message}
                for e in batch.entries
                if e.status == "failed"
            ]
            from engine.report.overview import write_overview

            try:
                write_overview(out, summaries, failed)
            except OSError as error:
                raise output_error(error, out) from error
            return batch
    except (OutputError, FolderBusy) as error:
        print(f"signpost report: {error}", file=sys.stderr, flush=True)
        return result(error=str(error))
    except KeyboardInterrupt:
        batch = result(interrupted=True)
        print(f"signpost report: {_interrupted_line(batch)}", file=sys.stderr, flush=True)
        return batch


def _interrupted_line(batch: BatchResult) -> str:
    """``interrupted: 3 reported, 2 not finished; ...``: what finished and what did not."""
    counts = {s: sum(e.status == s for e in batch.entries) for s in ("reported", "unchanged")}
    counts["failed"] = len(batch.entries) - sum(counts.values())
    counts["not finished"] = len(batch.not_finished)
    parts = [f"{n} {status}" for status, n in counts.items() if n] or ["nothing reported"]
    return f"interrupted: {', '.join(parts)}; run again to finish (the overview is not updated)"


def _remove_temporaries(out: Path, entries: list[Entry]) -> None:
    """Clear temporaries a killed or stopped batch left in ``out`` and its report folders."""
    remove_stale_temporaries(out)
    folders = {out / e.id for e in entries if e.id}
    with contextlib.suppress(OSError):
        folders.update(p.parent for p in out.glob(f"*/{MANIFEST}"))
    for folder in folders:
        remove_stale_temporaries(folder)


def _run_tasks(
    tasks: list[Task], jobs: int, console: Console, done: dict[str, Entry]
) -> dict[str, Entry]:
    """Report ``tasks``, adding each finished entry to ``done`` (kept if this raises).

    On any exception (Ctrl-C, an :class:`OutputError`) the workers are stopped before it
    propagates; their temporaries are the caller's to clear.
    """
    from engine.infra.workers import run_tasks

    if not tasks:
        return done
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("reporting", total=len(tasks))
        if jobs > 1 and len(tasks) > 1:
            progress.update(bar, description=f"reporting on {min(jobs, len(tasks))} workers")

        def step(task: Task, message: str) -> None:
            progress.update(bar, description=f"{task.scenario.id}: {message}")

        outcomes = contextlib.closing(run_tasks(report_one, tasks, jobs=jobs, step=step))
        with outcomes as finished:  # closing it stops the workers if this loop raises
            for task, outcome in finished:
                _settle(task, outcome, progress, bar, done)
    return done


def _settle(task: Task, outcome: Any, progress: Progress, bar: Any, done: dict[str, Entry]):
    """Record one finished task: its entry, or the exception that stopped its worker."""
    if isinstance(outcome, OutputError):
        raise outcome
    if isinstance(outcome, BaseException):  # its worker died (killed, out of memory)
        outcome = Entry(
            task.file,
            "failed",
            task.scenario.id,
            error=f"the worker stopped: {type(outcome).__name__}: {outcome}",
        )
    done[task.file] = outcome
    _say(progress.console, outcome)
    progress.advance(bar)


def _say(console: Console, entry: Entry) -> None:
    """One line (more for a multi-line error) per file, never read as rich markup."""
    if entry.status == "failed":
        console.print(
            f"FAILED     {entry.file}",
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        for line in entry.message.splitlines():
            console.print(f"    {line}", markup=False, highlight=False, soft_wrap=True)
    elif entry.status == "unchanged":
        text = f"unchanged  {entry.id}  ({entry.file}; up to date, --force to redo)"
        console.print(text, style="dim", markup=False, highlight=False, soft_wrap=True)
    else:
        text = f"reported   {entry.id}  ({entry.file}, {entry.seconds:.1f} s)"
        style = "green" if entry.summary.get("reliable") else "yellow"
        if not entry.summary.get("reliable"):
            text += "  UNRELIABLE: numbers shown with a warning, words withheld"
        console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
