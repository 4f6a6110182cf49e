"""The coordinates in which every prior is a standard normal: u = Φ⁻¹(F_prior(θ)).

For a Beta(a, b) prior F is the regularised incomplete beta (``scipy.special.betainc``, its
inverse ``betaincinv``); for a Normal(μ, σ), u = (θ − μ)/σ. In these coordinates the prior of
the uncertain numbers is N(0, I), so the posterior is N(0, I) times P(e | θ(u)) with no
Jacobian, and a proposal shaped like it (``engine.inference.proposal``) has tails that match
the prior's wherever the evidence says little. Only the uncertain slots have a coordinate;
fixed slots keep their value (``Network.params`` fills them in).

Built on slot vectors only (``network.prob_priors``, ``network.effect_priors``), so it keeps
working whatever the graph's factors look like.

The inverse incomplete beta costs about 3 µs a value, too slow for the tens of thousands of
draws of a proposal times dozens of coordinates; so θ(u) of each distinct Beta prior is a
cubic Hermite interpolant of logit θ on a fine grid of u, with the exact derivative
(dθ/du = φ(u) / f_Beta(θ)): within 1e-9 of the exact value (a test holds it so). Beyond
|u| = :data:`U_MAX` (prior density below 1e-17) θ is the grid's end value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import betainc, betaincinv, betaln, ndtr, ndtri

from engine.inference.network import Network
from engine.scenario.values import BetaPrior, NormalPrior
from models.graph import Params

_EDGE = 1e-12  # a probability drawn as exactly 0 or 1 (float underflow) would break the logit
U_MAX = 8.5  # the interpolation grid covers u in [-U_MAX, U_MAX]
GRID = 2048  # intervals of the grid (step 0.0083: cubic Hermite error ~1e-11 in logit θ)


def beta_quantile(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """θ = F⁻¹_Beta(a, b)(Φ(u)), exactly (see :func:`_beta_sides`)."""
    theta, _ = _beta_sides(a, b, u)
    return theta


def _beta_sides(a: float, b: float, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """θ and 1 − θ at u, each tail computed from its own side (so that u = 8 is not rounded
    to Φ(u) = 1, nor 1 − θ to 0)."""
    lower = betaincinv(a, b, ndtr(np.minimum(u, 0.0)))  # θ where u ≤ 0
    upper = betaincinv(b, a, ndtr(-np.maximum(u, 0.0)))  # 1 − θ where u > 0
    below = u <= 0
    return np.where(below, lower, 1.0 - upper), np.where(below, 1.0 - lower, upper)


@dataclass(frozen=True)
class _BetaCurve:
    """logit θ(u) of one Beta prior on the grid, with its derivative, for cubic Hermite
    interpolation."""

    logit: np.ndarray  # (GRID + 1,)
    slope: np.ndarray  # (GRID + 1,) d logit θ / du

    @classmethod
    def of(cls, a: float, b: float) -> _BetaCurve:
        u = np.linspace(-U_MAX, U_MAX, GRID + 1)
        theta, rest = _beta_sides(a, b, u)
        log_theta, log_rest = np.log(theta), np.log(rest)
        log_density = (a - 1) * log_theta + (b - 1) * log_rest - betaln(a, b)
        log_phi = -0.5 * u * u - 0.5 * np.log(2 * np.pi)
        # d logit θ / du = (dθ/du) / (θ (1 − θ)), dθ/du = φ(u) / f(θ)
        slope = np.exp(log_phi - log_density - log_theta - log_rest)
        return cls(log_theta - log_rest, slope)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        h = 2 * U_MAX / GRID
        x = (np.clip(u, -U_MAX, U_MAX) + U_MAX) / h
        i = np.minimum(x.astype(int), GRID - 1)
        t = x - i
        t2, t3 = t * t, t * t * t
        y0, y1 = self.logit[i], self.logit[i + 1]
        d0, d1 = self.slope[i] * h, self.slope[i + 1] * h
        logit = (
            (2 * t3 - 3 * t2 + 1) * y0 + (t3 - 2 * t2 + t) * d0
            + (-2 * t3 + 3 * t2) * y1 + (t3 - t2) * d1
        )  # fmt: skip
        return 1.0 / (1.0 + np.exp(-logit))


@dataclass(frozen=True)
class Coordinates:
    """The map between standard-normal coordinates u (..., D) of the uncertain slots and the
    slot vectors of a network."""

    network: Network

    @cached_property
    def slots(self) -> np.ndarray:
        """(D,): the slot index (probabilities, then effects) of each coordinate."""
        return np.array([j for j, p in enumerate(self.network.priors) if p.uncertain], dtype=int)

    @property
    def size(self) -> int:
        return len(self.slots)

    @cached_property
    def _kinds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(is_beta, first, second, ...): a, b for Beta coordinates, μ, σ for Normal ones."""
        priors = [self.network.priors[j] for j in self.slots]
        beta = np.array([isinstance(p, BetaPrior) for p in priors], dtype=bool)
        first = np.array([p.alpha if isinstance(p, BetaPrior) else p.mu for p in priors])
        second = np.array([p.beta if isinstance(p, BetaPrior) else p.sigma for p in priors])
        assert all(isinstance(p, BetaPrior | NormalPrior) for p in priors)
        return beta, first, second, np.flatnonzero(beta)

    @cached_property
    def _curves(self) -> dict[tuple[float, float], _BetaCurve]:
        """One interpolant per distinct Beta prior (a scenario repeats its words)."""
        beta, first, second, _ = self._kinds
        pairs = {(float(a), float(b)) for a, b in zip(first[beta], second[beta])}
        return {pair: _BetaCurve.of(*pair) for pair in pairs}

    def values(self, u: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
        """θ of the coordinates ``columns`` (all by default) at u (S, len(columns))."""
        beta, first, second, _ = self._kinds
        columns = np.arange(self.size) if columns is None else np.asarray(columns)
        u = np.asarray(u, dtype=float)
        out = first[columns] + second[columns] * u  # the Normal coordinates
        for position, column in enumerate(columns):
            if beta[column]:
                curve = self._curves[(float(first[column]), float(second[column]))]
                out[..., position] = curve(u[..., position])
        return np.clip(out, _EDGE, 1 - _EDGE, where=beta[columns], out=out)

    def of(self, theta: np.ndarray) -> np.ndarray:
        """u of the uncertain slots' values θ (S, D): the inverse of :meth:`values`."""
        beta, first, second, _ = self._kinds
        theta = np.asarray(theta, dtype=float)
        out = (theta - first) / second
        if beta.any():
            a, b, x = first[beta], second[beta], theta[..., beta]
            below = betainc(a, b, x)
            above = betainc(b, a, 1.0 - x)  # 1 − F, accurate in the upper tail
            out[..., beta] = np.where(below <= 0.5, ndtri(below), -ndtri(above))
        return out

    def params(self, u: np.ndarray, base: Params, columns: np.ndarray | None = None) -> Params:
        """``base`` (S draws) with the coordinates ``columns`` (all by default) set from u."""
        columns = np.arange(self.size) if columns is None else np.asarray(columns)
        table = self.network.layout.vector(base).copy()
        table[:, self.slots[columns]] = self.values(u, columns)
        return self._split(table)

    def vector(self, params: Params) -> np.ndarray:
        """(S, D): the uncertain slots' values of ``params``."""
        return self.network.layout.vector(params)[:, self.slots]

    def _split(self, table: np.ndarray) -> Params:
        n_prob = len(self.network.prob_priors)
        return self.network.params(table[:, :n_prob], table[:, n_prob:])


def log_prior(u: np.ndarray) -> np.ndarray:
    """Σ log φ(u_j) over the last axis: the prior's log density in these coordinates."""
    u = np.asarray(u, dtype=float)
    return -0.5 * np.sum(u * u, axis=-1) - 0.5 * u.shape[-1] * np.log(2 * np.pi)
