"""Fixed state probabilities add up to 1 (SPEC §11.1, §11.3).

**Anti-pattern**: states' ``p`` (or a multi-state table row's cells) written as plain numbers
that add up to 0.9. **Best practice**: make them add up to 1 (within 1e-6; the engine divides by
their sum, so rounding never matters) — or write any of them as a word or range, and they are
relative chances, normalised per draw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items, mapping
from engine.scenario.source import SourceMap

CODE = Code(
    "sum-not-one",
    "fixed state probabilities that do not add up to 1",
    bad="drivers:\n  a: {p: null, states: {lo: {label: Lo, p: 0.4}, hi: {label: Hi, p: 0.5}}}\n",
    good="drivers:\n  a: {p: null, states: {lo: {label: Lo, p: 0.4}, hi: {label: Hi, p: 0.6}}}\n",
)
TOLERANCE = 1e-6


def _fixed(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _total(values: list[Any]) -> float | None:
    """Their sum when every one is a plain fixed number, else None (relative chances)."""
    if not values or not all(_fixed(v) for v in values):
        return None
    return float(sum(values))


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """A multi-state driver's states' ``p``, and each row of its table."""
    for driver, item in items(data, "drivers"):
        states = mapping(item, "states")
        if not states:
            continue
        if "table" not in item:
            total = _total([b.get("p") for b in states.values() if isinstance(b, dict)])
            if total is not None and abs(total - 1) > TOLERANCE:
                yield _issue(total, where, ("drivers", driver, "states"), "states' p")
        for row, cells in mapping(item, "table").items():
            total = _total(list(cells.values())) if isinstance(cells, dict) else None
            if total is not None and abs(total - 1) > TOLERANCE and set(cells) == set(states):
                path = ("drivers", driver, "table", row)
                yield _issue(total, where, path, f"cells of row `{row}`")


def _issue(total: float, where, path, what: str) -> ScenarioIssue:
    message = f"the {what} add up to {total:g}, not 1"
    hint = "make them add up to 1, or write one as a word or range (relative chances, normalised)"
    return issue(CODE, message, hint, where, path, key=True)
