"""Estimates from draws: Pareto-smoothed weights, weighted summaries, MCSE, MCMC diagnostics.

Weighted draws (importance sampling) and chains (NUTS) are summarised the same way: a mean, the
5th and 95th percentiles and a Monte Carlo standard error (MCSE) of the mean. MCMC
statistics come from arviz-stats' NumPy functions (``ess``, ``rhat``, ``mcse``), imported on
first use; Pareto smoothing is written here (see :func:`pareto_smooth`).

For weighted draws with normalised weights w and values f, the MCSE of the weighted mean μ is
sqrt(Σ w² (f − μ)²), the usual error of self-normalised importance sampling; the effective
sample size is 1 / Σ w².
"""

from __future__ import annotations

import warnings

import numpy as np

from engine.inference.answer import Sample, Summary


def _array_stats():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from arviz_stats.base import array_stats

    return array_stats


def pareto_smooth(log_weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Pareto-smoothed importance sampling (Vehtari et al. 2024): the log weights with their
    largest ones replaced by the quantiles of a generalized Pareto fitted to them, and the
    fit's shape k-hat (above 0.7 the weights cannot be trusted).

    The same computation as arviz-stats' ``psislw`` (with r_eff = 1; a test holds the two
    equal), written here because importing arviz-stats costs about two seconds, half of what
    a whole run of a scenario should take. Returns unnormalised log weights.
    """
    log_weights = np.array(log_weights, dtype=float) - np.max(log_weights)
    n = len(log_weights)
    tail = int(np.floor(3 * np.sqrt(n)) if n > 225 else np.floor(n / 5))
    if tail < 5:
        return log_weights, np.inf
    order = np.argsort(log_weights)
    tail_ids = order[n - tail :]
    in_tail = log_weights[tail_ids]
    cutoff = log_weights[order[n - tail - 1]]
    if np.ptp(in_tail) < np.finfo(float).tiny:
        return log_weights, np.inf
    khat, sigma = _gpd_fit(np.exp(in_tail) - np.exp(cutoff))
    if np.isfinite(khat):
        p = np.arange(0.5, tail) / tail
        smoothed = np.log(_gpd_quantile(p, khat, sigma, np.exp(cutoff)))
        log_weights[tail_ids] = np.minimum(smoothed, in_tail.max())
    return log_weights, float(khat)


def _gpd_fit(x: np.ndarray) -> tuple[float, float]:
    """Shape and scale of a generalized Pareto fitted to sorted positive ``x``: the empirical
    Bayes estimate of Zhang and Stephens (2009) with a weak prior on the shape around 0.5."""
    prior_bs, prior_k = 3, 10
    n = len(x)
    m_est = 30 + int(n**0.5)
    b = 1 - np.sqrt(m_est / (np.arange(1, m_est + 1, dtype=float) - 0.5))
    b /= prior_bs * x[int(n / 4 + 0.5) - 1]
    b += 1 / x[-1]
    k = np.mean(np.log1p(-b[:, None] * x), axis=1)
    len_scale = n * (np.log(-b / k) - k - 1)
    weights = np.exp(len_scale - np.max(len_scale))
    weights /= weights.sum()
    real = weights >= 10 * np.finfo(float).eps
    b, weights = b[real], weights[real] / weights[real].sum()
    b_post = np.sum(b * weights)
    kappa = np.mean(np.log1p(-b_post * x))
    sigma = -kappa / b_post
    return (n * kappa + prior_k * 0.5) / (n + prior_k), sigma


def _gpd_quantile(p: np.ndarray, kappa: float, sigma: float, mu: float) -> np.ndarray:
    if sigma <= 0:
        return np.full_like(p, np.nan)
    if kappa == 0:
        return mu - sigma * np.log1p(-p)
    return mu + sigma * np.expm1(-kappa * np.log1p(-p)) / kappa


def smoothed_weights(log_ratios: np.ndarray) -> tuple[np.ndarray, float]:
    """Normalised Pareto-smoothed importance weights and the Pareto k-hat of their tail."""
    log_ratios = np.asarray(log_ratios, dtype=float)
    if np.ptp(log_ratios) < 1e-9:  # the proposal is the target (to rounding): no tail at all
        return np.full(len(log_ratios), 1.0 / len(log_ratios)), 0.0
    with np.errstate(all="ignore"):
        smoothed, pareto_k = pareto_smooth(log_ratios)
    if not np.all(np.isfinite(smoothed)):  # a degenerate fit: keep the raw weights, distrust them
        smoothed, pareto_k = log_ratios, np.inf
    weights = np.exp(smoothed - smoothed.max())
    return weights / weights.sum(), pareto_k


def effective_sample_size(weights: np.ndarray) -> float:
    """1 / Σ w² of normalised weights."""
    return float(1.0 / np.sum(np.square(weights)))


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: tuple[float, ...]) -> np.ndarray:
    """Quantiles of each column of (S, k) ``values`` under the weights, shape (len(q), k).

    The weighted empirical distribution with each draw's mass centred on it (interpolated),
    which for equal weights is NumPy's default (linear) quantile up to the ends.
    """
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, axis=0, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=0)
    mass = weights[order]
    position = np.cumsum(mass, axis=0) - mass / 2
    out = np.empty((len(q), values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.interp(q, position[:, j], sorted_values[:, j])
    return out


def mcse(values: np.ndarray, sample: Sample) -> float:
    """Monte Carlo standard error of the posterior mean of ``values`` (one per draw)."""
    values = np.asarray(values, dtype=float)
    if np.ptp(values) == 0:
        return 0.0
    if sample.chains:
        chains = values.reshape(sample.chains, -1)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return float(_array_stats().mcse(chains, method="mean"))
    mean = float(sample.weights @ values)
    return float(np.sqrt(np.sum(np.square(sample.weights) * np.square(values - mean))))


def summaries(values: np.ndarray, sample: Sample) -> list[Summary]:
    """Mean, 5th and 95th percentiles and MCSE of each column of (S, k) ``values``."""
    mean = sample.weights @ values
    constant = np.ptp(values, axis=0) == 0
    mean[constant] = values[0, constant]  # exactly, not to rounding (a driver a what-if sets)
    lo, hi = weighted_quantiles(values, sample.weights, (0.05, 0.95))
    errors = [mcse(values[:, j], sample) for j in range(values.shape[1])]
    clip = np.clip
    return [
        Summary(float(clip(m, 0, 1)), float(clip(a, 0, 1)), float(clip(b, 0, 1)), float(e))
        for m, a, b, e in zip(mean, lo, hi, errors)
    ]


def chain_diagnostics(draws: np.ndarray) -> dict[str, float]:
    """Worst R-hat and smallest bulk and tail ESS over the columns of (chains, draws, k).

    A constant column has no R-hat or ESS to speak of and is left out. A single chain is
    split in two for R-hat, so that a chain that has not converged still shows it.
    """
    stats = _array_stats()
    varying = draws[..., np.ptp(draws.reshape(-1, draws.shape[-1]), axis=0) > 0]
    total = float(draws.shape[0] * draws.shape[1])
    if varying.shape[-1] == 0:
        return {"max_rhat": 1.0, "min_ess_bulk": total, "min_ess_tail": total}
    columns = np.moveaxis(varying, -1, 0)  # (k, chains, draws)
    halves = columns
    if columns.shape[1] == 1:  # one chain: R-hat of its two halves (arviz-stats needs two)
        half = columns.shape[2] // 2
        halves = columns[:, 0, : 2 * half].reshape(columns.shape[0], 2, half)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        rhat = stats.rhat(halves)
        bulk = stats.ess(columns, method="bulk")
        tail = stats.ess(columns, method="tail", prob=(0.05, 0.95))  # the usual tail ESS

    def pick(values, reduce, empty):
        values = np.asarray(values)[np.isfinite(values)]
        return float(reduce(values)) if values.size else empty

    return {
        "max_rhat": pick(rhat, np.max, 1.0),
        "min_ess_bulk": pick(bulk, np.min, total),
        "min_ess_tail": pick(tail, np.min, total),
    }
