"""The one independent reference for the engine's numbers, written from the SPEC alone.

Nothing here imports ``models/`` or ``engine/``: the tables of SPEC §2-3 are copied here, and
a range's Beta is fitted here with scipy, so a mistake in the engine's own tables or fits shows
as a disagreement. The parts:

- the priors (SPEC §2-3): :data:`PROBABILITY_WORDS`, :data:`EFFECT_WORDS`, :func:`beta_for`,
  :func:`prior_sampler` (draws of every number from its prior), :func:`word_for` (§2's bands);
- reading a scenario dict (the YAML's values, ``extends`` already merged):
  :func:`network_from`, :func:`evidence_from`, :func:`timeline_from` — binary and multi-state
  drivers, conditions ``X``, ``X=true``, ``X=false``, ``X=s`` wherever a driver is a condition,
  tables, noisy-OR, ``outcomes_from`` (SPEC §11);
- :func:`conditional`: P(X = s | its parents) by the formulas of SPEC §4 and §11, written out;
- :func:`enumerate_posterior`: the sum over every combination of every driver's states in plain
  NumPy, one row per combination, vectorised over draws of the numbers (every number may be a
  float or an array): the outcome and driver-state probabilities, P(evidence), and the joint
  law of the outcome with each driver state and indicator that signposts are made of (SPEC §9);
- :func:`pgmpy_posterior`: the same network as a pgmpy ``DiscreteBayesianNetwork`` with
  multi-state ``TabularCPD``s, queried with variable elimination (a second, unrelated sum for
  fixed numbers; evidence that is not one state is a virtual child);
- :func:`importance_sampling` and :func:`posterior_mean`: for uncertain numbers, draws from the
  priors weighted by P(evidence | numbers) from :func:`enumerate_posterior`;
- :func:`mutual_information` and :func:`mutual_information_of`: a signpost's bits (SPEC §9).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Value = Any  # a float, or an array of draws (all of one shape)

# --- the priors (SPEC §2-3) -------------------------------------------------------------------

PROBABILITY_WORDS = {
    "almost no chance": (0.01, 0.05), "remote": (0.01, 0.05),
    "very unlikely": (0.05, 0.20), "highly improbable": (0.05, 0.20),
    "unlikely": (0.20, 0.45), "improbable": (0.20, 0.45),
    "roughly even chance": (0.45, 0.55), "roughly even odds": (0.45, 0.55),
    "likely": (0.55, 0.80), "probable": (0.55, 0.80),
    "very likely": (0.80, 0.95), "highly probable": (0.80, 0.95),
    "almost certain": (0.95, 0.99), "nearly certain": (0.95, 0.99),
}  # fmt: skip
EFFECT_WORDS = {
    "strongly raises": (2.0, 0.5), "raises": (1.0, 0.5), "slightly raises": (0.5, 0.25),
    "strongly lowers": (-2.0, 0.5), "lowers": (-1.0, 0.5), "slightly lowers": (-0.5, 0.25),
}  # fmt: skip
# SPEC §2's bands for words: (upper edge, whether the edge belongs to the band below), word.
BANDS = [
    ((0.05, False), "almost no chance"), ((0.20, False), "very unlikely"),
    ((0.45, False), "unlikely"), ((0.55, True), "roughly even chance"),
    ((0.80, True), "likely"), ((0.95, True), "very likely"),
]  # fmt: skip


def word_for(p: float) -> str:
    """The first word of the band ``p`` falls in (SPEC §2)."""
    for (edge, inclusive), name in BANDS:
        if p < edge or (inclusive and p == edge):
            return name
    return "almost certain"


def _word(text: str) -> str:
    return " ".join(text.lower().split())  # words are case-insensitive (SPEC §2)


@functools.cache
def beta_for(lo: float, hi: float) -> tuple[float, float]:
    """(a, b) of the Beta whose 5th and 95th percentiles are ``lo`` and ``hi`` (scipy's ppf)."""
    from scipy import optimize, stats

    def gaps(log_ab):
        a, b = np.exp(log_ab)
        return [stats.beta.ppf(0.05, a, b) - lo, stats.beta.ppf(0.95, a, b) - hi]

    return tuple(float(x) for x in np.exp(optimize.fsolve(gaps, [1.0, 1.0], xtol=1e-12)))


def normal_for(lo: float, hi: float) -> tuple[float, float]:
    """(mean, sd) of the Normal whose 5th and 95th percentiles are ``lo`` and ``hi``."""
    from scipy import stats

    return (lo + hi) / 2, (hi - lo) / (2 * stats.norm.ppf(0.95))


def beta_of(spec: Any) -> tuple[float, float]:
    """The Beta prior of a written probability that is not a number (a word, range or beta)."""
    if isinstance(spec, str):
        return beta_for(*PROBABILITY_WORDS[_word(spec)])
    if "range" in spec:
        return beta_for(*spec["range"])
    return tuple(float(x) for x in spec["beta"])


def normal_of(spec: Any) -> tuple[float, float]:
    """The Normal prior of a written effect that is not fixed (a word, range or normal)."""
    if isinstance(spec, str):
        return EFFECT_WORDS[_word(spec)]
    if "range" in spec:
        return normal_for(*spec["range"])
    return tuple(float(x) for x in spec["normal"])


def fixed_probability(spec: Any) -> float:
    if not isinstance(spec, int | float) or isinstance(spec, bool):
        raise ValueError(f"not a fixed probability: {spec!r}")
    return float(spec)


def fixed_effect(spec: Any) -> float:
    if isinstance(spec, dict) and "odds_ratio" in spec:
        return math.log(spec["odds_ratio"])
    if not isinstance(spec, int | float) or isinstance(spec, bool):
        raise ValueError(f"not a fixed effect: {spec!r}")
    return float(spec)


def is_fixed_effect(spec: Any) -> bool:
    return isinstance(spec, int | float) or (isinstance(spec, dict) and "odds_ratio" in spec)


def prior_sampler(size: int, rng: np.random.Generator) -> tuple[Callable, Callable]:
    """Two functions drawing ``size`` values of a written probability and effect from its prior.

    A fixed number gives ``size`` copies of itself; draws are taken in the order of the calls.
    """

    def probability(spec: Any) -> Value:
        if isinstance(spec, int | float):
            return np.full(size, float(spec))
        return rng.beta(*beta_of(spec), size)

    def effect(spec: Any) -> Value:
        if is_fixed_effect(spec):
            return np.full(size, fixed_effect(spec))
        return rng.normal(*normal_of(spec), size)

    return probability, effect


# --- reading a scenario dict ------------------------------------------------------------------

BINARY = ("false", "true")  # a binary driver's states (SPEC §11.2: `X=false`, `X=true`)


def split(key: str) -> tuple[str, str]:
    """A condition (SPEC §11.2) as (driver, state): ``X=s`` is X in state s, ``X`` alone is a
    binary driver holding (``X=true``)."""
    driver, _, state = key.partition("=")
    return driver, state or "true"


@dataclass
class Network:
    """The numbers of a scenario (SPEC §4, §11), in the scenario's order.

    A condition (the keys of ``causes``, ``effects``, ``noisy_or`` and the first item of an
    indicator) is written as in the file: ``X``, ``X=true``, ``X=false`` or ``X=s``.

    Attributes
    ----------
    p : dict
        Every driver, in the scenario's order: a binary driver written with ``p``, P(holds |
        none of its causes holds); a multi-state driver, {state: its ``p``} (relative chances:
        divided by their sum, SPEC §11.1); a driver with a table or noisy-OR, None.
    causes : dict
        driver -> {condition: effect on the log-odds of holding} (binary), or
        driver -> {state: {condition: effect on that state's log-odds}} (multi-state).
    base : dict
        outcome -> relative weight when no driver holds.
    effects : dict
        outcome -> {condition: effect v on the outcome's log-odds}.
    indicators : dict
        indicator -> (condition it signals, P(seen | it holds), P(seen | it does not)).
    states : dict
        The states of every driver that is not binary, in the file's order.
    tables : dict
        driver -> {row: cell}; a row is a tuple of (parent, state), a cell P(holds) (binary) or
        {state: probability} (multi-state, divided by their sum).
    noisy_or : dict
        driver -> (leak, {condition: P(it alone makes the driver hold)}).
    outcomes_from : str or None
        The driver whose states are the outcomes (SPEC §11.5).
    """

    p: dict[str, Any]
    causes: dict[str, dict[str, Any]]
    base: dict[str, float]
    effects: dict[str, dict[str, Value]]
    indicators: dict[str, tuple[str, Value, Value]] = field(default_factory=dict)
    states: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tables: dict[str, dict[tuple[tuple[str, str], ...], Any]] = field(default_factory=dict)
    noisy_or: dict[str, tuple[Value, dict[str, Value]]] = field(default_factory=dict)
    outcomes_from: str | None = None

    @property
    def drivers(self) -> list[str]:
        return list(self.p)

    @property
    def outcomes(self) -> list[str]:
        return list(self.base)

    def states_of(self, driver: str) -> tuple[str, ...]:
        return self.states.get(driver, BINARY)

    def binary(self, driver: str) -> bool:
        return driver not in self.states

    def reported(self) -> list[tuple[str, str, str]]:
        """(key, driver, state) of what a result reports of the drivers (SPEC §11.6): ``X``
        (it holds) for a binary driver, ``X=s`` for every state of a multi-state one."""
        keys = []
        for d in self.drivers:
            if self.binary(d):
                keys.append((d, d, "true"))
            else:
                keys += [(f"{d}={s}", d, s) for s in self.states[d]]
        return keys

    def parents(self, driver: str) -> list[str]:
        """The drivers named in a driver's conditions or table rows, in the scenario's order."""
        if driver in self.tables:
            named = {q for row in self.tables[driver] for q, _ in row}
        elif driver in self.noisy_or:
            named = {split(c)[0] for c in self.noisy_or[driver][1]}
        elif self.binary(driver):
            named = {split(c)[0] for c in self.causes[driver]}
        else:
            named = {split(c)[0] for effects in self.causes[driver].values() for c in effects}
        return [d for d in self.drivers if d in named]

    def outcome_parents(self) -> list[str]:
        if self.outcomes_from is not None:
            return [self.outcomes_from]
        named = {split(c)[0] for effects in self.effects.values() for c in effects}
        return [d for d in self.drivers if d in named]


@dataclass
class Evidence:
    """Hard evidence on drivers and indicators, and soft evidence (likelihood ratios).

    ``hard`` maps the ``driver`` an item names to what it observed: ``X`` to ``True``/``False``
    (binary) or a state id, ``X=s`` to ``True`` (X is in s) or ``False`` (X is not in s).
    ``soft`` holds (condition, ratio) pairs, which may repeat.
    """

    hard: dict[str, bool | str] = field(default_factory=dict)
    seen: dict[str, bool] = field(default_factory=dict)  # indicator -> observed
    soft: list[tuple[str, float]] = field(default_factory=list)

    def kept(self, net: Network) -> dict[str, set[str]]:
        """driver -> the states its hard evidence leaves possible (items on one driver meet)."""
        kept: dict[str, set[str]] = {}
        for key, observed in self.hard.items():
            driver, state = key.partition("=")[::2]
            states = set(net.states_of(driver))
            if not state:
                if isinstance(observed, bool):
                    allowed = {"true" if observed else "false"}
                else:
                    allowed = {observed}
            else:
                allowed = {state} if observed else states - {state}
            kept[driver] = kept.get(driver, states) & allowed
        return kept


@dataclass
class Expected:
    """What the evidence implies for one set of numbers (or one value per draw of them).

    Attributes
    ----------
    outcomes : dict
        P(Y = k | e) per outcome.
    drivers : dict
        What a result reports (SPEC §11.6): P(X holds | e) under ``X`` for a binary driver,
        P(X = s | e) under ``X=s`` for each state of a multi-state one.
    evidence : float or array
        P(e | numbers) in the (possibly intervened) network.
    joint : dict
        P(Y = k, item | e): item -> outcome -> probability (SPEC §9's joint law of the outcome
        and an item), for every condition ``X=s`` (binary drivers: ``X=false``, ``X=true`` and
        ``X``, the same as ``X=true``) and every indicator (seen).
    states : dict
        driver -> state -> P(X = s | e), every driver (binary: ``false``, ``true``).
    """

    outcomes: dict[str, Value]
    drivers: dict[str, Value]
    evidence: Value
    joint: dict[str, dict[str, Value]] = field(default_factory=dict)
    states: dict[str, dict[str, Value]] = field(default_factory=dict)


def _driver_numbers(name: str, driver: Mapping, net: Network, probability, effect) -> None:
    """Read one driver into ``net`` (its numbers drawn in the file's order)."""
    states = driver.get("states")
    if states:
        net.states[name] = tuple(states)
    if driver.get("table") is not None:
        net.p[name], net.causes[name] = None, {}
        rows = {}
        for key, cell in driver["table"].items():
            row = tuple(split(condition) for condition in key.split())
            if states:
                rows[row] = {s: probability(v) for s, v in cell.items()}
            else:
                rows[row] = probability(cell)
        net.tables[name] = rows
    elif driver.get("noisy_or") is not None:
        net.p[name], net.causes[name] = None, {}
        written = {c: probability(v) for c, v in driver["noisy_or"].items()}
        leak = written.pop("leak", 0.0)  # SPEC §11.4: no leak written is a leak of 0
        net.noisy_or[name] = (leak, written)
    elif states:
        net.p[name], net.causes[name] = {}, {}
        for s, state in states.items():
            net.p[name][s] = probability(state["p"])
            written = state.get("causes") or {}
            net.causes[name][s] = {c: effect(w) for c, w in written.items()}
    else:
        net.p[name] = probability(driver["p"])
        net.causes[name] = {c: effect(w) for c, w in (driver.get("causes") or {}).items()}


def network_from(
    spec: Mapping[str, Any],
    probability: Callable[[Any], Value] = fixed_probability,
    effect: Callable[[Any], Value] = fixed_effect,
) -> Network:
    """The numbers of a scenario dict; ``probability``/``effect`` turn what is written into values.

    The defaults accept fixed numbers only; :func:`prior_sampler` gives draws from the priors.
    Draws are taken in the scenario's order: each driver's numbers (``p`` and causes; its
    states' ``p`` and causes; its table's cells row by row; its noisy-OR values), then outcome
    effects, then indicators.
    """
    net = Network(p={}, causes={}, base={}, effects={})
    for name, driver in spec["drivers"].items():
        _driver_numbers(name, driver, net, probability, effect)
    source = spec.get("outcomes_from")
    if source is not None:  # SPEC §11.5: a binary driver's outcomes are true, then false
        net.outcomes_from = source
        ids = net.states[source] if source in net.states else ("true", "false")
        net.base = {k: 1.0 for k in ids}
        net.effects = {k: {} for k in ids}
    else:
        for name, outcome in spec["outcomes"].items():
            net.base[name] = float(outcome.get("base", 1.0))
            net.effects[name] = {c: effect(v) for c, v in (outcome.get("drivers") or {}).items()}
    net.indicators = {
        name: (item["signals"], probability(item["if_true"]), probability(item["if_false"]))
        for name, item in (spec.get("indicators") or {}).items()
    }
    return net


def evidence_from(spec: Mapping[str, Any], names: list[str] | None = None) -> Evidence:
    """The scenario's evidence items (only ``names`` when given) as :class:`Evidence`."""
    items = spec.get("evidence") or {}
    evidence = Evidence()
    for name in items if names is None else names:
        item = items[name]
        if "indicator" in item:
            evidence.seen[item["indicator"]] = bool(item["observed"])
        elif "observed" in item:
            evidence.hard[item["driver"]] = item["observed"]
        else:
            evidence.soft.append((item["driver"], float(item["likelihood_ratio"])))
    return evidence


def timeline_from(spec: Mapping[str, Any]) -> list[tuple[dt.date, list[str]]]:
    """SPEC §4's timeline: a point at ``as_of`` and at each distinct evidence date.

    Each point counts the evidence dated on or before it; undated evidence counts from
    ``as_of`` (so not at points before it). Needs ``as_of``.
    """
    as_of = spec["as_of"]
    items = spec.get("evidence") or {}
    dates = sorted({as_of} | {item["date"] for item in items.values() if "date" in item})
    return [
        (
            when,
            [
                name
                for name, item in items.items()
                if (item["date"] <= when if "date" in item else as_of <= when)
            ],
        )
        for when in dates
    ]


# --- the model's conditional probabilities (SPEC §4, §11) -------------------------------------
#
# Every per-combination quantity is an array (C, 1) or (C, S): one row per combination of the
# drivers' states (``column[d]`` holds driver d's state in each row), one column per draw of the
# numbers (a single column when every number is a plain float).


def sigmoid(x: Value) -> Value:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: Value) -> Value:
    return np.log(p) - np.log1p(-p)


