"""Validating scenario files: the format (``engine.schema``) and cross-references.

Reading problems (``engine.loader``), format problems and cross-reference problems
(``engine.rules``) of a file are all reported together, sorted by place. Pydantic's errors are
translated here into :class:`~engine.errors.ScenarioIssue` records: the key path from ``loc``,
the line and column from the document's :class:`~engine.loader.SourceMap`, and a hint saying
what to write instead.

When two stages find a problem at the same place (a key YAML reads as a boolean that is then
also an unknown key), only the earlier stage's is kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import ScenarioError, ScenarioIssue, sort_issues
from engine.loader import KeyPath, ResolvedDocument, read_document
from engine.priors import EFFECT_WORDS, PROBABILITY_BANDS, normalise_word
from engine.rules import check_rules
from engine.schema import (
    Documented,
    Driver,
    Evidence,
    Expectation,
    Indicator,
    Inference,
    Outcome,
    Scenario,
    Source,
    WhatIf,
)

ITEM_MODELS: dict[str, type[BaseModel]] = {
    "sources": Source,
    "drivers": Driver,
    "outcomes": Outcome,
    "indicators": Indicator,
    "evidence": Evidence,
    "what_if": WhatIf,
    "expect": Expectation,
}
PROBABILITY_WORD_LIST = [word for words, _, _ in PROBABILITY_BANDS for word in words]
EFFECT_WORD_LIST = list(EFFECT_WORDS)
_PROBABILITY = (
    "a number between 0 and 1, a word such as `likely`, {range: [lo, hi]} or {beta: [a, b]}"
)
_EFFECT = (
    "a number, a word such as `raises`, {odds_ratio: x}, {range: [lo, hi]} or {normal: [mean, sd]}"
)
_DATE = "a date written YYYY-MM-DD, like 2022-01-07"
_TEXT = "text"
# What each key takes, by its name (top-level keys first, where the name means something else).
TOP_TAKES = {
    "signpost": "`1`, the format version",
    "id": "the scenario's id: lower-case letters, digits and -, like kz-2022-baseline",
    "sources": "a mapping of source ids to sources (title, author, url, ...)",
    "drivers": "a mapping of driver ids to drivers (label, p, causes, ...)",
    "outcomes": "a mapping of outcome ids to outcomes (label, base, drivers, ...)",
    "indicators": "a mapping of indicator ids to indicators",
    "evidence": "a mapping of evidence ids to evidence items",
    "what_if": "a mapping of what-if ids to what-ifs",
    "expect": "a mapping of expectation ids to expectations",
    "inference": "a mapping of settings (method, seed, chains, draws, tune, target_accept)",
    "resolved": "a mapping: outcome (the id of the outcome that happened), on (a date after "
    "as_of), sources (a list of source ids) and an optional note",
    "authors": "a list of names, like [Jane Doe]",
}
TAKES = {
    "title": _TEXT,
    "question": _TEXT,
    "description": _TEXT,
    "rationale": _TEXT,
    "quote": _TEXT,
    "label": "a short phrase, like: The mission expands",
    "author": _TEXT,
    "publisher": _TEXT,
    "url": "a web address starting with https:// or http://",
    "p": "a probability: " + _PROBABILITY,
    "if_true": "a probability: " + _PROBABILITY,
    "if_false": "a probability: " + _PROBABILITY,
    "causes": "a mapping of driver ids to effects, like `mission_expansion: raises`",
    "drivers": "a mapping of driver ids to effects, like `mission_expansion: raises`",
    "base": "a positive number (the outcome's relative weight, 1 when left out)",
    "signals": "the id of a driver",
    "driver": "the id of a driver",
    "indicator": "the id of an indicator",
    "outcome": "the id of an outcome",
    "what_if": "the id of a what-if",
    "more_likely_than": "the id of another outcome (or driver)",
    "observed": "true or false",
    "likelihood_ratio": "a positive number, like 2",
    "set": "a mapping of driver ids to true or false, like {mission_expansion: true}",
    "between": "two numbers between 0 and 1, like [0.3, 0.8]",
    "at_least": "a number between 0 and 1",
    "at_most": "a number between 0 and 1",
    "most_likely": "true",
    "sources": "a list of source ids, like [trenin]",
    "seed": "a whole number, 0 or more",
    "chains": "a whole number from 1 to 16",
    "draws": "a whole number from 50 to 100000",
    "tune": "a whole number from 50 to 100000",
    "target_accept": "a number between 0.5 and 1, like 0.9",
    "method": "auto, importance or nuts",
    "note": _TEXT,
}
DATE_KEYS = {"as_of", "horizon", "date", "published", "accessed", "on"}
EXPECTED = {
    "string_type": "text",
    "float_type": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "date_type": "a date",
    "probability_type": "a probability",
    "effect_type": "an effect",
    "not_a_number": "a number",
    "literal_error": "",
}
RANGE_CODES = {"probability_range": "probability-range", "range_order": "range-order"}
NOT_FINITE = {"not_finite", "finite_number"}
_DATE_TEXT = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@dataclass
class Checked:
    """The outcome of checking one file.

    Attributes
    ----------
    path : Path
        The file as named.
    document : ResolvedDocument or None
        The resolved values, when the file could be read into values.
    scenario : Scenario or None
        The validated scenario, when there is no issue.
    issues : list of ScenarioIssue
        Every problem, sorted by place.
    """

    path: Path
    document: ResolvedDocument | None
    scenario: Scenario | None
    issues: list[ScenarioIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file is a valid scenario."""
        return self.scenario is not None and not self.issues


