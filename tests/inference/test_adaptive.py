"""The adaptive step (``engine.inference.adaptive``) and its parts, against independent
computations: SciPy's distributions, the enumerator of ``tests/support/reference.py``, and a
reference importance sample shaped by hand (``tests/support/networks.py::tailored_reference``).

- the standard-normal coordinates: prior draws map to N(0, 1), the interpolated Beta quantile
  equals SciPy's exact one;
- the Student-t proposal's density and marginals equal ``scipy.stats.multivariate_t``'s;
- the log density the Laplace start climbs equals log φ(u) + log P(e | θ) by enumeration;
- strong evidence (every driver observed, ``strong_scenario``) and an evidence-rich case: prior
  draws miss, the adaptive step answers, reliably, within 4 Monte Carlo standard errors of a
  reference computed another way;
- every setting of a run shares the proposal's draws, and the diagnostics count who answered.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from engine.inference import InferenceOptions
from engine.inference.adaptive import AdaptiveEvaluator
from engine.inference.coordinates import Coordinates, _BetaCurve, log_prior
from engine.inference.diagnostics import Diagnostics
from engine.inference.draws import prior_draws
from engine.inference.laplace import LogDensity
from engine.inference.network import network_of
from engine.inference.proposal import StudentT
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support.networks import strong_scenario, tailored_reference
from tests.support.reference import enumerate_posterior, estimate, evidence_from, network_from
from tests.support.rich_cases import rich_scenario


def _network(spec):
    return network_of(Scenario.model_validate(spec))


def test_prior_draws_are_standard_normal_in_the_coordinates_and_map_back():
    network = _network(rich_scenario())
    coordinates = Coordinates(network)
    theta = coordinates.vector(prior_draws(network, 20_000, seed=1))
    u = coordinates.of(theta)
    assert np.all(np.abs(u.mean(axis=0)) < 0.05) and np.all(np.abs(u.std(axis=0) - 1) < 0.03)
    for column in range(coordinates.size):  # each coordinate's distribution is N(0, 1)
        assert stats.kstest(u[:, column], "norm").pvalue > 1e-4
    np.testing.assert_allclose(coordinates.values(u), theta, rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("a, b", [(0.4, 8.0), (2.3, 5.1), (30.0, 60.0), (1.0, 1.0), (8.0, 0.4)])
def test_the_interpolated_beta_quantile_equals_scipys(a, b):
    u = np.random.default_rng(3).uniform(-8.4, 8.4, 50_000)
    prior = stats.beta(a, b)  # each tail from its own side (Φ(8) rounds to 1)
    exact = np.where(u <= 0, prior.ppf(stats.norm.cdf(u)), prior.isf(stats.norm.sf(u)))
    assert np.max(np.abs(_BetaCurve.of(a, b)(u) - exact)) < 1e-9


def test_the_student_t_density_and_marginals_equal_scipys():
    rng = np.random.default_rng(4)
    root = rng.normal(size=(5, 5))
    t = StudentT.of(np.arange(5), rng.normal(size=5), root @ root.T + np.eye(5))
    u = t.sample(2000, rng)
    reference = stats.multivariate_t(t.mean, t.shape, df=t.df)
    np.testing.assert_allclose(t.logpdf(u), reference.logpdf(u), rtol=1e-10)
    part = t.marginal(np.array([1, 3]))
    marginal = stats.multivariate_t(t.mean[[1, 3]], t.shape[np.ix_([1, 3], [1, 3])], df=t.df)
    np.testing.assert_allclose(part.logpdf(u[:, [1, 3]]), marginal.logpdf(u[:, [1, 3]]))
    # and its draws follow it: the squared Mahalanobis distance / k of a t is F(k, df)
    draws = t.sample(20_000, rng) - t.mean
    distance = np.sum(draws * np.linalg.solve(t.shape, draws.T).T, axis=1) / 5
    assert stats.kstest(distance, stats.f(5, t.df).cdf).pvalue > 1e-3


def test_the_log_density_equals_the_enumerators():
    """log π(u) = log φ(u) + log P(e | θ(u)), with P(e | θ) summed by tests/support/reference.py."""
    spec = strong_scenario("adaptive")
    network = _network(spec)
    coordinates = Coordinates(network)
    evaluator = AdaptiveEvaluator(network, InferenceOptions.of(network.scenario))
    data = network.setting().arrays(network.graph)
    columns = np.arange(coordinates.size)
    base = network.layout.vector(prior_draws(network, 1, seed=0))[0]
    density = LogDensity(coordinates, evaluator.eliminator, data, columns, base, batch=64)
    u = np.random.default_rng(5).normal(size=(50, coordinates.size))
    theta = network.layout.vector(coordinates.params(u, prior_draws(network, 50, seed=0)))
    values = dict(zip(network.layout.slots, theta.T))
    order = iter(_reference_order(spec))
    take = lambda written: values[next(order)]  # noqa: E731
    answer = enumerate_posterior(network_from(spec, take, take), evidence_from(spec))
    expected = log_prior(u) + np.log(answer.evidence)
    np.testing.assert_allclose(density(u), expected, rtol=1e-9)
    value, gradient = density.value_and_gradient(u[0])
    step = 1e-4 * np.eye(len(u[0]))[2]
    assert math.isclose(value, expected[0], rel_tol=1e-9)
    slope = (density(u[0] + step)[0] - density(u[0] - step)[0]) / 2e-4
    assert math.isclose(gradient[2], slope, rel_tol=1e-4, abs_tol=1e-6)


def _reference_order(spec) -> list[str]:
    """The key paths in the order ``tests.reference.network_from`` asks for the numbers."""
    paths = []
    for name, driver in spec["drivers"].items():
        paths.append(f"drivers.{name}.p")
        paths += [f"drivers.{name}.causes.{parent}" for parent in driver.get("causes") or {}]
    for name, outcome in spec["outcomes"].items():
        paths += [f"outcomes.{name}.drivers.{d}" for d in outcome.get("drivers") or {}]
    for name in spec.get("indicators") or {}:
        paths += [f"indicators.{name}.if_true", f"indicators.{name}.if_false"]
    return paths


@pytest.fixture(scope="module")
def strong_adaptive():
    return run(Scenario.model_validate(strong_scenario("auto")), scope="results")


def test_auto_answers_strong_evidence_with_the_adaptive_step_and_agrees_with_a_reference(
    strong_adaptive,
):
    """Strong evidence: 4×, 16× the prior draws miss; the proposal does not."""
    main = strong_adaptive.main
    assert main.diagnostics.method == "adaptive", main.diagnostics
    assert strong_adaptive.reliable, main.diagnostics.reliability.problems
    reference, ess = tailored_reference(strong_scenario())
    assert ess > 5000
    for k, summary in main.outcomes.items():
        ref = reference[k]
        assert abs(summary.p - ref.p) <= 4 * math.hypot(summary.mcse, ref.mcse), (k, summary, ref)
        assert abs(summary.lo - ref.lo) < 0.03 and abs(summary.hi - ref.hi) < 0.03, (k, summary)


def _rich_spec(seed: int = 11) -> dict:
    from tests.support.rich_cases import draw_rich_case

    spec, _ = draw_rich_case(np.random.default_rng(seed))
    return spec


def test_an_evidence_rich_case_is_answered_by_the_adaptive_step_as_by_a_long_reference():
    """Prior draws miss at 4 000 draws; the adaptive step answers with 4 000, and agrees with
    400 000 prior draws weighted by the enumerator's P(e | θ) (``tests/support/reference.py``)."""
    spec = _rich_spec()
    prior_only = run(Scenario.model_validate(spec), scope="main", method="importance", draws=1000)
    assert prior_only.main.diagnostics.draws > 4000  # the first 4 000 missed the bar
    result = run(Scenario.model_validate(spec), scope="main", method="adaptive", seed=7)
    main = result.main
    assert main.diagnostics.method == "adaptive" and result.reliable, main.diagnostics
    from tests.support.reference import prior_sampler

    probability, effect = prior_sampler(400_000, np.random.default_rng(8))
    answer = enumerate_posterior(network_from(spec, probability, effect), evidence_from(spec))
    weights = np.asarray(answer.evidence)
    assert weights.sum() ** 2 / np.sum(weights**2) > 2000  # the reference is trustworthy
    for k, summary in main.outcomes.items():
        ref = estimate(np.asarray(answer.outcomes[k]), weights)
        assert abs(summary.p - ref.p) <= 4 * math.hypot(summary.mcse, ref.mcse), (k, summary, ref)