def _number(x: Value) -> np.ndarray:
    """A number or an array of draws as a (1, 1) or (1, S) array."""
    return np.asarray(x, float).reshape(1, -1)


def holds(column: Mapping[str, np.ndarray], condition: str) -> np.ndarray:
    """(C, 1): 1.0 where the condition holds (SPEC §11.2), else 0.0."""
    driver, state = split(condition)
    return (column[driver] == state).astype(float)[:, None]


def conditional(
    net: Network, driver: str, column: Mapping[str, np.ndarray], size: int
) -> dict[str, np.ndarray]:
    """state -> P(driver = state | its parents' states in each of the ``size`` rows of
    ``column``): the formulas of SPEC §4 and §11.1, §11.3, §11.4, written out."""
    states = net.states_of(driver)
    ones = np.ones((size, 1))
    if driver in net.tables:
        chance = {s: 0.0 * ones for s in states}
        for row, cell in net.tables[driver].items():
            here = np.prod([holds(column, f"{q}={s}") for q, s in row], axis=0)
            if net.binary(driver):
                cells = {"true": _number(cell), "false": 1.0 - _number(cell)}
            else:
                total = sum(_number(v) for v in cell.values())
                cells = {s: _number(cell[s]) / total for s in states}
            for s in states:
                chance[s] = chance[s] + here * cells[s]
        return chance
    if driver in net.noisy_or:
        leak, causes = net.noisy_or[driver]
        none = (1.0 - _number(leak)) * ones  # P(no cause and not the leak makes it hold)
        for condition, p in causes.items():
            none = none * (1.0 - _number(p) * holds(column, condition))
        return {"false": none, "true": 1.0 - none}
    if net.binary(driver):  # P(holds) = p e^x / (p e^x + 1 - p) = sigmoid(logit p + x)
        pushed = sum((_number(w) * holds(column, c) for c, w in net.causes[driver].items()), 0.0)
        weight = {"false": (1.0 - _number(net.p[driver])) * ones,
                  "true": _number(net.p[driver]) * np.exp(pushed) * ones}  # fmt: skip
    else:
        weight = {}
        for s in states:
            pushed = sum(
                (_number(w) * holds(column, c) for c, w in net.causes[driver][s].items()), 0.0
            )
            weight[s] = _number(net.p[driver][s]) * np.exp(pushed) * ones
    total = sum(weight.values())
    return {s: weight[s] / total for s in states}


