"""``signpost report``: every scenario of a batch into its own report folder, then an overview.

1. Take the lock of the reports folder (``.signpost.lock``, an OS lock the kernel releases when
   the process ends, even by ``kill -9``): a second batch on the same folder waits for the first,
   saying so, or with ``wait=False`` refuses. Then remove the temporaries a killed batch left.
2. Discover the files (``_*`` files are parents only) and validate them all in this process, ids
   unique across the batch. A file that fails is listed with its error; the rest go on.
3. Skip a scenario whose report is up to date: its manifest holds the same *key*, the hash of
   the resolved scenario, the engine version and the run options (``--force`` re-does it).
4. Run and report the others, one scenario per task, on ``jobs`` worker processes
   (``jobs == 1``: in this process), with a progress bar. A scenario that fails to run is listed
   with its error; the rest complete.
5. Write ``index.html`` and ``summary.csv`` over every scenario of the batch.

Every file is written atomically; a report's manifest is removed before its folder is rewritten
and written last, so a batch killed midway re-does the scenario it was writing and skips those
it finished. Workers end with their parent (``PR_SET_PDEATHSIG`` on Linux, and a thread that
watches the parent's pid everywhere) and ignore Ctrl-C: the parent stops them, removes their
temporaries, prints one line of what finished and returns exit code 130, the overview left as it
was. A file the system refuses to write (disk full, permission denied, ``out`` a file) stops the
batch the same way with one line naming the file, and exit code 2.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine import __version__
from engine.cli.exit import BAD_INPUT, CHECK_FAILED, INTERRUPTED, OK
from engine.infra.files import (
    OutputError,
    make_folder,
    output_error,
    reason_of,
    remove_stale_temporaries,
    write_text,
)
from engine.scenario.schema import Scenario

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None

MANIFEST = "manifest.json"
LOCK = ".signpost.lock"
PARENT_POLL_SECONDS = 0.5


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

    @property
    def exit_code(self) -> int:
        """0 when every scenario was reported (or was up to date), 1 when any failed, 2 when
        the batch could not write its output, 130 when interrupted."""
        if self.interrupted:
            return INTERRUPTED
        if self.error:
            return BAD_INPUT
        return CHECK_FAILED if any(e.status == "failed" for e in self.entries) else OK


class FolderBusy(Exception):
    """Another ``signpost report`` holds the lock of the reports folder (``wait=False``)."""


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
    from engine.scenario.validate import check_paths

    tasks, entries = [], []
    for checked in check_paths(paths):
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
            resolved_sha256=task.resolved_sha256,
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
            files = write_report(task.folder, task.scenario, result, task.resolved_yaml, provenance)
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
            "resolved_sha256": task.resolved_sha256,
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
                {"file": e.file, "id": e.id, "error": e.error}
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


@contextlib.contextmanager
def folder_lock(out: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the lock of the reports folder ``out`` (``out/.signpost.lock``) while in the block.

    An ``flock`` on the lock file: the kernel releases it when the process ends, however it
    ends, so a killed batch never leaves a stale lock (only, perhaps, the empty file, which
    means nothing). The file holds the holder's pid, for the message of a batch that waits; the
    holder removes it before letting go, and a waiter that then finds it gone (or replaced)
    locks the new one instead.

    Parameters
    ----------
    out : Path
        The reports folder; it must exist.
    wait : bool
        If the lock is held: wait for it (saying so on stderr), or raise :class:`FolderBusy`.
    """
    if fcntl is None:
        yield
        return
    path = out / LOCK
    said = False
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as error:
            raise output_error(error, path) from error
        try:
            locked = _lock(handle, path, out, wait=wait, say=not said)
        except BaseException:
            os.close(handle)
            raise
        said = True
        if not locked or _same_file(handle, path):
            break
        os.close(handle)  # the holder removed the file on its way out: lock the new one
    try:
        with contextlib.suppress(OSError):  # the pid is for messages only
            os.ftruncate(handle, 0)
            os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still holding the lock
        os.close(handle)  # releases it


def _lock(handle: int, path: Path, out: Path, *, wait: bool, say: bool) -> bool:
    """Lock ``handle``: at once, or waiting for the batch that holds it (saying so if ``say``).
    False when the file system has no locks (the batch goes on, saying so)."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    except OSError as error:
        print(
            f"signpost report: cannot lock {path} ({reason_of(error)}); going on without a lock",
            file=sys.stderr,
            flush=True,
        )
        return False
    holder = _lock_holder(handle)
    if not wait:
        raise FolderBusy(
            f"another signpost report is writing to {out}/{holder}; not waiting for it (--no-wait)"
        )
    if say:
        print(
            f"waiting for another signpost report writing to {out}/{holder}",
            file=sys.stderr,
            flush=True,
        )
    fcntl.flock(handle, fcntl.LOCK_EX)
    return True


def _same_file(handle: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``handle``."""
    try:
        named, held = os.stat(path), os.fstat(handle)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _lock_holder(handle: int) -> str:
    """`` (pid N)`` from the lock file, or empty when it holds no pid yet."""
    try:
        pid = int(os.pread(handle, 32, 0).decode().strip())
    except (OSError, ValueError):
        return ""
    return f" (pid {pid})"


def _run_tasks(
    tasks: list[Task], jobs: int, console: Console, done: dict[str, Entry]
) -> dict[str, Entry]:
    """Report ``tasks``, adding each finished entry to ``done`` (kept if this raises).

    On any exception (Ctrl-C, an :class:`OutputError`) the workers are stopped before it
    propagates; their temporaries are the caller's to clear.
    """
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
        pool = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
        )
        try:
            with _sigint_blocked():  # the workers start with Ctrl-C blocked, then ignore it
                futures = {pool.submit(report_one, task): task for task in tasks}
            for future in concurrent.futures.as_completed(futures):
                task = futures[future]
                try:
                    entry = future.result()
                except OutputError:
                    raise
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
            _stop_workers(pool)
            raise
        pool.shutdown(wait=True)
    return done


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
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
