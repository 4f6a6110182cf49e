"""Networks and scenarios with known shapes that several test modules share.

- :func:`small_scenario` and its graph :data:`SMALL_GRAPH` (``network_of`` of the scenario):
  one small network shared by every test that runs NUTS, so the suite compiles it once.
  A graph's PyMC model is compiled for NUTS once and cached per process by its graph, and
  every variant of the scenario (other numbers, other evidence) has this graph, so tests of
  ``models/`` and tests that run scenarios through the NUTS fallback share one compilation.
  Four drivers a → b → c → d (and a → c), three outcomes, three indicators on a, c and d.
- :func:`strong_scenario`: the small network under evidence strong enough that prior draws fail
  the reliability bar, and :func:`tailored_reference`, an importance sampler of the reference
  whose proposal is shaped like that posterior.
- :data:`FIXED`: two drivers with every number fixed (exact, instant, no PyMC).
- :data:`KINDS`: one scenario per kind of SPEC §11 (states with causes, tables, noisy-OR,
  ``outcomes_from`` a binary and a multi-state driver, numbers of exactly 0 and 1), every number
  fixed, each with evidence on states and what-ifs setting states; :func:`state_map` writes a
  driver's ``states``.
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


# --- one scenario per kind of driver (SPEC §11), every number fixed ---------------------------


def _driver(label: str, **fields) -> dict:
    return {"label": label, **fields}


def state_map(**chances) -> dict:
    """A driver's ``states``: state id -> its ``p``, or -> a mapping of its fields."""
    return {s: {"label": s, **v} if isinstance(v, dict) else {"label": s, "p": v}
            for s, v in chances.items()}  # fmt: skip


POSTURE = {
    "signpost": 1,
    "id": "posture",
    "title": "A multi-state driver with causes on its states",
    "drivers": {
        "b": _driver("b", p=0.4),
        "posture": _driver("posture", states=state_map(
            withdrawn=0.6,
            garrison={"p": 0.3, "causes": {"b": 1.2}},
            expanded={"p": 0.1, "causes": {"b=false": -0.5, "b=true": 0.4}},
        )),
        "a": _driver("a", p=0.3, causes={"posture=expanded": 2.0, "posture=garrison": 0.7}),
    },
    "outcomes": {
        "tethered": {"label": "t", "drivers": {"posture=garrison": 1.0, "a=false": -0.4}},
        "alienation": {"label": "a", "base": 0.5, "drivers": {"posture=expanded": 1.5, "a": 0.8}},
        "balancing": {"label": "b"},
    },
    "indicators": {
        "sign_expanded": {"label": "i", "signals": "posture=expanded", "if_true": 0.8,
                          "if_false": 0.1},
        "sign_not_a": {"label": "i", "signals": "a=false", "if_true": 0.7, "if_false": 0.2},
    },
    "evidence": {
        "not_withdrawn": {"driver": "posture=withdrawn", "observed": False},
        "not_expanded": {"driver": "posture=expanded", "observed": False},
        "report": {"driver": "posture=garrison", "likelihood_ratio": 3},
        "saw": {"indicator": "sign_expanded", "observed": True},
        "a_report": {"driver": "a=false", "likelihood_ratio": 0.5},
        "unseen": {"indicator": "sign_not_a", "observed": False},
    },
    "what_if": {
        "garrison": {"set": {"posture": "garrison"}},
        "a_off": {"set": {"a": False}},
        "both": {"set": {"posture": "withdrawn", "b": True}},
    },
}  # fmt: skip

TABLES = {
    "signpost": 1,
    "id": "tables",
    "title": "Binary and multi-state tables, rows written in any order",
    "drivers": {
        "either": _driver("either", p=0.3),
        "posture": _driver("posture", states=state_map(w=0.5, g=0.3, e=0.2)),
        "dysp": _driver("dysp", table={
            "either=true posture=w": 0.9, "posture=g either=true": 0.8,
            "either=true posture=e": 0.7, "posture=w either=false": 0.1,
            "either=false posture=g": 0.2, "either=false posture=e": 0.4,
        }),
        "level": _driver("level", states=state_map(lo={}, hi={}, max={}), table={
            "either=true": {"lo": 0.2, "hi": 0.5, "max": 0.3},
            "either=false": {"max": 0.1, "lo": 0.6, "hi": 0.3},
        }),
    },
    "outcomes": {
        "rise": {"label": "rise", "drivers": {"dysp": 1.0, "level=max": 2.0}},
        "fall": {"label": "fall", "drivers": {"level=lo": -1.0, "posture=e": 0.5}},
    },
    "indicators": {
        "sign_hi": {"label": "i", "signals": "level=hi", "if_true": 0.9, "if_false": 0.3},
    },
    "evidence": {
        "dysp_seen": {"driver": "dysp", "observed": True},
        "not_max": {"driver": "level=max", "observed": False},
        "saw_hi": {"indicator": "sign_hi", "observed": True},
        "posture_is": {"driver": "posture", "observed": "g"},
    },
    "what_if": {"level_lo": {"set": {"level": "lo"}}, "either": {"set": {"either": True}}},
}  # fmt: skip

