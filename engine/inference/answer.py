"""The answer under one setting of evidence and interventions: summaries, the draws behind
them, and how they were obtained (SPEC §4, §8). Plain data, read by everything above.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.inference.diagnostics import Diagnostics
from models.graph import Params


@dataclass(frozen=True)
class Summary:
    """A posterior mean with its 90% interval and Monte Carlo standard error."""

    p: float
    lo: float
    hi: float
    mcse: float

    @classmethod
    def exact(cls, p: float) -> Summary:
        return cls(float(p), float(p), float(p), 0.0)

    def to_dict(self) -> dict[str, float]:
        return {"p": self.p, "lo": self.lo, "hi": self.hi, "mcse": self.mcse}


@dataclass
class Sample:
    """The draws behind one setting's numbers: θ, what each draw gives, and its weight.

    Importance sampling: prior draws with Pareto-smoothed weights. NUTS: the chains' draws,
    chain after chain, with equal weights. Means, intervals and Monte Carlo standard errors of
    anything computed per draw come from :mod:`engine.inference.estimates`.
    """

    params: Params  # one row per draw
    outcomes: np.ndarray  # (S, K) q_k(θ) = P(Y = k | e, θ)
    drivers: np.ndarray  # (S, n) P(D_i = 1 | e, θ)
    weights: np.ndarray  # (S,) summing to 1
    chains: int = 0  # NUTS: the number of chains; 0 for independent weighted draws


@dataclass
class Answer:
    """The answer under one setting of evidence and interventions."""

    outcomes: dict[str, Summary]
    drivers: dict[str, Summary]
    diagnostics: Diagnostics
    params: Params  # the numbers: unbatched when exact, else one row per draw
    sample: Sample | None = None  # None when exact

    @property
    def reliable(self) -> bool:
        return self.diagnostics.reliable

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcomes": {k: s.to_dict() for k, s in self.outcomes.items()},
            "drivers": {k: s.to_dict() for k, s in self.drivers.items()},
            "reliable": self.reliable,
            "method": self.diagnostics.method,
        }
