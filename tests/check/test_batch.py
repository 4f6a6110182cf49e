"""``run_checks``: one run per file judged against its expectations, exact when every number is
fixed, and the too-close rule on a sampled run."""

from __future__ import annotations

import pytest

from engine.check.batch import run_checks
from engine.scenario.schema import Scenario
from tests.support.checks import (
    close_call_expect,
    fixed_scenario,
    measured_x,
    p_x,
    sampled_scenario,
)


def test_a_changed_scenario_flips_a_check_from_pass_to_fail():
    expect = {"x_likely": {"outcome": "x", "at_least": 0.55}}
    first = run_checks(Scenario.model_validate(fixed_scenario(0.3, expect)))
    assert first.method == "exact" and first.reliable  # every number fixed: no sampling
    before = first.checks["x_likely"]
    after = run_checks(Scenario.model_validate(fixed_scenario(0.1, expect))).checks["x_likely"]
    assert (before.status, before.value) == ("pass", pytest.approx(p_x(0.3)))
    assert (after.status, after.value) == ("fail", pytest.approx(p_x(0.1)))
    assert after.margin == pytest.approx(p_x(0.1) - 0.55)


def test_too_close_to_call_is_a_margin_within_three_mcse():
    """Bounds placed at the sampled value itself: the rule, not the number, is under test."""
    value, mcse = measured_x()
    scenario = Scenario.model_validate(sampled_scenario(close_call_expect(value, mcse)))
    file = run_checks(scenario)
    assert file.method == "importance"
    status = {name: check.status for name, check in file.checks.items()}
    assert status == {
        "at_mean": "too close to call",
        "one_mcse_up": "too close to call",
        "well_below": "pass",
        "well_above": "fail",
    }
    for check in file.checks.values():  # the same seed gives the same run
        assert check.mcse == pytest.approx(mcse)
        assert check.value == pytest.approx(value)
    assert abs(file.checks["one_mcse_up"].margin) < 3 * mcse
