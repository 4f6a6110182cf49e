"""The lock of an output folder: one batch at a time writes to it.

An ``flock`` on ``<folder>/.signpost.lock``: the kernel releases it when the process ends,
however it ends (``kill -9`` included), so a killed batch never leaves a stale lock. A second
batch on the same folder waits for the first, saying so, or with ``wait=False`` refuses
(:class:`FolderBusy`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from engine.infra.files import output_error, reason_of

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None

LOCK = ".signpost.lock"


class FolderBusy(Exception):
    """Another ``signpost report`` holds the lock of the reports folder (``wait=False``)."""


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
            f"signpost: cannot lock {path} ({reason_of(error)}); going on without a lock",
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
