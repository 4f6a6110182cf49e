"""A driver's probabilities are given one way (SPEC §4, §11.1, §11.3, §11.4).

A binary driver takes ``p`` (with optional ``causes``), or a ``table``, or ``noisy_or``; a
multi-state driver takes ``states``, each with its ``p`` (and optional ``causes``), or
``states`` labelled only and a ``table``. **Anti-pattern**: ``table`` beside ``p`` or
``causes``; ``noisy_or`` on a multi-state driver; ``p`` on a multi-state driver itself; a driver
with none of them. **Best practice**: pick one form; the hint names what to remove or add.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items, mapping
from engine.scenario.schema import PROBABILITY_TAKES
from engine.scenario.source import SourceMap
from engine.scenario.translate import MISSING_KEY

CODE = Code(
    "driver-form",
    "a driver's probabilities given two ways (table or noisy_or beside p or causes, noisy_or on "
    "a multi-state driver, p on a multi-state driver itself)",
    bad="drivers:\n  b: {p: null, causes: {a: raises}, table: {a=true: 0.9, a=false: 0.2}}\n",
    good="drivers:\n  b: {p: null, table: {a=true: 0.9, a=false: 0.2}}\n",
)

FORMS = ("table", "noisy_or", "p")  # the first given is the driver's form


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue per key that does not fit the driver's form, and per probability missing."""
    for driver, item in items(data, "drivers"):
        here = ("drivers", driver)
        if isinstance(item.get("states"), dict):
            yield from _multi_state(driver, item, where)
            continue
        given = [key for key in FORMS if key in item]
        if not given:
            hint = (
                f"add `p:` with {PROBABILITY_TAKES} "
                "(or give the driver `states`, a `table` or `noisy_or`)"
            )
            yield issue(MISSING_KEY, "missing required key `p`", hint, where, (*here, "p"))
            continue
        form = given[0]
        extra = [k for k in FORMS if k in item and k != form] + ["causes"] * (
            form != "p" and "causes" in item
        )
        for key in extra:
            message = (
                f"`{key}` cannot stand beside `{form}`: a driver's probabilities are given one way"
            )
            yield issue(CODE, message, f"remove `{key}` or `{form}`", where, (*here, key), key=True)


def _multi_state(driver: str, item: dict, where: SourceMap) -> Iterator[ScenarioIssue]:
    here = ("drivers", driver)
    for key in ("p", "causes", "noisy_or"):
        if key in item:
            if key == "noisy_or":
                message = "`noisy_or` is for binary drivers; this driver has states"
                hint = "give it a `table`, or its states' `p` and `causes`"
            else:
                message = f"a driver with states has no `{key}` of its own"
                hint = f"give each state its `{key}`" + (" under `states`" if key == "p" else "")
            yield issue(CODE, message, hint, where, (*here, key), key=True)
    table = "table" in item
    for state, body in mapping(item, "states").items():
        if not isinstance(body, dict):
            continue
        path = (*here, "states", state)
        if table:
            for key in ("p", "causes"):
                if key in body:
                    message = f"the driver has a table: its state `{state}` has no `{key}`"
                    hint = f"remove `{key}`: the table's rows give the states' probabilities"
                    yield issue(CODE, message, hint, where, (*path, key), key=True)
        elif "p" not in body:
            hint = f"add `p:` with {PROBABILITY_TAKES} (or give the driver a `table`)"
            yield issue(MISSING_KEY, "missing required key `p`", hint, where, (*path, "p"))
