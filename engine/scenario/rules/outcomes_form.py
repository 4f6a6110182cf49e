"""A scenario's outcomes are given one way: ``outcomes``, or ``outcomes_from`` a driver
(SPEC §11.5).

**Anti-pattern**: both ``outcomes`` and ``outcomes_from``; neither. **Best practice**: list the
end states under ``outcomes``, or name the driver whose states they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue
from engine.scenario.source import SourceMap
from engine.scenario.translate import MISSING_KEY

CODE = Code(
    "outcomes-form",
    "both outcomes and outcomes_from",
    bad="outcomes_from: a\n",
    good="outcomes: null\noutcomes_from: a\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    if "outcomes" in data and "outcomes_from" in data:
        message = "a scenario takes `outcomes` or `outcomes_from`, not both"
        hint = "remove one: outcomes_from makes the named driver's states the outcomes"
        yield issue(CODE, message, hint, where, ("outcomes_from",), key=True)
    elif "outcomes" not in data and "outcomes_from" not in data and "drivers" in data:
        hint = (
            "add `outcomes:` with a mapping of outcome ids to outcomes (label, base, drivers, "
            "...), or `outcomes_from:` with the id of a driver whose states are the outcomes"
        )
        yield issue(MISSING_KEY, "missing required key `outcomes`", hint, where, ("outcomes",))
