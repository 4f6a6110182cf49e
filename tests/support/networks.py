"""Networks and scenarios with known shapes that several test modules share.

- :func:`small_scenario` and its graph :data:`SMALL_GRAPH` (``network_of`` of the scenario):
  one small network shared by every test that runs NUTS, so the suite compiles it once.
  Compiling a graph's PyMC model for nutpie takes about a minute on a two-core machine; the
  compiled model is cached per process by its graph, and every variant of the scenario (other
  numbers, other evidence) has this graph, so tests of ``models/`` and tests that run scenarios
  through the NUTS fallback share one compilation. Four drivers a → b → c → d (and a → c),
  three outcomes, three indicators on a, c and d.
- :func:`strong_scenario`: the small network under evidence strong enough that prior draws fail
  the reliability bar, and :func:`tailored_reference`, an importance sampler of the reference
  whose proposal is shaped like that posterior.
- :data:`FIXED`: two drivers with every number fixed (exact, instant, no PyMC).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.inference.network import network_of
from engine.scenario.schema import Scenario
from tests.support.reference import (
    Estimate,
    beta_of,
    enumerate_posterior,
    estimate,
    evidence_from,
    network_from,
    normal_of,
)


def small_scenario(
    *,
    p: dict[str, Any] | None = None,
    causes: dict[tuple[str, str], Any] | None = None,
    effects: dict[tuple[str, str], Any] | None = None,
    indicators: dict[str, tuple[Any, Any]] | None = None,
    evidence: dict[str, dict[str, Any]] | None = None,
    inference: dict[str, Any] | None = None,
    scenario_id: str = "small",
) -> dict[str, Any]:
    """A scenario dict whose graph is :data:`SMALL_GRAPH`; any number may be given.

    ``p`` maps a driver to its probability, ``causes`` a (child, parent) pair and ``effects``
    an (outcome, driver) pair to an effect, ``indicators`` an indicator to (if_true, if_false).
    Numbers not given are uncertain words.
    """
    p = {"a": "unlikely", "b": "roughly even chance", "c": "likely", "d": "unlikely"} | (p or {})
    causes = {
        ("b", "a"): "raises",
        ("c", "b"): "lowers",
        ("c", "a"): "slightly raises",
        ("d", "c"): "strongly raises",
    } | (causes or {})
    effects = {
        ("x", "a"): "raises",
        ("x", "c"): "slightly lowers",
        ("y", "b"): "strongly raises",
        ("z", "c"): "raises",
    } | (effects or {})
    indicators = {
        "i": ("likely", "unlikely"),
        "j": ("very likely", "unlikely"),
        "k": ("likely", "very unlikely"),
    } | (indicators or {})
    signals = dict(zip(("i", "j", "k"), "acd"))
    spec: dict[str, Any] = {
        "signpost": 1,
        "id": scenario_id,
        "title": "A small network",
        "drivers": {
            d: {
                "label": f"driver {d}",
                "p": p[d],
                **(
                    {"causes": {par: e for (ch, par), e in causes.items() if ch == d}}
                    if any(ch == d for ch, _ in causes)
                    else {}
                ),
            }
            for d in ("a", "b", "c", "d")
        },
        "outcomes": {
            k: {
                "label": f"outcome {k}",
                **(
                    {"drivers": {j: e for (o, j), e in effects.items() if o == k}}
                    if any(o == k for o, _ in effects)
                    else {}
                ),
            }
            for k in ("x", "y", "z")
        },
        "indicators": {
            i: {"label": f"indicator {i}", "signals": signals[i], "if_true": t, "if_false": f}
            for i, (t, f) in indicators.items()
        },
    }
    if evidence:
        spec["evidence"] = evidence
    if inference:
        spec["inference"] = inference
    return spec


SKEWED = [0.4, 8]  # Beta(0.4, 8): most prior mass near 0, a long tail towards 1
STRONG_EVIDENCE = {
    "a_holds": {"driver": "a", "observed": True},
    "b_holds": {"driver": "b", "observed": True},
    "c_holds": {"driver": "c", "observed": True},
    "d_holds": {"driver": "d", "observed": True},
    "saw_i": {"indicator": "i", "observed": True},
    "saw_j": {"indicator": "j", "observed": True},
    "saw_k": {"indicator": "k", "observed": True},
}


def strong_scenario(method: str = "auto") -> dict:
    """Every driver observed true and every indicator seen, with skewed priors: prior draws
    cannot reach the reliability bar, even 16 times as many."""
    skewed = {"beta": SKEWED}
    return small_scenario(
        p={d: skewed for d in "abcd"},
        indicators={i: (skewed, "very unlikely") for i in "ijk"},
        causes={
            ("b", "a"): "slightly lowers",
            ("c", "b"): "lowers",
            ("c", "a"): "lowers",
            ("d", "c"): "lowers",
        },  # fmt: skip
        evidence=STRONG_EVIDENCE,
        inference={"method": method, "seed": 3},
        scenario_id="strong",
    )


def tailored_reference(
    spec: dict, size: int = 200_000, seed: int = 1
) -> tuple[dict[str, Estimate], float]:
    """E[q_k(θ) | e] of :func:`strong_scenario` by importance sampling from a proposal shaped
    like the posterior, and the effective sample size.

    Every Beta(0.4, 8) number there is a probability the evidence observes as true (a driver's
    own p, an indicator's if_true), so the proposal draws it from Beta(1.4, 8); the density
    ratio prior / proposal is then proportional to 1 / x. Everything else is drawn from its
    prior (the reference's). Weights: P(e | θ) · Π 1/x.
    """
    rng = np.random.default_rng(seed)
    corrections = []

    def probability(written):
        if written == {"beta": SKEWED}:
            x = rng.beta(SKEWED[0] + 1, SKEWED[1], size)
            corrections.append(1.0 / x)
            return x
        return rng.beta(*beta_of(written), size)

    def effect(written):
        return rng.normal(*normal_of(written), size)

    net = network_from(spec, probability, effect)
    answer = enumerate_posterior(net, evidence_from(spec))
    weights = np.asarray(answer.evidence) * np.prod(corrections, axis=0)
    ess = weights.sum() ** 2 / np.sum(weights**2)
    outcomes = {k: estimate(np.asarray(v), weights) for k, v in answer.outcomes.items()}
    return outcomes, ess


FIXED = {
    "signpost": 1,
    "id": "fixed",
    "title": "Every number fixed",
    "drivers": {
        "a": {"label": "a", "p": 0.3},
        "b": {"label": "b", "p": 0.6, "causes": {"a": -1.0}},
    },
    "outcomes": {
        "x": {"label": "x", "drivers": {"a": 1.5, "b": {"odds_ratio": 2}}},
        "y": {"label": "y"},
    },
}


# Numbers never change a graph (only arrows and slots do): every variant of small_scenario has it.
SMALL_GRAPH = network_of(Scenario.model_validate(small_scenario())).graph
