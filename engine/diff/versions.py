"""The two versions ``signpost diff`` compares: two files, or a file now and at a git revision.

``signpost diff --git REV FILE`` compares FILE at REV with FILE as it is now. The file at REV,
and every parent along its ``extends`` chain at REV, are written into a temporary folder at
their paths relative to the repository's root, so that ``extends`` finds REV's versions
exactly as :mod:`engine.scenario.merge` finds them for files on disk.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from engine.scenario.issues import ScenarioError
from engine.scenario.merge import MAX_CHAIN


class GitError(Exception):
    """git, the repository, the revision or the file is missing; the message says which."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def file_at_revision(rev: str, file: str | Path, into: str | Path) -> Path:
    """Write ``file`` as it was at ``rev``, and its ``extends`` parents, under ``into``.

    Parameters
    ----------
    rev : str
        Any git revision (``HEAD~1``, a branch, a commit).
    file : str or Path
        The scenario file, as named on the command line (inside a git work tree).
    into : str or Path
        An existing, empty folder (a temporary one).

    Returns
    -------
    Path
        The copy of ``file`` under ``into``, at the same path relative to the repository root.

    Raises
    ------
    GitError
        When git is not installed, ``file`` is not in a git work tree, ``rev`` is not a
        revision, or ``file`` did not exist at ``rev``.
    """
    if shutil.which("git") is None:
        raise GitError("git is not installed (or not on PATH)")
    path = Path(os.path.abspath(file))
    if not path.parent.is_dir():
        raise GitError(f"no such folder: {path.parent}")
    found = _git(["rev-parse", "--show-toplevel"], path.parent)
    if found.returncode != 0:
        raise GitError(f"{file} is not inside a git repository")
    root = Path(found.stdout.decode().strip())
    try:
        relative = PurePosixPath(path.resolve().relative_to(root.resolve()).as_posix())
    except ValueError:
        raise GitError(f"{file} is outside the repository at {root}") from None
    if _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).returncode != 0:
        raise GitError(f"`{rev}` is not a revision of the repository at {root}")
    if not _copy(rev, relative, root, Path(into)):
        raise GitError(f"{relative} does not exist at revision {rev}")
    _copy_parents(rev, relative, root, Path(into))
    return Path(into, *relative.parts)


def _copy(rev: str, relative: PurePosixPath, root: Path, into: Path) -> bytes | None:
    shown = _git(["show", f"{rev}:{relative}"], root)
    if shown.returncode != 0:
        return None
    target = Path(into, *relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(shown.stdout)
    return shown.stdout or b"\n"


def _copy_parents(rev: str, relative: PurePosixPath, root: Path, into: Path) -> None:
    """Follow ``extends`` at ``rev``; a parent missing there is left for the reader to report."""
    seen = {relative}
    content = Path(into, *relative.parts).read_bytes()
    for _ in range(MAX_CHAIN):
        parent = _extends(content)
        if parent is None:
            return
        named = PurePosixPath(os.path.normpath(str(relative.parent / parent)))
        if named.is_absolute() or named.parts[:1] == ("..",) or named in seen:
            return
        seen.add(named)
        copied = _copy(rev, named, root, into)
        if copied is None:
            return
        relative, content = named, copied


def _extends(content: bytes) -> str | None:
    """The ``extends`` of a file's text, or None (the reader reports anything malformed)."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return None
    extends = data.get("extends") if isinstance(data, dict) else None
    return extends if isinstance(extends, str) and extends else None


def load_versions(
    paths: list[Path], rev: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The merged data of the old and the new version, both validated.

    Parameters
    ----------
    paths : list of Path
        ``[OLD, NEW]``; or ``[FILE]`` with ``rev``, OLD being FILE at ``rev``.
    rev : str, optional
        A git revision.

    Returns
    -------
    old, new : dict
        ``MergedDocument.data`` of each (``extends`` merged in).

    Raises
    ------
    ScenarioError
        With every problem of both versions; those of FILE at ``rev`` are named ``REV:path``.
    GitError
        See :func:`file_at_revision`.
    """
    from engine.scenario.validate import validate_file

    if rev is None:
        old, new = validate_file(paths[0]), validate_file(paths[1])
        issues = [*old.issues, *new.issues]
    else:
        with tempfile.TemporaryDirectory(prefix="signpost-diff-") as folder:
            old = validate_file(file_at_revision(rev, paths[0], folder))
            prefix = os.path.join(folder, "")
            issues = [
                dataclasses.replace(i, file=f"{rev}:{i.file.removeprefix(prefix)}")
                if i.file.startswith(prefix)
                else i
                for i in old.issues
            ]
        new = validate_file(paths[0])
        issues += new.issues
    if issues or old.document is None or new.document is None:
        raise ScenarioError(issues)
    return old.document.data, new.document.data
