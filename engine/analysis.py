"""What moves the outcome and what to watch (SPEC §9).

- ``influence``: each driver set true and set false (what-if semantics); ranked by swing. Each
  setting's posterior over the numbers differs from the main one (the evidence reads
  differently when a driver is set), so the main posterior draws are reweighted to it by
  Pareto-smoothed importance sampling, w(θ) ∝ P(e | θ, do) / P(e | θ), both computed exactly by
  enumeration. When the reweighting is not trustworthy (Pareto k > 0.7 or an effective sample
  size under 400) that setting is sampled afresh with the same compiled model and new data.
  Each row says which (``method``: ``exact``, ``reweighted`` or ``sampled``).
- ``uncertainty``: for each outcome, each uncertain number's first-order share of the posterior
  variance of q_k(θ): Var(E[q_k | θ_j]) / Var(q_k), estimated from the posterior draws by
  binning θ_j into equal-count bins (the correlation ratio, corrected for the bias of binning
  finite samples and clipped to [0, 1]). Shares need not add to 1: numbers interact and
  correlate in the posterior.
- ``signposts``: for each unobserved driver and indicator, the joint law of the outcome and that
  item given the evidence, averaged over the posterior draws of θ, and its mutual information
  in bits; ranked by bits.
- ``band_crossing``: for each outcome, each single observation that would move it into another
  ICD 203 word band.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.compile import Network
from engine.priors import word_for
from engine.result import Condition, Result
from models.network import Params, Setting, indicator_given_states, infer, outcome_given_states

Evaluate = Callable[[Setting], Condition]


def analyse(network: Network, result: Result, evaluate: Evaluate) -> dict:
    """The four SPEC §9 analysis keys for a result, given the evaluator that produced it."""
    signposts = signposts_of(network, result.main.params)
    return {
        "influence": influence_of(network, result, evaluate),
        "uncertainty": uncertainty_of(network, result.main),
        "signposts": signposts,
        "band_crossing": band_crossing_of(result, signposts),
    }


PARETO_K_MAX = 0.7  # above this, importance weights are not to be trusted (Vehtari et al.)
MIN_ESS = 400  # the reliability bar of SPEC §4


def influence_of(network: Network, result: Result, evaluate: Evaluate) -> dict:
    """Outcome probabilities with each driver set true and set false; ranked by swing."""
    rows = {}
    for driver in network.graph.drivers:
        answers = [
            _under(network, result.main, network.setting(do={driver: value}), evaluate)
            for value in (True, False)
        ]
        (if_true, *_), (if_false, *_) = answers
        rows[driver] = {
            "if_true": if_true,
            "if_false": if_false,
            "swing": max(abs(if_true[k] - if_false[k]) for k in if_true),
            "reliable": all(reliable for _, reliable, _ in answers),
            "method": "/".join(sorted({method for *_, method in answers})),
        }
    return dict(sorted(rows.items(), key=lambda item: -item[1]["swing"]))


def _under(
    network: Network, main: Condition, setting: Setting, evaluate: Evaluate
) -> tuple[dict[str, float], bool, str]:
    """Outcome probabilities under ``setting``: exact, reweighted main draws, or a new sample."""
    if main.outcome_draws is None:
        condition = evaluate(setting)
        return {k: s.p for k, s in condition.outcomes.items()}, True, "exact"
    from engine.diagnostics import pareto_smoothed_weights

    graph = network.graph
    before = infer(graph, main.params, network.setting())
    after = infer(graph, main.params, setting)
    weights, pareto_k = pareto_smoothed_weights(after.log_evidence - before.log_evidence)
    ess = 1.0 / np.sum(weights**2)
    if pareto_k <= PARETO_K_MAX and ess >= MIN_ESS:
        return dict(zip(graph.outcomes, map(float, weights @ after.outcomes))), True, "reweighted"
    condition = evaluate(setting)
    return {k: s.p for k, s in condition.outcomes.items()}, condition.reliable, "sampled"


def _slot_draws(network: Network, params: Params) -> np.ndarray:
    """(draws, slots) of every number in slot order (probabilities, then effects)."""
    return np.concatenate(
        [params.p, params.if_true, params.if_false, params.cause, params.effect], axis=-1
    )


def first_order_share(x: np.ndarray, y: np.ndarray, bins: int | None = None) -> float:
    """Share of Var(y) explained by E[y | x], estimated by equal-count bins of x."""
    size = len(y)
    total = y.var()
    if size < 20 or total <= 0 or np.ptp(x) == 0:
        return 0.0
    bins = bins or int(np.clip(np.sqrt(size), 5, 50))
    order = np.argsort(x, kind="stable")
    groups = np.array_split(y[order], bins)
    between = sum(len(g) * (g.mean() - y.mean()) ** 2 for g in groups) / size
    raw = between / total
    # Binning noise alone gives about (bins - 1) / size; remove it (the "epsilon-squared" form).
    adjusted = (raw - (bins - 1) / (size - bins) * (1 - raw)) if size > bins else raw
    return float(np.clip(adjusted, 0.0, 1.0))


def uncertainty_of(network: Network, main: Condition) -> dict:
    """For each outcome, each uncertain number's share of the spread of q_k; ranked."""
    outcomes = network.graph.outcomes
    if main.outcome_draws is None:
        return {k: {} for k in outcomes}
    slots = network.prob_slots + network.effect_slots
    theta = _slot_draws(network, main.params)
    q = main.outcome_draws.reshape(-1, len(outcomes))
    uncertain = set(network.uncertain_slots)
    out = {}
    for k, outcome in enumerate(outcomes):
        shares = {
            slot: first_order_share(theta[:, j], q[:, k])
            for j, slot in enumerate(slots)
            if slot in uncertain
        }
        out[outcome] = dict(sorted(shares.items(), key=lambda item: -item[1]))
    return out


