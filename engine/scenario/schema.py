"""Pydantic models of the scenario format (SPEC §1-5); the JSON Schema comes from here.

Models are strict: unknown keys are rejected and nothing is coerced (``'0.3'`` is not 0.3).
Values keep the form the analyst wrote (a word stays a word); ``engine.scenario.values`` turns
them into prior objects. Cross-references between ids are checked in ``engine.scenario.validate``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from engine.scenario.methods import CHOICES
from engine.scenario.methods import DEFAULT as DEFAULT_METHOD
from engine.scenario.sections import SECTIONS
from engine.scenario.values import EFFECT_WORDS, PROBABILITY_WORDS, normalise_word

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SCENARIO_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

CONDITION_PATTERN = r"^[a-z][a-z0-9_]*(=[a-z][a-z0-9_]*)?$"  # X, or X=s (SPEC §11.2)
ROW_PATTERN = r"^[a-z][a-z0-9_]*=[a-z][a-z0-9_]*( +[a-z][a-z0-9_]*=[a-z][a-z0-9_]*)*$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
ConditionKey = Annotated[str, StringConstraints(pattern=CONDITION_PATTERN)]
RowKey = Annotated[str, StringConstraints(pattern=ROW_PATTERN)]
ScenarioId = Annotated[str, StringConstraints(pattern=SCENARIO_ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    """A value as the analyst wrote it in YAML, shortened (``True`` is ``true``, not 1)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _finite(value: Any, what: str) -> float:
    if not _is_number(value):
        raise PydanticCustomError(
            "not_a_number",
            "{what} must be a number, got {got}",
            {"what": what, "got": _show(value)},
        )
    if not math.isfinite(value):
        raise PydanticCustomError(
            "not_finite",
            "{what} must be a finite number, got {got}",
            {"what": what, "got": _show(value)},
        )
    return float(value)


def _pair(value: Any, key: str) -> tuple[Any, Any]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PydanticCustomError(
            "not_a_pair", "`{key}` takes a list of two numbers, like [0.2, 0.4]", {"key": key}
        )
    return value[0], value[1]


def _one_key(value: dict, allowed: tuple[str, ...], what: str) -> str:
    if len(value) != 1 or next(iter(value)) not in allowed:
        raise PydanticCustomError(
            "bad_form",
            "{what} written as a mapping takes exactly one of the keys {allowed}; got {keys}",
            {"what": what, "allowed": ", ".join(allowed), "keys": ", ".join(map(str, value))},
        )
    return next(iter(value))


def _probability_number(value: Any, what: str = "a probability") -> float:
    number = _finite(value, what)
    if not 0.0 < number < 1.0:
        raise PydanticCustomError(
            "probability_range",
            "{what} must lie strictly between 0 and 1, got {got}",
            {"what": what, "got": _show(value)},
        )
    return number


def validate_driver_probability(value: Any) -> float | str | dict:
    """A driver's own probability (SPEC §11.3): as :func:`validate_probability`, but a plain fixed
    number may be exactly 0 or 1 (the field's networks have deterministic rows)."""
    if _is_number(value) and math.isfinite(value) and value in (0, 1):
        return float(value)
    return validate_probability(value)


def validate_probability(value: Any) -> float | str | dict:
    """A number in (0, 1), an ICD 203 word, ``{range: [lo, hi]}`` or ``{beta: [a, b]}``."""
    if isinstance(value, str):
        if normalise_word(value) not in PROBABILITY_WORDS:
            raise PydanticCustomError(
                "unknown_probability_word", "unknown probability word '{word}'", {"word": value}
            )
        return value
    if isinstance(value, dict):
        key = _one_key(value, ("range", "beta"), "a probability")
        a, b = _pair(value[key], key)
        if key == "range":
            lo = _probability_number(a, "the low end of a range")
            hi = _probability_number(b, "the high end of a range")
            if lo >= hi:
                raise PydanticCustomError(
                    "range_order", "a range needs low < high, got [{lo}, {hi}]", {"lo": a, "hi": b}
                )
            return {"range": [lo, hi]}
        alpha, beta = _finite(a, "beta's a"), _finite(b, "beta's b")
        if alpha <= 0 or beta <= 0:
            raise PydanticCustomError("beta_positive", "beta's a and b must both be > 0", {})
        return {"beta": [alpha, beta]}
    if _is_number(value):
        return _probability_number(value)
    raise PydanticCustomError(
        "probability_type",
        "a probability is a number between 0 and 1, a word such as `likely`, "
        "{range: [lo, hi]} or {beta: [a, b]}; got {got}",
        {"got": _show(value)},
    )


