"""models/: variable elimination computes what SPEC §4 and §11 say, for every kind of driver.

The engine's side goes through ``engine.inference.network.network_of`` (the slots, the canonical
table rows, the settings); the other side is the reference's brute-force enumerator
(``tests/support/reference.py``), which reads the same scenario with each slot's number written
back at its key path — so a slot named wrongly shows as a disagreement too. Numbers are random
per draw (a multi-state driver's chances then do not add up to 1: both sides normalise them).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.inference.network import Network, network_of
from engine.scenario.schema import Scenario
from models.elimination import Eliminator, ImpossibleEvidence, TooWide
from models.graph import IMPOSSIBLE, Params
from tests.support.networks import (
    CERTAIN,
    FROM_BINARY,
    KINDS,
    SMALL_GRAPH,
    TABLES,
    small_scenario,
    state_map,
)
from tests.support.random_networks import scenarios
from tests.support.reference import enumerate_posterior, evidence_from, network_from

EXACT = 1e-11


def network(spec: dict) -> Network:
    return network_of(Scenario.model_validate(spec))


# --- the engine's numbers written back into the scenario --------------------------------------


def _part(here: dict, part: str, previous: str | None) -> str:
    """The key a path's part names; a table row by its conditions, in whatever order written."""
    if previous != "table" or part in here:
        return part
    wanted = set(part.split())
    return next(key for key in here if set(key.split()) == wanted)


def put(doc: dict, path: str, value: float) -> None:
    """Write ``value`` at a slot's key path (SPEC §9, §11.6) in a scenario dict."""
    parts = path.split(".")
    here = doc
    for i, part in enumerate(parts):
        key = _part(here, part, parts[i - 1] if i else None)
        if i == len(parts) - 1:
            here[key] = value
        else:
            here = here[key]


def written_with(spec: dict, net: Network, prob: np.ndarray, effect: np.ndarray) -> dict:
    """The scenario with every slot's number (one draw) written at its key path."""
    out = copy.deepcopy(spec)
    for path, value in zip(net.graph.prob_slots, prob):
        put(out, path, float(value))
    for path, value in zip(net.graph.effect_slots, effect):
        put(out, path, float(value))
    return out


def _may_be_certain(path: str) -> bool:
    """A driver's own number with no sibling to normalise against: 0 and 1 allowed (§11.3)."""
    parts = path.split(".")
    own = parts[2] in ("p", "noisy_or") or (parts[2] == "table" and len(parts) == 4)
    return parts[0] == "drivers" and own


def random_numbers(net: Network, rng: np.random.Generator, draws: int, certain: bool = False):
    """(draws, P) probabilities and (draws, F) effects, every slot random."""
    graph = net.graph
    prob = rng.uniform(0.05, 0.95, (draws, len(graph.prob_slots)))
    if certain:
        capable = np.array([_may_be_certain(path) for path in graph.prob_slots], dtype=bool)
        flip = (rng.random(prob.shape) < 0.1) & capable
        prob[flip] = rng.integers(0, 2, int(flip.sum()))
    effect = rng.normal(0.0, 1.5, (draws, len(graph.effect_slots)))
    return prob, effect


# --- the comparison -----------------------------------------------------------------------------


