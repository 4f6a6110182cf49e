"""Hard evidence does not contradict other hard evidence (SPEC §7).

**Anti-pattern**: one item observes driver ``a`` as true, another as false: together they are
impossible, and no probability can follow from them. **Best practice**: keep the one you trust,
or turn one into soft evidence with a ``likelihood_ratio``.

Here: hard items on the same driver or indicator that leave it no state (``a`` observed
``garrison`` and ``a=garrison`` observed false). Evidence the model itself gives probability 0
(a fixed probability of exactly 0 or 1 in a driver's own numbers, SPEC §11.3) is found when the
scenario runs, which stops and names the items that cannot all hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import driver_states, issue, items
from engine.scenario.source import SourceMap

CODE = Code(
    "contradictory-evidence",
    "two hard evidence items that observe one driver or indicator differently",
    bad="evidence:\n  seen: {driver: a, observed: true}\n  unseen: {driver: a, observed: false}\n",
    good="evidence:\n  seen: {driver: a, observed: true}\n  again: {driver: a, observed: true}\n",
)


def _kept(item: dict[str, Any], states: dict[str, tuple[str, ...]]):
    """(driver or indicator, what it observes, the states it keeps) of hard evidence, or None.

    ``driver: X, observed: s`` keeps s; ``driver: X=s`` keeps s when observed true and every
    other state when false; an indicator is seen (true) or not seen (false).
    """
    observed = item.get("observed")
    if not isinstance(observed, bool | str):
        return None
    if isinstance(item.get("indicator"), str):
        return ("indicator", item["indicator"]), {observed}, _said(observed)
    target = item.get("driver")
    if not isinstance(target, str):
        return None
    driver, _, state = target.partition("=")
    known = states.get(driver)
    if known is None:
        return None
    if not state:
        value = _said(observed) if isinstance(observed, bool) else observed
        return ("driver", driver), {value} & set(known), value
    if not isinstance(observed, bool):
        return None
    kept = {state} if observed else set(known) - {state}
    return ("driver", driver), kept, state if observed else f"not {state}"


def _said(observed: Any) -> str:
    if isinstance(observed, bool):
        return "true" if observed else "false"
    return str(observed)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Hard evidence items on one driver or indicator that leave it no state at all.

    Each item that, with the earlier ones (in file order), leaves no state is reported at its
    ``observed``, naming the earlier item and its line.
    """
    states = driver_states(data)
    seen: dict[tuple[str, str], tuple[str, set, str]] = {}
    for item_id, item in items(data, "evidence"):
        kept = _kept(item, states)
        if kept is None:
            continue
        target, values, said = kept
        if target not in seen:
            seen[target] = (item_id, values, said)
            continue
        other_id, other_values, other_said = seen[target]
        if values & other_values:
            seen[target] = (other_id, values & other_values, other_said)
            continue
        kind, name = target
        line = where.locate(("evidence", other_id, "observed")).line
        message = (
            f"evidence `{item_id}` observes {kind} `{name}` as {said}, but "
            f"evidence `{other_id}` (line {line}) observes it as {other_said}"
        )
        hint = "keep the one you trust, or make one soft evidence with `likelihood_ratio`"
        yield issue(CODE, message, hint, where, ("evidence", item_id, "observed"))
