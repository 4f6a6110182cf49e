"""A lenient view of raw scenario values: what rules read, skipping anything malformed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.source import KeyPath, SourceMap


def ids(data: dict[str, Any], collection: str) -> list[str]:
    """The ids of a collection, in file order; none when it is not a mapping."""
    value = data.get(collection)
    return [key for key in value if isinstance(key, str)] if isinstance(value, dict) else []


def items(data: dict[str, Any], collection: str) -> list[tuple[str, dict[str, Any]]]:
    """(id, item) for every item of a collection that is a mapping."""
    value = data.get(collection)
    if not isinstance(value, dict):
        return []
    return [(key, item) for key, item in value.items() if isinstance(item, dict)]


def mapping(item: dict[str, Any], key: str) -> dict[str, Any]:
    """``item[key]`` when it is a mapping, else an empty one."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def issue(
    code: Code, message: str, hint: str, where: SourceMap, path: KeyPath, *, key: bool = False
) -> ScenarioIssue:
    """An issue of ``code`` placed at ``path`` (at its key when ``key``)."""
    here = where.locate(path, key=key)
    return ScenarioIssue(code.name, message, hint, here.file, here.line, here.column, tuple(path))


def suggest(word: str, choices: list[str], what: str, limit: int = 8) -> str:
    """``did you mean `x`? (drivers: a, b, c)`` — the closest choices first, then the rest."""
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    if not choices:
        return f"there are no {what} in this scenario"
    listed = ", ".join(choices[:limit]) + (", ..." if len(choices) > limit else "")
    if close:
        return f"did you mean {' or '.join(f'`{c}`' for c in close)}? ({what}: {listed})"
    return f"write one of the {what}: {listed}"


# --- drivers, their states and the conditions on them (SPEC §11) -------------------------------

BINARY_STATES = ("false", "true")


def driver_states(data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each driver's states: its ``states``' ids, or ``false``, ``true`` for a binary driver."""
    out = {}
    for driver, item in items(data, "drivers"):
        states = item.get("states")
        if isinstance(states, dict):
            out[driver] = tuple(s for s in states if isinstance(s, str))
        else:
            out[driver] = BINARY_STATES
    return out


def is_multi_state(data: dict[str, Any], driver: str) -> bool:
    value = mapping(data, "drivers").get(driver)
    return isinstance(value, dict) and isinstance(value.get("states"), dict)


@dataclass(frozen=True)
class ConditionRef:
    """One place a condition (``X`` or ``X=s``, SPEC §11.2) is written.

    ``owner`` is the driver whose probabilities the condition feeds (its parent is X), or None
    (an outcome's effect, an indicator, evidence, an expectation); ``mapping`` names the mapping
    the condition is a key of (for "written twice"), None for a value.
    """

    text: str
    path: KeyPath
    key: bool
    owner: str | None = None
    mapping: KeyPath | None = None

    @property
    def driver(self) -> str:
        return self.text.partition("=")[0]

    @property
    def state(self) -> str | None:
        return self.text.partition("=")[2] or None


def conditions(data: dict[str, Any]) -> list[ConditionRef]:
    """Every condition written in the file, in file order of the sections."""
    refs: list[ConditionRef] = []

    def keys(section: KeyPath, value: Any, owner: str | None, skip=()) -> None:
        if isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and key not in skip:
                    refs.append(ConditionRef(key, (*section, key), True, owner, section))

    for driver, item in items(data, "drivers"):
        keys(("drivers", driver, "causes"), item.get("causes"), driver)
        for state, body in mapping(item, "states").items():
            if isinstance(body, dict):
                keys(("drivers", driver, "states", state, "causes"), body.get("causes"), driver)
        keys(("drivers", driver, "noisy_or"), item.get("noisy_or"), driver, skip=("leak",))
        for row in mapping(item, "table"):
            if isinstance(row, str):
                for part in row.split():
                    refs.append(ConditionRef(part, ("drivers", driver, "table", row), True, driver))
    for outcome, item in items(data, "outcomes"):
        keys(("outcomes", outcome, "drivers"), item.get("drivers"), None)
    for indicator, item in items(data, "indicators"):
        if isinstance(item.get("signals"), str):
            refs.append(ConditionRef(item["signals"], ("indicators", indicator, "signals"), False))
    for name, item in items(data, "evidence"):
        target = item.get("driver")
        if isinstance(target, str) and not _hard_alone(item):
            refs.append(ConditionRef(target, ("evidence", name, "driver"), False))
    for name, item in items(data, "expect"):
        for key in ("driver",) + (("more_likely_than",) if "driver" in item else ()):
            if isinstance(item.get(key), str):
                refs.append(ConditionRef(item[key], ("expect", name, key), False))
    return refs


def outcome_ids(data: dict[str, Any]) -> list[str]:
    """The outcome ids: ``outcomes``' own, or the states of ``outcomes_from`` (a binary
    driver's ``true``, ``false``)."""
    source = data.get("outcomes_from")
    if isinstance(source, str) and "outcomes" not in data:
        states = driver_states(data).get(source)
        if states == BINARY_STATES:
            return ["true", "false"]
        return list(states or ())
    return ids(data, "outcomes")


def _hard_alone(item: dict[str, Any]) -> bool:
    """Hard evidence on a driver named alone: ``driver: X, observed: <state>``, not a condition."""
    target = item.get("driver")
    return item.get("observed") is not None and isinstance(target, str) and "=" not in target
