"""Watching the scenario files with watchfiles (the Rust ``notify`` crate: inotify on Linux,
FSEvents on macOS), never by polling of our own.

The folders watched are the workspace's (:meth:`Workspace.watch_roots`): those given, and those
of every parent a scenario extends; when a save adds a parent in a new folder, the watch starts
again with it. Only ``*.yaml`` / ``*.yml`` files count, not editors' hidden swap files.
"""

from __future__ import annotations

import threading
from pathlib import Path

from engine.scenario.discover import SUFFIXES
from engine.serve.workspace import Workspace

STEP_MS = 50  # a change is passed on once no other came for this long
DEBOUNCE_MS = 400  # ... or once changes have kept coming for this long
TIMEOUT_MS = 500  # how often the watch looks at ``stop`` and at the folders to watch


def is_scenario_change(change, path: str) -> bool:
    """A change to a YAML file that is not hidden (``.baseline.yaml.swp`` is an editor's)."""
    name = Path(path).name
    return name.endswith(SUFFIXES) and not name.startswith(".")


def watch(workspace: Workspace, stop: threading.Event) -> None:
    """Tell ``workspace`` of every change under its folders until ``stop`` is set."""
    from watchfiles import watch as watch_paths

    while not stop.is_set():
        roots = workspace.watch_roots()
        if not roots:
            stop.wait(TIMEOUT_MS / 1000)
            continue
        for changes in watch_paths(
            *roots,
            watch_filter=is_scenario_change,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=stop,
            rust_timeout=TIMEOUT_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            if changes:
                workspace.notify(path for _, path in changes)
            if workspace.watch_roots() != roots:
                break
