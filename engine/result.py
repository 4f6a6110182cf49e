"""The result of running a scenario, and its JSON (SPEC §8-9).

Plain data: reports, checks, diffs and the JSON printer all read this object; none recomputes it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from engine.diagnostics import Verdict, diagnose
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
    """How one setting's numbers (or a whole run's) were obtained, and whether to trust them.

    ``method`` is ``exact`` (every number fixed), ``importance`` (prior draws weighted by
    P(e | θ), Pareto-smoothed) or ``nuts`` (MCMC); a run whose settings used both says
    ``importance+nuts``. Fields that do not apply to the method are None.
    """

    method: str
    draws: int = 0  # importance: prior draws; nuts: draws per chain
    seconds: float = 0.0
    # importance sampling
    ess: float | None = None
    pareto_k: float | None = None
    # MCMC
    chains: int = 0
    tune: int = 0
    target_accept: float | None = None
    max_rhat: float | None = None
    min_ess_bulk: float | None = None
    min_ess_tail: float | None = None
    divergences: int = 0
    retried: bool = False  # nuts: sampled again with more draws; importance: more prior draws
    settings: dict[str, int] = field(default_factory=dict)  # a run: settings per method

    @property
    def verdict(self) -> Verdict:
        """The SPEC §4 verdict (a run: every setting's, combined)."""
        if self.method == "exact":
            return Verdict(True)
        problems: list[str] = []
        for method in self.method.split("+"):
            problems += diagnose(
                method,
                max_rhat=self.max_rhat,
                min_ess_bulk=self.min_ess_bulk,
                min_ess_tail=self.min_ess_tail,
                divergences=self.divergences,
                ess=self.ess,
                pareto_k=self.pareto_k,
            ).problems
        return Verdict(not problems, tuple(problems))

    @property
    def reliable(self) -> bool:
        return self.verdict.reliable

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "draws": self.draws,
            "ess": _finite_or_none(self.ess),
            "pareto_k": _finite_or_none(self.pareto_k),
            "chains": self.chains,
            "tune": self.tune,
            "target_accept": self.target_accept,
            "max_rhat": _finite_or_none(self.max_rhat),
            "min_ess_bulk": _finite_or_none(self.min_ess_bulk),
            "min_ess_tail": _finite_or_none(self.min_ess_tail),
            "divergences": self.divergences,
            "seconds": round(self.seconds, 3),
            "retried": self.retried,
            "reliable": self.reliable,
            "problems": list(self.verdict.problems),
            "settings": dict(self.settings),
        }

    @classmethod
    def combine(cls, parts: list[Diagnostics], seconds: float | None = None) -> Diagnostics:
        """One record for a run of several settings: the worst of each diagnostic."""
        sampled = [d for d in parts if d.method != "exact"]
        total = sum(d.seconds for d in parts) if seconds is None else seconds
        if not sampled:
            return cls("exact", seconds=total, settings={"exact": len(parts)})
        by_method = {m: [d for d in sampled if d.method == m] for m in ("importance", "nuts")}
        used = [m for m, ds in by_method.items() if ds]
        weighted, chained = by_method["importance"], by_method["nuts"]

        def worst(values, pick):
            values = [v for v in values if v is not None and math.isfinite(v)]
            return pick(values) if values else None

        first = (weighted or chained)[0]
        return cls(
            method="+".join(used),
            draws=first.draws,
            seconds=total,
            ess=worst([d.ess for d in weighted], min),
            pareto_k=worst([d.pareto_k for d in weighted], max),
            chains=chained[0].chains if chained else 0,
            tune=max((d.tune for d in chained), default=0),
            target_accept=max((d.target_accept or 0 for d in chained), default=None),
            max_rhat=worst([d.max_rhat for d in chained], max),
            min_ess_bulk=worst([d.min_ess_bulk for d in chained], min),
            min_ess_tail=worst([d.min_ess_tail for d in chained], min),
            divergences=sum(d.divergences for d in chained),
            retried=any(d.retried for d in sampled),
            settings={m: len(ds) for m, ds in by_method.items() if ds}
            | ({"exact": len(parts) - len(sampled)} if len(parts) > len(sampled) else {}),
        )


def _finite_or_none(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


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
class Condition:
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


class Status(StrEnum):
    """The verdict on one expectation (SPEC §5): its value is the SPEC's word.

    The one statement of the status words, for checks, their text, JUnit, pytest and the CLI.
    """

    PASS = "pass"
    FAIL = "fail"
    TOO_CLOSE = "too close to call"

    @property
    def tag(self) -> str:
        """The word at the start of a ``signpost check`` line, padded to one width."""
        return {"pass": "PASS ", "fail": "FAIL ", "too close to call": "CLOSE"}[self.value]

    @property
    def style(self) -> str:
        """Its colour: green, red or yellow (a rich style name)."""
        return {"pass": "green", "fail": "red", "too close to call": "yellow"}[self.value]

    @property
    def css(self) -> str:
        """Its class in the HTML report (``status-pass``, ``status-fail``, ``status-close``)."""
        return "status-" + self.tag.strip().lower()


@dataclass
class Check:
    """The verdict on one expectation (SPEC §5)."""

    name: str
    status: Status
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
