"""The estimates behind every interval (engine.inference.estimates): Pareto smoothing against
arviz-stats, weighted quantiles, and R-hat of a single chain."""

from __future__ import annotations

import numpy as np
import pytest

from engine.inference.estimates import pareto_smooth, weighted_quantiles


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
