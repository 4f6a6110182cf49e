"""engine/inference: importance sampling by default, more draws then NUTS when a setting needs
them, and the estimates behind every interval.

The fallback is shown on a scenario whose evidence is strong enough that prior draws fail the
bar (every driver observed true and every indicator seen, with skewed priors): the engine must
answer it with NUTS, reliably, and agree with an independent high-draw reference — importance
sampling on the reference's enumerator from a proposal shaped like the posterior
(``tests.support.networks.tailored_reference``), so that 200 000 draws keep a large effective
sample size; that part samples with NUTS and lives in ``tests/inference/test_nuts.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from engine.inference.estimates import pareto_smooth, weighted_quantiles
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support.networks import small_scenario, strong_scenario


@pytest.fixture(scope="module")
def strong_importance():
    return run(Scenario.model_validate(strong_scenario("importance")), scope="main")


def test_strong_evidence_defeats_prior_draws_even_with_more_of_them(strong_importance):
    d = strong_importance.main.diagnostics
    assert d.method == "importance" and d.retried  # it was given 4x and 16x the draws
    assert d.draws == 16 * 4000
    assert not strong_importance.reliable
    assert d.pareto_k > 0.7 or d.ess < 400


def test_a_setting_that_misses_the_bar_gets_more_prior_draws():
    """120 prior draws cannot reach an ESS of 400: the engine extends them (same first draws)."""
    spec = small_scenario(evidence={"saw_i": {"indicator": "i", "observed": True}})
    scenario = Scenario.model_validate(spec)
    few = run(scenario, scope="main", draws=60, chains=2)
    d = few.main.diagnostics
    assert d.method == "importance" and d.retried and d.draws in (480, 1920)
    assert few.reliable and d.ess >= 400
    plenty = run(scenario, scope="main")
    assert not plenty.main.diagnostics.retried and plenty.main.diagnostics.draws == 4000


def test_importance_sampling_never_imports_pymc():
    spec = small_scenario(evidence={"saw_i": {"indicator": "i", "observed": True}})
    code = textwrap.dedent(
        f"""
        import json, sys
        from engine.scenario.schema import Scenario
        from engine.run import run
        result = run(Scenario.model_validate({spec!r}))
        heavy = [m for m in ("pymc", "pytensor", "nutpie", "arviz", "numba") if m in sys.modules]
        print(json.dumps({{"heavy": heavy, "method": result.diagnostics.method}}))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"heavy": [], "method": "importance"}


def test_every_setting_reads_the_same_prior_draws():
    """A what-if is the same draws reweighted: its numbers equal reweighting by hand."""
    spec = small_scenario(evidence={"saw_j": {"indicator": "j", "observed": False}})
    spec["what_if"] = {"set_a": {"set": {"a": True}}}
    result = run(Scenario.model_validate(spec), scope="results")
    main, what_if = result.main.sample, result.what_if["set_a"].sample
    for part in ("p", "cause", "effect", "if_true", "if_false"):
        np.testing.assert_array_equal(getattr(main.params, part), getattr(what_if.params, part))
    assert not np.allclose(main.weights, what_if.weights)


def test_pareto_smoothing_equals_arviz_stats():
    from arviz_stats.base import array_stats

    rng = np.random.default_rng(0)
    for size, scale in [(4000, 0.5), (4000, 3.0), (300, 2.0), (100, 1.0), (16000, 5.0)]:
        log_weights = rng.normal(0, scale, size)
        mine, k = pareto_smooth(log_weights)
        theirs, k_theirs = array_stats.psislw(-log_weights)  # it smooths the weights of -x
        assert k == pytest.approx(float(k_theirs), abs=1e-12)
        mine = mine - np.log(np.sum(np.exp(mine)))
        np.testing.assert_allclose(mine, theirs, atol=1e-10)


def test_weighted_quantiles_of_equal_weights_are_the_sample_quantiles():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(20_000, 2))
    got = weighted_quantiles(values, np.full(20_000, 1 / 20_000), (0.05, 0.5, 0.95))
    want = np.quantile(values, [0.05, 0.5, 0.95], axis=0)
    np.testing.assert_allclose(got, want, atol=2e-3)
    # weights that double the mass of the upper half move the median up
    weights = np.where(values[:, 0] > 0, 2.0, 1.0)
    weights /= weights.sum()
    assert weighted_quantiles(values[:, :1], weights, (0.5,))[0, 0] > 0.3


def test_one_chain_that_has_not_converged_shows_it_in_r_hat():
    """arviz-stats has no R-hat for a single chain; the engine splits it in two halves."""
    from engine.inference.estimates import chain_diagnostics

    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=(1, 1000, 3)), axis=1)  # a random walk: not converged
    assert chain_diagnostics(walk)["max_rhat"] > 1.1
    still = rng.normal(size=(1, 1000, 3))
    assert chain_diagnostics(still)["max_rhat"] < 1.01