def test_every_setting_shares_the_proposal_draws_and_is_judged_on_its_own():
    spec = _rich_spec()
    spec["what_if"] = {"b_fails": {"set": {"b": False}}, "c_holds": {"set": {"c": True}}}
    result = run(Scenario.model_validate(spec), method="adaptive", seed=3)
    main = result.main
    assert main.diagnostics.method == "adaptive"
    others = list(result.what_if.values()) + [i for i in result.analysis["influence"].values()]
    for condition in result.what_if.values():
        assert condition.diagnostics.method == "adaptive"
        assert condition.diagnostics.draws == main.diagnostics.draws  # the same draws
        assert condition.diagnostics.reliable == condition.reliable  # judged itself
    assert {row["method"] for row in result.analysis["influence"].values()} == {"adaptive"}
    counts = result.diagnostics.settings
    assert set(counts) == {"adaptive"} and counts["adaptive"] >= len(others) + 1
    assert result.to_dict()["diagnostics"]["settings"] == counts


def test_diagnostics_name_the_method_of_each_setting_and_keep_the_worst():
    parts = [
        Diagnostics("importance", draws=4000, ess=900.0, pareto_k=0.3),
        Diagnostics("adaptive", draws=4000, ess=450.0, pareto_k=0.5),
        Diagnostics("adaptive", draws=4000, ess=800.0, pareto_k=0.68),
        Diagnostics("nuts", chains=4, draws=1000, max_rhat=1.004, min_ess_bulk=900,
                    min_ess_tail=800),
    ]  # fmt: skip
    run_ = Diagnostics.combine(parts)
    assert run_.method == "importance+adaptive+nuts"
    assert run_.settings == {"importance": 1, "adaptive": 2, "nuts": 1}
    assert run_.ess == 450.0 and run_.pareto_k == 0.68 and run_.reliable
    missed = Diagnostics.combine([*parts, Diagnostics("adaptive", ess=300.0, pareto_k=0.4)])
    assert not missed.reliable and "ESS 300 < 400" in missed.reliability.problems
