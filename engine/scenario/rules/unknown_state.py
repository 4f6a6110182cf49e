"""Every state a scenario names is a state of its driver (SPEC §11.2).

**Anti-pattern**: ``causes: {posture=expandd: raises}`` (a typo), ``posture=yes`` on a
multi-state driver, ``observed: garrison`` for a binary driver, or a table row's cell for a state
the driver does not have. **Best practice**: name one of the driver's states — a binary driver's
are ``true`` and ``false``; the hint lists the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.reader import WRONG_TYPE
from engine.scenario.rules._view import (
    BINARY_STATES,
    conditions,
    driver_states,
    issue,
    items,
    mapping,
    suggest,
)
from engine.scenario.source import SourceMap

CODE = Code(
    "unknown-state",
    "a state its driver does not have",
    bad="outcomes:\n  up: {drivers: {a=maybe: raises}}\n",
    good="outcomes:\n  up: {drivers: {a=false: raises}}\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Conditions ``X=s``, hard evidence's ``observed``, a what-if's ``set`` values, and the
    cells of a multi-state driver's table rows."""
    states = driver_states(data)
    for ref in conditions(data):
        known = states.get(ref.driver)
        if ref.state is not None and known is not None and ref.state not in known:
            yield _unknown(ref.state, ref.driver, known, where, ref.path, key=ref.key)
    for name, item in items(data, "evidence"):
        target, observed = item.get("driver"), item.get("observed")
        if isinstance(target, str) and target in states and observed is not None:
            yield from _value(
                observed, target, states[target], where, ("evidence", name, "observed")
            )
    for name, item in items(data, "what_if"):
        for driver, value in mapping(item, "set").items():
            if driver in states:
                yield from _value(
                    value, driver, states[driver], where, ("what_if", name, "set", driver)
                )
    for driver, item in items(data, "drivers"):
        if states[driver] == BINARY_STATES:
            continue
        for row, cells in mapping(item, "table").items():
            for state in cells if isinstance(cells, dict) else ():
                if state not in states[driver]:
                    path = ("drivers", driver, "table", row, state)
                    yield _unknown(state, driver, states[driver], where, path, key=True)


def _value(value: Any, driver: str, known: tuple[str, ...], where, path) -> Iterator[ScenarioIssue]:
    """A value naming a state: ``true``/``false`` for a binary driver, a state id else."""
    if known == BINARY_STATES:
        if not isinstance(value, bool):
            shown = f"the text '{value}'" if isinstance(value, str) else repr(value)
            message = f"expected true or false, got {shown}"
            yield issue(
                WRONG_TYPE, message, f"`{driver}` is binary: write true or false", where, path
            )
    elif isinstance(value, bool) or value not in known:
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        yield _unknown(shown, driver, known, where, path)


def _unknown(state: str, driver: str, known, where, path, *, key: bool = False) -> ScenarioIssue:
    message = f"`{driver}` has no state `{state}`"
    return issue(
        CODE, message, suggest(state, list(known), f"states of {driver}"), where, path, key=key
    )
