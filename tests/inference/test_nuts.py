"""Every test that samples with NUTS (nutpie), in one file.

Compiling a graph's PyMC model for nutpie takes about a minute on two cores and is cached per
process by its graph, so these tests all use the small network of ``tests/support/networks.py``
(one compilation) and live in one file, which ``make test`` (``pytest -n 2 --dist loadfile``)
keeps on one worker while the other worker runs the rest of the suite. The marker ``nuts`` lets
a quick loop leave them out: ``pytest -m "not nuts"``.

- the PyMC model (the statement of the model) equals the NumPy elimination on its own draws;
- strong evidence defeats prior draws; NUTS answers and agrees with a reference;
- a NUTS run that misses the bar is retried with more draws, then flagged;
- simulation-based calibration of NUTS intervals (the method of
  ``tests/inference/test_calibration.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.run import run
from engine.scenario.schema import Scenario
from models.elimination import Eliminator
from models.graph import Params, Setting
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
from tests.support.networks import SMALL_GRAPH, small_scenario, strong_scenario, tailored_reference

pytestmark = pytest.mark.nuts


def test_pymc_deterministics_equal_elimination():
    """The compiled model's potential, q and driver_p equal models.elimination on its draws."""
    from models.sampler import compiled_network

    graph = SMALL_GRAPH
    compiled = compiled_network(graph)
    setting = Setting(soft={0: 2.0}, seen={0: True, 1: False}, hard={3: True})
    data = {
        "prob_alpha": np.full(10, 2.0),
        "prob_beta": np.full(10, 3.0),
        "prob_fixed": np.full(10, 0.5),
        "prob_is_fixed": np.zeros(10),
        "effect_mu": np.zeros(8),
        "effect_sigma": np.ones(8),
        "effect_fixed": np.zeros(8),
        "effect_is_fixed": np.zeros(8),
        "log_base": np.log([1.0, 2.0, 0.5]),
        **setting.arrays(graph),
    }
    idata = compiled.sample(data, draws=100, tune=100, chains=2, seed=1, target_accept=0.9)
    post = idata.posterior
    prob = post["prob"].values.reshape(-1, 10)
    effect = post["effect"].values.reshape(-1, 8)
    params = Params(
        p=prob[:, :4], cause=effect[:, :4], effect=effect[:, 4:], log_base=data["log_base"],
        if_true=prob[:, 4:7], if_false=prob[:, 7:],
    )  # fmt: skip
    answer = Eliminator(graph).prepare(params).marginals(data)
    np.testing.assert_allclose(answer.outcomes, post["q"].values.reshape(-1, 3), atol=1e-10)
    np.testing.assert_allclose(answer.drivers, post["driver_p"].values.reshape(-1, 4), atol=1e-10)
    # the potential is log P(e | θ): evaluate it on one draw, the random variables replaced by
    # that draw's values
    import pymc as pm
    import pytensor

    model = compiled.model
    with model:
        pm.set_data({k: v for k, v in data.items() if k in compiled.data_names})
    (potential,) = model.replace_rvs_by_values([model.potentials[0]])
    value = pytensor.function(model.value_vars, potential, on_unused_input="ignore")(
        np.log(prob[0] / (1 - prob[0])), effect[0]
    )
    np.testing.assert_allclose(value, answer.log_evidence[0], atol=1e-9)
    assert compiled_network(graph) is compiled  # compiled once per graph


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
