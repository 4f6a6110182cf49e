"""``signpost report``: every scenario of a batch into its own report folder, then an overview.

1. Take the lock of the reports folder (:func:`engine.infra.lock.folder_lock`): a second batch
   on the same folder waits for the first, saying so, or with ``wait=False`` refuses. Then remove
   the temporaries a killed batch left.
2. Validate the batch (:func:`engine.run.batch.validate_batch`). An invalid file is listed with
   its errors; the rest go on.
3. Skip a scenario whose report is up to date (:mod:`engine.report.cache`; ``--force`` re-does
   it).
4. Run the others, one scenario per task, where the executor says
   (:func:`engine.infra.workers.run_tasks`: local worker processes, this process, or Dask),
   with a progress bar. A worker gets the merged scenario and the options (:class:`Task`), runs
   it and renders the report in memory (:func:`render_one`); it reads and writes no file, so it
   needs no disk in common with this process. This process writes each report's files as its
   task finishes (:func:`write_one`). A scenario that fails to run is listed with its error; the
   rest complete.
5. Write ``index.html`` and ``summary.csv`` over every scenario of the batch.

Every file is written here, under the lock, atomically; a report's manifest is removed before its
folder is rewritten and written last, so a batch killed midway re-does the scenario it was
writing and skips those it finished. On Ctrl-C the workers are stopped (on Dask: the futures
cancelled), their temporaries removed, one line says what finished, and the overview is left as
it was. A file the system refuses to write (disk full, permission denied, ``out`` a file), or a
Dask scheduler that cannot be reached, stops the batch the same way with one line naming it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine import __version__, display
from engine.infra.executor import Executor, ExecutorError
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
from engine.report.overview import summary_of
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
    """One scenario to run and report (picklable: it goes to a worker process or a Dask
    worker). The worker uses the validated scenario, its merged text and hashes, the file's
    name (for the page's provenance) and the options; ``folder`` is this process's."""

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
    timings : dict of str to float
        Seconds this process spent on its own (serial) parts: ``plan`` (validating, hashing,
        skipping), ``write`` (writing the reports' files) and ``overview``.
    """

    entries: list[Entry]
    seconds: float
    not_finished: list[Entry] = field(default_factory=list)
    error: str = ""
    interrupted: bool = False
    timings: dict[str, float] = field(default_factory=dict)


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


@dataclass
class Rendered:
    """What a worker returns for one task: the report's files, or why the scenario failed.

    Attributes
    ----------
    files : dict of str to bytes
        :func:`engine.report.page.render_report`'s files, in the order to write them.
    summary : dict
        What the overview needs (kept in the manifest).
    generated : str
        When the report was made (UTC, ISO 8601).
    seconds : float
        The worker's time: running the scenario and rendering its report.
    host : str
        The worker's host name.
    error : str
        Why the scenario could not be run or rendered, one line; empty when it was.
    bad_input : bool
        That failure is the scenario's.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    generated: str = ""
    seconds: float = 0.0
    host: str = ""
    error: str = ""
    bad_input: bool = False


def render_one(task: Task, progress=None) -> Rendered:
    """Run one scenario and render its report in memory; a scenario's failure is returned.

    Reads and writes no file: what is to be written comes back (:func:`write_one` writes it).

    Parameters
    ----------
    task : Task
        From :func:`plan`.
    progress : callable, optional
        Passed to :func:`engine.run.run` (a message before each step).
    """
    started = time.perf_counter()
    host = socket.gethostname()
    try:
        from engine.report.page import Provenance, render_report
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
        files = render_report(task.scenario, result, task.merged_yaml, provenance)
        return Rendered(
            files,
            summary_of(task.file, task.scenario, result),
            provenance.generated,
            time.perf_counter() - started,
            host,
        )
    except Exception as exc:  # noqa: BLE001 - one scenario's failure must not stop the batch
        error, bad_input = failure_of(exc)
        seconds = time.perf_counter() - started
        return Rendered(seconds=seconds, host=host, error=error, bad_input=bad_input)


def write_one(task: Task, rendered: Rendered) -> Entry:
    """Write one rendered report into its folder (here, under the lock); the entry it makes.

    The old manifest goes first and the new one last, so a folder cut off midway has none (and
    is redone). Files an earlier run wrote that this one did not are removed.

    Raises
    ------
    OutputError
        When a file of the report cannot be written (disk full, permission denied): that stops
        the batch, where a scenario that fails to run or render does not.
    """
    from engine.report.folder import write_files

    if rendered.error:
        return Entry(
            task.file,
            "failed",
            task.scenario.id,
            error=rendered.error,
            seconds=rendered.seconds,
            bad_input=rendered.bad_input,
        )
    make_folder(task.folder)  # OutputError: a file where the folder should be
    try:
        old = read_manifest(task.folder) or {}
        # no manifest while the folder is half old, half new: a killed run re-does it
        (task.folder / MANIFEST).unlink(missing_ok=True)
        files = write_files(task.folder, rendered.files)
        for name in set(old.get("files", [])) - set(files):  # left by an earlier run
            (task.folder / name).unlink(missing_ok=True)
    except OSError as error:  # the folder or a file the system refused, not the scenario
        raise output_error(error, task.folder) from error
    manifest = {
        "key": task.key,
        "engine_version": __version__,
        "options": asdict(task.options),
        "merged_sha256": task.merged_sha256,
        "files": files,
        "generated": rendered.generated,
        "seconds": round(rendered.seconds, 2),
        "host": rendered.host,
        "summary": rendered.summary,
    }
    write_text(task.folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return Entry(
        task.file, "reported", task.scenario.id, summary=rendered.summary, seconds=rendered.seconds
    )


def report_batch(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
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
        Local worker processes; default the number of CPUs; 1 runs in this process. Used when
        no ``executor`` is given.
    executor : Executor, optional
        Where the scenarios run: the local pool, a Dask scheduler, or a LocalCluster.
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
        be written, ``out`` is busy and ``wait`` is False, or the Dask scheduler cannot be
        reached; 130 on Ctrl-C. Those last ones print one line to stderr and leave the overview
        as it was.
    """
    started = time.perf_counter()
    console = console or Console()
    out = Path(out)
    options = options or RunOptions()
    executor = executor or Executor(jobs=max(1, jobs or os.cpu_count() or 1))
    entries: list[Entry] = []
    done: dict[str, Entry] = {}
    timings = {"plan": 0.0, "write": 0.0, "overview": 0.0}

    def result(**stopped) -> BatchResult:
        settled = [done.get(e.file, e) if e.status == "reported" else e for e in entries]
        finished = [e for e in settled if e.status != "reported" or e.file in done]
        missing = [e for e in settled if e.status == "reported" and e.file not in done]
        seconds = time.perf_counter() - started
        return BatchResult(finished, seconds, missing, timings=timings, **stopped)

    try:
        make_folder(out)
        with folder_lock(out, wait=wait):
            planning = time.perf_counter()
            tasks, entries = plan(paths, out, options, force)
            _remove_temporaries(out, entries)
            timings["plan"] = time.perf_counter() - planning
            for entry in entries:
                if entry.status != "reported":
                    _say(console, entry)
            try:
                _run_tasks(tasks, executor, console, done, timings)
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

            overview = time.perf_counter()
            try:
                write_overview(out, summaries, failed)
            except OSError as error:
                raise output_error(error, out) from error
            timings["overview"] = time.perf_counter() - overview
            return batch
    except (OutputError, FolderBusy, ExecutorError) as error:
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
    tasks: list[Task],
    executor: Executor,
    console: Console,
    done: dict[str, Entry],
    timings: dict[str, float],
) -> dict[str, Entry]:
    """Run ``tasks`` where ``executor`` says and write each report here as it comes back,
    adding its entry to ``done`` (kept if this raises) and the writing time to
    ``timings["write"]``.

    On any exception (Ctrl-C, an :class:`OutputError`) the workers are stopped (the futures
    cancelled) before it propagates; the temporaries are the caller's to clear.
    """
    from engine.infra.workers import run_tasks, sigint_deferred

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
        workers = executor.workers(len(tasks))
        if workers > 1:
            progress.update(bar, description=f"reporting on {workers} workers")
        elif executor.distributed:
            progress.update(bar, description="reporting on Dask")

        def step(task: Task, message: str) -> None:
            progress.update(bar, description=f"{task.scenario.id}: {message}")

        def announce(line: str) -> None:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

        outcomes = run_tasks(render_one, tasks, executor=executor, step=step, announce=announce)
        with contextlib.closing(outcomes) as finished:  # closing stops the workers on a raise
            for task, outcome in finished:
                with sigint_deferred():  # a report counted is a report announced
                    writing = time.perf_counter()
                    entry = _settle(task, outcome)
                    timings["write"] += time.perf_counter() - writing
                    done[task.file] = entry
                    _say(progress.console, entry)
                progress.advance(bar)
    return done


def _settle(task: Task, outcome: Any) -> Entry:
    """One finished task's entry: its report written, or why it failed (its scenario, or its
    worker that stopped: killed, out of memory, ``KilledWorker`` on Dask)."""
    if isinstance(outcome, Rendered):
        return write_one(task, outcome)
    error, bad_input = failure_of(outcome)
    return Entry(task.file, "failed", task.scenario.id, error=error, bad_input=bad_input)


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
        text = f"reported   {entry.id}  ({entry.file}, {display.seconds(entry.seconds)})"
        style = "green" if entry.summary.get("reliable") else "yellow"
        if not entry.summary.get("reliable"):
            text += "  UNRELIABLE: numbers shown with a warning, words withheld"
        console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
