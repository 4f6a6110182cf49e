"""models/elimination.py's shortcuts give exactly the numbers they replace.

- The table cache: a prepared set whose tables came from the cache — after another set that
  shares every number but one — is held equal, byte for byte, to the same set prepared with
  nothing cached: every driver's table, the outcome table, and a setting's marginals. Each number
  of each kind of SPEC §11 network is changed in turn, so a key that leaves out a number a table
  reads shows as a stale table.
- Barren drivers: a driver's marginal summed over its ancestors and the drivers with evidence
  only equals, to rounding, the one summed over every driver.
- The pieces: a chunk of draws computed in pieces on threads gives, byte for byte, the marginals
  and item joints of the whole chunk computed at once, under every setting.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

import models.elimination as elimination
from engine.inference.network import network_of
from engine.scenario.schema import Scenario
from models.elimination import Eliminator, pieces
from models.graph import Params
from models.table_cache import TableCache
from tests.support.networks import KINDS, small_scenario

DRAWS = 6


def _numbers(net, seed: int, draws: int = DRAWS) -> Params:
    rng = np.random.default_rng(seed)
    prob = rng.uniform(0.05, 0.95, (draws, len(net.graph.prob_slots)))
    effect = rng.normal(0.0, 1.5, (draws, len(net.graph.effect_slots)))
    return Params(prob, effect, net.log_base)


def _changed(params: Params, slot: int, rng: np.random.Generator) -> Params:
    """The same numbers with slot ``slot`` (probabilities, then effects) drawn afresh."""
    prob, effect = params.prob.copy(), params.effect.copy()
    if slot < prob.shape[1]:
        prob[:, slot] = rng.uniform(0.05, 0.95, DRAWS)
    else:
        effect[:, slot - prob.shape[1]] = rng.normal(0.0, 1.5, DRAWS)
    return Params(prob, effect, params.log_base)


def _assert_same(mine, theirs) -> None:
    for a, b in zip(mine.chunks, theirs.chunks, strict=True):
        for x, y in zip(a.log_cpt, b.log_cpt, strict=True):
            assert x.tobytes() == y.tobytes()
        assert a.outcome_table.tobytes() == b.outcome_table.tobytes()


SEEN = {"seen": {"indicator": "i", "observed": True}}
NO_EFFECT = {  # no driver moves the outcome: the main sum keeps no driver at all
    "signpost": 1,
    "id": "no-effect",
    "title": "No driver moves the outcome",
    "drivers": {
        "a": {"label": "a", "p": "unlikely"},
        "b": {"label": "b", "p": "likely", "causes": {"a": "raises"}},
    },
    "outcomes": {"x": {"label": "x", "base": 2.0}, "y": {"label": "y"}},
    "indicators": {"i": {"label": "i", "signals": "b", "if_true": 0.8, "if_false": 0.2}},
    "evidence": {"seen": {"indicator": "i", "observed": True}},
    "what_if": {"w": {"set": {"a": True}}},
}
NETWORKS = {**KINDS, "small": small_scenario(evidence=SEEN), "no_effect": NO_EFFECT}


@pytest.mark.parametrize("kind", NETWORKS)
def test_a_cached_table_is_the_table_computed_afresh_whichever_number_changed(kind):
    net = network_of(Scenario.model_validate(NETWORKS[kind]))
    eliminator = Eliminator(net.graph)
    data = net.setting().arrays(net.graph)
    cache = TableCache()
    first = _numbers(net, 1)
    eliminator.prepare(first, cache)
    rng = np.random.default_rng(2)
    slots = len(net.graph.prob_slots) + len(net.graph.effect_slots)
    for slot in range(slots):
        params = _changed(first, slot, rng)
        cached = eliminator.prepare(params, cache)
        afresh = eliminator.prepare(params, TableCache(max_bytes=0))
        _assert_same(cached, afresh)
        mine, theirs = cached.marginals(data), afresh.marginals(data)
        for part in ("log_evidence", "outcomes", "drivers"):
            assert getattr(mine, part).tobytes() == getattr(theirs, part).tobytes(), (slot, part)
    rebased = Params(first.prob, first.effect, first.log_base + np.arange(len(first.log_base)))
    _assert_same(eliminator.prepare(rebased, cache), eliminator.prepare(rebased, TableCache(0)))
    # each set changed one number, which one table at most reads: the others came back
    assert cache.hits >= slots * len(net.graph.drivers)


def test_tables_are_read_only_and_shared():
    net = network_of(Scenario.model_validate(KINDS["states"]))
    eliminator = Eliminator(net.graph)
    cache = TableCache()
    one = eliminator.prepare(_numbers(net, 3), cache)
    two = eliminator.prepare(_numbers(net, 3), cache)
    assert two.chunks[0].outcome_table is one.chunks[0].outcome_table
    with pytest.raises(ValueError):
        one.chunks[0].log_cpt[0][...] = 0.0


def test_the_cache_keeps_at_most_its_bytes_dropping_the_least_recently_used():
    cache = TableCache(max_bytes=3 * 800)
    for key in "abcd":
        cache.get(key, lambda: np.zeros(100))  # 800 bytes each
    cache.get("b", lambda: pytest.fail("b is kept"))
    cache.get("e", lambda: np.zeros(100))  # drops c, the least recently used (a went first)
    assert cache.misses == 5
    made = []
    for key in "bde":
        cache.get(key, lambda key=key: made.append(key) or np.zeros(100))
    assert not made
    cache.get("a", lambda: np.zeros(100))
    cache.get("too big", lambda: np.zeros(1000))  # larger than the whole cache: not kept
    assert cache.misses == 7
    assert sum(t.nbytes for t in cache._tables.values()) <= cache.max_bytes


def test_threads_asking_for_one_table_at_once_compute_it_once():
    cache = TableCache()
    started, calls = threading.Event(), []

    def make():
        calls.append(1)
        started.wait(5)
        return np.ones(10)

    threads = [threading.Thread(target=cache.get, args=("k", make)) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and cache.hits == 3


# --- pieces -------------------------------------------------------------------------------------


def test_pieces_cover_a_chunk_in_order_one_per_thread_none_too_small(monkeypatch):
    monkeypatch.setattr(elimination, "PIECE_DRAWS", 10)
    assert pieces(0, 35, threads=2) == [(0, 17), (17, 35)]
    assert pieces(100, 125, threads=4) == [(100, 112), (112, 125)]  # two of at least 10
    assert pieces(0, 9, threads=2) == [(0, 9)]
    assert pieces(0, 1, threads=1) == [(0, 1)]


def _settings(net):
    """The main setting, none, and each driver set to each of its states."""
    graph = net.graph
    out = [net.setting(), net.setting([])]
    for i, driver in enumerate(graph.drivers):
        for state in graph.states[i]:
            value = state == "true" if graph.binary(i) else state
            out.append(net.setting(do={driver: value}))
    return out


@pytest.mark.parametrize("kind", NETWORKS)
def test_a_chunk_in_pieces_on_threads_gives_the_numbers_of_the_whole_chunk(kind, monkeypatch):
    monkeypatch.setattr(elimination, "PIECE_DRAWS", 7)
    monkeypatch.setattr(elimination, "THREADS", 3)
    net = network_of(Scenario.model_validate(NETWORKS[kind]))
    eliminator = Eliminator(net.graph)
    eliminator.chunk_bytes = 40 * eliminator.per_draw_bytes  # chunks of 40 draws: 3 of them
    params = _numbers(net, 4, draws=107)
    whole = eliminator.prepare(params, TableCache(0), threads=1)
    split = eliminator.prepare(params, TableCache(0), threads=3)
    assert whole.groups == (1, 1, 1) and split.groups == (3, 3, 3)
    weights = np.random.default_rng(5).dirichlet(np.ones(107))
    for setting in _settings(net):
        data = setting.arrays(net.graph)
        try:
            mine = split.marginals(data)
        except elimination.ImpossibleEvidence:
            with pytest.raises(elimination.ImpossibleEvidence):
                whole.marginals(data)
            continue
        theirs = whole.marginals(data)
        for part in ("log_evidence", "outcomes", "drivers"):
            assert getattr(mine, part).tobytes() == getattr(theirs, part).tobytes(), part
        joints = split.item_joints(data, weights)
        assert joints.tobytes() == whole.item_joints(data, weights).tobytes()


# --- barren drivers -----------------------------------------------------------------------------


def _asia_seen() -> dict:
    """asia from the bnlearn repository (as pgmpy ships it) with its x-ray seen: most drivers
    are barren for most marginals."""
    import pgmpy

    from engine.exchange.read import scenario_of

    path = Path(pgmpy.__file__).parent / "utils" / "example_models" / "asia.bif.gz"
    data = scenario_of(path)
    data["evidence"] = {"x_ray": {"driver": "xray", "observed": True}}
    return data


@pytest.mark.parametrize("kind", [*NETWORKS, "asia"])
def test_leaving_out_barren_drivers_gives_the_marginals_of_the_whole_sum(kind, monkeypatch):
    spec = _asia_seen() if kind == "asia" else NETWORKS[kind]
    net = network_of(Scenario.model_validate(spec))
    params = _numbers(net, 7, draws=5)
    eliminator = Eliminator(net.graph)
    pruned = eliminator.prepare(params, TableCache(0))
    for setting in _settings(net):
        data = setting.arrays(net.graph)
        try:
            mine = pruned.marginals(data)
        except elimination.ImpossibleEvidence:
            continue
        weights = np.full(params.draws, 1.0 / params.draws)
        joints = pruned.item_joints(data, weights)
        with monkeypatch.context() as patch:
            patch.setattr(Eliminator, "ancestral", lambda self, drivers: None)  # every driver
            whole = pruned.marginals(data)
            whole_joints = pruned.item_joints(data, weights)
        close = {"rtol": 1e-12, "atol": 1e-15}
        assert np.allclose(mine.drivers, whole.drivers, **close)
        assert np.allclose(mine.outcomes, whole.outcomes, **close)
        assert np.allclose(mine.log_evidence, whole.log_evidence, **close)
        assert np.allclose(joints, whole_joints, **close)


@pytest.mark.parametrize("kind", sorted(NETWORKS))
def test_a_sum_wider_than_its_chunk_was_sized_for_runs_over_slices_of_the_draws(kind):
    """Chunks are sized by the widest sum expected (``per_draw_bytes``); a setting's sum may be
    wider when the whole graph is too wide to sum. With that width and the budget shrunk after
    the draws were prepared, every sum runs over slices of a few draws, and gives what the
    whole chunk gives."""
    net = network_of(Scenario.model_validate(NETWORKS[kind]))
    params = _numbers(net, 11, draws=64)
    eliminator = Eliminator(net.graph)
    prepared = eliminator.prepare(params, TableCache(0), threads=1)
    weights = np.full(params.draws, 1.0 / params.draws)
    widest = max(plan.width for plan in eliminator._plans.values())
    for setting in _settings(net):
        data = setting.arrays(net.graph)
        eliminator.chunk_bytes = elimination.CHUNK_BYTES
        eliminator.per_draw_bytes = Eliminator(net.graph).per_draw_bytes
        try:
            whole = prepared.marginals(data)
        except elimination.ImpossibleEvidence:
            continue
        whole_joints = prepared.item_joints(data, weights)
        eliminator.per_draw_bytes = 8  # every sum is wider: each is sliced
        eliminator.chunk_bytes = 3 * widest * 2 * 8 * elimination.THREADS  # 3 draws a slice
        sliced = prepared.marginals(data)
        for part in ("log_evidence", "outcomes", "drivers"):
            np.testing.assert_allclose(getattr(sliced, part), getattr(whole, part), rtol=1e-13)
        np.testing.assert_allclose(prepared.item_joints(data, weights), whole_joints, rtol=1e-13)
