"""A lenient view of raw scenario values: what rules read, skipping anything malformed."""

from __future__ import annotations

import difflib
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.source import KeyPath, SourceMap

COLLECTIONS = ("sources", "drivers", "outcomes", "indicators", "evidence", "what_if", "expect")
# One item of each collection, as the analyst calls it.
SINGULAR = {
    "sources": "source",
    "drivers": "driver",
    "outcomes": "outcome",
    "indicators": "indicator",
    "evidence": "evidence item",
    "what_if": "what-if",
    "expect": "expectation",
}


def ids(data: dict[str, Any], collection: str) -> list[str]:
    """The ids of a collection, in file order; none when it is not a mapping."""
    value = data.get(collection)
    return [key for key in value if isinstance(key, str)] if isinstance(value, dict) else []


def items(data: dict[str, Any], collection: str) -> list[tuple[str, dict[str, Any]]]:
    """(id, item) for every item of a collection that is a mapping."""
    value = data.get(collection)
    if not isinstance(value, dict):
        return []
    return [(key, item) for key, item in value.items() if isinstance(item, dict)]


def mapping(item: dict[str, Any], key: str) -> dict[str, Any]:
    """``item[key]`` when it is a mapping, else an empty one."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def issue(
    code: Code, message: str, hint: str, where: SourceMap, path: KeyPath, *, key: bool = False
) -> ScenarioIssue:
    """An issue of ``code`` placed at ``path`` (at its key when ``key``)."""
    here = where.locate(path, key=key)
    return ScenarioIssue(code.name, message, hint, here.file, here.line, here.column, tuple(path))


def suggest(word: str, choices: list[str], what: str, limit: int = 8) -> str:
    """``did you mean `x`? (drivers: a, b, c)`` — the closest choices first, then the rest."""
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    if not choices:
        return f"there are no {what} in this scenario"
    listed = ", ".join(choices[:limit]) + (", ..." if len(choices) > limit else "")
    if close:
        return f"did you mean {' or '.join(f'`{c}`' for c in close)}? ({what}: {listed})"
    return f"write one of the {what}: {listed}"