NOISY = {
    "signpost": 1,
    "id": "noisy",
    "title": "Noisy-OR with and without a leak",
    "drivers": {
        "fuel": _driver("fuel", p=0.4),
        "posture": _driver("posture", states=state_map(w=0.5, g=0.3, e=0.2)),
        "unrest": _driver("unrest", noisy_or={"leak": 0.05, "fuel": 0.6, "posture=e": 0.3,
                                              "posture=g": 0.1}),
        "spread": _driver("spread", noisy_or={"unrest": 0.7, "fuel=false": 0.2}),
    },
    "outcomes": {
        "calm": {"label": "c", "drivers": {"spread": -1.5}},
        "crisis": {"label": "c", "drivers": {"spread": 1.0, "unrest=true": 0.5}},
    },
    "indicators": {
        "sign": {"label": "i", "signals": "spread", "if_true": 0.8, "if_false": 0.3},
        "sign_g": {"label": "i", "signals": "posture=g", "if_true": 0.6, "if_false": 0.4},
    },
    "evidence": {
        "saw": {"indicator": "sign", "observed": True},
        "no_g": {"indicator": "sign_g", "observed": False},
        "report_e": {"driver": "posture=e", "likelihood_ratio": 4},
        "fuel_is": {"driver": "fuel=true", "observed": False},
    },
    "what_if": {"unrest": {"set": {"unrest": True}}, "posture": {"set": {"posture": "e"}}},
}  # fmt: skip

FROM_BINARY = {
    **{k: v for k, v in NOISY.items() if k != "outcomes"},
    "id": "from-binary",
    "outcomes_from": "spread",
}
FROM_STATES = {**{k: v for k, v in POSTURE.items() if k != "outcomes"}, "id": "from-states",
               "outcomes_from": "posture"}  # fmt: skip

# Deterministic rows (SPEC §11.3): b copies a, c follows b, a certain cause, certain p's.
CERTAIN = {
    "signpost": 1,
    "id": "certain",
    "title": "Fixed numbers of exactly 0 and 1",
    "drivers": {
        "a": _driver("a", p=0.3),
        "b": _driver("b", table={"a=true": 1.0, "a=false": 0}),
        "c": _driver("c", states=state_map(red={}, green={}, blue={}), table={
            "b=true": {"red": 1, "green": 0, "blue": 0.0},
            "b=false": {"red": 0, "green": 0.5, "blue": 0.5},
        }),
        "d": _driver("d", noisy_or={"leak": 0, "c=red": 1, "c=green": 0.5}),
        "e": _driver("e", p=1, causes={"d": -2.0}),
        "f": _driver("f", p=0.0, causes={"a": 3.0}),
        "g": _driver("g", states=state_map(u={"p": 0, "causes": {"a": 3.0}}, v=0.25, w=0.75)),
    },
    "outcomes": {
        "rise": {"label": "rise", "drivers": {"d": 1.0, "c=blue": -1.0, "g=w": 0.5}},
        "fall": {"label": "fall", "drivers": {"e": 0.3, "f": 2.0}},
    },
    "indicators": {
        "sign_blue": {"label": "i", "signals": "c=blue", "if_true": 0.9, "if_false": 0.2},
    },
    "evidence": {
        "saw_blue": {"indicator": "sign_blue", "observed": True},
        "d_holds": {"driver": "d", "observed": True},
        "report": {"driver": "g=v", "likelihood_ratio": 2.0},
    },
    "what_if": {"c_is_red": {"set": {"c": "red"}}, "no_d": {"set": {"d": False}}},
}  # fmt: skip

# Every kind of driver, condition and evidence of SPEC §11 (tests/models, the PyMC model).
KINDS = {
    "states": POSTURE,
    "tables": TABLES,
    "noisy_or": NOISY,
    "outcomes_from_binary": FROM_BINARY,
    "outcomes_from_states": FROM_STATES,
    "certain": CERTAIN,
}


# Numbers never change a graph (only arrows and slots do): every variant of small_scenario has it.
SMALL_GRAPH = network_of(Scenario.model_validate(small_scenario())).graph
