"""What moves the outcome and what to watch (SPEC §9).

- ``influence``: each driver set true and set false (what-if semantics); ranked by swing. Each
  is a setting like any what-if, answered by the run's evaluator: with importance sampling,
  the same prior draws reweighted by P(e | θ, do); with NUTS, the main draws reweighted by
  P(e | θ, do) / P(e | θ) and sampled afresh when those weights miss the bar. Each row says
  which method answered it and whether it met the bar.
- ``uncertainty``: for each outcome, each uncertain number's first-order share of the posterior
  variance of q_k(θ): Var(E[q_k | θ_j]) / Var(q_k), estimated from the weighted posterior
  draws by binning θ_j into bins of equal weight (the correlation ratio, corrected for the bias
  of binning finite samples and clipped to [0, 1]). Shares need not add to 1: numbers interact and
  correlate in the posterior.
- ``signposts``: for each unobserved driver and indicator, the joint law of the outcome and that
  item given the evidence, averaged over the posterior draws of θ, and its mutual information
  in bits; ranked by bits.
- ``band_crossing``: for each outcome, each single observation that would move it into another
  ICD 203 word band.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from engine.inference.answer import Answer, Sample
from engine.inference.network import Network
from engine.run.result import Result
from engine.scenario.values import word_for
from models.elimination import ImpossibleEvidence
from models.graph import Setting


class Evaluate(Protocol):
    """What the analysis needs of an evaluator (``engine.inference``)."""

    def __call__(self, setting: Setting, *, analysis: bool = False) -> Answer: ...

    def item_joints(self, answer: Answer, setting: Setting) -> np.ndarray: ...


def analyse(network: Network, result: Result, evaluate: Evaluate) -> dict:
    """The four SPEC §9 analysis keys for a result, given the evaluator that produced it."""
    signposts = signposts_of(network, result.main, evaluate)
    return {
        "influence": influence_of(network, evaluate),
        "uncertainty": uncertainty_of(network, result.main),
        "signposts": signposts,
        "band_crossing": band_crossing_of(result, signposts),
    }


def influence_of(network: Network, evaluate: Evaluate) -> dict:
    """Outcome probabilities with each driver set to each of its states; ranked by swing.

    A binary driver gives ``if_true`` and ``if_false``; a multi-state driver ``states``
    (SPEC §11.6). The swing is, over the outcomes, the largest spread between its states. The
    driver whose states are the outcomes (``outcomes_from``) is left out.
    """
    graph = network.graph
    rows = {}
    for i, driver in enumerate(graph.drivers):
        if i == graph.outcome_from:
            continue
        answers = {s: _set(network, evaluate, i, s) for s in graph.states[i]}
        per_state = {
            s: None if a is None else {k: x.p for k, x in a.outcomes.items()}
            for s, a in answers.items()
        }
        possible = [p for p in per_state.values() if p is not None]
        swing = max(
            (max(p[k] for p in possible) - min(p[k] for p in possible) for k in graph.outcomes),
            default=0.0,
        )
        row = (
            {"if_true": per_state["true"], "if_false": per_state["false"]}
            if graph.binary(i)
            else {"states": per_state}
        )
        done = [a for a in answers.values() if a is not None]
        rows[driver] = {
            **row,
            "swing": swing,
            "reliable": all(a.reliable for a in done),
            "method": "/".join(sorted({a.diagnostics.method for a in done})),
        }
    return dict(sorted(rows.items(), key=lambda item: -item[1]["swing"]))


def _set(network: Network, evaluate: Evaluate, i: int, state: str) -> Answer | None:
    """The outcomes with driver i set to ``state``; None when the evidence cannot hold then."""
    graph = network.graph
    value = state == "true" if graph.binary(i) else state
    try:
        return evaluate(network.setting(do={graph.drivers[i]: value}), analysis=True)
    except ImpossibleEvidence:
        return None


def first_order_share(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, bins: int | None = None
) -> float:
    """Share of Var(y) explained by E[y | x], estimated by equal-weight bins of x.

    With weights (importance sampling), bins hold equal weight and the effective sample size
    1 / Σ w² stands for the number of draws in the correction for binning noise.
    """
    size = len(y)
    weights = np.full(size, 1.0 / size) if weights is None else np.asarray(weights)
    effective = 1.0 / np.sum(weights**2)
    mean = weights @ y
    total = weights @ (y - mean) ** 2
    if effective < 20 or total <= 0 or np.ptp(x) == 0:
        return 0.0
    bins = bins or int(np.clip(np.sqrt(effective), 5, 50))
    order = np.argsort(x, kind="stable")
    edges = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    group = np.searchsorted(edges, np.cumsum(weights[order]) - weights[order] / 2)
    mass = np.bincount(group, weights[order], minlength=bins)
    sums = np.bincount(group, weights[order] * y[order], minlength=bins)
    filled = mass > 0
    between = np.sum(mass[filled] * (sums[filled] / mass[filled] - mean) ** 2)
    raw = between / total
    # Binning noise alone gives about (bins - 1) / n; remove it (the "epsilon-squared" form).
    n = effective
    adjusted = (raw - (bins - 1) / (n - bins) * (1 - raw)) if n > bins else raw
    return float(np.clip(adjusted, 0.0, 1.0))


def uncertainty_of(network: Network, main: Answer) -> dict:
    """For each outcome, each uncertain number's share of the spread of q_k; ranked."""
    outcomes = network.graph.outcomes
    sample: Sample | None = main.sample
    if sample is None:
        return {k: {} for k in outcomes}
    slots = network.layout.slots
    theta = network.layout.vector(sample.params)
    uncertain = set(network.uncertain_slots)
    out = {}
    for k, outcome in enumerate(outcomes):
        shares = {
            slot: first_order_share(theta[:, j], sample.outcomes[:, k], sample.weights)
            for j, slot in enumerate(slots)
            if slot in uncertain
        }
        out[outcome] = dict(sorted(shares.items(), key=lambda item: -item[1]))
    return out


