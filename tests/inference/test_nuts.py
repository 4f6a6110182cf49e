"""Every test that samples with NUTS, in one file.

A graph's model is compiled once per process (``models/sampler.py``: NumPyro's NUTS in one XLA
program, a few seconds), so these tests all use the small network of ``tests/support/networks.py``
and live in one file, which ``make test`` (``pytest -n 2 --dist loadfile``) keeps on one worker.
The marker ``nuts`` lets a quick loop leave them out: ``pytest -m "not nuts"``.

- the PyMC model (the statement of the model) equals the NumPy elimination at given numbers, on
  the small network and on one network of each kind of SPEC §11;
- strong evidence defeats prior draws; NUTS answers and agrees with a reference;
- one compiled program serves new data; without evidence its draws are the closed-form priors;
- processes that need one program at once compile it once (the others read JAX's cache);
- a NUTS run that misses the bar is retried with more draws, then flagged;
- simulation-based calibration of NUTS intervals (the method of
  ``tests/inference/test_calibration.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.inference.network import network_of
from engine.run import run
from engine.scenario.schema import Scenario
from models.elimination import Eliminator
from models.graph import Graph, Params, Setting
from tests.support.calibration import (
    BANDS,
    FEW_UNCERTAIN,
    NUTS_CASES,
    NUTS_SETTINGS,
    Cases,
    coverage,
    describe,
    run_cases,
)
from tests.support.networks import KINDS, small_scenario, strong_scenario, tailored_reference

pytestmark = pytest.mark.nuts


def _deterministics(model, graph: Graph):
    """A function of θ (``prob``, ``effect``) giving the model's q, driver_p and potential: its
    random variables replaced by inputs (``clone_replace``), the data as last set."""
    import pytensor
    import pytensor.tensor as pt

    prob, effect = pt.vector("prob"), pt.vector("effect")
    replace = {model["prob"]: prob}
    if graph.effect_slots:
        replace[model["effect"]] = effect
    outputs = pytensor.clone_replace([model["q"], model["driver_p"], model["evidence"]], replace)
    return pytensor.function([prob, effect], outputs, on_unused_input="ignore", mode="FAST_COMPILE")


def _small_case():
    setting = Setting(soft={(0, 1): 2.0}, seen={0: True, 1: False}, hard={3: (1,)})
    spec = small_scenario()
    return network_of(Scenario.model_validate(spec)), [setting, Setting(do={2: 0}, seen={2: True})]


def _kind_case(kind: str):
    net = network_of(Scenario.model_validate(KINDS[kind]))
    what_ifs = [w["set"] for w in KINDS[kind]["what_if"].values()]
    return net, [net.setting(), net.setting([]), *(net.setting(do=do) for do in what_ifs)]


@pytest.mark.parametrize(
    "case", ["small", "states", "tables", "noisy_or", "outcomes_from_binary", "certain"]
)
def test_pymc_deterministics_equal_elimination(case):
    """The PyMC model's q, driver_p and potential log P(e | θ), evaluated at given θ, equal
    models.elimination's under every setting; ``certain`` takes the fixed numbers' path (0
    and 1 among them), the others random θ in every slot."""
    import pymc as pm

    from models.builder import build_model, placeholder_data
    from models.sampler import compiled_network

    net, settings = _small_case() if case == "small" else _kind_case(case)
    graph = net.graph
    if case == "small":  # the very model NUTS samples, compiled once per graph
        compiled = compiled_network(graph)
        assert compiled_network(graph) is compiled
        model = compiled.model
    else:
        model = build_model(graph)
    data = net.prior_data()
    if case == "certain":
        params = net.params().batched()
    else:  # every slot uncertain: θ is what the model reads
        rng = np.random.default_rng(7)
        data["prob_is_fixed"] = np.zeros(len(graph.prob_slots))
        data["effect_is_fixed"] = np.zeros(len(graph.effect_slots))
        prob = rng.uniform(0.05, 0.95, (3, len(graph.prob_slots)))
        params = Params(prob, rng.normal(0, 1.5, (3, len(graph.effect_slots))), net.log_base)
    evaluate = _deterministics(model, graph)
    prepared = Eliminator(graph).prepare(params)
    names = placeholder_data(graph)
    for setting in settings:
        arrays = setting.arrays(graph)
        with model:
            pm.set_data({k: v for k, v in {**data, **arrays}.items() if k in names})
        answer = prepared.marginals(arrays)
        for d in range(params.draws):
            q, driver_p, potential = evaluate(params.prob[d], params.effect[d])
            close = {"atol": 1e-10, "rtol": 0, "err_msg": f"{case} {setting} draw {d}"}
            np.testing.assert_allclose(q, answer.outcomes[d], **close)
            np.testing.assert_allclose(driver_p, answer.drivers[d], **close)
            np.testing.assert_allclose(potential, answer.log_evidence[d], **close)


def test_nuts_agrees_with_a_high_draw_reference_where_prior_draws_fail():
    # auto answers this case with the adaptive step now (tests/inference/test_adaptive.py);
    # the fallback from it to NUTS is tests/inference/test_fallback.py
    spec = strong_scenario("nuts")
    result = run(Scenario.model_validate(spec), scope="main", draws=1000, chains=2)
    main = result.main
    assert main.diagnostics.method == "nuts"
    assert result.reliable, main.diagnostics.reliability.problems
    assert result.to_dict()["diagnostics"]["method"] == "nuts"
    reference, ess = tailored_reference(spec)
    assert ess > 5000  # the reference itself is trustworthy
    for k, summary in main.outcomes.items():
        ref = reference[k]
        tolerance = 4 * math.hypot(summary.mcse, ref.mcse)
        assert abs(summary.p - ref.p) <= tolerance, (k, summary, ref)
        assert abs(summary.lo - ref.lo) < 0.03 and abs(summary.hi - ref.hi) < 0.03, (k, summary)


def test_nuts_that_misses_the_bar_is_retried_with_more_draws_then_flagged():
    """Far too few draws for ESS >= 400: one retry with twice the draws, then flagged."""
    spec = small_scenario(evidence={"saw_i": {"indicator": "i", "observed": True}})
    result = run(
        Scenario.model_validate(spec), scope="main", method="nuts", draws=60, tune=60, chains=2
    )
    d = result.main.diagnostics
    assert d.method == "nuts" and d.retried
    assert d.draws == 120 and d.tune == 120 and d.target_accept == 0.95  # from 0.9
    assert result.reliable is False


def test_one_compiled_program_serves_new_data_and_draws_the_closed_form_priors():
    """NumPyro's NUTS takes the data as arguments of its compiled program. Without evidence the
    posterior of every number is its prior: two sets of Beta and Normal parameters, swapped
    between the sets, are sampled by one program, and each set's draws have its own closed-form
    means and 5th/95th percentiles."""
    from scipy import stats

    from models.sampler import KEPT, compiled_network, default_backend

    assert default_backend() == "numpyro"  # make installs JAX and NumPyro
    network = network_of(Scenario.model_validate(small_scenario()))
    graph = network.graph
    compiled = compiled_network(graph, keep=KEPT)
    before = set(compiled._sampler._programs)  # the process's other tests may have added some
    n, m = len(graph.prob_slots), len(graph.effect_slots)
    alpha, beta = np.linspace(1.5, 9.0, n), np.linspace(9.0, 1.5, n)
    mu, sigma = np.linspace(-2.0, 2.0, m), np.linspace(0.3, 1.5, m)
    for flip in (False, True):
        a, b = (beta, alpha) if flip else (alpha, beta)
        data = {
            **network.prior_data(),
            **network.setting([]).arrays(graph),
            "prob_alpha": a,
            "prob_beta": b,
            "prob_is_fixed": np.zeros(n),
            "effect_mu": -mu if flip else mu,
            "effect_sigma": sigma,
            "effect_is_fixed": np.zeros(m),
        }
        trace = compiled.sample(data, draws=1000, tune=500, chains=2, seed=5, target_accept=0.9)
        assert trace.divergences == 0
        for draws, truth in (
            (trace.prob.reshape(-1, n), stats.beta(a, b)),
            (trace.effect.reshape(-1, m), stats.norm(data["effect_mu"], sigma)),
        ):
            scale = truth.std()
            np.testing.assert_array_less(np.abs(draws.mean(0) - truth.mean()), 0.1 * scale)
            for q in (0.05, 0.95):
                error = np.abs(np.quantile(draws, q, axis=0) - truth.ppf(q))
                np.testing.assert_array_less(error, 0.2 * scale)
    assert set(compiled._sampler._programs) - before <= {(500, 1000)}  # compiled once


COMPILE_ONCE = """
import sys, time
from pathlib import Path