def validate_effect(value: Any) -> float | str | dict:
    """A number, an effect word, ``{odds_ratio}``, ``{range: [lo, hi]}`` or ``{normal}``."""
    if isinstance(value, str):
        if normalise_word(value) not in EFFECT_WORDS:
            raise PydanticCustomError(
                "unknown_effect_word", "unknown effect word '{word}'", {"word": value}
            )
        return value
    if isinstance(value, dict):
        key = _one_key(value, ("odds_ratio", "range", "normal"), "an effect")
        if key == "odds_ratio":
            ratio = _finite(value[key], "an odds ratio")
            if ratio <= 0:
                raise PydanticCustomError("odds_ratio_positive", "an odds ratio must be > 0", {})
            return {"odds_ratio": ratio}
        a, b = _pair(value[key], key)
        a, b = _finite(a, f"{key}'s first number"), _finite(b, f"{key}'s second number")
        if key == "range" and a >= b:
            raise PydanticCustomError(
                "range_order", "a range needs low < high, got [{lo}, {hi}]", {"lo": a, "hi": b}
            )
        if key == "normal" and b <= 0:
            raise PydanticCustomError(
                "sd_positive", "a normal's standard deviation must be > 0", {}
            )
        return {key: [a, b]}
    if _is_number(value):
        return _finite(value, "an effect")
    raise PydanticCustomError(
        "effect_type",
        "an effect is a number, a word such as `raises`, {odds_ratio: x}, "
        "{range: [lo, hi]} or {normal: [mean, sd]}; got {got}",
        {"got": _show(value)},
    )


def _pair_schema(description: str, **items: Any) -> dict:
    return {
        "type": "array",
        "items": {"type": "number", **items},
        "minItems": 2,
        "maxItems": 2,
        "description": description,
    }


def _only(key: str, schema: dict) -> dict:
    return {
        "type": "object",
        "properties": {key: schema},
        "required": [key],
        "additionalProperties": False,
    }


def _any_case(words) -> dict:
    """A pattern matching any of ``words`` in any case and spacing, as ``normalise_word``
    reads them (JSON Schema's regular expressions have no case-insensitive flag)."""

    def letters(word: str) -> str:
        return r"\s+".join(
            "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in part)
            for part in word.split()
        )

    choices = "|".join(map(letters, sorted(words)))
    return {"type": "string", "pattern": r"^\s*(" + choices + r")\s*$"}


PROBABILITY_JSON_SCHEMA = {
    "description": "A probability: a number in (0, 1), an ICD 203 word (case-insensitive), "
    "{range: [lo, hi]} (5th and 95th percentiles of a Beta) or {beta: [a, b]}.",
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "string", "enum": sorted(PROBABILITY_WORDS)},
        _any_case(PROBABILITY_WORDS),
        _only(
            "range",
            _pair_schema("5th and 95th percentiles", exclusiveMinimum=0, exclusiveMaximum=1),
        ),
        _only("beta", _pair_schema("Beta(a, b)", exclusiveMinimum=0)),
    ],
}

EFFECT_JSON_SCHEMA = {
    "description": "An effect on the log-odds: a number, a word (strongly raises ... strongly "
    "lowers), {odds_ratio: x}, {range: [lo, hi]} (5th and 95th percentiles of a Normal) or "
    "{normal: [mean, sd]}.",
    "anyOf": [
        {"type": "number"},
        {"type": "string", "enum": sorted(EFFECT_WORDS)},
        _any_case(EFFECT_WORDS),
        _only("odds_ratio", {"type": "number", "exclusiveMinimum": 0}),
        _only("range", _pair_schema("5th and 95th percentiles")),
        _only("normal", _pair_schema("mean and standard deviation")),
    ],
}

