"""Simulation-based calibration of the adaptive step, over evidence-rich cases.

The method of ``tests/inference/test_calibration.py`` (true numbers θ* from the prior, evidence
from θ*, q*_k = P(Y = k | e, θ*) by the independent enumerator, q* inside the reported interval as
often as the interval's level says) on cases where prior draws miss: the cases of
``tests/support/rich_cases.py``, twenty indicators
with wide uncertain ``if_true``/``if_false`` on four drivers, every one observed, one driver
observed too (38 uncertain numbers). On most of them the first 4 000 prior draws keep an
effective sample size under 400 (the test says how many), and every case is answered by
``inference.method: adaptive``, the posterior-shaped proposal of ``engine.inference.adaptive``
(so this checks its weights p(θ)·P(e | θ) / q(θ), not the prior's).

Bands: the 90% interval must cover 85-95% of the (case, outcome) pairs, the 50% interval
42-58%; the negative controls (an interval too narrow, one too wide, one blind to the
evidence) must fall outside them on the same cases. Selecting cases by their evidence alone
would not bias the check (θ* given e is still the posterior's draw); no case is left out here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pytest

from engine.inference import InferenceOptions
from engine.inference.estimates import weighted_quantiles
from engine.inference.importance import ImportanceEvaluator
from engine.inference.network import network_of
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support.calibration import Cases
from tests.support.reference import Evidence, enumerate_posterior, network_from, prior_sampler
from tests.support.rich_cases import draw_rich_case, rich_scenario

CASES = 150
BANDS = {0.90: (0.85, 0.95), 0.50: (0.42, 0.58)}
LEVELS = (0.005, 0.25, 0.75, 0.995)


@dataclass
class RichCases(Cases):
    """The cases of the calibration, and how many of them prior draws alone could not answer."""

    prior_missed: int = 0  # cases whose first 4 000 prior draws missed the bar


def _prior_draws_miss(spec: dict, seed: int) -> bool:
    network = network_of(Scenario.model_validate(spec))
    options = InferenceOptions.of(network.scenario, seed=seed)
    evaluator = ImportanceEvaluator(network, options)
    return not evaluator(network.setting(), sizes=evaluator.sizes[:1]).reliable


@pytest.fixture(scope="module")
def rich_cases() -> RichCases:
    rng = np.random.default_rng(2020)
    rows: dict[str, list] = {"truth": [], "mean": [], "lo": [], "hi": []}
    quantiles: dict[float, list] = {q: [] for q in LEVELS}
    methods, unreliable, missed = set(), 0, 0
    started = time.perf_counter()
    for case in range(CASES):
        spec, truth = draw_rich_case(rng)
        seed = 5000 + case
        missed += _prior_draws_miss(spec, seed)
        main = run(Scenario.model_validate(spec), scope="main", method="adaptive", seed=seed).main
        methods.add(main.diagnostics.method)
        unreliable += not main.reliable
        outcomes = list(main.outcomes)
        rows["truth"].append(truth)
        rows["mean"].append([main.outcomes[k].p for k in outcomes])
        rows["lo"].append([main.outcomes[k].lo for k in outcomes])
        rows["hi"].append([main.outcomes[k].hi for k in outcomes])
        found = weighted_quantiles(main.sample.outcomes, main.sample.weights, LEVELS)
        for q, row in zip(LEVELS, found):
            quantiles[q].append(row)
    arrays = {k: np.array(v) for k, v in rows.items()}
    return RichCases(
        **arrays,
        quantiles={q: np.array(v) for q, v in quantiles.items()},
        methods=methods,
        unreliable=unreliable,
        prior_missed=missed,
        seconds=time.perf_counter() - started,
    )


def coverage(truth, lo, hi) -> tuple[float, np.ndarray]:
    hits = (lo <= truth) & (truth <= hi)
    return float(hits.mean()), hits.mean(axis=0)


def describe(cases: RichCases, level: float, pooled: float, per) -> str:
    return (
        f"adaptive, evidence-rich: {level:.0%} coverage {pooled:.3f} over {cases.n} cases "
        f"(per outcome {np.round(per, 3)}); band {BANDS.get(level)}; prior draws missed the bar "
        f"in {cases.prior_missed} cases; {cases.unreliable} unreliable; {cases.seconds:.0f} s"
    )


def test_the_cases_are_ones_prior_draws_miss_and_the_adaptive_step_answers(rich_cases):
    assert rich_cases.methods == {"adaptive"}
    assert rich_cases.prior_missed >= 0.6 * rich_cases.n, describe(rich_cases, 0.9, 0, [])
    assert rich_cases.unreliable <= 0.05 * rich_cases.n, describe(rich_cases, 0.9, 0, [])


@pytest.mark.parametrize("level", sorted(BANDS))
def test_adaptive_intervals_are_calibrated_on_evidence_rich_cases(rich_cases, level):
    pooled, per = coverage(rich_cases.truth, *rich_cases.interval(level))
    low, high = BANDS[level]
    assert low <= pooled <= high, describe(rich_cases, level, pooled, per)


def test_the_bands_reject_intervals_too_narrow_too_wide_or_blind_to_the_evidence(rich_cases):
    cases = rich_cases
    low, high = BANDS[0.90]
    narrow, _ = coverage(cases.truth, cases.mean - 0.01, cases.mean + 0.01)
    assert narrow < low, f"mean ± 0.01 covers {narrow:.3f}: not rejected"
    wide, _ = coverage(cases.truth, cases.quantiles[0.005], cases.quantiles[0.995])
    assert wide > high, f"the 99% interval covers {wide:.3f}: not rejected"
    probability, effect = prior_sampler(4000, np.random.default_rng(13))
    blind = enumerate_posterior(network_from(rich_scenario(), probability, effect), Evidence())
    outcomes = list(blind.outcomes)
    lo, hi = np.quantile(np.stack([blind.outcomes[k] for k in outcomes], 1), [0.05, 0.95], 0)
    ignored, _ = coverage(cases.truth, lo, hi)
    assert ignored < low, f"the evidence-blind interval covers {ignored:.3f}: not rejected"
