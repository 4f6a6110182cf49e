"""Rules on references between items: every id referred to must exist (SPEC §1, §7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import ScenarioIssue
from engine.scenario.rules._view import COLLECTIONS, SINGULAR, ids, issue, items, mapping, suggest
from engine.scenario.source import SourceMap

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


def unknown_ids(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Every id referred to exists, in the collection the reference is to.

    Covers causes, an outcome's drivers, an indicator's ``signals``, evidence's ``driver`` and
    ``indicator``, a what-if's ``set``, an expectation's ``outcome``, ``driver``, ``what_if``
    and ``more_likely_than`` (an id of the same kind as its subject), and every ``sources``
    list. The hint names the closest ids that exist, or the collection the id belongs to.
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
    yield issue("unknown-id", message, hint, where, path, key=key)


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def compared_with_itself(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """An expectation's ``more_likely_than`` names another item than its subject."""
    for item_id, item in items(data, "expect"):
        value = item.get("more_likely_than")
        if isinstance(value, str) and value in (item.get("outcome"), item.get("driver")):
            message = f"compares `{value}` with itself"
            hint = "name another item under `more_likely_than`"
            yield issue("bad-value", message, hint, where, ("expect", item_id, "more_likely_than"))
