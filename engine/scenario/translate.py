"""Pydantic's errors as :class:`~engine.scenario.issues.ScenarioIssue` records to act on.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.reader import BAD_VALUE, WRONG_TYPE
from engine.scenario.schema import (
    EFFECT_TAKES,
    ITEM_MODELS,
    PROBABILITY_TAKES,
    Documented,
    Inference,
    Resolution,
    Scenario,
)
from engine.scenario.source import KeyPath
from engine.scenario.values import EFFECT_WORDS, PROBABILITY_BANDS, normalise_word

if TYPE_CHECKING:
    from engine.scenario.merge import MergedDocument

# The codes of the format (the schema of engine.scenario.schema); `wrong-type` and `bad-value`
# are declared in engine.scenario.reader, which finds the first of them.
UNKNOWN_KEY = Code(
    "unknown-key", "a key the format does not have", bad="colour: blue\n", good="title: blue\n"
)
MISSING_KEY = Code(
    "missing-key", "a required key is missing", bad="title: null\n", good="title: A title\n"
)
UNKNOWN_WORD = Code(
    "unknown-word",
    "an unknown probability or effect word",
    bad="drivers:\n  a: {p: likley}\n",
    good="drivers:\n  a: {p: likely}\n",
)
PROBABILITY_RANGE = Code(
    "probability-range",
    "a probability outside (0, 1)",
    bad="drivers:\n  a: {p: 1.5}\n",
    good="drivers:\n  a: {p: 0.5}\n",
)
NOT_FINITE = Code(
    "not-finite",
    "`.nan` or `.inf`",
    bad="drivers:\n  a: {p: .nan}\n",
    good="drivers:\n  a: {p: 0.5}\n",
)
RANGE_ORDER = Code(
    "range-order",
    "a range whose low end is not below its high end",
    bad="drivers:\n  a: {p: {range: [0.4, 0.2]}}\n",
    good="drivers:\n  a: {p: {range: [0.2, 0.4]}}\n",
)
BAD_ID = Code(
    "bad-id",
    "an id that breaks the id pattern",
    bad="drivers:\n  Big One: {label: B, p: 0.5}\n",
    good="drivers:\n  big_one: {label: B, p: 0.5}\n",
)
BAD_URL = Code(
    "bad-url",
    "a source `url` that is not `http://` or `https://`",
    bad="sources:\n  s: {title: S, url: 'javascript:alert(1)'}\n",
    good="sources:\n  s: {title: S, url: 'https://example.org/s'}\n",
)

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
RANGE_CODES = {"probability_range": PROBABILITY_RANGE, "range_order": RANGE_ORDER}
NOT_FINITE_KINDS = ("not_finite", "finite_number")
_DATE_TEXT = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def translate(error: dict[str, Any], document: MergedDocument) -> ScenarioIssue:
    """One pydantic error (from ``ValidationError.errors()``) as a placed, explained issue.

    Parameters
    ----------
    error : dict
        pydantic-core's error details: ``type``, ``loc``, ``msg`` and ``ctx``.
    document : MergedDocument
        The merged document that was validated: its values and their places.

    Returns
    -------
    ScenarioIssue
        The code, a message and hint in the analyst's words, the file, line, column and key
        path.
    """
    kind = error["type"]
    path, about_key = _path_of(error, document.data)
    if kind == "range_order" and len(path) == 2 and path[0] == "expect":
        path += ("between",)  # raised by the expectation's model validator
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    problem = Problem(kind, error, path, name, _value_at(document.data, path), document)
    if about_key and kind not in ("missing", "extra_forbidden"):
        code, message, hint = _bad_key(problem.name)
    else:
        code, message, hint = HANDLERS.get(kind, _bad_value)(problem)
    key = about_key or kind in ("missing", "extra_forbidden")
    if kind == "missing":
        here = document.where.locate(path[:-1], key=True)
    else:
        here = document.where.locate(path, key=key)
    return ScenarioIssue(code.name, message, hint, here.file, here.line, here.column, path)


@dataclass(frozen=True)
class Problem:
    """One pydantic error and what a handler needs to explain it."""

    kind: str  # pydantic's error type
    error: dict[str, Any]
    path: KeyPath  # the keys in the data (parts of ``loc`` naming no key dropped)
    name: str  # the last key of the path
    value: Any  # the value at the path, or _MISSING
    document: MergedDocument


Explained = tuple[Code, str, str]  # code, message, hint


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


def _missing(problem: Problem) -> Explained:
    message = f"missing required key `{problem.name}`"
    return MISSING_KEY, message, _missing_hint(problem.path, problem.document)


def _unknown_key(problem: Problem) -> Explained:
    message = f"unknown key `{problem.name}`"
    return UNKNOWN_KEY, message, _unknown_key_hint(problem.path, problem.name)


def _not_finite(problem: Problem) -> Explained:
    message = f"`{_yaml_text(problem.value)}` is not a finite number"
    return NOT_FINITE, message, "write an ordinary number"


def _out_of_range(problem: Problem) -> Explained:
    hint = _range_hint(problem.kind, problem.value)
    return RANGE_CODES[problem.kind], problem.error["msg"], hint


def _bad_value(problem: Problem) -> Explained:
    message = _bad_value_message(problem.kind, problem.error, problem.value)
    return BAD_VALUE, message, _bad_value_hint(problem.kind, problem.name, problem.path)


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


def _bad_key(name: str) -> Explained:
    slug = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    slug = slug if re.match(r"^[a-z]", slug) else f"x_{slug}".rstrip("_")
    hint = f"an id is lower-case letters, digits and _, starting with a letter, like `{slug}`"
    return BAD_ID, f"`{name}` is not a valid id", hint


def _pattern(problem: Problem) -> Explained:
    shown = _short(str(problem.value))
    if problem.name == "url":
        message = f"the url `{shown}` does not start with http:// or https://"
        hint = "write the web address of the source; other schemes (javascript:, file:, ...) "
        return BAD_URL, message, hint + "are not allowed"
    if problem.path == ("id",):
        hint = "a scenario id is lower-case letters, digits and -, like `kz-2022-baseline`"
        return BAD_ID, f"`{shown}` is not a valid scenario id", hint
    return _bad_key(shown)


def _unknown_word(problem: Problem) -> Explained:
    text = str(problem.value)
    number = _as_number(text)
    if number is not None:
        return _number_as_text(text, number, problem.path, problem.document)
    probability = problem.kind == "unknown_probability_word"
    words = PROBABILITY_WORD_LIST if probability else EFFECT_WORD_LIST
    close = difflib.get_close_matches(normalise_word(text), words, n=3, cutoff=0.5)
    ordered = close + [word for word in words if word not in close]
    what = "probability" if probability else "effect"
    hint = "write one of: " + ", ".join(ordered)
    return UNKNOWN_WORD, f"unknown {what} word '{_short(text)}'", hint


def _as_number(text: str) -> float | None:
    try:
        number = float(text.replace("_", "x"))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number_as_text(text: str, number: float, path: KeyPath, document: MergedDocument) -> Explained:
    style = document.where.locate(path).style
    if style is None:  # plain: YAML 1.1 reads `1e-3` (no dot) as text
        message = f"YAML reads `{text}` as text, not as a number"
        hint = f"write it with a decimal point, as {number!r}"
        return WRONG_TYPE, message, hint
    message = f"'{text}' is quoted, so it is text, not a number"
    return WRONG_TYPE, message, f"write {text} without quotes"


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


def _wrong_type(problem: Problem) -> Explained:
    kind, name, path, value = problem.kind, problem.name, problem.path, problem.value
    expected = EXPECTED[kind]
    if kind == "literal_error":
        expected = f"`{problem.error.get('ctx', {}).get('expected', '')}`"
    takes = {"effect_type": EFFECT_TAKES, "probability_type": PROBABILITY_TAKES}.get(kind)
    takes = takes or _takes(name, path) or expected
    message = f"expected {expected}, got {_kind_of(value)}"
    if value is None:
        return WRONG_TYPE, f"`{name}` has no value", f"write {takes}, or remove the key"
    if isinstance(value, str):
        number = _as_number(value)
        if number is not None and kind in ("float_type", "int_type", "not_a_number"):
            return _number_as_text(value, number, path, problem.document)
        if kind == "date_type" and _DATE_TEXT.match(value):
            return WRONG_TYPE, message, "write the date unquoted as YYYY-MM-DD"
    return WRONG_TYPE, message, _wrong_type_hint(kind, value, takes)


def _wrong_type_hint(kind: str, value: Any, takes: str) -> str:
    """What to write instead of a value of the wrong type (not None, not a number as text)."""
    if kind == "date_type" and isinstance(value, dt.datetime):
        return "write only the date, YYYY-MM-DD, without a time"
    if kind == "string_type" and isinstance(value, bool):
        return "YAML reads yes, no, on, off, true and false as true/false: quote the text"
    if kind == "string_type" and value is not _MISSING and not isinstance(value, list | dict):
        return "put the text in quotes, or write " + takes
    return f"write {takes}"


# One handler per family of pydantic error kinds; any other kind is a value not allowed there.
HANDLERS: dict[str, Callable[[Problem], Explained]] = {
    "missing": _missing,
    "extra_forbidden": _unknown_key,
    "unknown_probability_word": _unknown_word,
    "unknown_effect_word": _unknown_word,
    "string_pattern_mismatch": _pattern,
    **dict.fromkeys(NOT_FINITE_KINDS, _not_finite),
    **dict.fromkeys(RANGE_CODES, _out_of_range),
    **dict.fromkeys(EXPECTED, _wrong_type),
}


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
