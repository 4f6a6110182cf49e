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

from engine.run import run
from engine.scenario.schema import Scenario
from tests.support import SAMPLING
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
        heavy = [m for m in {SAMPLING!r} if m in sys.modules]
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
    for part in ("prob", "effect", "log_base"):
        np.testing.assert_array_equal(getattr(main.params, part), getattr(what_if.params, part))
    assert not np.allclose(main.weights, what_if.weights)
