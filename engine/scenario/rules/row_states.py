"""Each table row is a probability (binary driver) or maps every state (SPEC §11.3).

**Anti-pattern**: a multi-state driver's row that leaves a state out, or is one number; a
binary driver's row written as a mapping. **Best practice**: a binary driver's row is P(holds);
a multi-state driver's row maps each of its states to a probability.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items, mapping
from engine.scenario.source import SourceMap

CODE = Code(
    "row-states",
    "a table row that leaves out one of its driver's states, or has the wrong shape",
    bad="drivers:\n  b: {p: null, states: {lo: {label: Lo}, hi: {label: Hi}}, "
    "table: {a=true: {lo: 0.4, hi: 0.6}, a=false: {lo: 1.0}}}\n",
    good="drivers:\n  b: {p: null, states: {lo: {label: Lo}, hi: {label: Hi}}, "
    "table: {a=true: {lo: 0.4, hi: 0.6}, a=false: {lo: 1.0, hi: 0.0}}}\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Per row: the shape its driver needs, and every state when it has states."""
    for driver, item in items(data, "drivers"):
        states = [s for s in mapping(item, "states") if isinstance(s, str)]
        for row, cells in mapping(item, "table").items():
            path = ("drivers", driver, "table", row)
            if not states and isinstance(cells, dict) and not _is_probability(cells):
                message = f"`{driver}` is binary: its row is one probability, P(it holds)"
                hint = "write the probability itself, like `0.7` or `likely`"
                yield issue(CODE, message, hint, where, path)
            elif states and not isinstance(cells, dict):
                message = f"`{driver}` has states: its row maps each state to a probability"
                hint = "write {" + ", ".join(f"{s}: ..." for s in states) + "}"
                yield issue(CODE, message, hint, where, path)
            elif states:
                left = [s for s in states if s not in cells]
                if left:
                    names = ", ".join(f"`{s}`" for s in left)
                    message = f"row `{row}` leaves out {names}"
                    hint = "give every state of the driver a probability (0 is allowed)"
                    yield issue(CODE, message, hint, where, path, key=True)


def _is_probability(value: dict) -> bool:
    """``{range: [lo, hi]}`` or ``{beta: [a, b]}``: one probability written as a mapping."""
    return len(value) == 1 and next(iter(value)) in ("range", "beta")
