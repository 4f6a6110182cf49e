"""The edits between two versions of a scenario: finding them and applying them (SPEC §9).

Pure data, no PyMC: both versions are merged mappings (``extends`` merged in, as
:func:`engine.scenario.merge.load_document` gives them), and an edit is a set of key-path
changes that can be applied to the old mapping.

What counts as one edit
-----------------------
Only the sections ``drivers``, ``outcomes``, ``indicators`` and ``evidence`` are compared; the
documentation fields (``label``, ``description``, ``rationale``, ``sources``, ``quote``),
``what_if``, ``expect``, ``inference`` and every top-level key are not edits. Within them the
leaves are:

- a driver's ``p``, an outcome's ``base`` (absent reads as its default 1), an indicator's
  ``signals``, ``if_true`` and ``if_false``: one value each, whatever its form (a word, a
  number, ``{range: [lo, hi]}`` is one value);
- one cause of a driver (``drivers.d.causes.parent``) and one effect on an outcome
  (``outcomes.k.drivers.d``): one value each, ``added`` or ``removed`` when the key is new or
  gone;
- a whole evidence item (``evidence.e``): its target, observation, ratio and date change
  together, since no half-way item is valid;
- a whole driver, outcome, indicator or evidence item that exists in one version only
  (``drivers.d``, ``added`` or ``removed``).

Words compare case- and space-insensitively (``Likely`` is ``likely``). Every leaf that names a
driver, outcome, indicator or evidence item added or removed whole (a cause on a new driver, an
effect on it, an indicator that signals it, evidence on it, a ``signals`` moved onto it) joins
that item's edit, listed in its ``includes``; so an edit is never applied without the items it
refers to, and every subset of edits applied to the old version is a valid scenario (checked by
:func:`validate_mapping`, since contradictory evidence can still arise).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.scenario.issues import ScenarioIssue
from engine.scenario.merge import MergedDocument
from engine.scenario.schema import Documented, Scenario
from engine.scenario.sections import COMPARED, NOT_EVALUATED
from engine.scenario.source import SourceMap
from engine.scenario.values import normalise_word

DOC_FIELDS = frozenset(Documented.model_fields) | {"label"}
# Fields whose value is a mapping of driver id -> effect: one leaf per key.
PER_KEY = {("drivers", "causes"), ("outcomes", "drivers")}
DEFAULTS = {("outcomes", "base"): 1}
KIND_ORDER = {"removed": 0, "changed": 1, "added": 2}


class _Absent:
    """The value at a key path that one version does not have."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One key path's value in the old and the new version (``ABSENT`` where absent)."""

    path: Path_
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is ABSENT:
            return "added"
        return "removed" if self.new is ABSENT else "changed"


@dataclass(frozen=True)
class Edit:
    """One edit: its own change, plus the references that travel with it (``includes``)."""

    change: Change
    includes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def path(self) -> str:
        """The key path as SPEC §9 and §11.6 write it: ``drivers.mission_expansion.p``,
        ``drivers.dyspnoea.table.bronchitis=true either=false``."""
        return key_path(self.change.path)

    @property
    def kind(self) -> str:
        return self.change.kind

    @property
    def parts(self) -> tuple[Change, ...]:
        return (self.change, *self.includes)

    def sort_key(self) -> tuple:
        """The documented fixed order of the sequential method: removals, changes, additions,
        each by key path."""
        return (KIND_ORDER[self.kind], self.path)

    def to_dict(self) -> dict[str, Any]:
        """``path``, ``kind``, ``old``, ``new`` (null where absent) and ``includes``."""
        return {
            "path": self.path,
            "kind": self.kind,
            "old": shown(self.change.old),
            "new": shown(self.change.new),
            "includes": [key_path(c.path) for c in self.includes],
        }


def key_path(parts: Sequence[str]) -> str:
    """Keys joined by dots, as SPEC §9 names a number (the same names as ``uncertainty``)."""
    return ".".join(str(part) for part in parts)