Probability = Annotated[
    float | str | dict,
    BeforeValidator(validate_probability),
    WithJsonSchema(PROBABILITY_JSON_SCHEMA),
]
DRIVER_PROBABILITY_JSON_SCHEMA = {
    "description": "A probability: a number in [0, 1] (0 and 1 allowed for a driver's own "
    "fixed numbers), an ICD 203 word (case-insensitive), {range: [lo, hi]} or {beta: [a, b]}.",
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 1},
        *PROBABILITY_JSON_SCHEMA["anyOf"][1:],
    ],
}
DriverProbability = Annotated[
    float | str | dict,
    BeforeValidator(validate_driver_probability),
    WithJsonSchema(DRIVER_PROBABILITY_JSON_SCHEMA),
]
Effect = Annotated[
    float | str | dict, BeforeValidator(validate_effect), WithJsonSchema(EFFECT_JSON_SCHEMA)
]
UnitInterval = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


# What each key takes, as its description: editors show it (the JSON Schema carries it) and
# validation's hints say "write <it>" (engine.scenario.translate reads it from here).
_TEXT = "text"
_DATE = "a date written YYYY-MM-DD, like 2022-01-07"
_LABEL = "a short phrase, like: The mission expands"
PROBABILITY_TAKES = (
    "a number between 0 and 1, a word such as `likely`, {range: [lo, hi]} or {beta: [a, b]}"
)
EFFECT_TAKES = (
    "a number, a word such as `raises`, {odds_ratio: x}, {range: [lo, hi]} or {normal: [mean, sd]}"
)
_PROBABILITY_TAKES = "a probability: " + PROBABILITY_TAKES


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Documented(Strict):
    """Documentation fields any item may carry; they never change the numbers."""

    description: Text | None = Field(None, description=_TEXT)
    rationale: Text | None = Field(None, description=_TEXT)
    sources: list[Id] = Field(
        default_factory=list, description="a list of source ids, like [trenin]"
    )
    quote: Text | None = Field(None, description=_TEXT)


class Source(Strict):
    title: Text | None = Field(None, description=_TEXT)
    author: Text | None = Field(None, description=_TEXT)
    publisher: Text | None = Field(None, description=_TEXT)
    published: dt.date | None = Field(None, description=_DATE)
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        None, description="a web address starting with https:// or http://"
    )
    accessed: dt.date | None = Field(None, description=_DATE)


_CAUSES = (
    "a mapping of conditions (a driver id, or driver=state) to effects, like "
    "`mission_expansion: raises` or `posture=expanded: strongly raises`"
)


class State(Documented):
    """One state of a multi-state driver (SPEC §11.1)."""

    label: Text = Field(description=_LABEL)
    p: DriverProbability | None = Field(
        None,
        description="a probability: the state's chance when none of its causes hold (required "
        "unless the driver has a table)",
    )
    causes: dict[ConditionKey, Effect] = Field(default_factory=dict, description=_CAUSES)


class Driver(Documented):
    label: Text = Field(description=_LABEL)
    p: DriverProbability | None = Field(
        None,
        description="a probability: the chance it holds when none of its causes hold "
        "(required unless the driver has states, a table or noisy_or)",
    )
    causes: dict[ConditionKey, Effect] = Field(default_factory=dict, description=_CAUSES)
    states: Annotated[dict[Id, State], Field(min_length=2)] | None = Field(
        None,
        description="a mapping of state ids to states (label, p, causes): two or more, "
        "exactly one holds",
    )
    table: dict[RowKey, DriverProbability | dict[Id, DriverProbability]] | None = Field(
        None,
        description="one row per combination of the parents' states, keyed like "
        "`bronchitis=true either=false`: a probability (binary) or a mapping of every state "
        "to a probability",
    )
    noisy_or: dict[ConditionKey, DriverProbability] | None = Field(
        None,
        description="`leak:` (P(holds) when no cause holds, default 0) and, for each cause "
        "(a driver id or driver=state), the chance it alone makes this driver hold",
    )

    @property
    def multi_state(self) -> bool:
        return self.states is not None

    @property
    def state_ids(self) -> tuple[str, ...]:
        """The driver's states: its own, or ``false``, ``true`` for a binary driver."""
        return tuple(self.states) if self.states is not None else ("false", "true")


