"""Pydantic models of the scenario format (SPEC §1-5); the JSON Schema comes from here.

Models are strict: unknown keys are rejected and nothing is coerced (``'0.3'`` is not 0.3).
Values keep the form the analyst wrote (a word stays a word); ``engine.priors`` turns them into
prior objects. Cross-references between ids are checked in ``engine.validate``.
"""

from __future__ import annotations

import datetime as dt
import math
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

from engine.priors import EFFECT_WORDS, PROBABILITY_WORDS, normalise_word

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SCENARIO_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
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


def _check_probability_number(value: Any, what: str = "a probability") -> float:
    number = _finite(value, what)
    if not 0.0 < number < 1.0:
        raise PydanticCustomError(
            "probability_range",
            "{what} must lie strictly between 0 and 1, got {got}",
            {"what": what, "got": _show(value)},
        )
    return number


def check_probability(value: Any) -> float | str | dict:
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
            lo = _check_probability_number(a, "the low end of a range")
            hi = _check_probability_number(b, "the high end of a range")
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
        return _check_probability_number(value)
    raise PydanticCustomError(
        "probability_type",
        "a probability is a number between 0 and 1, a word such as `likely`, "
        "{range: [lo, hi]} or {beta: [a, b]}; got {got}",
        {"got": _show(value)},
    )


def check_effect(value: Any) -> float | str | dict:
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


PROBABILITY_JSON_SCHEMA = {
    "description": "A probability: a number in (0, 1), an ICD 203 word (case-insensitive), "
    "{range: [lo, hi]} (5th and 95th percentiles of a Beta) or {beta: [a, b]}.",
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "string", "enum": sorted(PROBABILITY_WORDS)},
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
        _only("odds_ratio", {"type": "number", "exclusiveMinimum": 0}),
        _only("range", _pair_schema("5th and 95th percentiles")),
        _only("normal", _pair_schema("mean and standard deviation")),
    ],
}

Probability = Annotated[
    float | str | dict, BeforeValidator(check_probability), WithJsonSchema(PROBABILITY_JSON_SCHEMA)
]
Effect = Annotated[
    float | str | dict, BeforeValidator(check_effect), WithJsonSchema(EFFECT_JSON_SCHEMA)
]
UnitInterval = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Documented(Strict):
    """Documentation fields any item may carry; they never change the numbers."""

    description: Text | None = None
    rationale: Text | None = None
    sources: list[Id] = Field(default_factory=list)
    quote: Text | None = None


class Source(Strict):
    title: Text | None = None
    author: Text | None = None
    publisher: Text | None = None
    published: dt.date | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    accessed: dt.date | None = None


class Driver(Documented):
    label: Text
    p: Probability
    causes: dict[Id, Effect] = Field(default_factory=dict)


class Outcome(Documented):
    label: Text
    base: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    drivers: dict[Id, Effect] = Field(default_factory=dict)


class Indicator(Documented):
    label: Text
    signals: Id
    if_true: Probability
    if_false: Probability


class Evidence(Documented):
    label: Text | None = None
    driver: Id | None = None
    indicator: Id | None = None
    observed: bool | None = None
    likelihood_ratio: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    date: dt.date | None = None

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
    label: Text | None = None
    set: Annotated[dict[Id, bool], Field(min_length=1)]


Bound = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
BOUND_KEYS = ("between", "at_least", "at_most", "more_likely_than", "most_likely")


class Expectation(Documented):
    label: Text | None = None
    outcome: Id | None = None
    driver: Id | None = None
    what_if: Id | None = None
    # a list, not a tuple: strict mode refuses a YAML list for a tuple
    between: Annotated[list[Bound], Field(min_length=2, max_length=2)] | None = None
    at_least: Bound | None = None
    at_most: Bound | None = None
    more_likely_than: Id | None = None
    most_likely: Literal[True] | None = None

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
        """("outcome" | "driver", id)."""
        return ("outcome", self.outcome) if self.outcome is not None else ("driver", self.driver)


def _not_bool(value: Any) -> Any:
    # `Literal[1]` alone accepts `true` (True == 1 in Python)
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be 1", {"expected": "1"})
    return value


class Inference(Strict):
    method: Literal["auto", "importance", "nuts"] = "auto"
    seed: Annotated[int, Field(ge=0)] = 20220107
    chains: Annotated[int, Field(ge=1, le=16)] = 4
    draws: Annotated[int, Field(ge=50, le=100_000)] = 1000
    tune: Annotated[int, Field(ge=50, le=100_000)] = 1000
    target_accept: Annotated[float, Field(gt=0.5, lt=1.0, allow_inf_nan=False)] = 0.9


class Resolution(Strict):
    """What happened, once the horizon has passed (SPEC §10). It never changes the numbers."""

    outcome: Id
    on: dt.date
    sources: Annotated[list[Id], Field(min_length=1)]
    note: Text | None = None


class Scenario(Strict):
    """One scenario file after `extends` is resolved."""

    signpost: Annotated[Literal[1], BeforeValidator(_not_bool)]
    id: ScenarioId
    title: Text
    question: Text | None = None
    description: Text | None = None
    authors: list[Text] = Field(default_factory=list)
    as_of: dt.date | None = None
    horizon: dt.date | None = None
    extends: Text | None = None
    sources: dict[Id, Source] = Field(default_factory=dict)
    drivers: Annotated[dict[Id, Driver], Field(min_length=1)]
    outcomes: Annotated[dict[Id, Outcome], Field(min_length=2)]
    indicators: dict[Id, Indicator] = Field(default_factory=dict)
    evidence: dict[Id, Evidence] = Field(default_factory=dict)
    what_if: dict[Id, WhatIf] = Field(default_factory=dict)
    expect: dict[Id, Expectation] = Field(default_factory=dict)
    inference: Inference = Field(default_factory=Inference)
    resolved: Resolution | None = None


def json_schema() -> dict:
    """The JSON Schema of a scenario file, for editors (``# yaml-language-server: $schema=``)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Signpost scenario (format version 1)"
    return schema