def check_file(path: str | Path) -> Checked:
    """Read, resolve and validate one scenario file, collecting every problem.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Checked
        The document, the scenario (None unless there is no issue) and the issues.
    """
    path = Path(path)
    document, issues = read_document(path)
    if document is None:
        return Checked(path, None, None, sort_issues(issues))
    scenario, found = check_document(document)
    issues = _first_per_place(issues, found)
    return Checked(path, document, scenario if not issues else None, sort_issues(issues))


def check_files(paths: Iterable[str | Path]) -> list[Checked]:
    """Check several files as one batch: each on its own, then scenario ids across them.

    Parameters
    ----------
    paths : iterable of str or Path
        Scenario files (see :func:`engine.loader.discover` to expand folders).

    Returns
    -------
    list of Checked
        One per file, in order; a file whose id repeats an earlier file's gets an issue.
    """
    checked = [check_file(path) for path in paths]
    for issue in check_unique_ids(c.document for c in checked if c.document is not None):
        for entry in checked:
            if entry.document is not None and str(entry.path) == issue.file:
                entry.issues = sort_issues([*entry.issues, issue])
                entry.scenario = None
    return checked


def check_document(document: ResolvedDocument) -> tuple[Scenario | None, list[ScenarioIssue]]:
    """Validate a resolved document against the format and the cross-reference rules.

    Parameters
    ----------
    document : ResolvedDocument
        From :func:`engine.loader.read_document`.

    Returns
    -------
    scenario : Scenario or None
        The validated scenario, None if there is any issue.
    issues : list of ScenarioIssue
        Format and cross-reference problems, unsorted.
    """
    scenario, issues = None, []
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as exc:
        issues = [_translate(error, document) for error in exc.errors(include_url=False)]
    issues = _first_per_place(issues, check_rules(document.data, document.where))
    return (scenario if not issues else None), issues


def check_unique_ids(documents: Iterable[ResolvedDocument]) -> list[ScenarioIssue]:
    """Scenario ids are unique within a batch (SPEC §1): they name the report folders.

    Parameters
    ----------
    documents : iterable of ResolvedDocument
        The batch, in order.

    Returns
    -------
    list of ScenarioIssue
        One issue, at the ``id``, for every document whose id an earlier one already has.
    """
    first: dict[str, Path] = {}
    issues = []
    for document in documents:
        scenario_id = document.data.get("id")
        if not isinstance(scenario_id, str):
            continue
        if scenario_id not in first:
            first[scenario_id] = document.path
            continue
        here = document.where.locate(("id",))
        message = f"scenario id `{scenario_id}` is also the id of {first[scenario_id]}"
        hint = "give each scenario its own id (it names the scenario's report)"
        issues.append(
            ScenarioIssue(
                "duplicate-id",
                message,
                hint,
                str(document.path),
                here.line,
                here.column,
                ("id",),
            )
        )
    return issues


def _first_per_place(
    earlier: list[ScenarioIssue], later: list[ScenarioIssue]
) -> list[ScenarioIssue]:
    """``earlier`` and those of ``later`` not at a place an earlier issue already points at."""
    taken = {(i.file, i.line, i.column) for i in earlier if i.line}
    return [*earlier, *(i for i in later if (i.file, i.line, i.column) not in taken)]


# --- pydantic errors -> issues -----------------------------------------------------------------


def _translate(error: dict[str, Any], document: ResolvedDocument) -> ScenarioIssue:
    kind = error["type"]
    path, about_key = _path_of(error, document.data)
    if kind == "range_order" and len(path) == 2 and path[0] == "expect":
        path += ("between",)  # raised by the expectation's model validator
    value = _value_at(document.data, path)
    code, message, hint = _explain(kind, error, path, value, about_key, document)
    key = about_key or kind in ("missing", "extra_forbidden")
    if kind == "missing":
        here = document.where.locate(path[:-1], key=True)
    else:
        here = document.where.locate(path, key=key)
    return ScenarioIssue(code, message, hint, here.file, here.line, here.column, path)


_MISSING = object()