class Outcome(Documented):
    label: Text = Field(description=_LABEL)
    base: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        1.0, description="a positive number (the outcome's relative weight, 1 when left out)"
    )
    drivers: dict[ConditionKey, Effect] = Field(default_factory=dict, description=_CAUSES)


class Indicator(Documented):
    label: Text = Field(description=_LABEL)
    signals: ConditionKey = Field(
        description="the id of a driver, or driver=state (P(seen | it holds) is if_true)"
    )
    if_true: Probability
    if_false: Probability


class Evidence(Documented):
    label: Text | None = Field(None, description=_LABEL)
    driver: ConditionKey | None = Field(None, description="the id of a driver, or driver=state")
    indicator: Id | None = Field(None, description="the id of an indicator")
    observed: bool | Id | None = Field(
        None, description="true or false, or the id of the state a multi-state driver is in"
    )
    likelihood_ratio: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="a positive number, like 2"
    )
    date: dt.date | None = Field(None, description=_DATE)

    @model_validator(mode="after")
    def _one_target_one_kind(self) -> Evidence:
        if (self.driver is None) == (self.indicator is None):
            raise PydanticCustomError(
                "evidence_target", "evidence names exactly one of `driver` or `indicator`", {}
            )
        if (self.observed is None) == (self.likelihood_ratio is None):
            raise PydanticCustomError(
                "evidence_kind",
                "evidence takes exactly one of `observed: true|false` (hard) or "
                "`likelihood_ratio: r` (soft)",
                {},
            )
        if self.likelihood_ratio is not None and self.indicator is not None:
            raise PydanticCustomError(
                "soft_indicator",
                "soft evidence (`likelihood_ratio`) applies to a driver; for an indicator write "
                "`observed: true` or `observed: false`",
                {},
            )
        return self


class WhatIf(Documented):
    label: Text | None = Field(None, description=_LABEL)
    set: Annotated[dict[Id, bool | Id], Field(min_length=1)] = Field(
        description="a mapping of driver ids to true or false, or a state id, like "
        "{mission_expansion: true} or {posture: garrison}"
    )


Bound = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
BOUND_KEYS = ("between", "at_least", "at_most", "more_likely_than", "most_likely")


class Expectation(Documented):
    label: Text | None = Field(None, description=_LABEL)
    outcome: Id | bool | None = Field(None, description="the id of an outcome")
    driver: ConditionKey | None = Field(
        None, description="the id of a binary driver, or driver=state"
    )
    what_if: Id | None = Field(None, description="the id of a what-if")
    # a list, not a tuple: strict mode refuses a YAML list for a tuple
    between: Annotated[list[Bound], Field(min_length=2, max_length=2)] | None = Field(
        None, description="two numbers between 0 and 1, like [0.3, 0.8]"
    )
    at_least: Bound | None = Field(None, description="a number between 0 and 1")
    at_most: Bound | None = Field(None, description="a number between 0 and 1")
    more_likely_than: ConditionKey | bool | None = Field(
        None, description="the id of another outcome (or driver, or driver=state)"
    )
    most_likely: Literal[True] | None = Field(None, description="true")

    @model_validator(mode="after")
    def _one_subject_one_bound(self) -> Expectation:
        if (self.outcome is None) == (self.driver is None):
            raise PydanticCustomError(
                "expect_subject", "an expectation names exactly one of `outcome` or `driver`", {}
            )
        given = [key for key in BOUND_KEYS if getattr(self, key) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "expect_bound",
                "an expectation takes exactly one of between, at_least, at_most, "
                "more_likely_than, most_likely; got {given}",
                {"given": ", ".join(given) or "none"},
            )
        if self.between is not None and self.between[0] >= self.between[1]:
            raise PydanticCustomError(
                "range_order", "`between` needs low < high, got {got}", {"got": list(self.between)}
            )
        return self

    @property
    def subject(self) -> tuple[str, str]:
        """("outcome" | "driver", id): an outcome's id (``true``/``false`` for a binary
        ``outcomes_from``), or a driver's key in the result (``X`` or ``X=s``)."""
        if self.outcome is not None:
            return "outcome", _outcome_id(self.outcome)
        return "driver", self.driver


