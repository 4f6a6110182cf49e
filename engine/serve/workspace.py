"""The scenarios ``signpost serve`` follows: found, validated, recomputed when they change.

One thread computes (:meth:`Workspace.run`): it takes the changes the watcher saw, re-reads
only the files they concern — a file whose chain of ``extends`` holds a changed file, so a
parent's change re-reads every child — and re-runs only a file whose resolved values (the
merged mapping, ``extends`` applied) differ from those of its last good version. A comment or a
re-save changes nothing; a file put back as it was gets its last good version back at once. New
changes seen while a file is computed are taken before the next file starts.

Each change of what a page shows bumps the file's version and is published as an event
(:mod:`engine.serve.events`): ``recomputing`` when work starts, ``ready`` when the page is new
(new numbers, the file's errors above the last good numbers, or the engine's one-line failure),
``moved`` when the scenario's id changed, ``gone`` when the file went away. The server's threads
read pages and states under the workspace's lock; anything that draws a figure (matplotlib's
settings are global) or runs the engine holds :attr:`Workspace.engine`, one at a time.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from engine.scenario.discover import discover
from engine.scenario.issues import sort_issues
from engine.scenario.validate import unique_id_issues, validate_file
from engine.serve.events import Broadcaster
from engine.serve.recompute import clock, compute
from engine.serve.state import READY, RECOMPUTING, WAITING, FileState

Say = Callable[[str], None]


class Workspace:
    """The files under ``paths`` and what the warm process has computed of them.

    Parameters
    ----------
    paths : iterable of str or Path
        Scenario files and folders (``_*.yaml`` are parents only).
    analysis : bool
        Run the analysis (influence, signposts, uncertainty) for every page.
    events : Broadcaster, optional
        Where to publish what changes.
    say : callable, optional
        Called with one line for the terminal at each new version.
    """

    def __init__(
        self,
        paths: Iterable[str | Path],
        *,
        analysis: bool = True,
        events: Broadcaster | None = None,
        say: Say | None = None,
    ):
        self.paths = [Path(p) for p in paths]
        self.analysis = analysis
        self.events = events or Broadcaster()
        self.say = say or (lambda line: None)
        self.server = secrets.token_hex(6)  # tells a page that a new server process answers
        self.files: dict[Path, FileState] = {}  # in discovery order
        self.lock = threading.RLock()  # the states and the page cache
        self.engine = threading.Lock()  # one computation or figure at a time
        self.overview_version = 0
        self._changes: queue.Queue[tuple[float, set[Path]]] = queue.Queue()
        self._pending: list[Path] = []
        self._pages: dict[Path, tuple[tuple[int, str], str]] = {}  # file -> (version, state), page
        self._overview: tuple[int, str] | None = None
        self._read_issues: dict[Path, list] = {}
        self._scenarios: dict[Path, Any] = {}

    # --- what the watcher tells --------------------------------------------------------------

    def notify(self, paths: Iterable[str | Path]) -> None:
        """Files that changed on disk (from the watcher thread)."""
        self._changes.put((time.perf_counter(), {Path(p).resolve() for p in paths}))

    def watch_roots(self) -> list[Path]:
        """The folders to watch: those given, those of the files given, and those of every
        parent a scenario extends (editors that save by renaming are seen in the folder)."""
        roots = {p.resolve() if p.is_dir() else p.resolve().parent for p in self.paths}
        with self.lock:
            for state in self.files.values():
                roots.update(p.parent for p in state.chain)
        roots = {r for r in roots if r.is_dir()}
        return sorted(r for r in roots if not any(o != r and o in r.parents for o in roots))

    # --- the computing thread ----------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Compute every file, then follow the changes until ``stop`` is set."""
        self.refresh(None, time.perf_counter())
        while not stop.is_set():
            self.step(wait=0.2)

    def step(self, *, wait: float = 0.0) -> bool:
        """Take the changes seen so far (waiting up to ``wait`` seconds for one when nothing is
        to be computed), then compute the next file that needs it. True if anything happened."""
        taken = self._take(wait if not self._pending else 0.0)
        if taken is not None:
            self.refresh(*taken)
        if not self._pending:
            return taken is not None
        self._compute(self._pending.pop(0))
        return True

    def _take(self, wait: float) -> tuple[set[Path], float] | None:
        """Every change queued (the first waited for up to ``wait``): the paths and when the
        first was seen."""
        try:
            seen, changed = self._changes.get(timeout=wait) if wait else self._changes.get_nowait()
        except queue.Empty:
            return None
        while True:
            try:
                changed |= self._changes.get_nowait()[1]
            except queue.Empty:
                return changed, seen

    def refresh(self, changed: set[Path] | None, seen: float) -> None:
        """Re-read the files ``changed`` concerns (all when None) and settle each: its errors
        shown, its last good version restored, or a computation queued."""
        found = discover(self.paths)
        with self.lock:
            for gone in [f for f in self.files if f not in found]:
                self._drop(gone)
            for file in found:
                self.files.setdefault(file, FileState(file))
            self.files = {file: self.files[file] for file in found}
        before = {f: list(s.issues) for f, s in self.files.items()}
        concerned = [
            s for s in self.files.values() if changed is None or self._concerns(s, changed)
        ]
        for state in concerned:
            self._read(state)
        self._combine_issues()
        for state in self.files.values():
            if state in concerned or state.issues != before[state.file]:
                self._settle(state, seen, shown_issues=bool(before[state.file]))

    def _concerns(self, state: FileState, changed: set[Path]) -> bool:
        # a file never read whole has no known chain: read it again at every change
        return not state.chain or bool(state.chain & changed) or state.file.resolve() in changed

    def _read(self, state: FileState) -> None:
        checked = validate_file(state.file)
        with self.lock:
            if checked.document is not None:
                state.document = checked.document
                state.chain = frozenset(Path(p).resolve() for p in checked.document.chain)
            self._read_issues[state.file] = list(checked.issues)
            self._scenarios[state.file] = checked.scenario

    def _combine_issues(self) -> None:
        """Each file's issues: its own, and an id another file of the workspace has first."""
        documents = [s.document for s in self.files.values() if s.document is not None]
        taken = {}
        for issue in unique_id_issues(documents):
            taken.setdefault(issue.file, []).append(issue)
        with self.lock:
            for state in self.files.values():
                own = self._read_issues.get(state.file, [])
                state.issues = sort_issues([*own, *taken.get(str(state.file), [])])

    def _settle(self, state: FileState, seen: float, *, shown_issues: bool = False) -> None:
        """Show a file's errors, give it back its last good version, or queue it
        (``shown_issues``: its page shows errors the file no longer has)."""
        with self.lock:
            state.saved = clock()
            if state.issues:
                self._unqueue(state.file)
                state.state = READY
                shown = "shown above the last good numbers" if state.good else "no page yet"
                self._publish(state, f"{state.file}: {len(state.issues)} error(s), {shown}")
                return
            data = state.document.data
            if state.good is not None and data == state.good.data:
                if state.error or state.state != READY or shown_issues:
                    state.error, state.bad_input, state.state = "", False, READY
                    self._unqueue(state.file)
                    self._publish(state, f"{state.id}: back to version {state.good.version} "
                                  "(the file is as it was then)")  # fmt: skip
                return
            if state.error and data == state.failed_data:
                state.state = READY
                self._publish(state, f"{state.file}: the version that failed, again")
                return
            state.seen = seen
            state.state = RECOMPUTING
            if state.file not in self._pending:
                self._pending.append(state.file)
            self._publish_recomputing(state)

    def _unqueue(self, file: Path) -> None:
        if file in self._pending:
            self._pending.remove(file)

    def _compute(self, file: Path) -> None:
        """Run one queued file and publish its new page (or its one-line failure)."""
        from engine.run.batch import failure_of

        with self.lock:
            state = self.files.get(file)
            if state is None or state.issues:
                return
            scenario, document, previous = self._scenarios[file], state.document, state.good
        good, error, bad_input = None, "", False
        with self.engine:
            try:
                good = compute(file, scenario, document, previous, analysis=self.analysis)
            except Exception as exc:  # noqa: BLE001 - one scenario's failure must not stop the rest
                error, bad_input = failure_of(exc)
        with self.lock:
            state.state = READY
            if good is None:
                state.error, state.bad_input = error, bad_input
                state.failed_data = document.data
                what = "cannot be run as written" if bad_input else "failed (a bug in Signpost)"
                self._publish(state, f"{file}: {what}: {error}")
                return
            old_page = state.page
            state.error, state.bad_input = "", False
            state.good = good
            state.version += 1
            good.version = state.version
            good.finished = clock()
            good.seconds = time.perf_counter() - state.seen
            if old_page and old_page != state.page:
                self.events.publish({"page": old_page, "moved": state.page, "server": self.server})
            self._publish(state, f"{state.id}: version {good.version} in {good.seconds:.2f} s",
                          bump=False)  # fmt: skip

    def _drop(self, file: Path) -> None:
        state = self.files.pop(file)
        self._unqueue(file)
        self._pages.pop(file, None)
        if state.address:
            self.events.publish({"page": state.address, "state": "gone", "server": self.server})
        self.say(f"{clock()}  {file}: gone")
        self.overview_version += 1

    # --- publishing --------------------------------------------------------------------------

    def _publish(self, state: FileState, line: str, *, bump: bool = True) -> None:
        """A new version of the file's page: render it, then tell the pages."""
        if bump:
            state.version += 1
        if state.good is not None:
            self._pages[state.file] = ((state.version, state.state), self._render(state))
        self.overview_version += 1
        self.say(f"{clock()}  {line}")
        for event in (self._event(state), self._overview_event()):
            if event is not None:
                self.events.publish(event)

    def _publish_recomputing(self, state: FileState) -> None:
        doing = "saved, recomputing" if state.good else "computing"
        self.say(f"{clock()}  {state.file}: {doing}")
        event = self._event(state)
        if event is not None:
            event["message"] = f"Recomputing: {state.file} was saved at {state.saved}…"
            self.events.publish(event)

    def _event(self, state: FileState) -> dict[str, Any] | None:
        if state.address is None:
            return None
        event = {"page": state.address, "state": state.state, "version": state.version}
        event["server"] = self.server
        if state.state == READY and state.good is not None and not state.stale:
            event["seconds"] = round(state.good.seconds, 4)
        return event

    def _overview_event(self) -> dict[str, Any]:
        return {"page": "/", "state": READY, "version": self.overview_version,
                "server": self.server}  # fmt: skip

    def _render(self, state: FileState) -> str:
        from engine.serve.pages import scenario_page

        return scenario_page(state, self.server)

    # --- what the server's threads read ------------------------------------------------------

    def snapshot(self) -> list[dict[str, Any]]:
        """The current state of every page, as events (sent to a page when it connects)."""
        with self.lock:
            events = [self._event(s) for s in self.files.values()]
            return [e for e in events if e is not None] + [self._overview_event()]

    def state_of(self, scenario_id: str) -> FileState | None:
        """The file whose page is ``/<scenario_id>/``."""
        with self.lock:
            return next((s for s in self.files.values() if s.id == scenario_id), None)

    def page(self, scenario_id: str) -> str | None:
        """The page of a scenario (while it is first computed, a page that says so and follows
        it), None when no file has that id."""
        with self.lock:
            state = self.state_of(scenario_id)
            if state is None:
                waiting = [s for s in self.files.values() if s.planned == scenario_id]
                if not waiting:
                    return None
                from engine.serve.pages import waiting_page

                return waiting_page(waiting[0], self.server)
            key, html = self._pages.get(state.file, (None, None))
            if key != (state.version, state.state):
                html = self._render(state)
                self._pages[state.file] = ((state.version, state.state), html)
            return html

    def overview(self) -> str:
        """The overview page (drawn under :attr:`engine`: its figures use matplotlib)."""
        from engine.serve.pages import overview_page

        with self.lock:
            if self._overview is not None and self._overview[0] == self.overview_version:
                return self._overview[1]
        with self.engine, self.lock:
            version = self.overview_version
            html = overview_page(list(self.files.values()), version, self.server)
            self._overview = (version, html)
            return html

    @property
    def busy(self) -> bool:
        """Some file is still to be computed."""
        with self.lock:
            return bool(self._pending) or any(
                s.state in (WAITING, RECOMPUTING) for s in self.files.values()
            )