def assert_equals_enumeration(spec: dict, prob, effect, evidence=None, do=None) -> None:
    """Elimination under one setting equals the reference's enumeration, draw by draw: log P(e),
    the outcomes, every driver state and every item joint (to :data:`EXACT`)."""
    net = network(spec)
    graph = net.graph
    eliminator = Eliminator(graph)
    prepared = eliminator.prepare(Params(prob, effect, net.log_base))
    data = net.setting(evidence, do).arrays(graph)
    evidence_spec = {**spec, "evidence": {k: spec["evidence"][k] for k in evidence}} if (
        evidence is not None
    ) else spec  # fmt: skip
    refs = []
    for d in range(len(prob)):
        mine = written_with(evidence_spec, net, prob[d], effect[d])
        refs.append(enumerate_posterior(network_from(mine), evidence_from(mine), do))
    if all(ref.evidence == 0 for ref in refs):  # evidence that cannot hold under any draw
        with pytest.raises(ImpossibleEvidence):
            prepared.marginals(data)
        return
    answer = prepared.marginals(data)
    for d, ref in enumerate(refs):
        if ref.evidence == 0:  # this draw rules the evidence out: the sum says so
            assert not answer.log_evidence[d] > IMPOSSIBLE / 2
            continue
        where = f"draw {d}, evidence {evidence}, do {do}"
        close = {"atol": EXACT, "rtol": 0, "err_msg": where}
        np.testing.assert_allclose(answer.log_evidence[d], math.log(ref.evidence), **close)
        outcomes = [ref.outcomes[k] for k in graph.outcomes]
        np.testing.assert_allclose(answer.outcomes[d], outcomes, **close)
        states = [ref.states[x][s] for x, ss in zip(graph.drivers, graph.states) for s in ss]
        np.testing.assert_allclose(answer.drivers[d], states, **close)
        items = [f"{x}={s}" for x, ss in zip(graph.drivers, graph.states) for s in ss]
        joints = [[ref.joint[item][k] for k in graph.outcomes] for item in items]
        joints += [[ref.joint[m][k] for k in graph.outcomes] for m in graph.indicators]
        # this draw alone: a draw whose evidence cannot hold has NaN joints, and NaN · 0 is NaN
        alone = eliminator.prepare(Params(prob[d : d + 1], effect[d : d + 1], net.log_base))
        got = alone.item_joints(data, np.ones(1))
        np.testing.assert_allclose(got, np.reshape(joints, got.shape), **close)


def settings_of(spec: dict) -> list[tuple[list[str] | None, dict | None]]:
    """All the evidence; none; each item alone; each what-if with all the evidence."""
    items = list(spec.get("evidence") or {})
    out = [(None, None), ([], None)] + [([name], None) for name in items]
    return out + [(None, w["set"]) for w in (spec.get("what_if") or {}).values()]


# --- one scenario per kind ----------------------------------------------------------------------


def own_numbers(spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """The scenario's own fixed numbers, as one draw."""
    params = network(spec).params()
    return params.prob[None], params.effect[None]


@pytest.mark.parametrize("kind", KINDS)
def test_elimination_equals_enumeration_with_the_scenarios_own_numbers(kind):
    spec = KINDS[kind]
    prob, effect = own_numbers(spec)
    for evidence, do in settings_of(spec):
        assert_equals_enumeration(spec, prob, effect, evidence, do)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "certain"])
def test_elimination_equals_enumeration_with_random_numbers(kind):
    spec = KINDS[kind]
    prob, effect = random_numbers(network(spec), np.random.default_rng(3), 5)
    for evidence, do in settings_of(spec):
        assert_equals_enumeration(spec, prob, effect, evidence, do)


def test_outcomes_from_a_binary_driver_are_true_then_false():
    """SPEC §11.5: the outcome `true` is the driver holding."""
    net = network(FROM_BINARY)
    assert net.graph.outcomes == ("true", "false")
    answer = Eliminator(net.graph).prepare(net.params()).marginals(net.setting().arrays(net.graph))
    spread = net.graph.offsets[net.graph.drivers.index("spread")] + 1  # its `true` state
    assert answer.outcomes[0, 0] == pytest.approx(answer.drivers[0, spread], abs=EXACT)


