"""Evidence-rich cases for the adaptive step: a small network with many uncertain indicators.

The four drivers of ``tests/support/networks.py`` (a → b → c → d, a → c), each with
:data:`PER_DRIVER` indicators whose ``if_true``/``if_false`` are wide ranges (so that every
observation teaches something about the numbers, not only about the driver), every indicator
observed, and b observed as hard evidence. Prior draws miss the bar on such cases (each
observation multiplies the weights by one more uncertain factor); the adaptive step answers
them. A case's true numbers and evidence are drawn from the prior as in
``tests/inference/test_calibration.py``, and q* comes from the independent enumerator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.support.networks import small_scenario
from tests.support.reference import enumerate_posterior, evidence_from, logit, network_from, sigmoid

PER_DRIVER = 5
WIDE = ({"range": [0.10, 0.95]}, {"range": [0.02, 0.70]})  # if_true, if_false


def rich_scenario(evidence: dict | None = None, inference: dict | None = None) -> dict[str, Any]:
    """The small network with :data:`PER_DRIVER` wide indicators on every driver."""
    spec = small_scenario(evidence=evidence, inference=inference, scenario_id="rich")
    spec["indicators"] = {
        f"s_{d}{m}": {"label": f"sign {m} of {d}", "signals": d, "if_true": WIDE[0],
                      "if_false": WIDE[1]}
        for d in spec["drivers"] for m in range(PER_DRIVER)
    }  # fmt: skip
    return spec


def draw_rich_case(rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    """One case: the scenario with evidence simulated from numbers drawn from the prior, and
    q*_k = P(Y = k | e, θ*) by enumeration."""
    from tests.support.reference import prior_sampler

    probability, effect = prior_sampler(1, rng)
    truth = network_from(rich_scenario(), probability, effect)
    one = lambda v: float(np.asarray(v).reshape(-1)[0])  # noqa: E731
    state: dict[str, int] = {}
    for d in truth.drivers:
        x = logit(one(truth.p[d])) + sum(one(w) * state[par] for par, w in truth.causes[d].items())
        state[d] = int(rng.random() < sigmoid(x))
    evidence = {}
    for name, (driver, if_true, if_false) in truth.indicators.items():
        seen = rng.random() < one(if_true if state[driver] else if_false)
        evidence[f"seen_{name}"] = {"indicator": name, "observed": bool(seen)}
    evidence["b_is"] = {"driver": "b", "observed": bool(state["b"])}
    spec = rich_scenario(evidence=evidence)
    answer = enumerate_posterior(truth, evidence_from(spec))
    return spec, np.array([one(answer.outcomes[k]) for k in truth.outcomes])
