"""Atomic writes: a report file is either the old one or the whole new one, never half of one.

Each file is written to a hidden temporary file in the same folder, flushed to disk, then moved
over the target with :func:`os.replace` (atomic on POSIX and Windows within one file system).
A write that raises removes its temporary file; a killed process may leave a ``.*.tmp`` file,
which :func:`remove_stale_temporaries` clears on the next run.

The temporary is created with mode ``0o666`` and the kernel applies the umask (and a folder's
default ACL), so every file Signpost writes has the permissions of any other new file: ``0644``
under umask ``022``. Nothing reads or changes the process-wide umask. Folders are made with
:meth:`Path.mkdir`'s default ``0o777``, which the umask reduces the same way.

A write the operating system refuses (disk full, permission denied, a file where a folder should
be) raises :class:`OutputError`, which names the file and the reason in one line.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_CREATE |= getattr(os, "O_BINARY", 0)  # Windows


class OutputError(Exception):
    """Signpost could not write ``path``: ``cannot write reports/kz/index.html: no space left``.

    Parameters
    ----------
    path : str or Path
        The file or folder that could not be written, as the user named it.
    reason : str
        Why, in a few words (the operating system's message, lower case).
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(str(path), reason)  # plain args: it pickles from a worker process
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def reason_of(error: OSError) -> str:
    """The operating system's message for ``error``, lower case: ``no space left on device``."""
    text = os.strerror(error.errno) if error.errno else (error.strerror or str(error))
    return text[:1].lower() + text[1:]


def output_error(error: OSError, default: str | Path) -> OutputError:
    """``error`` as an :class:`OutputError` naming its file (``default`` when it names none)."""
    return OutputError(error.filename or default, reason_of(error))


def make_folder(folder: str | Path) -> Path:
    """Create ``folder`` and its parents if missing; raise :class:`OutputError` if impossible."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(error, folder) from error
    return folder


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``.

    For writers that want a file name (``InferenceData.to_netcdf``). If the body raises, the
    temporary file is removed and ``target`` is left as it was.

    Parameters
    ----------
    target : str or Path
        The file to write; its folder is created if needed.

    Yields
    ------
    Path
        An empty temporary file in the same folder as ``target``.

    Raises
    ------
    OutputError
        When the folder, the temporary or the move is refused (``OSError``), naming ``target``.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = _create_temporary(target)
    except OSError as error:
        raise OutputError(target, reason_of(error)) from error
    try:
        yield temporary
        _fsync(temporary)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(target, _reason_writing(error, temporary)) from error
        raise


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "w", **kwargs) -> Iterator:
    """Open a temporary file beside ``target`` for writing; on success move it over ``target``.

    Parameters
    ----------
    target : str or Path
        The file to write.
    mode : str
        ``"w"`` (text, UTF-8 unless ``encoding`` is given) or ``"wb"``.
    **kwargs
        Passed to :func:`open` (``newline``, ``encoding``).

    Yields
    ------
    file object
        Writes go to the temporary file; if the body raises, ``target`` is untouched.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    if mode == "w":
        kwargs.setdefault("encoding", "utf-8")
    with atomic_path(target) as temporary, open(temporary, mode, **kwargs) as stream:
        yield stream


def write_text(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return ``target`` as a Path."""
    with atomic_open(target, "w", newline="") as stream:
        stream.write(text)
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return ``target`` as a Path."""
    with atomic_open(target, "wb") as stream:
        stream.write(data)
    return Path(target)


def remove_stale_temporaries(folder: str | Path) -> None:
    """Delete temporary files a killed run left in ``folder`` (hidden, ending in ``.tmp``).

    Call it only while no other process writes to ``folder`` (``signpost report`` holds the
    lock of its reports folder). A temporary that cannot be removed is left for the next run.
    """
    folder = Path(folder)
    if folder.is_dir():
        for path in folder.glob(f".*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _create_temporary(target: Path) -> Path:
    """An empty new file ``.<name>.<8 hex digits>.tmp`` beside ``target``, mode 0o666 & ~umask."""
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            os.close(os.open(temporary, _CREATE, 0o666))
        except FileExistsError:
            continue
        return temporary
    raise FileExistsError(f"no free temporary name beside {target}")


def _reason_writing(error: OSError, temporary: Path) -> str:
    """The reason a write failed; names another file when the error was about one."""
    reason = reason_of(error)
    other = error.filename
    if other and Path(other) != temporary:
        reason += f" ({other})"
    return reason


def _fsync(path: Path) -> None:
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
