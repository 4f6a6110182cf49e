"""The result of running a scenario, and its JSON (SPEC §8-9).

Plain data: reports, checks, diffs and the JSON printer all read this object; none recomputes it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.network import Params


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
class Diagnostics:
    """How the numbers were obtained, and whether the sampler can be trusted (SPEC §4)."""

    method: str  # "exact" or "nuts"
    chains: int = 0
    draws: int = 0
    tune: int = 0
    target_accept: float | None = None
    max_rhat: float | None = None
    min_ess_bulk: float | None = None
    min_ess_tail: float | None = None
    divergences: int = 0
    seconds: float = 0.0
    retried: bool = False

    @property
    def reliable(self) -> bool:
        if self.method == "exact":
            return True
        return (
            self.max_rhat is not None
            and self.max_rhat <= 1.01
            and (self.min_ess_bulk or 0) >= 400
            and (self.min_ess_tail or 0) >= 400
            and self.divergences == 0
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "chains": self.chains,
            "draws": self.draws,
            "tune": self.tune,
            "target_accept": self.target_accept,
            "max_rhat": _finite_or_none(self.max_rhat),
            "min_ess_bulk": _finite_or_none(self.min_ess_bulk),
            "min_ess_tail": _finite_or_none(self.min_ess_tail),
            "divergences": self.divergences,
            "seconds": round(self.seconds, 3),
            "retried": self.retried,
            "reliable": self.reliable,
        }

    @classmethod
    def combine(cls, parts: list[Diagnostics]) -> Diagnostics:
        """One diagnostics record for a run made of several sampled settings: the worst of each."""
        sampled = [d for d in parts if d.method != "exact"]
        if not sampled:
            return cls("exact", seconds=sum(d.seconds for d in parts))
        first = sampled[0]

        def worst(values, pick):
            values = [v for v in values if v is not None and math.isfinite(v)]
            return pick(values) if values else None

        return cls(
            method=first.method,
            chains=first.chains,
            draws=first.draws,
            tune=max(d.tune for d in sampled),
            target_accept=max(d.target_accept or 0 for d in sampled),
            max_rhat=worst([d.max_rhat for d in sampled], max),
            min_ess_bulk=worst([d.min_ess_bulk for d in sampled], min),
            min_ess_tail=worst([d.min_ess_tail for d in sampled], min),
            divergences=sum(d.divergences for d in sampled),
            seconds=sum(d.seconds for d in parts),
            retried=any(d.retried for d in sampled),
        )


def _finite_or_none(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


@dataclass
class Condition:
    """The answer under one setting of evidence and interventions."""

    outcomes: dict[str, Summary]
    drivers: dict[str, Summary]
    diagnostics: Diagnostics
    # Per-draw values, (chains, draws, K) and (chains, draws, n); None when exact.
    outcome_draws: np.ndarray | None = None
    driver_draws: np.ndarray | None = None
    params: Params | None = None  # the numbers, one row per draw (flattened), or unbatched
    state_posterior: np.ndarray | None = None  # (draws, N) or (N,)

    @property
    def reliable(self) -> bool:
        return self.diagnostics.reliable

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcomes": {k: s.to_dict() for k, s in self.outcomes.items()},
            "drivers": {k: s.to_dict() for k, s in self.drivers.items()},
            "reliable": self.reliable,
        }


@dataclass
class TimelinePoint:
    date: dt.date | None
    evidence: tuple[str, ...]
    condition: Condition

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "evidence": list(self.evidence),
            **self.condition.to_dict(),
        }


@dataclass
class Check:
    """The verdict on one expectation (SPEC §5)."""

    name: str
    status: str  # "pass", "fail" or "too close to call"
    value: float
    margin: float
    mcse: float
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "value": self.value,
            "margin": self.margin,
            "mcse": self.mcse,
            "description": self.description,
        }


@dataclass
class Result:
    """Everything a run of one scenario produced."""

    id: str
    title: str
    main: Condition
    what_if: dict[str, Condition]
    timeline: list[TimelinePoint]
    diagnostics: Diagnostics
    seed: int
    engine_version: str
    expect: dict[str, Check] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    idata: Any = None  # ArviZ InferenceData of the main posterior, when sampled
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> id -> label

    @property
    def reliable(self) -> bool:
        return self.diagnostics.reliable and all(
            c.reliable for c in [self.main, *self.what_if.values()]
        )

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §8 object (plus the §9 analysis keys once computed)."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "reliable": self.reliable,
            "outcomes": {k: s.to_dict() for k, s in self.main.outcomes.items()},
            "drivers": {k: s.to_dict() for k, s in self.main.drivers.items()},
            "what_if": {name: c.to_dict() for name, c in self.what_if.items()},
            "timeline": [point.to_dict() for point in self.timeline],
            "expect": {name: check.to_dict() for name, check in self.expect.items()},
            "diagnostics": self.diagnostics.to_dict(),
            "seed": self.seed,
            "engine_version": self.engine_version,
        }
        out.update(self.analysis)
        return out
