"""Every id a scenario refers to exists, in the collection the reference is to (SPEC §1, §7).

**Anti-pattern**: ``causes: {ghost: raises}`` when there is no driver ``ghost`` (a typo, or an
item renamed in one place only). **Best practice**: name an id that exists; the hint lists the
closest ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import (
    conditions,
    ids,
    issue,
    items,
    mapping,
    outcome_ids,
    suggest,
)
from engine.scenario.sections import CITING, SECTIONS, SINGULAR
from engine.scenario.source import SourceMap

CODE = Code(
    "unknown-id",
    "a reference to an id that does not exist",
    bad="drivers:\n  b: {causes: {ghost: raises}}\n",
    good="drivers:\n  b: {causes: {a: raises}}\n",
)

# (collection, key, what the key refers to): a reference written as a value, like
# `indicator: i`. Conditions on drivers (`signals: a`, `causes: {a=s: raises}`, ...) are read by
# engine.scenario.rules._view.conditions.
VALUE_REFERENCES = (
    ("evidence", "indicator", "indicators"),
    ("expect", "what_if", "what_if"),
)
# (collection, key, what the keys of that mapping refer to), like `set: {a: true}`.
KEY_REFERENCES = (("what_if", "set", "drivers"),)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue per reference to an id that does not exist.

    Covers causes, an outcome's drivers, an indicator's ``signals``, evidence's ``driver`` and
    ``indicator``, a what-if's ``set``, an expectation's ``outcome``, ``driver``, ``what_if``
    and ``more_likely_than`` (an id of the same kind as its subject), every ``sources`` list,
    and ``resolved``'s ``outcome`` and ``sources``. The hint names the closest ids that exist,
    or the collection the id belongs to.
    """
    listed = _Listed(data)
    for collection, key, target in VALUE_REFERENCES:
        for item_id, item in items(data, collection):
            value = item.get(key)
            if isinstance(value, str):
                yield from _reference(listed, where, value, target, (collection, item_id, key))
    for ref in conditions(data):
        yield from _reference(listed, where, ref.driver, "drivers", ref.path, key=ref.key)
    for item_id, item in items(data, "evidence"):
        target = item.get("driver")
        if item.get("observed") is not None and isinstance(target, str) and "=" not in target:
            yield from _reference(listed, where, target, "drivers", ("evidence", item_id, "driver"))
    if isinstance(data.get("outcomes_from"), str):
        yield from _reference(listed, where, data["outcomes_from"], "drivers", ("outcomes_from",))
    for item_id, item in items(data, "expect"):
        keys = ("outcome", "more_likely_than") if "driver" not in item else ()
        for key in keys:
            if isinstance(item.get(key), str | bool):
                path = ("expect", item_id, key)
                yield from _outcome(listed, where, item[key], path)
    for collection, key, target in KEY_REFERENCES:
        for item_id, item in items(data, collection):
            for ref in mapping(item, key):
                path = (collection, item_id, key, ref)
                yield from _reference(listed, where, ref, target, path, key=True)
    for collection in CITING:
        for item_id, item in items(data, collection):
            cited = item.get("sources")
            for i, ref in enumerate(cited if isinstance(cited, list) else []):
                if isinstance(ref, str):
                    path = (collection, item_id, "sources", i)
                    yield from _reference(listed, where, ref, "sources", path)
    yield from _resolved(listed, where)


class _Listed:
    """Each collection's ids, in file order and as a set, listed once per check: an imported
    network refers to its drivers hundreds of thousands of times."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._held: dict[str, tuple[list[str], set[str]]] = {}

    def __call__(self, collection: str) -> tuple[list[str], set[str]]:
        if collection not in self._held:
            known = ids(self.data, collection)
            self._held[collection] = (known, set(known))
        return self._held[collection]


def _outcome(listed: _Listed, where, ref: str | bool, path, *, resolved: bool = False):
    name = ("true" if ref else "false") if isinstance(ref, bool) else ref
    known = outcome_ids(listed.data)
    if resolved and name not in known:
        message = f"`{name}` is not an outcome of this scenario"
        yield issue(CODE, message, suggest(name, known, "outcomes"), where, path)
    elif not resolved:
        yield from _reference(listed, where, name, "outcomes", path, known=known)


def _reference(
    listed: _Listed, where, ref: str, target: str, path, *, key: bool = False, known=None
):
    if known is None:
        known, members = listed(target)
        if ref in members:
            return
    elif ref in known:
        return
    message = f"unknown {SINGULAR[target]} `{ref}`"
    elsewhere = [c for c in SECTIONS if c != target and ref in listed(c)[1]]
    if elsewhere:
        hint = f"`{ref}` is {_a(SINGULAR[elsewhere[0]])}, not {_a(SINGULAR[target])}; "
        hint += suggest(ref, known, target)
    else:
        hint = suggest(ref, known, target)
    yield issue(CODE, message, hint, where, path, key=key)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _resolved(listed: _Listed, where: SourceMap) -> Iterator[ScenarioIssue]:
    """``resolved.outcome`` is an outcome of the scenario; its ``sources`` are sources."""
    resolved = mapping(listed.data, "resolved")
    outcome = resolved.get("outcome")
    if isinstance(outcome, str | bool):
        yield from _outcome(listed, where, outcome, ("resolved", "outcome"), resolved=True)
    cited = resolved.get("sources")
    for i, ref in enumerate(cited if isinstance(cited, list) else []):
        if isinstance(ref, str) and ref not in listed("sources")[1]:
            message = f"`{ref}` is not a source of this scenario"
            hint = suggest(ref, listed("sources")[0], "sources")
            yield issue(CODE, message, hint, where, ("resolved", "sources", i))
