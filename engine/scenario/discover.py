"""Finding scenario files among paths given on the command line (SPEC §6: ``_*`` files are
parents only)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

SUFFIXES = (".yaml", ".yml")


def is_scenario_name(path: Path) -> bool:
    """True for ``*.yaml`` / ``*.yml`` files not starting with ``_`` (those are parents only)."""
    return path.suffix in SUFFIXES and not path.name.startswith("_")


def why_skipped(path: Path) -> str:
    """Why a file named on the command line is not run on its own."""
    if path.name.startswith("_"):
        return "a parent only: it is checked through the files that extend it"
    return "not a .yaml or .yml file"


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """The scenario files to run among ``paths``, in order, each once.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders. A folder is searched recursively for ``*.yaml`` and ``*.yml``,
        skipping hidden folders.

    Returns
    -------
    list of Path
        Scenario files. Files whose name starts with ``_`` are parents only (SPEC §6): they are
        skipped, even when named explicitly, and checked through the files that extend them.
        Other files that are not YAML (``signpost.schema.json``, ``README.md``) are skipped
        too. A path that does not exist is kept, so that reading it reports the problem.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_scenarios_under(path))
        elif not path.exists() or is_scenario_name(path):
            found.append(path)
    return list(dict.fromkeys(found))


def _scenarios_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts[:-1])
        if not hidden and path.is_file() and is_scenario_name(path):
            yield path
