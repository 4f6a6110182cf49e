"""A multi-state driver is never named alone where a condition is meant (SPEC §11.2).

**Anti-pattern**: ``causes: {posture: raises}`` when ``posture`` has the states withdrawn,
garrison and expanded: which of them raises? **Best practice**: name the state,
``posture=expanded: raises`` (a binary driver named alone means it holds).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import conditions, driver_states, is_multi_state, issue
from engine.scenario.source import SourceMap

CODE = Code(
    "state-needed",
    "a multi-state driver named alone where a condition X=s is meant",
    bad="drivers:\n  a: {p: null, states: {lo: {label: Lo, p: 0.4}, hi: {label: Hi, p: 0.6}}}\n"
    "outcomes:\n  up: {drivers: {a: raises}}\n",
    good="drivers:\n  a: {p: null, states: {lo: {label: Lo, p: 0.4}, hi: {label: Hi, p: 0.6}}}\n"
    "outcomes:\n  up: {drivers: {a=hi: raises}}\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Every condition on a multi-state driver names one of its states."""
    states = driver_states(data)
    for ref in conditions(data):
        if ref.state is None and is_multi_state(data, ref.driver):
            listed = ", ".join(f"{ref.driver}={s}" for s in states[ref.driver])
            message = f"`{ref.driver}` has several states: name one of them"
            hint = f"write one of {listed}"
            yield issue(CODE, message, hint, where, ref.path, key=ref.key)