def _path_of(error: dict[str, Any], data: Any) -> tuple[KeyPath, bool]:
    """The key path pydantic's ``loc`` names in the data, and whether the error is about a key.

    Parts of ``loc`` that name no key of the data (union members, validators) are dropped; the
    last part of a ``missing`` error is kept.
    """
    path: list[str | int] = []
    node, about_key = data, False
    loc = error["loc"]
    for i, part in enumerate(loc):
        if part == "[key]":
            about_key = True
        elif isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif error["type"] == "missing" and i == len(loc) - 1:
            path.append(part)
    return tuple(path), about_key


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def _explain(kind, error, path, value, about_key, document) -> tuple[str, str, str]:
    """(code, message, hint) for one pydantic error."""
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if kind == "missing":
        return "missing-key", f"missing required key `{name}`", _missing_hint(path, document)
    if kind == "extra_forbidden":
        return "unknown-key", f"unknown key `{name}`", _unknown_key_hint(path, name)
    if about_key:
        return _bad_key(name, path, kind)
    if kind in ("unknown_probability_word", "unknown_effect_word"):
        return _unknown_word(kind, value, path, document)
    if kind == "string_pattern_mismatch":
        return _pattern(name, value, path)
    if kind in NOT_FINITE:
        shown = _yaml_text(value)
        return "not-finite", f"`{shown}` is not a finite number", "write an ordinary number"
    if kind in RANGE_CODES:
        return RANGE_CODES[kind], error["msg"], _range_hint(kind, value)
    if kind in EXPECTED:
        return _wrong_type(kind, error, name, path, value, document)
    return "bad-value", _bad_value_message(kind, error, value), _bad_value_hint(kind, name, path)


def _bad_value_message(kind: str, error: dict[str, Any], value: Any) -> str:
    ctx = error.get("ctx") or {}
    if kind == "too_short" and isinstance(value, dict | list):
        return f"has {len(value)}, fewer than the {ctx.get('min_length', '')} needed"
    if kind == "too_long" and isinstance(value, dict | list):
        return f"has {len(value)}, more than the {ctx.get('max_length', '')} allowed"
    if kind == "string_too_short":
        return "is empty"
    return _short(error["msg"])


def _takes(name: str, path: KeyPath) -> str:
    if len(path) == 1 and name in TOP_TAKES:
        return TOP_TAKES[name]
    if name in DATE_KEYS:
        return _DATE
    return TAKES.get(name, "")


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """The model whose keys are allowed at ``path`` (the mapping holding the key)."""
    if not path:
        return Scenario
    if path == ("inference",):
        return Inference
    if len(path) == 2 and path[0] in ITEM_MODELS:
        return ITEM_MODELS[path[0]]
    return None


def _missing_hint(path: KeyPath, document: ResolvedDocument) -> str:
    name = path[-1]
    if path == ("id",) and len(document.chain) > 1:
        return "`id` is never inherited through `extends`: give this file its own id"
    takes = _takes(str(name), path)
    return f"add `{name}:` with {takes}" if takes else f"add `{name}:`"


def _unknown_key_hint(path: KeyPath, name: str) -> str:
    model = _model_at(path[:-1])
    if model is None:
        return "remove it"
    documented = set(Documented.model_fields)  # the item's own keys first
    allowed = [key for key in model.model_fields if key not in documented]
    allowed += [key for key in model.model_fields if key in documented]
    close = difflib.get_close_matches(name, allowed, n=2, cutoff=0.6)
    listed = ", ".join(allowed)
    if close:
        return f"did you mean {' or '.join(f'`{c}`' for c in close)}? (keys here: {listed})"
    return f"the keys here are: {listed}"


def _bad_key(name: str, path: KeyPath, kind: str) -> tuple[str, str, str]:
    slug = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    slug = slug if re.match(r"^[a-z]", slug) else f"x_{slug}".rstrip("_")
    hint = f"an id is lower-case letters, digits and _, starting with a letter, like `{slug}`"
    return "bad-id", f"`{name}` is not a valid id", hint


def _pattern(name: str, value: Any, path: KeyPath) -> tuple[str, str, str]:
    shown = _short(str(value))
    if name == "url":
        message = f"the url `{shown}` does not start with http:// or https://"
        hint = "write the web address of the source; other schemes (javascript:, file:, ...) "
        return "bad-url", message, hint + "are not allowed"
    if path == ("id",):
        hint = "a scenario id is lower-case letters, digits and -, like `kz-2022-baseline`"
        return "bad-id", f"`{shown}` is not a valid scenario id", hint
    return _bad_key(shown, path, "string_pattern_mismatch")


