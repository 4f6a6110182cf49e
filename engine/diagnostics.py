"""Summaries and sampler diagnostics from posterior draws, with ArviZ (SPEC §4)."""

from __future__ import annotations

import warnings

import numpy as np

from engine.result import Summary


def _arviz():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ announces its refactor on import
        import arviz

    return arviz


def _per_column(function, draws: np.ndarray, **kwargs) -> np.ndarray:
    """Apply an ArviZ (chain, draw) statistic to each column of (chains, draws, k) draws."""
    out = np.full(draws.shape[-1], np.nan)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for j in range(draws.shape[-1]):
            column = draws[..., j]
            if np.ptp(column) > 0:  # a constant has no R-hat or ESS to speak of
                out[j] = float(np.ravel(function(column, **kwargs))[0])
    return out


def mcse_of_mean(draws: np.ndarray) -> np.ndarray:
    """Monte Carlo standard error of the mean of each column of (chains, draws, k) draws."""
    values = _per_column(_arviz().mcse, draws, method="mean")
    return np.nan_to_num(values, nan=0.0)


def summarize(draws: np.ndarray) -> list[Summary]:
    """Mean, 5th and 95th percentiles and MCSE of each column of (chains, draws, k) draws."""
    flat = draws.reshape(-1, draws.shape[-1])
    mean = flat.mean(axis=0)
    lo, hi = np.quantile(flat, [0.05, 0.95], axis=0)
    mcse = mcse_of_mean(draws)
    mean, lo, hi = (np.clip(x, 0.0, 1.0) for x in (mean, lo, hi))
    return [Summary(*map(float, row)) for row in zip(mean, lo, hi, mcse)]


def convergence(draws: np.ndarray) -> dict[str, float]:
    """Worst R-hat and smallest bulk and tail ESS over the columns of (chains, draws, k)."""
    az = _arviz()
    rhat = _per_column(az.rhat, draws)
    bulk = _per_column(az.ess, draws, method="bulk")
    tail = _per_column(az.ess, draws, method="tail")

    def pick(values, reduce, empty):
        values = values[np.isfinite(values)]
        return float(reduce(values)) if values.size else empty

    return {
        "max_rhat": pick(rhat, np.max, 1.0),
        "min_ess_bulk": pick(bulk, np.min, float(draws.shape[0] * draws.shape[1])),
        "min_ess_tail": pick(tail, np.min, float(draws.shape[0] * draws.shape[1])),
    }


def pareto_smoothed_weights(log_ratios: np.ndarray) -> tuple[np.ndarray, float]:
    """Normalised Pareto-smoothed importance weights and the Pareto k of their tail (ArviZ)."""
    log_ratios = np.asarray(log_ratios, dtype=float)
    if np.ptp(log_ratios) == 0:  # the same posterior: equal weights, nothing to smooth
        return np.full(len(log_ratios), 1.0 / len(log_ratios)), 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smoothed, pareto_k = _arviz().psislw(log_ratios - log_ratios.max())
    weights = np.exp(smoothed - smoothed.max())
    return weights / weights.sum(), float(pareto_k)