def shown(value: Any) -> Any:
    """A value as JSON shows it: documentation fields other than ``label`` dropped, dates as
    ISO text, ``ABSENT`` as None."""
    if value is ABSENT or value is None:
        return None
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items() if k == "label" or k not in DOC_FIELDS}
    if isinstance(value, list):
        return [shown(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _canonical(value: Any) -> Any:
    """The value compared: words normalised, documentation fields dropped."""
    if isinstance(value, str):
        return normalise_word(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if k not in DOC_FIELDS}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    return _canonical(a) == _canonical(b)


def _items(data: dict[str, Any], section: str) -> dict[str, Any]:
    items = data.get(section)
    return items if isinstance(items, dict) else {}


def _field(item: dict[str, Any], section: str, name: str) -> Any:
    if (section, name) in PER_KEY:
        return item.get(name) or {}
    return item.get(name, DEFAULTS.get((section, name), ABSENT))


def leaf_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every key path under the compared sections whose value differs, in file order."""
    changes = []
    for section in COMPARED:
        before, after = _items(old, section), _items(new, section)
        for name in [*before, *(n for n in after if n not in before)]:
            path = (section, name)
            if name not in after or name not in before:
                a, b = before.get(name, ABSENT), after.get(name, ABSENT)
                changes.append(Change(path, a, b))
            elif section == "evidence" or (
                section == "drivers" and _form(before[name]) != _form(after[name])
            ):  # no half-way item is valid: a driver that changes its form is one edit
                if not _same(before[name], after[name]):
                    changes.append(Change(path, before[name], after[name]))
            elif section == "drivers":
                changes += _driver_changes(path, before[name], after[name], _order(new))
            else:
                changes += _field_changes(path, before[name], after[name])
    return changes


def _form(driver: dict) -> tuple:
    """How a driver's probabilities are given (SPEC §11): its form and its states."""
    kind = next((k for k in ("table", "noisy_or", "p") if k in driver), None)
    states = driver.get("states")
    return kind, tuple(states) if isinstance(states, dict) else None


def _order(data: dict) -> dict[str, int]:
    return {d: i for i, d in enumerate(_items(data, "drivers"))}


def canonical_row(row: str, order: dict[str, int]) -> str:
    """A table row's key with its parents in the scenario's order of drivers (SPEC §11.6)."""
    return " ".join(sorted(row.split(), key=lambda c: order.get(c.partition("=")[0], -1)))


def _leaves(driver: dict, order: dict[str, int]) -> dict[tuple, Any]:
    """Every number of a driver of a given form, by its path under the driver: ``p``, each
    cause, each state's ``p`` and causes, each table row (each cell of a multi-state row), each
    noisy-OR value."""
    out: dict[tuple, Any] = {}
    if "p" in driver:
        out["p",] = driver["p"]
    for key, value in (driver.get("causes") or {}).items():
        out["causes", key] = value
    for state, body in (driver.get("states") or {}).items():
        if isinstance(body, dict):
            if "p" in body:
                out["states", state, "p"] = body["p"]
            for key, value in (body.get("causes") or {}).items():
                out["states", state, "causes", key] = value
    for row, value in (driver.get("table") or {}).items():
        row = canonical_row(row, order)
        if isinstance(value, dict):
            out.update({("table", row, state): cell for state, cell in value.items()})
        else:
            out["table", row] = value
    for key, value in (driver.get("noisy_or") or {}).items():
        out["noisy_or", key] = value
    return out


def _driver_changes(path: Path_, before: dict, after: dict, order) -> list[Change]:
    a, b = _leaves(before, order), _leaves(after, order)
    return [
        Change((*path, *leaf), a.get(leaf, ABSENT), b.get(leaf, ABSENT))
        for leaf in [*a, *(k for k in b if k not in a)]
        if not _same(a.get(leaf, ABSENT), b.get(leaf, ABSENT))
    ]


def canonical_tables(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every table's row keys in canonical order (a copy), so that an edit's path
    names the row the way both versions hold it."""
    data = copy.deepcopy(data)
    order = _order(data)
    for driver in _items(data, "drivers").values():
        if isinstance(driver, dict) and isinstance(driver.get("table"), dict):
            driver["table"] = {canonical_row(r, order): v for r, v in driver["table"].items()}
    return data


def _field_changes(path: Path_, before: dict, after: dict) -> list[Change]:
    section = path[0]
    names = [n for n in [*before, *(n for n in after if n not in before)] if n not in DOC_FIELDS]
    changes = []
    for name in names:
        a, b = _field(before, section, name), _field(after, section, name)
        if (section, name) not in PER_KEY:
            if not _same(a, b):
                changes.append(Change((*path, name), a, b))
            continue
        for key in [*a, *(k for k in b if k not in a)]:
            x, y = a.get(key, ABSENT), b.get(key, ABSENT)
            if not _same(x, y):
                changes.append(Change((*path, name, key), x, y))
    return changes


# Mappings whose keys are conditions on drivers (SPEC §11.2), and tables whose keys are rows.
CONDITION_MAPPINGS = ("causes", "drivers", "noisy_or")


def _drivers_named(text: str) -> set[tuple[str, str]]:
    """The drivers a condition (``X``, ``X=s``) or a table row names."""
    return {("drivers", part.partition("=")[0]) for part in str(text).split()}


def _named_in(value: dict) -> set[tuple[str, str]]:
    """The drivers a whole item's value names through its conditions."""
    named: set[tuple[str, str]] = set()
    for key in CONDITION_MAPPINGS:
        if isinstance(value.get(key), dict):
            for condition in value[key]:
                if condition != "leak":
                    named |= _drivers_named(condition)
    states = value.get("states")
    for body in states.values() if isinstance(states, dict) else ():
        if isinstance(body, dict):
            named |= _named_in(body)
    if isinstance(value.get("table"), dict):
        for row in value["table"]:
            named |= _drivers_named(row)
    return named


def _refers_to(change: Change) -> set[tuple[str, str]]:
    """The items a change names: its own item, the drivers its key path's conditions name, and
    any id its old or new value refers to."""
    named = {(change.path[0], change.path[1])}
    for before, key in zip(change.path, change.path[1:]):
        if before in (*CONDITION_MAPPINGS, "table") and key != "leak":
            named |= _drivers_named(key)
    for value in (change.old, change.new):
        if len(change.path) == 3 and change.path[2] == "signals" and isinstance(value, str):
            named |= _drivers_named(value)
        if not isinstance(value, dict):
            continue
        named |= _named_in(value)
        for key in ("signals", "driver"):
            if isinstance(value.get(key), str):
                named |= _drivers_named(value[key])
        if isinstance(value.get("indicator"), str):
            named.add(("indicators", value["indicator"]))
    return named


def find_edits(old: dict[str, Any], new: dict[str, Any]) -> list[Edit]:
    """The edits from ``old`` to ``new`` (both resolved mappings), in file order.

    A change that names an item added or removed whole is grouped into that item's edit (see
    the module docstring); when a change names two such items, their edits become one.
    """
    changes = leaf_changes(old, new)
    whole = {c.path: i for i, c in enumerate(changes) if len(c.path) == 2 and c.kind != "changed"}
    group = list(range(len(changes)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, change in enumerate(changes):
        for item in _refers_to(change):
            if item in whole:
                a, b = sorted((root(i), root(whole[item])), key=_anchor_rank(changes, whole))
                group[b] = a
    bundles: dict[tuple, int] = {}
    for i, change in enumerate(changes):  # numbers that must add up to 1 change together
        bundle = _bundle(change)
        if bundle is not None:
            if bundle in bundles:
                a, b = sorted((root(i), root(bundles[bundle])))
                group[b] = a
            else:
                bundles[bundle] = i
    members: dict[int, list[Change]] = {}
    for i, change in enumerate(changes):
        members.setdefault(root(i), []).append(change)
    return [
        Edit(changes[r], tuple(c for c in parts if c is not changes[r]))
        for r, parts in members.items()
    ]


def _bundle(change: Change) -> tuple | None:
    """The numbers a change must travel with (SPEC §11.1, §11.3): the cells of one row of a
    multi-state table, or the states' ``p`` of one driver — written as fixed numbers they add
    up to 1, so one of them cannot change alone."""
    path = change.path
    if path[0] == "drivers" and len(path) == 5 and path[2] == "table":
        return path[:4]
    if path[0] == "drivers" and len(path) == 5 and path[2] == "states" and path[4] == "p":
        return (*path[:3], "p")
    return None


def _anchor_rank(changes: list[Change], whole: dict[Path_, int]):
    """Order of preference for the change a group is named after: a whole item first (by
    section), then file order."""

    def rank(i: int) -> tuple:
        is_whole = whole.get(changes[i].path) == i
        return (not is_whole, COMPARED.index(changes[i].path[0]), i)

    return rank


def apply_edits(base: dict[str, Any], edits: Iterable[Edit]) -> dict[str, Any]:
    """``base`` (the old mapping) with the edits' new values written in; ``base`` is unchanged.

    Added items go to the end of their section, so the order of drivers (and so the graph a
    compiled model is cached by) does not change when only values change.
    """
    data = copy.deepcopy(base)
    for edit in edits:
        for change in edit.parts:
            _write(data, change.path, change.new)
    return data


def _write(data: dict[str, Any], path: Path_, value: Any) -> None:
    node = data
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is ABSENT:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = copy.deepcopy(value)


def evaluated_base(
    old: dict[str, Any], new: dict[str, Any], inference: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The old mapping as the starting point of every evaluation.

    ``what_if`` and ``expect`` are dropped (they do not change the main result and may name ids
    an edit removes); ``sources`` holds both versions' sources, so items brought in from the new
    version cite sources that exist; ``inference`` is the one given (the same for every subset).
    """
    data = {k: copy.deepcopy(v) for k, v in old.items() if k not in NOT_EVALUATED}
    sources = {**_items(old, "sources"), **_items(new, "sources")}
    if sources:
        data["sources"] = copy.deepcopy(sources)
    if inference is not None:
        data["inference"] = dict(inference)
    elif "inference" in new:
        data["inference"] = copy.deepcopy(new["inference"])
    return data


def validate_mapping(
    data: dict[str, Any], name: str = "<diff>"
) -> tuple[Scenario | None, list[ScenarioIssue]]:
    """Validate a mapping built by :func:`apply_edits` (no file behind it, so no line numbers)."""
    from engine.scenario.validate import (
        validate_document,  # engine.scenario.validate imports the rules
    )

    document = MergedDocument(Path(name), data, SourceMap(name), (Path(name),))
    return validate_document(document)


def sequential_order(edits: Sequence[Edit]) -> list[int]:
    """Indices of ``edits`` in the documented fixed order: removals, changes, additions, each
    by key path."""
    return sorted(range(len(edits)), key=lambda i: edits[i].sort_key())


def same_outcomes(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether both versions have the same outcome ids."""
    return set(_items(old, "outcomes")) == set(_items(new, "outcomes"))
