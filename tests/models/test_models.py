"""models/: variable elimination and the PyMC model compute what SPEC §4 says, state by state."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.inference.network import network_of
from engine.scenario.schema import Scenario
from models.elimination import Eliminator, TooWide
from models.graph import Graph, Params, Setting
from tests.support.networks import SMALL_GRAPH, small_scenario


def _graph() -> Graph:
    return SMALL_GRAPH


def _params(graph: Graph, rng: np.random.Generator, draws: int) -> Params:
    n, m = len(graph.drivers), len(graph.indicators)
    return Params(
        p=rng.uniform(0.05, 0.95, (draws, n)),
        cause=rng.normal(0, 1.5, (draws, len(graph.causes))),
        effect=rng.normal(0, 1.5, (draws, len(graph.effects))),
        log_base=rng.normal(0, 0.7, len(graph.outcomes)),
        if_true=rng.uniform(0.05, 0.95, (draws, m)),
        if_false=rng.uniform(0.05, 0.95, (draws, m)),
    )


def _brute_force(graph: Graph, params: Params, setting: Setting):
    """Loop over the 2^n states one at a time: the formulas of SPEC §4, spelt out.

    Returns P(e), P(Y | e), P(D_i | e) and P(Y = k, X = true | e) for each driver, then each
    indicator X.
    """
    n, k, m = len(graph.drivers), len(graph.outcomes), len(graph.indicators)
    outcome, drivers, items, evidence = np.zeros(k), np.zeros(n), np.zeros((n + m, k)), 0.0
    for code in range(2**n):
        s = [(code >> i) & 1 for i in range(n)]
        weight = 1.0
        for i in range(n):
            weight *= setting.soft.get(i, 1.0) ** s[i]  # all evidence but hard applies under do
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
        for j, seen in setting.seen.items():
            p_seen = params.if_true[j] if s[graph.signals[j]] else params.if_false[j]
            weight *= p_seen if seen else 1 - p_seen
        logits = params.log_base.copy()
        for f, (o, j) in enumerate(graph.effects):
            logits[o] += params.effect[f] * s[j]
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        evidence += weight
        outcome += weight * probs
        drivers += weight * np.array(s)
        for i in range(n):
            items[i] += weight * probs * s[i]
        for j in range(m):
            p_seen = params.if_true[j] if s[graph.signals[j]] else params.if_false[j]
            items[n + j] += weight * probs * p_seen
    return evidence, outcome / evidence, drivers / evidence, items / evidence


SETTINGS = [
    Setting(),
    Setting(hard={1: True}, seen={0: False}),
    Setting(soft={0: 3.0, 3: 0.2}, seen={1: True}),
    Setting(hard={2: False}, do={2: True}, seen={0: True, 2: False}),
    Setting(do={3: False, 0: True}, soft={1: 2.0}),
]


def _one(params: Params, d: int) -> Params:
    return Params(
        params.p[d], params.cause[d], params.effect[d], params.log_base,
        params.if_true[d], params.if_false[d],
    )  # fmt: skip


@pytest.mark.parametrize("setting", SETTINGS)
def test_elimination_matches_state_by_state_loop(setting):
    graph, rng = _graph(), np.random.default_rng(3)
    params = _params(graph, rng, 5)
    prepared = Eliminator(graph).prepare(params)
    data = setting.arrays(graph)
    answer = prepared.marginals(data)
    for d in range(5):
        evidence, outcome, drivers, items = _brute_force(graph, _one(params, d), setting)
        np.testing.assert_allclose(answer.log_evidence[d], np.log(evidence), atol=1e-10)
        np.testing.assert_allclose(answer.outcomes[d], outcome, atol=1e-12)
        np.testing.assert_allclose(answer.drivers[d], drivers, atol=1e-12)
        weights = np.eye(5)[d]
        np.testing.assert_allclose(prepared.item_joints(data, weights), items, atol=1e-12)


def test_chunks_of_draws_give_the_same_numbers():
    graph = _graph()
    params = _params(graph, np.random.default_rng(5), 40)
    data = SETTINGS[2].arrays(graph)
    whole = Eliminator(graph).prepare(params)
    small = Eliminator(graph, chunk_bytes=Eliminator(graph).per_draw_bytes * 7).prepare(params)
    assert len(small.chunks) == 6 and len(whole.chunks) == 1
    for a, b in zip(
        (whole.marginals(data).outcomes, whole.item_joints(data, np.full(40, 1 / 40))),
        (small.marginals(data).outcomes, small.item_joints(data, np.full(40, 1 / 40))),
    ):
        np.testing.assert_allclose(a, b, atol=1e-13)


@st.composite
def graphs(draw):
    """Random DAGs: up to 7 drivers, arrows from lower to higher index, 2-4 outcomes."""
    n = draw(st.integers(1, 7))
    pairs = [(c, p) for c in range(n) for p in range(c)]
    causes = tuple(draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8)) if pairs else [])
    k = draw(st.integers(2, 4))
    effects = [(o, j) for o in range(k) for j in range(n)]
    chosen = tuple(draw(st.lists(st.sampled_from(effects), unique=True, max_size=6)))
    m = draw(st.integers(0, 3))
    signals = tuple(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    return Graph(
        drivers=tuple(f"d{i}" for i in range(n)),
        outcomes=tuple(f"o{o}" for o in range(k)),
        indicators=tuple(f"i{j}" for j in range(m)),
        signals=signals,
        causes=tuple(sorted(causes)),
        effects=tuple(sorted(chosen)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=graphs(), seed=st.integers(0, 2**16), data=st.data())
def test_random_graphs_match_state_by_state_loop(graph, seed, data):
    rng = np.random.default_rng(seed)
    params = _params(graph, rng, 3)
    n, m = len(graph.drivers), len(graph.indicators)
    setting = Setting(
        hard={i: bool(rng.integers(2)) for i in range(n) if rng.random() < 0.2},
        soft={i: float(rng.uniform(0.2, 5)) for i in range(n) if rng.random() < 0.3},
        seen={j: bool(rng.integers(2)) for j in range(m) if rng.random() < 0.6},
        do={i: bool(rng.integers(2)) for i in range(n) if rng.random() < 0.15},
    )
    prepared = Eliminator(graph).prepare(params)
    answer = prepared.marginals(setting.arrays(graph))
    for d in range(3):
        evidence, outcome, drivers, items = _brute_force(graph, _one(params, d), setting)
        np.testing.assert_allclose(answer.log_evidence[d], np.log(evidence), atol=1e-9)
        np.testing.assert_allclose(answer.outcomes[d], outcome, atol=1e-11)
        np.testing.assert_allclose(answer.drivers[d], drivers, atol=1e-11)
        joints = prepared.item_joints(setting.arrays(graph), np.eye(3)[d])
        np.testing.assert_allclose(joints, items, atol=1e-11)


def test_a_graph_too_wide_to_sum_is_refused_before_anything_is_allocated():
    """40 drivers all pushing one outcome: the outcome table alone is 2^40 rows per draw."""
    n = 40
    graph = Graph(
        drivers=tuple(f"d{i}" for i in range(n)),
        outcomes=("x", "y"),
        effects=tuple((0, i) for i in range(n)),
    )
    with pytest.raises(TooWide) as caught:
        Eliminator(graph)
    message = str(caught.value)
    named = ", ".join(f"d{i}" for i in range(n))
    assert message.startswith(f"the network is too wide to sum out: 40 drivers ({named}) are ")
    assert "a table of 2^40 states" in message


def test_a_long_chain_is_cheap_however_many_drivers():
    """Cost follows the treewidth: a chain of 60 drivers, two pushing the outcome."""
    n = 60
    graph = Graph(
        drivers=tuple(f"d{i}" for i in range(n)),
        outcomes=("x", "y"),
        indicators=("end",),
        signals=(n - 1,),
        causes=tuple((i + 1, i) for i in range(n - 1)),
        effects=((0, 0), (0, n - 1)),
    )
    eliminator = Eliminator(graph)
    assert eliminator.per_draw_bytes < 2**12
    rng = np.random.default_rng(0)
    params = _params(graph, rng, 200)
    answer = eliminator.prepare(params).marginals(Setting(seen={0: True}).arrays(graph))
    assert np.all(np.isfinite(answer.outcomes)) and np.allclose(answer.outcomes.sum(1), 1)


def test_the_small_scenario_has_the_small_graph():
    """So every test in tests/inference/test_nuts.py shares one compilation."""
    spec = small_scenario(p={"a": 0.3})
    assert network_of(Scenario.model_validate(spec)).graph == SMALL_GRAPH


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
