"""A driver does not list itself among its causes (SPEC §4).

**Anti-pattern**: ``a: {causes: {a: raises}}``. A driver cannot raise or lower itself.
**Best practice**: list only other drivers under ``causes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import conditions, issue
from engine.scenario.source import SourceMap

CODE = Code(
    "self-cause",
    "a driver among its own causes",
    bad="drivers:\n  a: {causes: {a: raises}}\n",
    good="drivers:\n  b: {causes: {a: raises}}\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue per condition on a driver in that driver's own probabilities: its
    ``causes``, its states' causes, its ``noisy_or`` or its table's rows (SPEC §11)."""
    for ref in conditions(data):
        if ref.owner is not None and ref.driver == ref.owner:
            message = f"`{ref.owner}` lists itself as a cause"
            hint = "remove it: a driver cannot raise or lower itself"
            yield issue(CODE, message, hint, where, ref.path, key=ref.key)