def outcome_chances(net: Network, column: Mapping[str, np.ndarray], size: int) -> dict:
    """outcome -> P(Y = k | the drivers' states in each row) (SPEC §4, §11.5)."""
    if net.outcomes_from is not None:
        return {k: holds(column, f"{net.outcomes_from}={k}") for k in net.outcomes}
    scores = {}
    for k in net.outcomes:
        pushed = sum((_number(v) * holds(column, c) for c, v in net.effects[k].items()), 0.0)
        scores[k] = net.base[k] * np.exp(pushed) * np.ones((size, 1))
    total = sum(scores.values())
    return {k: score / total for k, score in scores.items()}


def seen_chance(net: Network, indicator: str, column: Mapping[str, np.ndarray]) -> np.ndarray:
    """(C, ·): P(indicator seen | the drivers' states in each row)."""
    condition, if_true, if_false = net.indicators[indicator]
    on = holds(column, condition)
    return on * _number(if_true) + (1.0 - on) * _number(if_false)


def grid(net: Network, drivers: list[str]) -> tuple[dict[str, np.ndarray], int]:
    """Every combination of the drivers' states (the last driver fastest), as columns."""
    combinations = list(itertools.product(*(net.states_of(d) for d in drivers)))
    column = {d: np.array([c[i] for c in combinations]) for i, d in enumerate(drivers)}
    return column, len(combinations)


