"""Every id a scenario refers to exists, in the collection the reference is to (SPEC §1, §7).

**Anti-pattern**: ``causes: {ghost: raises}`` when there is no driver ``ghost`` (a typo, or an
item renamed in one place only). **Best practice**: name an id that exists; the hint lists the
closest ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import COLLECTIONS, SINGULAR, ids, issue, items, mapping, suggest
from engine.scenario.source import SourceMap

CODE = Code(
    "unknown-id",
    "a reference to an id that does not exist",
    bad="drivers:\n  b: {causes: {ghost: raises}}\n",
    good="drivers:\n  b: {causes: {a: raises}}\n",
)

# (collection, key, what the key refers to): a reference written as a value, like `signals: a`.
VALUE_REFERENCES = (
    ("indicators", "signals", "drivers"),
    ("evidence", "driver", "drivers"),
    ("evidence", "indicator", "indicators"),
    ("expect", "outcome", "outcomes"),
    ("expect", "driver", "drivers"),
    ("expect", "what_if", "what_if"),
)
# (collection, key, what the keys of that mapping refer to), like `causes: {a: raises}`.
KEY_REFERENCES = (
    ("drivers", "causes", "drivers"),
    ("outcomes", "drivers", "drivers"),
    ("what_if", "set", "drivers"),
)
DOCUMENTED = ("drivers", "outcomes", "indicators", "evidence", "what_if", "expect")


def check(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """One issue per reference to an id that does not exist.

    Covers causes, an outcome's drivers, an indicator's ``signals``, evidence's ``driver`` and
    ``indicator``, a what-if's ``set``, an expectation's ``outcome``, ``driver``, ``what_if``
    and ``more_likely_than`` (an id of the same kind as its subject), every ``sources`` list,
    and ``resolved``'s ``outcome`` and ``sources``. The hint names the closest ids that exist,
    or the collection the id belongs to.
    """
    for collection, key, target in VALUE_REFERENCES:
        for item_id, item in items(data, collection):
            value = item.get(key)
            if isinstance(value, str):
                yield from _check(data, where, value, target, (collection, item_id, key))
    for item_id, item in items(data, "expect"):
        value = item.get("more_likely_than")
        subject = "driver" if isinstance(item.get("driver"), str) else "outcome"
        if isinstance(value, str):
            path = ("expect", item_id, "more_likely_than")
            yield from _check(data, where, value, subject + "s", path)
    for collection, key, target in KEY_REFERENCES:
        for item_id, item in items(data, collection):
            for ref in mapping(item, key):
                path = (collection, item_id, key, ref)
                yield from _check(data, where, ref, target, path, key=True)
    for collection in DOCUMENTED:
        for item_id, item in items(data, collection):
            listed = item.get("sources")
            for i, ref in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(ref, str):
                    path = (collection, item_id, "sources", i)
                    yield from _check(data, where, ref, "sources", path)
    yield from _resolved(data, where)


def _check(data, where, ref: str, target: str, path, *, key: bool = False):
    known = ids(data, target)
    if ref in known:
        return
    message = f"unknown {SINGULAR[target]} `{ref}`"
    elsewhere = [c for c in COLLECTIONS if c != target and ref in ids(data, c)]
    if elsewhere:
        hint = f"`{ref}` is {_a(SINGULAR[elsewhere[0]])}, not {_a(SINGULAR[target])}; "
        hint += suggest(ref, known, target)
    else:
        hint = suggest(ref, known, target)
    yield issue(CODE, message, hint, where, path, key=key)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _resolved(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """``resolved.outcome`` is an outcome of the scenario; its ``sources`` are sources."""
    resolved = mapping(data, "resolved")
    outcome = resolved.get("outcome")
    if isinstance(outcome, str) and outcome not in ids(data, "outcomes"):
        message = f"`{outcome}` is not an outcome of this scenario"
        hint = suggest(outcome, ids(data, "outcomes"), "outcomes")
        yield issue(CODE, message, hint, where, ("resolved", "outcome"))
    listed = resolved.get("sources")
    for i, ref in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(ref, str) and ref not in ids(data, "sources"):
            message = f"`{ref}` is not a source of this scenario"
            hint = suggest(ref, ids(data, "sources"), "sources")
            yield issue(CODE, message, hint, where, ("resolved", "sources", i))
