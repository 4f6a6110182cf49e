"""Pydantic's errors as :class:`~engine.scenario.issues.ScenarioIssue` records an analyst can act on.

Each error becomes: the key path (from pydantic's ``loc``), the line and column (from the
document's :class:`~engine.scenario.source.SourceMap`), a message in the analyst's words and a hint
saying what to write instead. What a key takes is its field's description in
``engine.scenario.schema`` — the same text editors show from ``signpost.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from typing import Any

from pydantic import BaseModel

from engine.scenario.issues import ScenarioIssue
from engine.scenario.merge import MergedDocument
from engine.scenario.schema import (
    EFFECT_TAKES,
    PROBABILITY_TAKES,
    Documented,
    Driver,
    Evidence,
    Expectation,
    Indicator,
    Inference,
    Outcome,
    Resolution,
    Scenario,
    Source,
    WhatIf,
)
from engine.scenario.source import KeyPath
from engine.scenario.values import EFFECT_WORDS, PROBABILITY_BANDS, normalise_word

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


def translate(error: dict[str, Any], document: MergedDocument) -> ScenarioIssue:
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
    """What the key ``name`` (the last key of ``path``) takes: its field's description."""
    keys = [i for i, part in enumerate(path) if isinstance(part, str)]
    if not keys:
        return ""
    model = _model_at(path[: keys[-1]])
    field = model.model_fields.get(name) if model is not None else None
    return (field.description or "") if field is not None else ""


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """The model whose keys are allowed at ``path`` (the mapping holding the key)."""
    if not path:
        return Scenario
    if path == ("inference",):
        return Inference
    if path == ("resolved",):
        return Resolution
    if len(path) == 2 and path[0] in ITEM_MODELS:
        return ITEM_MODELS[path[0]]
    return None


def _missing_hint(path: KeyPath, document: MergedDocument) -> str:
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


def _number_as_text(text: str, number: float, path: KeyPath, document: MergedDocument):
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
        takes = EFFECT_TAKES
    elif kind == "probability_type":
        takes = PROBABILITY_TAKES
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