def _unknown_word(kind, value, path, document) -> tuple[str, str, str]:
    text = str(value)
    number = _as_number(text)
    if number is not None:
        return _number_as_text(text, number, path, document)
    probability = kind == "unknown_probability_word"
    words = PROBABILITY_WORD_LIST if probability else EFFECT_WORD_LIST
    close = difflib.get_close_matches(normalise_word(text), words, n=3, cutoff=0.5)
    ordered = close + [word for word in words if word not in close]
    what = "probability" if probability else "effect"
    hint = "write one of: " + ", ".join(ordered)
    return "unknown-word", f"unknown {what} word '{_short(text)}'", hint


def _as_number(text: str) -> float | None:
    try:
        number = float(text.replace("_", "x"))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number_as_text(text: str, number: float, path: KeyPath, document: ResolvedDocument):
    style = document.where.locate(path).style
    if style is None:  # plain: YAML 1.1 reads `1e-3` (no dot) as text
        message = f"YAML reads `{text}` as text, not as a number"
        hint = f"write it with a decimal point, as {number!r}"
        return "wrong-type", message, hint
    message = f"'{text}' is quoted, so it is text, not a number"
    return "wrong-type", message, f"write {text} without quotes"


def _yaml_text(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, dict | list):
        return "this value"
    return _short(str(value))


def _range_hint(kind: str, value: Any) -> str:
    if kind == "range_order":
        return "write the low end first, like [0.2, 0.4]"
    if isinstance(value, int | float) and 1 < value <= 100 and value == int(value):
        return f"a probability is not a percentage: write {value / 100:g}"
    return "write a number strictly between 0 and 1, or a word such as `almost certain`"


def _kind_of(value: Any) -> str:
    if value is None or value is _MISSING:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {_yaml_text(value)}"
    if isinstance(value, dt.datetime):
        return "a date with a time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, str):
        return f"the text '{_short(value, 40)}'"
    return "a list" if isinstance(value, list) else "a mapping"


def _wrong_type(kind, error, name, path, value, document) -> tuple[str, str, str]:
    expected = EXPECTED[kind]
    if kind == "literal_error":
        expected = f"`{error.get('ctx', {}).get('expected', '')}`"
    takes = _takes(name, path) or expected
    if kind == "effect_type":
        takes = _EFFECT
    elif kind == "probability_type":
        takes = _PROBABILITY
    message = f"expected {expected}, got {_kind_of(value)}"
    if value is None:
        return "wrong-type", f"`{name}` has no value", f"write {takes}, or remove the key"
    if isinstance(value, str):
        number = _as_number(value)
        if number is not None and kind in ("float_type", "int_type", "not_a_number"):
            return _number_as_text(value, number, path, document)
        if kind == "date_type" and _DATE_TEXT.match(value):
            return "wrong-type", message, "write the date unquoted as YYYY-MM-DD"
    if kind == "date_type" and isinstance(value, dt.datetime):
        return "wrong-type", message, "write only the date, YYYY-MM-DD, without a time"
    if kind == "string_type" and isinstance(value, bool):
        hint = "YAML reads yes, no, on, off, true and false as true/false: quote the text"
        return "wrong-type", message, hint
    if kind == "string_type" and value is not _MISSING and not isinstance(value, list | dict):
        return "wrong-type", message, "put the text in quotes, or write " + takes
    return "wrong-type", message, f"write {takes}"


_BAD_VALUE_HINTS = {
    "evidence_target": "write either `driver: <id>` or `indicator: <id>`",
    "evidence_kind": "hard evidence: `observed: true` or `false`; soft: `likelihood_ratio: 2`",
    "soft_indicator": "write `observed: true` or `observed: false`",
    "expect_subject": "write either `outcome: <id>` or `driver: <id>`",
    "expect_bound": "keep one of between, at_least, at_most, more_likely_than, most_likely",
    "bad_form": "write one of these keys, like {range: [0.2, 0.4]}",
    "not_a_pair": "write two numbers in brackets, like [0.2, 0.4]",
    "string_too_short": "write some text, or remove the key",
}


_TOO_FEW = {
    "too_short": {
        ("outcomes",): "a scenario needs at least two outcomes",
        ("drivers",): "a scenario needs at least one driver",
        ("resolved", "sources"): "cite at least one source that shows what happened, like "
        "[xi_visit_2022]",
    },
}


def _bad_value_hint(kind: str, name: str, path: KeyPath) -> str:
    if kind in _BAD_VALUE_HINTS:
        return _BAD_VALUE_HINTS[kind]
    if kind in _TOO_FEW:
        return _TOO_FEW[kind].get(path, f"write {_takes(name, path)}")
    takes = _takes(name, path)
    return f"write {takes}" if takes else ""


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_scenario(path: str | Path) -> Scenario:
    """Read, resolve and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    engine.schema.Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        With every problem in the file at once: reading, format and cross-references.
    """
    checked = check_file(path)
    if checked.scenario is None:
        raise ScenarioError(checked.issues)
    return checked.scenario
