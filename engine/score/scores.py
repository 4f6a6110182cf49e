"""Brier and log scores of a resolved scenario, their means, and a calibration table.

Pure functions, no I/O and no rounding (display rounds; SPEC §10):

- Brier score ``Σ_k (P(k) − 1[k happened])²``: 0 is perfect, 2 the worst (all the probability
  on one outcome that did not happen).
- log score ``−ln P(happened)`` (natural log): 0 is perfect; it grows without bound as the
  probability given to what happened goes to 0 (``math.inf`` when it is 0).

Both use the main result's posterior means ``P(k)`` (SPEC §4), given all the evidence.
P(happened) is also read at each timeline point, with its 90% interval.

A *calibration table* pools every outcome probability of every resolved scenario: each
forecast ``P(k)`` falls in a bin (0–0.2, 0.2–0.4, …, 0.8–1; a bin holds ``lo ≤ p < hi``, the
last one also ``p = 1``) and is counted as a hit when ``k`` happened. A well calibrated forecaster's
observed frequency in each bin is close to the bin's mean forecast. It is shown only from
:data:`MIN_CALIBRATION` resolved scenarios on: below that the counts say little.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.inference.answer import Summary
from engine.run.result import Result
from engine.scenario.schema import Resolution

MIN_CALIBRATION = 10  # resolved scenarios needed before a calibration table is shown
CALIBRATION_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def brier(probabilities: Mapping[str, float], happened: str) -> float:
    """``Σ_k (P(k) − 1[k happened])²`` over every outcome ``k``.

    Parameters
    ----------
    probabilities : mapping of str to float
        Each outcome's probability (they sum to 1).
    happened : str
        The id of the outcome that happened; one of the keys.
    """
    if happened not in probabilities:
        raise KeyError(f"{happened!r} is not one of the outcomes {sorted(probabilities)}")
    return math.fsum((p - (k == happened)) ** 2 for k, p in probabilities.items())


def log_score(p_happened: float) -> float:
    """``−ln P(happened)``: 0 when it was certain, ``math.inf`` when it was given 0."""
    return -math.log(p_happened) if p_happened > 0 else math.inf


def finite(value: float | None) -> float | None:
    """``value``, or None when it is missing or not finite (JSON has no infinity)."""
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True)
class TimelineScore:
    """P(happened) at one timeline point, using only the evidence dated on or before it."""

    date: dt.date | None
    p: Summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "p": self.p.p,
            "lo": self.p.lo,
            "hi": self.p.hi,
            "mcse": self.p.mcse,
        }


@dataclass(frozen=True)
class Score:
    """How one scenario's main result scored against what happened.

    Attributes
    ----------
    outcome, label : str
        The outcome that happened, and its label.
    on : date
        When it was judged (``resolved.on``).
    p : Summary
        P(happened) in the main result, with its 90% interval and MCSE.
    brier, log : float
        The Brier and log scores of the main result (posterior means).
    probabilities : dict of str to float
        Every outcome's probability in the main result (for the calibration table).
    timeline : tuple of TimelineScore
        P(happened) at each timeline point; empty when the run had no timeline.
    reliable : bool
        Whether the run met the reliability bar (SPEC §4); when not, the numbers may be wrong.
    """

    outcome: str
    label: str
    on: dt.date
    p: Summary
    brier: float
    log: float
    probabilities: dict[str, float]
    timeline: tuple[TimelineScore, ...] = ()
    reliable: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The scoring keys of one entry of SPEC §10's ``scenarios`` (plus lo, hi, mcse, …)."""
        return {
            "resolved": self.outcome,
            "label": self.label,
            "on": self.on.isoformat(),
            "p": self.p.p,
            "lo": self.p.lo,
            "hi": self.p.hi,
            "mcse": self.p.mcse,
            "brier": self.brier,
            "log": finite(self.log),
            "reliable": self.reliable,
            "outcomes": dict(self.probabilities),
            "timeline": [point.to_dict() for point in self.timeline],
        }


def score(result: Result, resolution: Resolution) -> Score:
    """Score a result against what happened.

    Parameters
    ----------
    result : Result
        The run of the scenario (``scope="results"`` or ``"all"`` for the timeline).
    resolution : Resolution
        The scenario's ``resolved`` block.

    Returns
    -------
    Score
        P(happened) (main result and timeline), the Brier and log scores.
    """
    happened = resolution.outcome_id
    probabilities = {k: s.p for k, s in result.main.outcomes.items()}
    p = result.main.outcomes[happened]
    return Score(
        outcome=happened,
        label=result.labels.get("outcomes", {}).get(happened, happened),
        on=resolution.on,
        p=p,
        brier=brier(probabilities, happened),
        log=log_score(p.p),
        probabilities=probabilities,
        timeline=tuple(
            TimelineScore(point.date, point.answer.outcomes[happened]) for point in result.timeline
        ),
        reliable=result.reliable,
    )


def means(scores: Sequence[Score]) -> dict[str, float | None]:
    """The mean Brier and log scores (None when there is no score)."""
    if not scores:
        return {"brier": None, "log": None}
    return {
        "brier": math.fsum(s.brier for s in scores) / len(scores),
        "log": math.fsum(s.log for s in scores) / len(scores),
    }


@dataclass(frozen=True)
class CalibrationBin:
    """Forecasts with ``lo ≤ p < hi`` (the last bin also ``p = hi``), and how often they hit."""

    lo: float
    hi: float
    count: int  # forecasts in the bin
    happened: int  # of which the outcome happened
    forecast: float | None  # their mean forecast; None when the bin is empty

    @property
    def observed(self) -> float | None:
        """The observed frequency ``happened / count``; None when the bin is empty."""
        return self.happened / self.count if self.count else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lo": self.lo,
            "hi": self.hi,
            "count": self.count,
            "happened": self.happened,
            "forecast": self.forecast,
            "observed": self.observed,
        }


def forecasts(scores: Iterable[Score]) -> list[tuple[float, bool]]:
    """Every outcome probability of every score, with whether that outcome happened."""
    return [(p, k == s.outcome) for s in scores for k, p in s.probabilities.items()]


def calibration(
    pairs: Iterable[tuple[float, bool]], edges: Sequence[float] = CALIBRATION_EDGES
) -> list[CalibrationBin]:
    """Bin ``(forecast, happened)`` pairs by forecast; every bin is listed, empty ones too.

    Parameters
    ----------
    pairs : iterable of (float, bool)
        A forecast probability and whether the forecast event happened (see :func:`forecasts`).
    edges : sequence of float
        Increasing bin edges from 0 to 1.
    """
    groups: list[list[tuple[float, bool]]] = [[] for _ in edges[1:]]
    last = len(groups) - 1
    for p, hit in pairs:
        index = next((i for i in range(last) if p < edges[i + 1]), last)
        groups[index].append((p, bool(hit)))
    return [
        CalibrationBin(
            lo=edges[i],
            hi=edges[i + 1],
            count=len(group),
            happened=sum(hit for _, hit in group),
            forecast=math.fsum(p for p, _ in group) / len(group) if group else None,
        )
        for i, group in enumerate(groups)
    ]


def calibration_of(scores: Sequence[Score]) -> list[CalibrationBin] | None:
    """The calibration table of ``scores``, or None below :data:`MIN_CALIBRATION` of them."""
    if len(scores) < MIN_CALIBRATION:
        return None
    return calibration(forecasts(scores))