import jax.monitoring

import models.sampler as sampler
from engine.inference.network import network_of
from engine.scenario.schema import Scenario
from tests.support.networks import small_scenario

me, other = Path(sys.argv[1]), Path(sys.argv[2])
seen, inside = [], []
jax.monitoring.register_event_listener(lambda event, **_: inside and seen.append(event))
locked = sampler._compiling


def compiling(program):
    me.touch()  # both processes reach the compile before either starts it
    deadline = time.monotonic() + 120
    while not other.exists():
        if time.monotonic() > deadline:
            sys.exit("the other process never reached its compile")
        time.sleep(0.01)
    inside.append(True)
    return locked(program)


sampler._compiling = compiling
network = network_of(Scenario.model_validate(small_scenario()))
compiled = sampler.compiled_network(network.graph, "numpyro", keep=sampler.KEPT)
data = {**network.prior_data(), **network.setting().arrays(network.graph)}
compiled.sample(data, draws=5, tune=5, chains=1, seed=1, target_accept=0.9)
hits = seen.count("/jax/compilation_cache/cache_hits")
misses = seen.count("/jax/compilation_cache/cache_misses")
print(f"{hits} {misses}")
"""


def test_processes_that_start_together_compile_a_graph_once(tmp_path):
    """Two processes (as a batch's workers) reach the same program at the same moment with an
    empty cache on disk: one compiles it, the other waits on its lock and reads it from the
    cache. Without the lock both would compile."""
    import os
    import subprocess
    import sys

    from tests.support import ROOT

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name in ("JAX_COMPILATION_CACHE_DIR", "JAX_ENABLE_COMPILATION_CACHE"):
        env.pop(name, None)
    a, b = tmp_path / "a", tmp_path / "b"
    command = [sys.executable, "-c", COMPILE_ONCE]
    runs = []
    try:
        for pair in ((str(a), str(b)), (str(b), str(a))):
            runs.append(
                subprocess.Popen(
                    [*command, *pair],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        outputs = [run.communicate(timeout=240) for run in runs]
    finally:
        for run in runs:
            run.kill()
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    counts = sorted(tuple(map(int, out.split())) for out, _ in outputs)
    assert counts == [(0, 1), (1, 0)], counts  # (hits, misses): one compiled, one read


def test_a_process_holding_the_compile_lock_too_long_is_not_waited_for(tmp_path, monkeypatch):
    """A holder stopped (Ctrl-Z) or on a hung disk: after LOCK_SECONDS the waiter compiles."""
    import fcntl
    import hashlib
    import time

    import jax

    import models.sampler as sampler

    monkeypatch.setattr(sampler, "LOCK_SECONDS", 0.3)
    before = jax.config.jax_compilation_cache_dir
    jax.config.update("jax_compilation_cache_dir", str(tmp_path))
    try:
        (tmp_path / "locks").mkdir()
        name = hashlib.sha256(b"program").hexdigest()[:2]
        with open(tmp_path / "locks" / f"{name}.lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # another open file: as another process holds it
            started = time.monotonic()
            with sampler._compiling("program"):
                waited = time.monotonic() - started
        with sampler._compiling("program"):  # free again: taken at once
            pass
    finally:
        jax.config.update("jax_compilation_cache_dir", before)
    assert 0.3 <= waited < 5, waited


@pytest.fixture(scope="module")
def nuts_cases() -> Cases:
    return run_cases(
        NUTS_CASES, seed=7300, numbers=FEW_UNCERTAIN, observe=("a",), method="nuts", **NUTS_SETTINGS
    )


@pytest.mark.parametrize("level", sorted(BANDS))
def test_nuts_intervals_are_calibrated(nuts_cases, level):
    cases = nuts_cases
    assert cases.methods == {"nuts"}
    pooled, per = coverage(cases.truth, *cases.interval(level))
    low, high = BANDS[level]
    assert low <= pooled <= high, describe("nuts", cases, level, pooled, per)
