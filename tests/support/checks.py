"""Scenarios with answers known independently, for the tests of expectations and checks.

``fixed_scenario``: one driver ``a`` with P(a) = p fixed; outcome ``x`` has base 1 and odds
ratio 3 when ``a`` holds, ``z`` has base 1. So P(x | a) = 3/4, P(x | not a) = 1/2 and
P(x) = p·3/4 + (1 − p)·1/2 = 1/2 + p/4; the what-if ``a_on`` gives P(x) = 3/4 exactly. Every
number is fixed: the engine enumerates, instantly, without PyMC.

``sampled_scenario``: the same arrows with P(a) the word ``unlikely`` (a Beta prior), sampled
with few draws; its answer is read from a run, since the test is about the too-close rule.
"""

from __future__ import annotations

import json
from pathlib import Path


def p_x(p: float) -> float:
    """P(x) of :func:`fixed_scenario` by hand."""
    return p * 3 / 4 + (1 - p) / 2


def fixed_scenario(p: float = 0.3, expect: dict | None = None, id: str = "fixed-one") -> dict:
    """The fixed-number scenario; ``expect`` defaults to :data:`FIXED_EXPECT`."""
    return {
        "signpost": 1,
        "id": id,
        "title": "One fixed driver",
        "drivers": {"a": {"label": "a holds", "p": p}},
        "outcomes": {
            "x": {"label": "x", "drivers": {"a": {"odds_ratio": 3}}},
            "z": {"label": "z"},
        },
        "what_if": {"a_on": {"set": {"a": True}}, "a_off": {"set": {"a": False}}},
        "expect": FIXED_EXPECT if expect is None else expect,
    }


# With p = 0.3: P(x) = 0.575, P(z) = 0.425, P(a) = 0.3, P(x if a_on) = 0.75.
FIXED_EXPECT = {
    "x_band": {"outcome": "x", "between": [0.5, 0.6]},  # pass, margin min(0.075, 0.025)
    "x_high": {"outcome": "x", "at_least": 0.6},  # fail, margin -0.025
    "a_on_x": {"what_if": "a_on", "outcome": "x", "at_least": 0.7},  # pass, margin 0.05
    "x_over_z": {"outcome": "x", "more_likely_than": "z"},  # pass, value = margin = 0.15
    "x_top": {"outcome": "x", "most_likely": True},  # pass, value 0.575, margin 0.15
    "a_rare": {"driver": "a", "at_most": 0.25},  # fail, margin -0.05
}

PASSING_EXPECT = {
    "x_band": {"outcome": "x", "between": [0.5, 0.6]},
    "a_on_x": {"what_if": "a_on", "outcome": "x", "at_least": 0.7},
    "x_top": {"outcome": "x", "most_likely": True},
}


def sampled_scenario(expect: dict) -> dict:
    """A tiny sampled scenario: one uncertain probability, few draws, a fixed seed."""
    scenario = fixed_scenario(expect=expect, id="sampled-one")
    scenario["drivers"]["a"]["p"] = "unlikely"
    del scenario["what_if"]
    scenario["inference"] = {"draws": 400, "chains": 2, "tune": 300, "seed": 11}
    return scenario


def close_call_expect(value: float, mcse: float) -> dict:
    """Bounds on P(x) placed relative to its sampled value: two too close, one pass, one fail."""
    return {
        "at_mean": {"outcome": "x", "at_least": value},  # margin 0
        "one_mcse_up": {"outcome": "x", "at_least": value + mcse},  # margin -1 mcse
        "well_below": {"outcome": "x", "at_least": value - 10 * mcse},  # margin +10 mcse
        "well_above": {"outcome": "x", "at_most": value - 10 * mcse},  # margin -10 mcse
    }


def write(path: Path, scenario: dict) -> Path:
    """Write a scenario as YAML (JSON is YAML) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scenario, indent=1) + "\n", encoding="utf-8")
    return path


def measured_x() -> tuple[float, float]:
    """P(x) of :func:`sampled_scenario` and the MCSE of an ``at_least`` check on it, as run."""
    from engine.check.batch import run_checks
    from engine.scenario.schema import Scenario

    probe = {"probe": {"outcome": "x", "at_least": 0.5}}
    check = run_checks(Scenario.model_validate(sampled_scenario(probe))).checks["probe"]
    assert check.mcse > 0
    return check.value, check.mcse
