"""``extends`` (SPEC §6): a scenario file merged with the parents it names.

The named parent (a path relative to the file) is read the same way (:mod:`engine.scenario.reader`)
and the child deep-merged into it: mappings merge key by key, any other value replaces, ``null``
removes the key (and never appears in the result), and ``id`` is never inherited. Chains work; a
loop or a missing parent is an error at the ``extends`` line. Every value and key keeps its
:class:`~engine.scenario.source.Location`, so an error in an inherited key points into the parent.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.scenario.discover import SUFFIXES
from engine.scenario.issues import Code, ScenarioError, ScenarioIssue
from engine.scenario.reader import issue_at, read_one
from engine.scenario.source import KeyPath, SourceMap

MAX_CHAIN = 32  # files in one chain of `extends`

EXTENDS = Code(
    "extends",
    "a missing parent, a loop, or an `extends` that is not a relative path",
    bad="extends: _gone.yaml\n",
    good="extends: ./_base.yaml\n",
)


@dataclass
class MergedDocument:
    """A scenario file with its ``extends`` merged in, before validation.

    Attributes
    ----------
    path : Path
        The file as named.
    data : dict
        The merged values (plain dicts, lists, str, int, float, bool, date, None), without
        ``extends``; ``yaml.safe_dump(data, sort_keys=False)`` writes a standalone equivalent.
    where : SourceMap
        The location of every key and value, in whichever file of the chain it came from.
    chain : tuple of Path
        The file, then its parent, grandparent, ...
    """

    path: Path
    data: dict[str, Any]
    where: SourceMap
    chain: tuple[Path, ...]


def _merge(base: dict, base_where: SourceMap, over: dict, over_where: SourceMap, prefix: KeyPath):
    """Deep-merge ``over`` into ``base`` in place (SPEC §6), moving locations along."""
    for key, value in over.items():
        path = prefix + (key,)
        if value is None:
            base.pop(key, None)
            base_where.drop(path)
        elif isinstance(value, dict):
            if not isinstance(base.get(key), dict):
                base[key] = {}
                base_where.drop(path)
            # the merged mapping is now written in the child: point there
            for mine, theirs in _tables(base_where, over_where):
                if path in theirs:
                    mine[path] = theirs[path]
            _merge(base[key], base_where, value, over_where, path)
        else:
            base[key] = value
            base_where.drop(path)
            base_where.take(over_where, path)


def _tables(mine: SourceMap, theirs: SourceMap):
    return ((mine.values, theirs.values), (mine.keys, theirs.keys))


def _find_parent(data: dict, where: SourceMap, child: Path, chain: list[tuple[Path, str]]):
    """``((parent path, parent as shown), None)``, or ``(None, the problem with extends)``."""
    here = where.locate(("extends",))
    value = data["extends"]
    path = ("extends",)
    if not isinstance(value, str) or not value.strip():
        hint = "write the parent's file name relative to this file, like `_base.yaml`"
        return None, issue_at(EXTENDS, "`extends` takes a file path", hint, here, path)
    if os.path.isabs(value):
        hint = "write the path relative to this file, like `_base.yaml` or `../_base.yaml`"
        return None, issue_at(EXTENDS, "`extends` takes a relative path", hint, here, path)
    parent = child.parent / value
    shown = os.path.normpath(os.path.join(os.path.dirname(chain[-1][1]), value))
    real = parent.resolve()
    if any(real == seen for seen, _ in chain):
        loop = " -> ".join([name for _, name in chain] + [shown])
        hint = "one of these files must stop extending the others"
        return None, issue_at(EXTENDS, f"`extends` loops: {loop}", hint, here, path)
    if len(chain) >= MAX_CHAIN:
        message = f"`extends` chains more than {MAX_CHAIN} files"
        return None, issue_at(EXTENDS, message, "shorten the chain", here, path)
    if not parent.is_file():
        message = f"`extends` names {shown}, which does not exist"
        near = _near_files(parent)
        hint = f"did you mean {', '.join(near)}?" if near else "check the file name"
        return None, issue_at(EXTENDS, message, hint, here, path)
    return (parent, shown), None


def _near_files(missing: Path) -> list[str]:
    try:
        names = [p.name for p in missing.parent.iterdir() if p.suffix in SUFFIXES]
    except OSError:
        return []
    return difflib.get_close_matches(missing.name, names, n=2, cutoff=0.8)


def _merged(path: Path, file: str, chain: list[tuple[Path, str]], issues: list[ScenarioIssue]):
    """Values, locations and chain of ``path`` with its ``extends`` merged in; None if broken."""
    data, where, found = read_one(path, file)
    issues.extend(found)
    if data is None:
        return None
    chain = chain + [(path.resolve(), file)]
    if data.get("extends") is None:
        data.pop("extends", None)
        where.drop(("extends",))
        return data, where, [Path(file)]
    parent, problem = _find_parent(data, where, path, chain)
    if problem is not None:
        issues.append(problem)
        return None
    merged = _merged(parent[0], parent[1], chain, issues)
    if merged is None:
        return None
    base, base_where, files = merged
    base.pop("id", None)  # the id is never inherited (SPEC §6)
    base_where.drop(("id",))
    del data["extends"]
    where.drop(("extends",))
    base_where.file = file
    if () in where.values:
        base_where.values[()] = where.values[()]
    _merge(base, base_where, data, where, ())
    return base, base_where, [Path(file)] + files


# --- the public API ----------------------------------------------------------------------------


def read_document(path: str | Path) -> tuple[MergedDocument | None, list[ScenarioIssue]]:
    """Read a scenario file and merge its ``extends``, reporting every reading problem.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    document : MergedDocument or None
        None when the file (or a parent) cannot be read into values that reflect it (bad YAML,
        encoding, a missing parent, ...). A document is still returned when the problems leave
        the values intact (a duplicate key, a key YAML reads as a boolean, an anchor, a tag),
        so that validation can report its own problems alongside.
    issues : list of ScenarioIssue
        Every problem found while reading, in no particular order.
    """
    path = Path(path)
    issues: list[ScenarioIssue] = []
    merged = _merged(path, str(path), [], issues)
    if merged is None:
        return None, issues
    data, where, files = merged
    return MergedDocument(path, data, where, tuple(files)), issues


def load_document(path: str | Path) -> MergedDocument:
    """Read a scenario file and merge its ``extends``, without validating it: the document of
    :func:`read_document`, or :class:`ScenarioError` with every reading problem if there is
    any."""
    document, issues = read_document(path)
    if issues or document is None:
        raise ScenarioError(issues)
    return document
