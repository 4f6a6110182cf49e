"""Atomic writes: a report file is either the old one or the whole new one, never half of one.

Each file is written to a hidden temporary file in the same folder, flushed to disk, then moved
over the target with :func:`os.replace` (atomic on POSIX and Windows within one file system).
A write that raises removes its temporary file; a killed process may leave a ``.*.tmp`` file,
which :func:`remove_stale_temporaries` clears on the next run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".tmp"


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
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
    )
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
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
    """Delete temporary files a killed run left in ``folder`` (hidden, ending in ``.tmp``)."""
    folder = Path(folder)
    if folder.is_dir():
        for path in folder.glob(f".*{TEMP_SUFFIX}"):
            path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
