"""Rules on ``resolved`` (SPEC §10): it names one of the scenario's outcomes, it is dated after
``as_of``, and the sources it cites exist. It never changes the numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import ScenarioIssue
from engine.scenario.rules._view import ids, issue, mapping, suggest
from engine.scenario.source import SourceMap


def resolution(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """``resolved.outcome`` is an outcome of the scenario; ``resolved.on`` comes after
    ``as_of``; every id in ``resolved.sources`` is a source."""
    resolved = mapping(data, "resolved")
    outcome = resolved.get("outcome")
    if isinstance(outcome, str) and outcome not in ids(data, "outcomes"):
        message = f"`{outcome}` is not an outcome of this scenario"
        hint = suggest(outcome, ids(data, "outcomes"), "outcomes")
        yield issue("unknown-id", message, hint, where, ("resolved", "outcome"))
    judged, as_of = resolved.get("on"), data.get("as_of")
    if isinstance(judged, dt.date) and isinstance(as_of, dt.date) and judged <= as_of:
        message = f"the resolution is dated {judged}, not after as_of ({as_of})"
        hint = (
            "a scenario is resolved after the date it was written for: date it when it was judged"
        )
        yield issue("resolved-early", message, hint, where, ("resolved", "on"))
    listed = resolved.get("sources")
    for i, ref in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(ref, str) and ref not in ids(data, "sources"):
            message = f"`{ref}` is not a source of this scenario"
            hint = suggest(ref, ids(data, "sources"), "sources")
            yield issue("unknown-id", message, hint, where, ("resolved", "sources", i))
