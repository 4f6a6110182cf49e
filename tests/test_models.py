"""The PyMC model and the NumPy enumeration compute the same thing (models/)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.compile import network_of
from engine.schema import Scenario
from models.network import Graph, Params, Setting, infer


def _graph() -> Graph:
    return Graph(
        drivers=("a", "b", "c"),
        outcomes=("x", "y", "z"),
        indicators=("i", "j"),
        signals=(0, 2),
        causes=((1, 0), (2, 1), (2, 0)),
        effects=((0, 0), (1, 1), (2, 2), (0, 2)),
    )


def _params(rng: np.random.Generator, draws: int) -> Params:
    return Params(
        p=rng.uniform(0.05, 0.95, (draws, 3)),
        cause=rng.normal(0, 1.5, (draws, 3)),
        effect=rng.normal(0, 1.5, (draws, 4)),
        log_base=np.log([1.0, 2.0, 0.5]),
        if_true=rng.uniform(0.05, 0.95, (draws, 2)),
        if_false=rng.uniform(0.05, 0.95, (draws, 2)),
    )


def _brute_force(graph: Graph, params: Params, setting: Setting) -> np.ndarray:
    """P(Y | e) by looping over states one at a time: the formulas of SPEC §4, spelt out."""
    n, k = len(graph.drivers), len(graph.outcomes)
    joint = np.zeros(k)
    for code in range(2**n):
        s = [(code >> i) & 1 for i in range(n)]
        weight = 1.0
        for i in range(n):
            if i in setting.do:
                weight *= float(s[i] == setting.do[i])
                continue
            if i in setting.hard:
                weight *= float(s[i] == setting.hard[i])
            logit = np.log(params.p[i] / (1 - params.p[i]))
            logit += sum(
                params.cause[e] * s[par] for e, (ch, par) in enumerate(graph.causes) if ch == i
            )
            prob = 1 / (1 + np.exp(-logit))
            weight *= prob if s[i] else 1 - prob
            weight *= setting.soft.get(i, 1.0) ** s[i]
        for m, seen in setting.seen.items():
            d = graph.signals[m]
            p_seen = params.if_true[m] if s[d] else params.if_false[m]
            weight *= p_seen if seen else 1 - p_seen
        logits = params.log_base.copy()
        for f, (o, j) in enumerate(graph.effects):
            logits[o] += params.effect[f] * s[j]
        probs = np.exp(logits - logits.max())
        joint += weight * probs / probs.sum()
    return joint / joint.sum()


SETTINGS = [
    Setting(),
    Setting(hard={1: True}, seen={0: False}),
    Setting(soft={0: 3.0}, seen={1: True}),
    Setting(hard={2: False}, do={2: True}, seen={0: True}),
]


@pytest.mark.parametrize("setting", SETTINGS)
def test_batched_enumeration_matches_state_by_state_loop(setting):
    graph, rng = _graph(), np.random.default_rng(3)
    params = _params(rng, 5)
    batched = infer(graph, params, setting).outcomes
    for d in range(5):
        one = Params(
            params.p[d], params.cause[d], params.effect[d], params.log_base,
            params.if_true[d], params.if_false[d],
        )  # fmt: skip
        np.testing.assert_allclose(batched[d], _brute_force(graph, one, setting), atol=1e-12)


def test_pymc_deterministic_equals_numpy_enumeration():
    """The compiled model's q and driver_p equal models.network on the same draws."""
    from models.sampler import compiled_network

    graph = _graph()
    compiled = compiled_network(graph)
    data = {
        "prob_alpha": np.full(7, 2.0),
        "prob_beta": np.full(7, 3.0),
        "prob_fixed": np.full(7, 0.5),
        "prob_is_fixed": np.zeros(7),
        "effect_mu": np.zeros(7),
        "effect_sigma": np.ones(7),
        "effect_fixed": np.zeros(7),
        "effect_is_fixed": np.zeros(7),
        "log_base": np.log([1.0, 2.0, 0.5]),
        **Setting(soft={0: 2.0}, seen={0: True, 1: False}).arrays(graph),
    }
    idata = compiled.sample(data, draws=100, tune=100, chains=2, seed=1, target_accept=0.9)
    post = idata.posterior
    prob = post["prob"].values.reshape(-1, 7)
    effect = post["effect"].values.reshape(-1, 7)
    params = Params(
        p=prob[:, :3], cause=effect[:, :3], effect=effect[:, 3:], log_base=data["log_base"],
        if_true=prob[:, 3:5], if_false=prob[:, 5:],
    )  # fmt: skip
    answer = infer(graph, params, data)
    np.testing.assert_allclose(answer.outcomes, post["q"].values.reshape(-1, 3), atol=1e-10)
    np.testing.assert_allclose(answer.drivers, post["driver_p"].values.reshape(-1, 3), atol=1e-10)
    assert compiled_network(graph) is compiled  # compiled once per graph


def test_graph_depends_on_arrows_not_numbers():
    """Two scenarios that differ only in numbers share one graph (one compilation)."""
    base = {
        "signpost": 1,
        "id": "a",
        "title": "t",
        "drivers": {"d": {"label": "d", "p": "likely"}, "e": {"label": "e", "p": 0.2}},
        "outcomes": {"x": {"label": "x", "drivers": {"d": "raises"}}, "y": {"label": "y"}},
    }
    other = {**base, "id": "b", "drivers": {**base["drivers"], "d": {"label": "d", "p": 0.4}}}
    assert (
        network_of(Scenario.model_validate(base)).graph
        == network_of(Scenario.model_validate(other)).graph
    )