def test_a_multi_state_driver_without_causes_has_its_chances_normalised():
    """P(X = s) = p_s / Σ p_t per draw, whatever the draws add up to (SPEC §11.1)."""
    spec = {
        "signpost": 1, "id": "chances", "title": "chances",
        "drivers": {"posture": {"label": "p", "states": state_map(w=0.6, g=0.3, e=0.1)}},
        "outcomes_from": "posture",
    }  # fmt: skip
    net = network(spec)
    chances = np.array([[0.2, 0.2, 0.4], [0.9, 0.6, 0.3]])
    answer = Eliminator(net.graph).prepare(Params(chances, np.zeros((2, 0)), net.log_base))
    got = answer.marginals(net.setting().arrays(net.graph))
    want = chances / chances.sum(1, keepdims=True)
    np.testing.assert_allclose(got.drivers, want, atol=EXACT, rtol=0)
    np.testing.assert_allclose(got.outcomes, want, atol=EXACT, rtol=0)


def test_evidence_that_cannot_hold_is_refused():
    """b copies a (a table of 0 and 1): seeing b without a has probability 0 (SPEC §11.3)."""
    spec = {**CERTAIN, "evidence": {"a_not": {"driver": "a", "observed": False},
                                    "b_is": {"driver": "b=true", "observed": True}}}  # fmt: skip
    prob, effect = own_numbers(spec)
    net, refs = network(spec), enumerate_posterior(network_from(spec), evidence_from(spec))
    assert refs.evidence == 0
    prepared = Eliminator(net.graph).prepare(Params(prob, effect, net.log_base))
    with pytest.raises(ImpossibleEvidence):
        prepared.marginals(net.setting().arrays(net.graph))
    assert_equals_enumeration(spec, prob, effect, ["a_not"])  # either item alone can hold
    assert_equals_enumeration(spec, prob, effect, ["b_is"])


# --- random scenarios ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=scenarios(certain=True), seed=st.integers(0, 2**16))
def test_random_scenarios_equal_enumeration(spec, seed):
    """Random DAGs of binary and 2-4 state drivers of every kind, every kind of evidence and a
    what-if: with the scenario's own numbers (0 and 1 among them) and with random ones."""
    net = network(spec)
    drawn = random_numbers(net, np.random.default_rng(seed), 3, certain=True)
    for prob, effect in (own_numbers(spec), drawn):
        for evidence, do in [(None, None), (None, spec["what_if"]["w"]["set"])]:
            assert_equals_enumeration(spec, prob, effect, evidence, do)


def test_chunks_of_draws_give_the_same_numbers():
    net = network(TABLES)
    graph = net.graph
    prob, effect = random_numbers(net, np.random.default_rng(5), 40)
    params = Params(prob, effect, net.log_base)
    data = net.setting().arrays(graph)
    whole = Eliminator(graph).prepare(params)
    small = Eliminator(graph, chunk_bytes=Eliminator(graph).per_draw_bytes * 7).prepare(params)
    assert len(small.chunks) == 6 and len(whole.chunks) == 1
    a, b = whole.marginals(data), small.marginals(data)
    even = np.full(40, 1 / 40)
    for got, want in [
        (a.log_evidence, b.log_evidence),
        (a.outcomes, b.outcomes),
        (a.drivers, b.drivers),
        (whole.item_joints(data, even), small.item_joints(data, even)),
    ]:
        np.testing.assert_allclose(got, want, atol=1e-13, rtol=0)


# --- size ---------------------------------------------------------------------------------------


def wide(n: int, states: int | None = None) -> dict:
    """n drivers, every one with an effect on the outcome x."""
    ids = ("s0", "s1", "s2", "s3")[: states or 0]
    driver = {"p": 0.5} if states is None else {"states": state_map(**{s: 1 / states for s in ids})}
    condition = "" if states is None else "=s0"
    return {
        "signpost": 1, "id": "wide", "title": "wide",
        "drivers": {f"d{i}": {"label": "d", **driver} for i in range(n)},
        "outcomes": {
            "x": {"label": "x", "drivers": {f"d{i}{condition}": 0.1 for i in range(n)}},
            "flat": {"label": "flat"},
        },
    }  # fmt: skip


