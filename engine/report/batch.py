"""``signpost report``: every scenario of a batch into its own report folder, then an overview.

1. Discover the files (``_*`` files are parents only) and validate them all in this process, ids
   unique across the batch. A file that fails is listed with its error; the rest go on.
2. Skip a scenario whose report is up to date: its manifest holds the same *key*, the hash of
   the resolved scenario, the engine version and the run options (``--force`` re-does it).
3. Run and report the others, one scenario per task, on ``jobs`` worker processes
   (``jobs == 1``: in this process), with a progress bar. A scenario that fails to run is listed
   with its error; the rest complete.
4. Write ``index.html`` and ``summary.csv`` over every scenario of the batch.

Every file is written atomically; a report's manifest is written last, so a batch killed
midway re-does the scenario it was writing.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine import __version__
from engine.errors import CHECK_FAILED, OK
from engine.report.files import write_text
from engine.schema import Scenario

MANIFEST = "manifest.json"


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
    resolved_yaml: str
    resolved_sha256: str
    chain: list[tuple[str, str]]
    options: RunOptions


@dataclass
class Entry:
    """What became of one file of the batch."""

    file: str
    status: str  # "reported", "unchanged" or "failed"
    id: str | None = None
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class BatchResult:
    entries: list[Entry]
    seconds: float

    @property
    def exit_code(self) -> int:
        """0 when every scenario was reported (or was up to date), 1 when any failed."""
        return CHECK_FAILED if any(e.status == "failed" for e in self.entries) else OK


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def resolved_text(data: dict[str, Any]) -> str:
    """The resolved scenario as YAML, keys in the order written."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@functools.cache
def engine_fingerprint() -> str:
    """The engine's version and a hash of its own code (``engine/`` and ``models/``, templates
    included), so that a changed engine re-does every report even before its version moves."""
    import models

    digest = hashlib.sha256(__version__.encode())
    for package in (Path(__file__).parents[1], Path(models.__file__).parent):
        for path in sorted(package.rglob("*")):
            if path.suffix in {".py", ".html", ".md"} and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def input_key(resolved_sha256: str, options: RunOptions) -> str:
    """What a report depends on: the resolved scenario, the engine and its code, the options."""
    inputs = {
        "scenario": resolved_sha256,
        "engine": engine_fingerprint(),
        "options": asdict(options),
    }
    return sha256_bytes(json.dumps(inputs, sort_keys=True).encode())


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a report folder, or None if missing or unreadable."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def up_to_date(folder: Path, key: str) -> dict[str, Any] | None:
    """The manifest if the report in ``folder`` was made from the same inputs and is whole."""
    manifest = read_manifest(folder)
    if not manifest or manifest.get("key") != key:
        return None
    if not all((folder / name).is_file() for name in manifest.get("files", [])):
        return None
    return manifest


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
    from engine.loader import discover
    from engine.validate import check_files

    tasks, entries = [], []
    for checked in check_files(discover(paths)):
        file = str(checked.path)
        if not checked.ok:
            error = "\n".join(issue.format() for issue in checked.issues)
            entries.append(Entry(file, "failed", error=error))
            continue
        scenario, document = checked.scenario, checked.document
        text = resolved_text(document.data)
        digest = sha256_bytes(text.encode())
        folder = out / scenario.id
        key = input_key(digest, options)
        manifest = None if force else up_to_date(folder, key)
        if manifest is not None:
            entries.append(Entry(file, "unchanged", scenario.id, summary=manifest["summary"]))
            continue
        chain = [(str(p), sha256_bytes(Path(p).read_bytes())) for p in document.chain]
        header = (
            f"# {scenario.id}: resolved from {file} (extends applied) by signpost {__version__}\n"
        )
        tasks.append(Task(file, scenario, folder, key, header + text, digest, chain, options))
        entries.append(Entry(file, "reported", scenario.id))
    return tasks, entries


def report_one(task: Task, progress=None) -> Entry:
    """Run one scenario and write its report folder; never raises (errors become the entry).

    Parameters
    ----------
    task : Task
        From :func:`plan`.
    progress : callable, optional
        Passed to :func:`engine.run.run` (a message before each step).
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
            resolved_sha256=task.resolved_sha256,
            options={
                "draws": options.draws,
                "chains": options.chains,
                "seed": options.seed,
                "analysis": None if options.analysis else "off",
            },
            generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        old = read_manifest(task.folder) or {}
        files = write_report(task.folder, task.scenario, result, task.resolved_yaml, provenance)
        for name in set(old.get("files", [])) - set(files):  # left by an earlier run
            (task.folder / name).unlink(missing_ok=True)
        summary = _summary(task, result)
        seconds = time.perf_counter() - started
        manifest = {
            "key": task.key,
            "engine_version": __version__,
            "options": asdict(options),
            "resolved_sha256": task.resolved_sha256,
            "files": files,
            "generated": provenance.generated,
            "seconds": round(seconds, 2),
            "summary": summary,
        }
        write_text(task.folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        return Entry(task.file, "reported", task.scenario.id, summary=summary, seconds=seconds)
    except Exception as exc:  # noqa: BLE001 - one scenario's failure must not stop the batch
        message = " ".join(str(exc).split())[:500]
        error = f"could not run or report: {type(exc).__name__}: {message}"
        seconds = time.perf_counter() - started
        return Entry(task.file, "failed", task.scenario.id, error=error, seconds=seconds)


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
    }


def report_batch(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    jobs: int | None = None,
    options: RunOptions | None = None,
    force: bool = False,
    console: Console | None = None,
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

    Returns
    -------
    BatchResult
        One entry per file, and the exit code (1 if any scenario failed).
    """
    started = time.perf_counter()
    console = console or Console()
    out = Path(out)
    options = options or RunOptions()
    jobs = max(1, jobs or os.cpu_count() or 1)
    tasks, entries = plan(paths, out, options, force)
    for entry in entries:
        if entry.status != "reported":
            _say(console, entry)
    done = _run_tasks(tasks, jobs, console)
    entries = [done.get(e.file, e) if e.status == "reported" else e for e in entries]
    summaries = [e.summary for e in entries if e.status != "failed"]
    failed = [
        {"file": e.file, "id": e.id, "error": e.error} for e in entries if e.status == "failed"
    ]
    from engine.report.overview import write_overview

    write_overview(out, summaries, failed)
    return BatchResult(entries, time.perf_counter() - started)


def _run_tasks(tasks: list[Task], jobs: int, console: Console) -> dict[str, Entry]:
    done: dict[str, Entry] = {}
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
        if jobs == 1 or len(tasks) == 1:
            for task in tasks:

                def step(message: str, task=task) -> None:
                    progress.update(bar, description=f"{task.scenario.id}: {message}")

                done[task.file] = entry = report_one(task, step)
                _say(progress.console, entry)
                progress.advance(bar)
            return done
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        workers = min(jobs, len(tasks))
        progress.update(bar, description=f"reporting on {workers} workers")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(report_one, task): task for task in tasks}
            try:
                for future in concurrent.futures.as_completed(futures):
                    task = futures[future]
                    try:
                        entry = future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                        entry = Entry(
                            task.file,
                            "failed",
                            task.scenario.id,
                            error=f"the worker stopped: {type(exc).__name__}: {exc}",
                        )
                    done[task.file] = entry
                    _say(progress.console, entry)
                    progress.advance(bar)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return done


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
        for line in entry.error.splitlines():
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