def _bits(joint: np.ndarray) -> float:
    """Mutual information in bits of an item and the outcome from their joint law (states, K)."""
    table = np.clip(joint, 0.0, None)
    px = table.sum(axis=1, keepdims=True)
    py = table.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(table > 0, table * np.log2(table / (px * py)), 0.0)
    return float(max(terms.sum(), 0.0))


def signposts_of(network: Network, main: Answer, evaluate: Evaluate) -> dict:
    """Every unobserved driver and indicator, with what observing it would do; ranked by bits.

    The joint law of the outcome and each item given the evidence (SPEC §9) comes from the
    evaluator's ``item_joints``: P(Y = k, X = s | e) for every driver state, then
    P(Y = k, seen | e) for every indicator, averaged over θ's posterior draws.
    """
    graph = network.graph
    evidence = network.scenario.evidence.values()
    hard_drivers = {
        e.driver.partition("=")[0] for e in evidence if e.driver and e.observed is not None
    }
    observed_indicators = {e.indicator for e in evidence if e.indicator}
    joint = evaluate.item_joints(main, network.setting())  # (T + M, K)
    outcome = np.array([s.p for s in main.outcomes.values()])
    rows = {}
    for i, driver in enumerate(graph.drivers):
        if driver in hard_drivers or i == graph.outcome_from:
            continue
        table = joint[graph.offsets[i] : graph.offsets[i + 1]]
        if graph.binary(i):
            rows[driver] = _binary_row("driver", graph.outcomes, table[1], outcome)
        else:
            rows[driver] = {
                "kind": "driver",
                "bits": _bits(table),
                "states": {
                    s: {
                        "p": float(table[t].sum()),
                        "outcomes": _conditional(graph.outcomes, table[t], float(table[t].sum())),
                    }
                    for t, s in enumerate(graph.states[i])
                },
            }
    for m, indicator in enumerate(graph.indicators):
        if indicator not in observed_indicators:
            seen = joint[graph.total_states + m]
            rows[indicator] = _binary_row("indicator", graph.outcomes, seen, outcome)
    return dict(sorted(rows.items(), key=lambda item: -item[1]["bits"]))


def _binary_row(kind: str, outcomes, true_part: np.ndarray, outcome: np.ndarray) -> dict:
    p_true = float(true_part.sum())
    false_part = outcome - true_part
    return {
        "kind": kind,
        "bits": _bits(np.stack([false_part, true_part])),
        "p_true": p_true,
        "if_true": _conditional(outcomes, true_part, p_true),
        "if_false": _conditional(outcomes, false_part, 1.0 - p_true),
    }


def _conditional(outcomes, part: np.ndarray, mass: float) -> dict[str, float | None]:
    if mass <= 0:
        return {k: None for k in outcomes}
    return {k: float(np.clip(v / mass, 0.0, 1.0)) for k, v in zip(outcomes, part)}


def observations(row: dict) -> list[tuple[bool | str, dict, float]]:
    """Every single observation of a signpost row: (what is observed, the outcome
    probabilities then, how likely the observation is)."""
    if "states" in row:
        return [(s, x["outcomes"], x["p"]) for s, x in row["states"].items()]
    return [(True, row["if_true"], row["p_true"]), (False, row["if_false"], 1.0 - row["p_true"])]


def band_crossing_of(result: Result, signposts: dict) -> dict:
    """For each outcome, each observation that would move it into another word band."""
    out = {}
    for outcome, summary in result.main.outcomes.items():
        now = word_for(summary.p)
        moves = []
        for item, row in signposts.items():
            for observed, then, mass in observations(row):
                p = then[outcome]
                if p is not None and mass > 0 and word_for(p) != now:
                    moves.append(
                        {
                            "item": item,
                            "observed": observed,
                            "p": p,
                            "word": word_for(p),
                            "p_observation": float(mass),
                        }
                    )
        out[outcome] = sorted(moves, key=lambda move: -move["p_observation"])
    return out
