"""``resolved.on`` comes after ``as_of`` (SPEC §10): a scenario is resolved after the date it
was written for.

**Anti-pattern**: ``as_of: 2022-01-07`` with ``resolved: {on: 2021-12-31}``. **Best practice**:
date the resolution when what happened was judged. A resolution never changes the numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, mapping
from engine.scenario.source import SourceMap

_RESOLVED = "resolved: {{outcome: up, on: {on}, sources: [s]}}\nsources:\n  s: {{title: S}}\n"
CODE = Code(
    "resolved-early",
    "a `resolved` dated on or before the scenario's `as_of`",
    bad=_RESOLVED.format(on="2021-12-31"),
    good=_RESOLVED.format(on="2023-12-31"),
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue, at ``resolved.on``, when it is not after ``as_of``."""
    judged, as_of = mapping(data, "resolved").get("on"), data.get("as_of")
    if isinstance(judged, dt.date) and isinstance(as_of, dt.date) and judged <= as_of:
        message = f"the resolution is dated {judged}, not after as_of ({as_of})"
        hint = (
            "a scenario is resolved after the date it was written for: date it when it was judged"
        )
        yield issue(CODE, message, hint, where, ("resolved", "on"))
