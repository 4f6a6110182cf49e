"""The one independent reference for the engine's numbers, written from the SPEC alone.

Nothing here imports ``models/`` or ``engine/``: the tables of SPEC §2-3 are copied here, and
a range's Beta is fitted here with scipy, so a mistake in the engine's own tables or fits shows
as a disagreement. The parts:

- the priors (SPEC §2-3): :data:`PROBABILITY_WORDS`, :data:`EFFECT_WORDS`, :func:`beta_for`,
  :func:`prior_sampler` (draws of every number from its prior), :func:`word_for` (§2's bands);
- reading a scenario dict (the YAML's values, ``extends`` already merged):
  :func:`network_from`, :func:`evidence_from`, :func:`timeline_from`;
- :func:`enumerate_posterior`: the sum over all 2^n driver states in plain NumPy, one state at
  a time, vectorised over draws of the numbers (every number may be a float or an array): the
  outcome and driver probabilities, P(evidence), and the joint law of the outcome with each
  driver and indicator that signposts are made of (SPEC §9);
- :func:`pgmpy_posterior`: the same network as a pgmpy ``DiscreteBayesianNetwork`` queried with
  variable elimination (a second, unrelated implementation for fixed numbers);
- :func:`importance_sampling` and :func:`posterior_mean`: for uncertain numbers, draws from the
  priors weighted by P(evidence | numbers) from :func:`enumerate_posterior`;
- :func:`mutual_information`: a signpost's bits (SPEC §9).
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


@dataclass
class Network:
    """The numbers of a scenario (SPEC §4), in the scenario's order.

    Attributes
    ----------
    p : dict
        driver -> P(driver holds | none of its causes holds).
    causes : dict
        child driver -> {parent driver: effect w on the child's log-odds}.
    base : dict
        outcome -> relative weight when no driver holds.
    effects : dict
        outcome -> {driver: effect v on the outcome's log-odds}.
    indicators : dict
        indicator -> (driver it signals, P(seen | driver holds), P(seen | it does not)).
    """

    p: dict[str, Value]
    causes: dict[str, dict[str, Value]]
    base: dict[str, float]
    effects: dict[str, dict[str, Value]]
    indicators: dict[str, tuple[str, Value, Value]] = field(default_factory=dict)

    @property
    def drivers(self) -> list[str]:
        return list(self.p)

    @property
    def outcomes(self) -> list[str]:
        return list(self.base)


@dataclass
class Evidence:
    """Hard evidence on drivers and indicators, and soft evidence (likelihood ratios)."""

    hard: dict[str, bool] = field(default_factory=dict)  # driver -> observed
    seen: dict[str, bool] = field(default_factory=dict)  # indicator -> observed
    soft: list[tuple[str, float]] = field(default_factory=list)  # (driver, ratio), may repeat


@dataclass
class Expected:
    """What the evidence implies for one set of numbers (or one value per draw of them).

    Attributes
    ----------
    outcomes : dict
        P(Y = k | e) per outcome.
    drivers : dict
        P(driver holds | e) per driver.
    evidence : float or array
        P(e | numbers) in the (possibly intervened) network.
    joint : dict
        For every driver X, P(Y = k, X holds | e); for every indicator I, P(Y = k, I seen | e):
        item -> outcome -> probability (SPEC §9's joint law of the outcome and an item).
    """

    outcomes: dict[str, Value]
    drivers: dict[str, Value]
    evidence: Value
    joint: dict[str, dict[str, Value]] = field(default_factory=dict)


def network_from(
    spec: Mapping[str, Any],
    probability: Callable[[Any], Value] = fixed_probability,
    effect: Callable[[Any], Value] = fixed_effect,
) -> Network:
    """The numbers of a scenario dict; ``probability``/``effect`` turn what is written into values.

    The defaults accept fixed numbers only; :func:`prior_sampler` gives draws from the priors.
    Draws are taken in the scenario's order: drivers' ``p`` and causes, then outcome effects,
    then indicators.
    """
    p, causes = {}, {}
    for name, driver in spec["drivers"].items():
        p[name] = probability(driver["p"])
        causes[name] = {parent: effect(w) for parent, w in (driver.get("causes") or {}).items()}
    base, effects = {}, {}
    for name, outcome in spec["outcomes"].items():
        base[name] = float(outcome.get("base", 1.0))
        effects[name] = {d: effect(v) for d, v in (outcome.get("drivers") or {}).items()}
    indicators = {
        name: (item["signals"], probability(item["if_true"]), probability(item["if_false"]))
        for name, item in (spec.get("indicators") or {}).items()
    }
    return Network(p, causes, base, effects, indicators)


def evidence_from(spec: Mapping[str, Any], names: list[str] | None = None) -> Evidence:
    """The scenario's evidence items (only ``names`` when given) as :class:`Evidence`."""
    items = spec.get("evidence") or {}
    evidence = Evidence()
    for name in items if names is None else names:
        item = items[name]
        if "indicator" in item:
            evidence.seen[item["indicator"]] = bool(item["observed"])
        elif "observed" in item:
            evidence.hard[item["driver"]] = bool(item["observed"])
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


# --- enumeration ------------------------------------------------------------------------------


def sigmoid(x: Value) -> Value:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: Value) -> Value:
    return np.log(p) - np.log1p(-p)


def enumerate_posterior(
    net: Network, evidence: Evidence, do: Mapping[str, bool] | None = None
) -> Expected:
    """P(Y = k | e), P(D = 1 | e), P(e) and the joint laws, summing every driver state (SPEC §4).

    ``do`` is an intervention: each driver it names is fixed to its value with its causes cut,
    and hard evidence on it is set aside; all other evidence applies.
    """
    do = dict(do or {})
    drivers, outcomes = net.drivers, net.outcomes
    total: Value = 0.0
    joint = {k: 0.0 for k in outcomes}
    holds = {d: 0.0 for d in drivers}
    with_item = {item: {k: 0.0 for k in outcomes} for item in [*drivers, *net.indicators]}
    for bits in itertools.product((0, 1), repeat=len(drivers)):
        state = dict(zip(drivers, bits))
        if any(state[d] != int(v) for d, v in do.items()):
            continue
        if any(state[d] != int(v) for d, v in evidence.hard.items() if d not in do):
            continue
        weight: Value = 1.0
        for d in drivers:
            if d in do:
                continue
            x = logit(net.p[d]) + sum(w * state[parent] for parent, w in net.causes[d].items())
            prob = sigmoid(x)
            weight = weight * (prob if state[d] else 1.0 - prob)
        for d, ratio in evidence.soft:
            if state[d]:
                weight = weight * ratio
        for name, observed in evidence.seen.items():
            driver, if_true, if_false = net.indicators[name]
            p_seen = if_true if state[driver] else if_false
            weight = weight * (p_seen if observed else 1.0 - p_seen)
        scores = {
            k: net.base[k] * np.exp(sum(v * state[d] for d, v in net.effects[k].items()))
            for k in outcomes
        }
        norm = sum(scores.values())
        total = total + weight
        share = {k: weight * scores[k] / norm for k in outcomes}  # P(Y = k, state, e)
        for k in outcomes:
            joint[k] = joint[k] + share[k]
        for d in drivers:
            if state[d]:
                holds[d] = holds[d] + weight
                for k in outcomes:
                    with_item[d][k] = with_item[d][k] + share[k]
        for name, (driver, if_true, if_false) in net.indicators.items():
            p_seen = if_true if state[driver] else if_false
            for k in outcomes:
                with_item[name][k] = with_item[name][k] + share[k] * p_seen
    return Expected(
        outcomes={k: joint[k] / total for k in outcomes},
        drivers={d: holds[d] / total for d in drivers},
        evidence=total,
        joint={item: {k: v / total for k, v in row.items()} for item, row in with_item.items()},
    )


def mutual_information(joint_true: np.ndarray, outcome: np.ndarray) -> float:
    """I(Y; X) in bits from P(Y = k, X = true) and P(Y = k), one entry per outcome (SPEC §9)."""
    table = np.clip(np.stack([outcome - joint_true, joint_true]), 0, None)
    px, py = table.sum(1, keepdims=True), table.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.nansum(np.where(table > 0, table * np.log2(table / (px * py)), 0)))


# --- pgmpy ------------------------------------------------------------------------------------

_OUTCOME = "__outcome__"


def pgmpy_model(net: Network, evidence: Evidence, do: Mapping[str, bool] | None = None):
    """The network as a pgmpy ``DiscreteBayesianNetwork`` and the evidence to query it with.

    Drivers, the outcome, the observed indicators and one virtual node per soft report are
    nodes; a soft report with ratio r is a child of its driver with P(report | holds) and
    P(report | not) proportional to r and 1, observed. An intervened driver loses its parents
    and gets a point-mass CPD; hard evidence on it is dropped. Returns ``(model, observed)``.
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    do = dict(do or {})
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(net.drivers)
    model.add_node(_OUTCOME)
    cpds = []
    for d in net.drivers:
        if d in do:
            on = float(do[d])
            cpds.append(TabularCPD(d, 2, [[1.0 - on], [on]]))
            continue
        parents = list(net.causes[d])
        model.add_edges_from((parent, d) for parent in parents)
        columns = []
        for bits in itertools.product((0, 1), repeat=len(parents)):  # last parent fastest
            x = logit(net.p[d]) + sum(net.causes[d][q] * b for q, b in zip(parents, bits))
            columns.append(float(sigmoid(x)))
        on = np.array(columns)
        cpds.append(
            TabularCPD(d, 2, np.vstack([1.0 - on, on]), evidence=parents or None,
                       evidence_card=[2] * len(parents) or None)
        )  # fmt: skip
    pushed = {d for effects in net.effects.values() for d in effects}
    parents = [d for d in net.drivers if d in pushed]
    model.add_edges_from((d, _OUTCOME) for d in parents)
    columns = []
    for bits in itertools.product((0, 1), repeat=len(parents)):
        state = dict(zip(parents, bits))
        scores = np.array(
            [
                net.base[k] * math.exp(sum(float(v) * state[d] for d, v in net.effects[k].items()))
                for k in net.outcomes
            ]
        )
        columns.append(scores / scores.sum())
    cpds.append(
        TabularCPD(_OUTCOME, len(net.outcomes), np.array(columns).T,
                   evidence=parents or None, evidence_card=[2] * len(parents) or None)
    )  # fmt: skip
    observed = {d: int(v) for d, v in evidence.hard.items() if d not in do}
    for name, seen in evidence.seen.items():
        driver, if_true, if_false = net.indicators[name]
        node = f"__indicator_{name}"
        model.add_edge(driver, node)
        cpds.append(
            TabularCPD(node, 2, [[1 - float(if_false), 1 - float(if_true)],
                                 [float(if_false), float(if_true)]],
                       evidence=[driver], evidence_card=[2])
        )  # fmt: skip
        observed[node] = int(seen)
    for i, (driver, ratio) in enumerate(evidence.soft):
        node = f"__report_{i}"
        scale = 0.5 / max(1.0, ratio)  # any constant works: only the ratio matters
        model.add_edge(driver, node)
        cpds.append(
            TabularCPD(node, 2, [[1 - scale, 1 - scale * ratio], [scale, scale * ratio]],
                       evidence=[driver], evidence_card=[2])
        )  # fmt: skip
        observed[node] = 1
    model.add_cpds(*cpds)
    assert model.check_model()
    return model, observed


def pgmpy_posterior(
    net: Network, evidence: Evidence, do: Mapping[str, bool] | None = None
) -> Expected:
    """P(Y = k | e) and P(D = 1 | e) by pgmpy's variable elimination (fixed numbers only)."""
    from pgmpy.inference import VariableElimination

    model, observed = pgmpy_model(net, evidence, do)
    infer = VariableElimination(model)
    outcome = infer.query([_OUTCOME], evidence=observed, show_progress=False).values
    drivers = {}
    for d in net.drivers:
        if d in observed:
            drivers[d] = float(observed[d])
        else:
            drivers[d] = float(infer.query([d], evidence=observed, show_progress=False).values[1])
    return Expected(
        outcomes={k: float(p) for k, p in zip(net.outcomes, outcome)},
        drivers=drivers,
        evidence=float("nan"),
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
    """Importance-sampling answers: an :class:`Estimate` per outcome and driver, and the ESS."""

    outcomes: dict[str, Estimate]
    drivers: dict[str, Estimate]
    ess: float


def importance_sampling(
    spec: Mapping[str, Any],
    evidence: Evidence,
    do: Mapping[str, bool] | None = None,
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
