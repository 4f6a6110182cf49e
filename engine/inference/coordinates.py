"""The coordinates in which every prior is a standard normal: u = Φ⁻¹(F_prior(θ)).

For a Beta(a, b) prior F is the regularised incomplete beta (``scipy.special.betainc``, its
inverse ``betaincinv``); for a Normal(μ, σ), u = (θ − μ)/σ. In these coordinates the prior of
the uncertain numbers is N(0, I), so the posterior is N(0, I) times P(e | θ(u)) with no
Jacobian, and a proposal shaped like it (``engine.inference.proposal``) has tails that match
the prior's wherever the evidence says little. Only the uncertain slots have a coordinate;
fixed slots keep their value (``Network.params`` fills them in).

Built on slot vectors only (``network.prob_priors``, ``network.effect_priors``), so it keeps
working whatever the graph's factors look like.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import betainc, betaincinv, ndtr, ndtri

from engine.inference.network import Network
from engine.scenario.values import BetaPrior, NormalPrior
from models.graph import Params

_EDGE = 1e-12  # a probability drawn as exactly 0 or 1 (float underflow) would break the logit


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

    def values(self, u: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
        """θ of the coordinates ``columns`` (all by default) at u (S, len(columns))."""
        beta, first, second, _ = self._kinds
        columns = np.arange(self.size) if columns is None else np.asarray(columns)
        u = np.asarray(u, dtype=float)
        out = first[columns] + second[columns] * u  # the Normal coordinates
        is_beta = beta[columns]
        if is_beta.any():
            a, b = first[columns][is_beta], second[columns][is_beta]
            z = u[..., is_beta]
            # each tail from its own side, so that u = 8 is not rounded to Φ(u) = 1
            lower = betaincinv(a, b, ndtr(np.minimum(z, 0.0)))
            upper = 1.0 - betaincinv(b, a, ndtr(-np.maximum(z, 0.0)))
            out[..., is_beta] = np.clip(np.where(z <= 0, lower, upper), _EDGE, 1 - _EDGE)
        return out

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
