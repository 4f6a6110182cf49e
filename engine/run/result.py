"""The result of running a scenario, and its JSON (SPEC §8-9).

Plain data: reports, checks, diffs and the JSON printer all read this object; none recomputes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine.inference.answer import Answer
from engine.inference.diagnostics import Diagnostics


@dataclass
class TimelinePoint:
    date: dt.date | None
    evidence: tuple[str, ...]
    answer: Answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "evidence": list(self.evidence),
            **self.answer.to_dict(),
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
    main: Answer
    what_if: dict[str, Answer]
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