def _batched(params: Params) -> Params:
    """Give unbatched (exact) numbers a draws dimension of one."""
    if np.ndim(params.p) == 2:
        return params
    return Params(
        p=params.p[None],
        cause=params.cause[None],
        effect=params.effect[None],
        log_base=params.log_base,
        if_true=params.if_true[None],
        if_false=params.if_false[None],
    )


def _joint_tables(network: Network, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """E over draws of P(Y = k, X = 1 | e, θ) for each driver and indicator X, and of P(Y).

    Returns (joint_true, outcome) with joint_true of shape (n + M, K).
    """
    graph = network.graph
    params = _batched(params)
    draws = params.p.shape[0]
    setting = network.setting().arrays(graph)
    joint = np.zeros((len(graph.drivers) + len(graph.indicators), len(graph.outcomes)))
    outcome = np.zeros(len(graph.outcomes))
    size = max(1, 2_000_000 // (len(graph.states) * len(graph.outcomes)))
    for start in range(0, draws, size):
        part = slice(start, start + size)
        sub = Params(
            p=params.p[part],
            cause=params.cause[part],
            effect=params.effect[part],
            log_base=params.log_base,
            if_true=params.if_true[part],
            if_false=params.if_false[part],
        )
        posterior = infer(graph, sub, setting).state_posterior  # (d, N)
        weighted = posterior[..., None] * outcome_given_states(graph, sub)  # (d, N, K)
        outcome += weighted.sum(axis=(0, 1))
        joint[: len(graph.drivers)] += np.einsum("dsk,si->ik", weighted, graph.states)
        if graph.indicators:
            seen = indicator_given_states(graph, sub)  # (d, N, M)
            joint[len(graph.drivers) :] += np.einsum("dsk,dsm->mk", weighted, seen)
    return joint / draws, outcome / draws


def _bits(joint_true: np.ndarray, outcome: np.ndarray) -> float:
    """Mutual information in bits of a binary item and the outcome, from P(Y, X=1) and P(Y)."""
    table = np.stack([outcome - joint_true, joint_true])  # rows: X false, X true
    table = np.clip(table, 0.0, None)
    px = table.sum(axis=1, keepdims=True)
    py = table.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(table > 0, table * np.log2(table / (px * py)), 0.0)
    return float(max(terms.sum(), 0.0))


def signposts_of(network: Network, params: Params) -> dict:
    """Every unobserved driver and indicator, with what observing it would do; ranked by bits."""
    graph = network.graph
    evidence = network.scenario.evidence.values()
    hard_drivers = {e.driver for e in evidence if e.driver and e.observed is not None}
    observed_indicators = {e.indicator for e in evidence if e.indicator}
    items = [(d, "driver") for d in graph.drivers] + [(i, "indicator") for i in graph.indicators]
    joint, outcome = _joint_tables(network, params)
    rows = {}
    for row, (item, kind) in enumerate(items):
        if item in hard_drivers or item in observed_indicators:
            continue
        p_true = float(joint[row].sum())
        true_part, false_part = joint[row], outcome - joint[row]
        rows[item] = {
            "kind": kind,
            "bits": _bits(joint[row], outcome),
            "p_true": p_true,
            "if_true": _conditional(graph.outcomes, true_part, p_true),
            "if_false": _conditional(graph.outcomes, false_part, 1.0 - p_true),
        }
    return dict(sorted(rows.items(), key=lambda item: -item[1]["bits"]))


def _conditional(outcomes, part: np.ndarray, mass: float) -> dict[str, float | None]:
    if mass <= 0:
        return {k: None for k in outcomes}
    return {k: float(np.clip(v / mass, 0.0, 1.0)) for k, v in zip(outcomes, part)}


def band_crossing_of(result: Result, signposts: dict) -> dict:
    """For each outcome, each observation that would move it into another word band."""
    out = {}
    for outcome, summary in result.main.outcomes.items():
        now = word_for(summary.p)
        moves = []
        for item, row in signposts.items():
            for observed, key, mass in (
                (True, "if_true", row["p_true"]),
                (False, "if_false", 1.0 - row["p_true"]),
            ):
                p = row[key][outcome]
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