# --- enumeration ------------------------------------------------------------------------------


def _state_named(value: bool | str) -> str:
    """The state a what-if's value names: ``true``/``false`` for a binary driver, a state id."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _all_plain(net: Network) -> bool:
    """Whether every number is a plain float (then the answers are floats too)."""
    values: list = list(net.effects.values()) + list(net.causes.values())
    values += [net.p[d] for d in net.drivers] + list(net.indicators.values())
    values += list(net.tables.values()) + list(net.noisy_or.values())

    def plain(v) -> bool:
        if isinstance(v, dict):
            return all(plain(x) for x in v.values())
        if isinstance(v, tuple | list):
            return all(plain(x) for x in v)
        return v is None or isinstance(v, str) or np.ndim(v) == 0

    return all(plain(v) for v in values)


def enumerate_posterior(
    net: Network, evidence: Evidence, do: Mapping[str, bool | str] | None = None
) -> Expected:
    """P(Y = k | e), P(X = s | e), P(e) and the joint laws, summing every combination of every
    driver's states (SPEC §4, §11).

    ``do`` is an intervention: each driver it names is fixed to its value (``true``/``false``
    or a state id) with its causes cut, and hard evidence on it is set aside; all other
    evidence applies.
    """
    do = {d: _state_named(v) for d, v in (do or {}).items()}
    column, size = grid(net, net.drivers)
    weight = np.ones((size, 1))  # P(combination, e) for each row, each draw
    for d in net.drivers:
        if d in do:
            weight = weight * holds(column, f"{d}={do[d]}")
            continue
        chance = conditional(net, d, column, size)
        weight = weight * sum(holds(column, f"{d}={s}") * chance[s] for s in net.states_of(d))
    for d, kept in evidence.kept(net).items():
        if d not in do:
            weight = weight * np.isin(column[d], list(kept)).astype(float)[:, None]
    for condition, ratio in evidence.soft:
        weight = weight * (1.0 + (ratio - 1.0) * holds(column, condition))
    for name, observed in evidence.seen.items():
        seen = seen_chance(net, name, column)
        weight = weight * (seen if observed else 1.0 - seen)
    share = {k: weight * y for k, y in outcome_chances(net, column, size).items()}
    total = weight.sum(axis=0)
    plain = _all_plain(net)

    def out(x: np.ndarray) -> Value:
        with np.errstate(invalid="ignore"):  # evidence that cannot hold: P(e) = 0, all NaN
            x = x.sum(axis=0) / total
        return float(x[0]) if plain else x

    states, joint = {}, {}
    for d in net.drivers:
        states[d] = {}
        for s in net.states_of(d):
            here = holds(column, f"{d}={s}")
            states[d][s] = out(weight * here)
            joint[f"{d}={s}"] = {k: out(share[k] * here) for k in net.outcomes}
        if net.binary(d):
            joint[d] = joint[f"{d}=true"]
    for name in net.indicators:
        seen = seen_chance(net, name, column)
        joint[name] = {k: out(share[k] * seen) for k in net.outcomes}
    return Expected(
        outcomes={k: out(share[k]) for k in net.outcomes},
        drivers={key: states[d][s] for key, d, s in net.reported()},
        evidence=float(total[0]) if plain else total,
        joint=joint,
        states=states,
    )


def probability_of(expected: Expected, condition: str) -> Value:
    """P(condition | e) for ``X``, ``X=true``, ``X=false`` or ``X=s`` (what an expectation on
    a driver bounds, SPEC §5, §11.2)."""
    driver, state = split(condition)
    return expected.states[driver][state]


def mutual_information(joint_true: np.ndarray, outcome: np.ndarray) -> float:
    """I(Y; X) in bits from P(Y = k, X = true) and P(Y = k), one entry per outcome (SPEC §9)."""
    return mutual_information_of(np.stack([outcome - joint_true, joint_true]))


def mutual_information_of(table: np.ndarray) -> float:
    """I(Y; X) in bits from the table P(X = s, Y = k), one row per state of X (SPEC §9, §11.6)."""
    table = np.clip(np.asarray(table, float), 0, None)
    px, py = table.sum(1, keepdims=True), table.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.nansum(np.where(table > 0, table * np.log2(table / (px * py)), 0)))


# --- pgmpy ------------------------------------------------------------------------------------

_OUTCOME = "__outcome__"


def _fixed_column(x: np.ndarray, size: int) -> np.ndarray:
    x = np.broadcast_to(x, (size, x.shape[1]))
    if x.shape[1] != 1:
        raise ValueError("pgmpy takes fixed numbers only")
    return x[:, 0]


def _cpd(net: Network, variable: str, states, parents: list[str], chance: dict):
    """A ``TabularCPD`` of ``variable`` (its ``states``) from P(state | each parent combination)."""
    from pgmpy.factors.discrete import TabularCPD

    size = math.prod(len(net.states_of(q)) for q in parents)
    values = np.array([_fixed_column(chance[s], size) for s in states])
    names = {variable: list(states), **{q: list(net.states_of(q)) for q in parents}}
    return TabularCPD(
        variable, len(states), values, evidence=parents or None,
        evidence_card=[len(net.states_of(q)) for q in parents] or None, state_names=names,
    )  # fmt: skip


def _virtual(net: Network, model, node: str, driver: str, chance: Mapping[str, float]):
    """A virtual child of ``driver``, observed in its state 1: P(1 | X = s) = chance[s]."""
    model.add_edge(driver, node)
    column, _ = grid(net, [driver])
    one = np.array([[float(chance[s])] for s in column[driver]])
    return _cpd(net, node, (0, 1), [driver], {0: 1.0 - one, 1: one})


def pgmpy_model(net: Network, evidence: Evidence, do: Mapping[str, bool | str] | None = None):
    """The network as a pgmpy ``DiscreteBayesianNetwork`` and the evidence to query it with.

    Every driver is a node with its states; so is the outcome (unless ``outcomes_from``: then
    the outcome is that driver). Hard evidence that leaves one state is pgmpy evidence; hard
    evidence that rules states out (``X=s`` observed false), each observed indicator and each
    soft report are virtual children, observed: P(1 | X) is 1 on the states kept (0 else), the
    indicator's chance of being seen (or not seen), or proportional to the report's ratio r on
    the states its condition names (1 else). An intervened driver loses its parents and gets a
    point-mass CPD; hard evidence on it is dropped. Returns ``(model, observed)``.
    """
    from pgmpy.models import DiscreteBayesianNetwork

    do = {d: _state_named(v) for d, v in (do or {}).items()}
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(net.drivers)
    cpds = []
    for d in net.drivers:
        states = net.states_of(d)
        if d in do:
            point = {s: np.array([[float(s == do[d])]]) for s in states}
            cpds.append(_cpd(net, d, states, [], point))
            continue
        parents = net.parents(d)
        model.add_edges_from((q, d) for q in parents)
        column, size = grid(net, parents)
        cpds.append(_cpd(net, d, states, parents, conditional(net, d, column, size)))
    if net.outcomes_from is None:
        parents = net.outcome_parents()
        model.add_node(_OUTCOME)
        model.add_edges_from((d, _OUTCOME) for d in parents)
        column, size = grid(net, parents)
        chances = outcome_chances(net, column, size)
        cpds.append(_cpd(net, _OUTCOME, net.outcomes, parents, chances))
    observed: dict[str, Any] = {}
    for d, kept in evidence.kept(net).items():
        if d in do:
            continue
        if len(kept) == 1:
            observed[d] = next(iter(kept))
        else:
            chance = {s: float(s in kept) for s in net.states_of(d)}
            cpds.append(_virtual(net, model, f"__kept_{d}", d, chance))
            observed[f"__kept_{d}"] = 1
    for name, seen in evidence.seen.items():
        condition, if_true, if_false = net.indicators[name]
        driver, state = split(condition)
        on, off = (float(if_true), float(if_false)) if seen else (1 - if_true, 1 - if_false)
        chance = {s: on if s == state else off for s in net.states_of(driver)}
        cpds.append(_virtual(net, model, f"__indicator_{name}", driver, chance))
        observed[f"__indicator_{name}"] = 1
    for i, (condition, ratio) in enumerate(evidence.soft):
        driver, state = split(condition)
        scale = 0.5 / max(1.0, ratio)  # any constant works: only the ratio matters
        chance = {s: scale * (ratio if s == state else 1.0) for s in net.states_of(driver)}
        cpds.append(_virtual(net, model, f"__report_{i}", driver, chance))
        observed[f"__report_{i}"] = 1
    model.add_cpds(*cpds)
    assert model.check_model()
    return model, observed


def pgmpy_posterior(
    net: Network, evidence: Evidence, do: Mapping[str, bool | str] | None = None
) -> Expected:
    """P(Y = k | e) and P(X = s | e) by pgmpy's variable elimination (fixed numbers only)."""
    from pgmpy.inference import VariableElimination

    model, observed = pgmpy_model(net, evidence, do)
    infer = VariableElimination(model)

    def distribution(node: str, states) -> dict[str, float]:
        if node in observed:
            return {s: float(s == observed[node]) for s in states}
        factor = infer.query([node], evidence=observed, show_progress=False)
        return {s: float(factor.get_value(**{node: s})) for s in states}

    states = {d: distribution(d, net.states_of(d)) for d in net.drivers}
    if net.outcomes_from is None:
        outcomes = distribution(_OUTCOME, net.outcomes)
    else:
        outcomes = {k: states[net.outcomes_from][k] for k in net.outcomes}
    return Expected(
        outcomes=outcomes,
        drivers={key: states[d][s] for key, d, s in net.reported()},
        evidence=float("nan"),
        states=states,
    )


