"""An expectation's ``more_likely_than`` names another item than its own subject (SPEC §5).

**Anti-pattern**: ``{outcome: up, more_likely_than: up}`` compares an outcome with itself: its
value would always be 0. **Best practice**: name the other outcome (or driver) it should beat.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items
from engine.scenario.source import SourceMap

CODE = Code(
    "compared-with-itself",
    "an expectation whose `more_likely_than` names its own outcome or driver",
    bad="expect:\n  e: {outcome: up, more_likely_than: up}\n",
    good="expect:\n  e: {outcome: up, more_likely_than: down}\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue per expectation that compares its subject with itself, at the comparison."""
    for item_id, item in items(data, "expect"):
        value = item.get("more_likely_than")
        if isinstance(value, str) and value in (item.get("outcome"), item.get("driver")):
            message = f"compares `{value}` with itself"
            hint = "name another item under `more_likely_than`"
            yield issue(CODE, message, hint, where, ("expect", item_id, "more_likely_than"))
