"""What the tests of batches that go wrong share: batches worth killing, the processes of a
running batch (through ``/proc``), and checks of what a batch left behind.

``tests/infra/test_faults.py`` (the local pool) and ``tests/infra/test_dask.py`` (Dask) use them.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest
import yaml

from engine.infra.lock import LOCK
from tests.support import FIXTURES, ROOT
from tests.support.reports import OTHER

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds worker processes through /proc"
)


def uncertain_batch(folder: Path, count: int) -> Path:
    """``count`` copies of the minimal scenario (uncertain numbers), ids m1, m2, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, count + 1):
        text = MINIMAL.replace("id: minimal", f"id: m{i}")
        (folder / f"m{i}.yaml").write_text(text, encoding="utf-8")
    return folder


def calm_batch(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calm.yaml").write_text(OTHER, encoding="utf-8")
    return folder


def start_report(source: Path, out: Path, *args: str) -> subprocess.Popen:
    """``python -m engine report SOURCE --out OUT ARGS`` in its own session (process group)."""
    command = [sys.executable, "-m", "engine", "report", str(source), "--out", str(out), *args]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@contextlib.contextmanager
def session(process: subprocess.Popen):
    """Yield ``process``; on the way out kill whatever is left of its session (its process
    group, workers included), so that a failing test leaves nothing running."""
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, ...]."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie left for an init that does not reap counts as gone)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def ignores_sigint(pid: int) -> bool:
    """Whether the process ignores SIGINT (its SigIgn mask in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    return False


def workers(pid: int) -> list[int]:
    """The multiprocessing workers of ``pid``."""
    found = []
    for child in children(pid):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found


def wait_for(condition, timeout: float, what: str, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def temporaries(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.tmp"))


def assert_whole(out: Path) -> None:
    """Every file under its final name is complete: HTML ends, CSV rows full, JSON parses..."""
    for path in out.rglob("*"):
        if path.is_dir() or path.name.endswith(".tmp") or path.name == LOCK:
            continue
        if path.suffix == ".nc":
            with h5py.File(path, "r") as nc:
                assert "posterior" in nc, path
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            assert text.rstrip().endswith("</html>"), path
        elif path.suffix == ".csv":
            rows = list(csv.reader(text.splitlines()))
            assert rows and all(len(row) == len(rows[0]) for row in rows), path
        elif path.suffix == ".json":
            assert json.loads(text)["files"], path
        elif path.suffix == ".yaml":
            assert yaml.safe_load(text.split("\n", 1)[1])["signpost"] == 1, path
        else:
            assert text.strip(), path


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != LOCK
    }
