"""Draws of every number from its prior, seeded per number.

Each slot (a number, named by its key path) has its own random stream, seeded by the run's
seed and the slot's name. So the same seed gives the same draws; asking for more draws extends
the same stream (the first S draws stay the same); and two versions of a scenario that share a
number and its prior share its draws (common random numbers, which keeps ``signpost diff``
quiet), however the other numbers changed.
"""

from __future__ import annotations

import zlib

import numpy as np

from engine.inference.network import Network
from engine.scenario.values import BetaPrior, NormalPrior, Prior
from models.graph import Params


def _stream(seed: int, slot: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(slot.encode("utf-8"))])


def _draw(prior: Prior, size: int, rng: np.random.Generator) -> np.ndarray:
    if isinstance(prior, BetaPrior):
        return rng.beta(prior.alpha, prior.beta, size)
    if isinstance(prior, NormalPrior):
        return rng.normal(prior.mu, prior.sigma, size)
    return np.full(size, prior.value)


def prior_draws(network: Network, size: int, seed: int) -> Params:
    """``size`` independent draws of every number from its prior (fixed numbers repeated)."""
    columns = [
        _draw(prior, size, _stream(seed, slot))
        for slot, prior in zip(network.layout.slots, network.priors)
    ]
    table = np.stack(columns, axis=-1) if columns else np.zeros((size, 0))
    n_prob = len(network.prob_priors)
    # probabilities a Beta draws as exactly 0 or 1 (float underflow) would break the logit
    prob = np.clip(table[:, :n_prob], 1e-12, 1 - 1e-12)
    return network.params(prob, table[:, n_prob:])