def test_a_graph_too_wide_to_sum_is_refused_before_anything_is_allocated():
    """40 binary drivers all pushing one outcome: the outcome table alone is 2^40 rows per draw."""
    graph = network(wide(40)).graph
    with pytest.raises(TooWide) as caught:
        Eliminator(graph)
    message = str(caught.value)
    named = ", ".join(f"d{i}" for i in range(40))
    assert message.startswith(f"the network is too wide to sum out: 40 drivers ({named}) are ")
    assert "a table of 2^40 states" in message


def test_a_multi_state_graph_too_wide_names_its_number_of_states():
    graph = network(wide(20, states=4)).graph
    with pytest.raises(TooWide, match=r"a table of 1,099,511,627,776 states"):
        Eliminator(graph)


def chain(n: int, states: int | None) -> dict:
    """A chain of n drivers, each caused by the one before; the first and last push x."""
    ids = ("s0", "s1", "s2", "s3")[: states or 0]
    on = "" if states is None else "=s1"

    def driver(i: int) -> dict:
        causes = {f"d{i - 1}{on}": 1.0} if i else {}
        if states is None:
            return {"label": "d", "p": 0.4, **({"causes": causes} if causes else {})}
        chances = {s: {"p": 1 / states} for s in ids}
        chances["s1"]["causes"] = causes
        return {"label": "d", "states": state_map(**chances)}

    return {
        "signpost": 1, "id": "chain", "title": "chain",
        "drivers": {f"d{i}": driver(i) for i in range(n)},
        "outcomes": {"x": {"label": "x", "drivers": {f"d0{on}": 1.0, f"d{n - 1}{on}": -1.0}},
                     "flat": {"label": "flat"}},
        "indicators": {"end": {"label": "e", "signals": f"d{n - 1}{on}", "if_true": 0.8,
                               "if_false": 0.3}},
        "evidence": {"seen_end": {"indicator": "end", "observed": True}},
    }  # fmt: skip


@pytest.mark.parametrize("states", [None, 4])
def test_a_long_chain_is_cheap_however_many_drivers(states):
    """Cost follows the treewidth: a chain of 60 drivers, two pushing the outcome."""
    net = network(chain(60, states))
    eliminator = Eliminator(net.graph)
    assert eliminator.per_draw_bytes < 2**12
    prob, effect = random_numbers(net, np.random.default_rng(0), 200)
    answer = eliminator.prepare(Params(prob, effect, net.log_base))
    marginals = answer.marginals(net.setting().arrays(net.graph))
    assert np.all(np.isfinite(marginals.outcomes)) and np.allclose(marginals.outcomes.sum(1), 1)


# --- graphs -------------------------------------------------------------------------------------


def test_the_small_scenario_has_the_small_graph():
    """So every test in tests/inference/test_nuts.py shares one compilation."""
    spec = small_scenario(p={"a": 0.3})
    assert network(spec).graph == SMALL_GRAPH


def test_graph_depends_on_arrows_not_numbers():
    """Two scenarios that differ only in numbers share one graph (one compilation)."""
    other = copy.deepcopy(TABLES)
    other["drivers"]["dysp"]["table"]["either=true posture=w"] = "likely"
    other["drivers"]["level"]["table"]["either=true"]["lo"] = {"range": [0.1, 0.3]}
    assert network(TABLES).graph == network(other).graph


def test_a_tables_rows_are_its_parents_combinations_in_canonical_order():
    """SPEC §11.6: a row by its parents in the order the scenario declares them."""
    slots = network(TABLES).graph.prob_slots
    rows = [s for s in slots if s.startswith("drivers.dysp.table.")]
    assert rows == [
        f"drivers.dysp.table.either={e} posture={p}"
        for e in ("false", "true") for p in ("w", "g", "e")
    ]  # fmt: skip
    assert "drivers.level.table.either=true.max" in slots
