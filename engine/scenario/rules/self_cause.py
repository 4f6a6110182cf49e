"""A driver does not list itself among its causes (SPEC §4).

**Anti-pattern**: ``a: {causes: {a: raises}}``. A driver cannot raise or lower itself.
**Best practice**: list only other drivers under ``causes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items, mapping
from engine.scenario.source import SourceMap

CODE = Code(
    "self-cause",
    "a driver among its own causes",
    bad="drivers:\n  a: {causes: {a: raises}}\n",
    good="drivers:\n  b: {causes: {a: raises}}\n",
)


def check(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue per driver that lists itself, at that key of its ``causes``."""
    for driver, item in items(data, "drivers"):
        if driver in mapping(item, "causes"):
            message = f"`{driver}` lists itself as a cause"
            hint = "remove it: a driver cannot raise or lower itself"
            path = ("drivers", driver, "causes", driver)
            yield issue(CODE, message, hint, where, path, key=True)