# --- importance sampling ----------------------------------------------------------------------


@dataclass
class Estimate:
    """A posterior mean of a per-draw quantity, its Monte Carlo error and 90% interval."""

    p: float
    mcse: float
    lo: float
    hi: float


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    return float(np.interp(q, cumulative - weights[order] / weights.sum() / 2, values[order]))


def estimate(values: np.ndarray, weights: np.ndarray) -> Estimate:
    """Self-normalised importance-sampling estimate of E[values] with its delta-method error."""
    w = weights / weights.sum()
    mean = float(np.sum(w * values))
    mcse = float(np.sqrt(np.sum(w**2 * (values - mean) ** 2)))
    return Estimate(
        mean, mcse, weighted_quantile(values, w, 0.05), weighted_quantile(values, w, 0.95)
    )


def posterior_mean(value: Value, weights: np.ndarray) -> float:
    """E[value(θ) | e] over draws of θ from the prior weighted by P(e | θ) (``weights``)."""
    per_draw = np.broadcast_to(np.asarray(value, float), weights.shape)
    return float(np.sum(weights * per_draw) / np.sum(weights))


def effective_size(weights: np.ndarray) -> float:
    """The effective sample size of importance weights."""
    return float(weights.sum() ** 2 / np.sum(weights**2))


@dataclass
class Sampled:
    """Importance-sampling answers: an :class:`Estimate` per outcome and reported driver key
    (SPEC §11.6), and the ESS."""

    outcomes: dict[str, Estimate]
    drivers: dict[str, Estimate]
    ess: float


def importance_sampling(
    spec: Mapping[str, Any],
    evidence: Evidence,
    do: Mapping[str, bool | str] | None = None,
    *,
    size: int = 20_000,
    seed: int = 0,
) -> Sampled:
    """E[q_k(θ) | e] with θ drawn from the priors and weighted by P(e | θ) (SPEC §4).

    Under an intervention the weight is P(e | θ) in the intervened network, as is q_k.
    """
    probability, effect = prior_sampler(size, np.random.default_rng(seed))
    net = network_from(spec, probability, effect)
    answer = enumerate_posterior(net, evidence, do)
    weights = np.broadcast_to(np.asarray(answer.evidence, float), (size,)).copy()

    def per_draw(value: Value) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, float), (size,))

    return Sampled(
        outcomes={k: estimate(per_draw(v), weights) for k, v in answer.outcomes.items()},
        drivers={d: estimate(per_draw(v), weights) for d, v in answer.drivers.items()},
        ess=effective_size(weights),
    )
