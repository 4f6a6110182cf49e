"""Hard evidence does not contradict other hard evidence (SPEC §7).

**Anti-pattern**: one item observes driver ``a`` as true, another as false: together they are
impossible, and no probability can follow from them. **Best practice**: keep the one you trust,
or turn one into soft evidence with a ``likelihood_ratio``.

Only a direct contradiction can make the evidence impossible: every probability of the format
lies strictly in (0, 1) and every effect and likelihood ratio is finite, so each combination of
observations of *different* items keeps a positive probability. What remains is two hard items
on the same driver or indicator that observe it differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items
from engine.scenario.source import SourceMap

CODE = Code(
    "contradictory-evidence",
    "two hard evidence items that observe one driver or indicator differently",
    bad="evidence:\n  seen: {driver: a, observed: true}\n  unseen: {driver: a, observed: false}\n",
    good="evidence:\n  seen: {driver: a, observed: true}\n  again: {driver: a, observed: true}\n",
)


def _said(observed: bool) -> str:
    return "true" if observed else "false"


def check(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Two hard evidence items on the same driver or indicator observe the same value.

    Each item that contradicts an earlier one (in file order) is reported at its ``observed``,
    naming the earlier item and its line.
    """
    first: dict[tuple[str, str], tuple[str, bool]] = {}
    for item_id, item in items(data, "evidence"):
        observed = item.get("observed")
        if not isinstance(observed, bool):
            continue
        for kind in ("driver", "indicator"):
            target = item.get(kind)
            if not isinstance(target, str):
                continue
            if (kind, target) not in first:
                first[(kind, target)] = (item_id, observed)
                continue
            other_id, other = first[(kind, target)]
            if other == observed:
                continue
            line = where.locate(("evidence", other_id, "observed")).line
            message = (
                f"evidence `{item_id}` observes {kind} `{target}` as {_said(observed)}, but "
                f"evidence `{other_id}` (line {line}) observes it as {_said(other)}"
            )
            hint = "keep the one you trust, or make one soft evidence with `likelihood_ratio`"
            path = ("evidence", item_id, "observed")
            yield issue(CODE, message, hint, where, path)
