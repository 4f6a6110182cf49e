"""The first-order variance share used for `uncertainty` (engine/run/analysis.py)."""

from __future__ import annotations

import numpy as np

from engine.run.analysis import first_order_share


def test_linear_model_shares_match_closed_form():
    """y = 2 x1 + x2 with independent standard normals: shares 4/5 and 1/5."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(2, 40_000))
    y = 2 * x1 + x2
    assert abs(first_order_share(x1, y) - 0.8) < 0.02
    assert abs(first_order_share(x2, y) - 0.2) < 0.02


def test_irrelevant_number_has_no_share():
    rng = np.random.default_rng(1)
    x, noise = rng.normal(size=(2, 4000))
    assert first_order_share(noise, x) < 0.01


def test_nonlinear_dependence_is_seen():
    """E[y | x] = x^2 is invisible to a correlation but not to the variance share."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=20_000)
    y = x**2
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.05
    assert first_order_share(x, y) > 0.9
