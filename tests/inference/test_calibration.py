"""Simulation-based calibration (SBC) of the engine's intervals.

The engine reports, for each outcome k, the 5th and 95th percentiles of q_k(θ) = P(Y = k | e, θ)
under the posterior p(θ | e) (SPEC §4). SBC checks that this interval means what it says. Draw
the true numbers θ* from the prior p(θ), then the evidence e from θ* (the drivers by ancestral
sampling, each indicator from its driver). The pair (θ*, e) is then a draw from the joint
p(θ) p(e | θ), so, given e, θ* is a draw from the very posterior p(θ | e) the engine samples, and
q_k(θ*) is a draw from the posterior of q_k(θ). Over many such cases q_k(θ*) must fall in the
engine's 90% interval 90% of the time, and in its 50% interval (25th to 75th percentile of the
same draws) half of the time. An interval too narrow (an overconfident posterior, weights that
miss the tail) covers too rarely, one too wide too often, and one that ignores the evidence
(q_k computed without it) is centred in the wrong place and covers too rarely: the negative
controls at the end show the bands reject each of these.

What it cannot see: three binary indicators say little about 18 numbers, so p(θ | e) is close
to p(θ) here (importance weights with an effective sample size of 91–96% of the draws), and
intervals of q_k(θ) under the unweighted prior draws cover about as well. A bug in the weights
alone would need a scenario with far more evidence per number to show.

Each case draws, with one seeded generator:

- every uncertain number of :func:`tests.support.networks.small_scenario` (the four drivers'
  ``p``, the four causes, the four outcome effects, the three indicators' ``if_true`` and
  ``if_false``: 18 numbers) from the prior SPEC §2-3 give its word
  (``tests.support.reference.prior_sampler``, which fits the Beta itself);
- the drivers a, b, c, d from those numbers (P(D = 1 | parents) = sigmoid(logit p + Σ w·parent));
- the indicators i, j, k from their drivers (``if_true`` or ``if_false``).

The scenario keeps its words (the engine must infer θ) and gets all three indicators as
evidence. q*_k = P(Y = k | e, θ*) is computed exactly by
``tests.support.reference.enumerate_posterior`` on the true numbers. Every outcome x, y, z is
scored: a coverage is the share of the n × 3 (case, outcome) pairs whose q* lies in the
interval (the three outcomes of a case are correlated, so this pools them rather than tripling
n; each outcome's own share is shown in the messages). Two paths: importance sampling on prior
draws (here), and NUTS (in ``tests/inference/test_nuts.py``, with every other test that samples
with NUTS, so the suite compiles the model once). The machinery is ``tests/support/calibration.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.calibration import BANDS, OUTCOMES, Cases, coverage, describe, run_cases
from tests.support.networks import small_scenario
from tests.support.reference import Evidence, enumerate_posterior, network_from, prior_sampler

IMPORTANCE_CASES = 600


@pytest.fixture(scope="module")
def importance_cases() -> Cases:
    # drivers a and c observed as well as the indicators: a posterior that moves off the prior
    return run_cases(IMPORTANCE_CASES, seed=1300, observe=("a", "c"), method="importance")


@pytest.mark.parametrize("level", sorted(BANDS))
def test_importance_sampling_intervals_are_calibrated(importance_cases, level):
    cases = importance_cases
    assert cases.methods == {"importance"}
    pooled, per = coverage(cases.truth, *cases.interval(level))
    low, high = BANDS[level]
    assert low <= pooled <= high, describe("importance", cases, level, pooled, per)


def test_the_check_fails_intervals_too_narrow_or_too_wide(importance_cases):
    """Negative controls on the same cases: the 90% band rejects an overconfident interval
    (the posterior mean ± 0.01) and an underconfident one (the 0.5th to 99.5th percentile)."""
    cases = importance_cases
    low, high = BANDS[0.90]
    narrow, _ = coverage(cases.truth, cases.mean - 0.01, cases.mean + 0.01)
    assert narrow < low, f"mean ± 0.01 covers {narrow:.3f}: the band did not reject it"
    wide, _ = coverage(cases.truth, cases.quantiles[0.005], cases.quantiles[0.995])
    assert wide > high, f"the 99% interval covers {wide:.3f}: the band did not reject it"


def test_the_check_fails_an_interval_that_ignores_the_evidence(importance_cases):
    """A third control: the 90% interval of P(Y = k | θ) with θ from the prior and no evidence
    (what an engine that dropped the indicators would report; the same for every case) misses
    q* = P(Y = k | e, θ*) far too often."""
    probability, effect = prior_sampler(4000, np.random.default_rng(13))
    blind = enumerate_posterior(network_from(small_scenario(), probability, effect), Evidence())
    lo, hi = np.quantile(np.stack([blind.outcomes[k] for k in OUTCOMES], 1), [0.05, 0.95], 0)
    low, _ = BANDS[0.90]
    ignored, per = coverage(importance_cases.truth, lo, hi)
    assert ignored < low, f"the evidence-blind interval covers {ignored:.3f} ({per}): not rejected"
