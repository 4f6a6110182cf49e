"""A state id is not a word YAML 1.1 reads as a boolean or null (SPEC §11.2).

**Anti-pattern**: a state ``"yes"`` or ``"off"``: quoted under ``states`` it is text, but
``observed: yes`` elsewhere reads as ``true`` — the file would say something else than it seems.
**Best practice**: a word that is only text, like ``agreed`` or ``withdrawn``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import issue, items, mapping
from engine.scenario.source import SourceMap

CODE = Code(
    "state-id",
    "a state id YAML 1.1 reads as a boolean or null (yes, no, on, off, y, n, true, false, null)",
    bad='drivers:\n  a: {p: null, states: {"yes": {label: Y, p: 0.5}, no_: {label: N, p: 0.5}}}\n',
    good="drivers:\n  a: {p: null, states: {agreed: {label: Y, p: 0.5}, no_: {label: N, p: 0.5}}}\n",  # noqa: E501
)
READ_AS_BOOLEAN = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    for driver, item in items(data, "drivers"):
        for state in mapping(item, "states"):
            if isinstance(state, str) and state.lower() in READ_AS_BOOLEAN:
                message = f"the state id `{state}` reads as a boolean or null in YAML 1.1"
                hint = "name the state with a word that is only text, like `agreed` or `withdrawn`"
                yield issue(
                    CODE, message, hint, where, ("drivers", driver, "states", state), key=True
                )