def _not_bool(value: Any) -> Any:
    # `Literal[1]` alone accepts `true` (True == 1 in Python)
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be 1", {"expected": "1"})
    return value


class Inference(Strict):
    method: Literal[CHOICES] = Field(
        DEFAULT_METHOD, description=", ".join(CHOICES[:-1]) + " or " + CHOICES[-1]
    )
    seed: Annotated[int, Field(ge=0)] = Field(20220107, description="a whole number, 0 or more")
    chains: Annotated[int, Field(ge=1, le=16)] = Field(4, description="a whole number from 1 to 16")
    draws: Annotated[int, Field(ge=50, le=100_000)] = Field(
        1000, description="a whole number from 50 to 100000"
    )
    tune: Annotated[int, Field(ge=50, le=100_000)] = Field(
        1000, description="a whole number from 50 to 100000"
    )
    target_accept: Annotated[float, Field(gt=0.5, lt=1.0, allow_inf_nan=False)] = Field(
        0.9, description="a number between 0.5 and 1, like 0.9"
    )
    memory_mib: Annotated[int, Field(ge=512, le=1_048_576)] = Field(
        2048,
        description="a whole number of MiB from 512 to 1048576, like 4096: the most memory a "
        "run may hold; a method that would need more is not started",
    )


def _outcome_id(value: str | bool) -> str:
    """An outcome named in a file: its id, or ``true``/``false`` for a binary driver's states
    (SPEC §11.5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class Resolution(Strict):
    """What happened, once the horizon has passed (SPEC §10). It never changes the numbers."""

    outcome: Id | bool = Field(description="the id of an outcome")

    @property
    def outcome_id(self) -> str:
        return _outcome_id(self.outcome)

    on: dt.date = Field(description=_DATE)
    sources: Annotated[list[Id], Field(min_length=1)] = Field(
        description="a list of source ids, like [trenin]"
    )
    note: Text | None = Field(None, description=_TEXT)


class Scenario(Strict):
    """One scenario file after ``extends`` is merged.

    With ``outcomes_from: X`` the outcomes are filled in from X's states (SPEC §11.5): a
    multi-state driver's states with their labels, a binary driver's ``true`` ("holds") then
    ``false`` ("does not hold"); everything that reads ``outcomes`` reads them.
    """

    signpost: Annotated[Literal[1], BeforeValidator(_not_bool)] = Field(
        description="`1`, the format version"
    )
    id: ScenarioId = Field(
        description="the scenario's id: lower-case letters, digits and -, like kz-2022-baseline"
    )
    title: Text = Field(description=_TEXT)
    question: Text | None = Field(None, description=_TEXT)
    description: Text | None = Field(None, description=_TEXT)
    authors: list[Text] = Field(
        default_factory=list, description="a list of names, like [Jane Doe]"
    )
    as_of: dt.date | None = Field(None, description=_DATE)
    horizon: dt.date | None = Field(None, description=_DATE)
    extends: Text | None = Field(None, description=_TEXT)
    sources: dict[Id, Source] = Field(
        default_factory=dict,
        description="a mapping of source ids to sources (title, author, url, ...)",
    )
    drivers: Annotated[dict[Id, Driver], Field(min_length=1)] = Field(
        description="a mapping of driver ids to drivers (label, p, causes, ...)"
    )
    outcomes: Annotated[dict[Id, Outcome], Field(min_length=2)] | None = Field(
        None,
        description="a mapping of outcome ids to outcomes (label, base, drivers, ...); "
        "required unless outcomes_from names a driver",
    )
    outcomes_from: Id | None = Field(
        None, description="the id of a driver whose states are the outcomes (instead of outcomes)"
    )
    indicators: dict[Id, Indicator] = Field(
        default_factory=dict, description="a mapping of indicator ids to indicators"
    )
    evidence: dict[Id, Evidence] = Field(
        default_factory=dict, description="a mapping of evidence ids to evidence items"
    )
    what_if: dict[Id, WhatIf] = Field(
        default_factory=dict, description="a mapping of what-if ids to what-ifs"
    )
    expect: dict[Id, Expectation] = Field(
        default_factory=dict, description="a mapping of expectation ids to expectations"
    )
    inference: Inference = Field(
        default_factory=Inference,
        description="a mapping of settings (method, seed, chains, draws, tune, target_accept)",
    )
    resolved: Resolution | None = Field(
        None,
        description="a mapping: outcome (the id of the outcome that happened), on (a date after "
        "as_of), sources (a list of source ids) and an optional note",
    )

    @model_validator(mode="after")
    def _outcomes(self) -> Scenario:
        return _fill_outcomes(self)


# The model of one item of each section (engine.scenario.sections), in the same order.
ITEM_MODELS: dict[str, type[BaseModel]] = dict(
    zip(SECTIONS, (Source, Driver, Outcome, Indicator, Evidence, WhatIf, Expectation), strict=True)
)
BINARY_OUTCOMES = {"true": "holds", "false": "does not hold"}


def _outcomes_of(driver: Driver) -> dict[str, Outcome]:
    if driver.states is None:
        return {k: Outcome(label=label) for k, label in BINARY_OUTCOMES.items()}
    return {s: Outcome(label=state.label) for s, state in driver.states.items()}


def _fill_outcomes(scenario: Scenario) -> Scenario:
    """``outcomes`` filled in from ``outcomes_from`` (rule ``outcomes-form`` refuses a file
    with both or neither)."""
    source = scenario.drivers.get(scenario.outcomes_from) if scenario.outcomes_from else None
    if scenario.outcomes is None and source is not None:
        object.__setattr__(scenario, "outcomes", _outcomes_of(source))  # derived, not written
    return scenario


def json_schema() -> dict:
    """The JSON Schema of a scenario file, for editors (``# yaml-language-server: $schema=``).

    A file with an ``id`` and without ``extends`` must be a whole scenario
    (``#/$defs/Scenario``). A file with ``extends`` holds only what it changes (SPEC §6), and a
    parent without an ``id`` (an id is never inherited) only what its children share: both are
    checked against the same shapes with nothing required and ``null`` allowed for any value
    (``null`` removes a key), the ``…Part`` definitions. The merged scenario is checked by
    ``signpost validate``. Words are accepted in any case, as the engine reads them.
    """
    whole = _closed(Scenario.model_json_schema(ref_template="#/$defs/{model}"))
    defs = whole.pop("$defs", {})
    defs["Scenario"] = whole
    parts = {f"{name}Part": _relaxed(body) for name, body in defs.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Signpost scenario (format version 1)",
        "description": whole.get("description", ""),
        # a parent (no id: an id is never inherited) or a variant holds only part of a scenario
        "if": {"anyOf": [{"required": ["extends"]}, {"not": {"required": ["id"]}}]},
        "then": {"$ref": "#/$defs/ScenarioPart"},
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": {**defs, **parts},
    }


def _relaxed(node):
    """A copy of a schema with nothing required, ``null`` allowed for every property value,
    and every ``$ref`` pointing at the relaxed definitions."""
    if isinstance(node, list):
        return [_relaxed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("required", "minProperties"):  # a variant may add one item, or none
            continue
        if key == "$ref":
            out[key] = value + "Part"
        elif key in ("properties", "patternProperties"):
            out[key] = {name: _or_null(_relaxed(body)) for name, body in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _or_null(_relaxed(value))
        else:
            out[key] = _relaxed(value)
    return out


def _closed(node):
    """Mappings keyed by ids refuse keys that are not ids (``patternProperties`` alone would
    let any other key through)."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _closed(value) for key, value in node.items()}
    if "patternProperties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _or_null(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}], "description": schema.get("description", "")}
