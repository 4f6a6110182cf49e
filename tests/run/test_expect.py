"""Expectations (SPEC §5) against answers computed by hand, and the too-close rule."""

from __future__ import annotations

import json

import pytest

from engine.check.batch import run_checks
from engine.cli import main
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support.checks import (
    close_call_expect,
    fixed_scenario,
    measured_x,
    p_x,
    sampled_scenario,
    write,
)

# name -> (status, value, margin) for fixed_scenario(p=0.3), by hand
EXPECTED = {
    "x_band": ("pass", 0.575, 0.025),
    "x_high": ("fail", 0.575, -0.025),
    "a_on_x": ("pass", 0.75, 0.05),
    "x_over_z": ("pass", 0.15, 0.15),
    "x_top": ("pass", 0.575, 0.15),
    "a_rare": ("fail", 0.3, -0.05),
}


def test_every_form_of_expectation_matches_the_closed_form():
    result = run(Scenario.model_validate(fixed_scenario()), scope="results")
    assert p_x(0.3) == pytest.approx(0.575)
    assert list(result.expect) == list(EXPECTED)
    for name, (status, value, margin) in EXPECTED.items():
        check = result.expect[name]
        assert (check.status, check.mcse) == (status, 0.0), name
        assert check.value == pytest.approx(value, abs=1e-12), name
        assert check.margin == pytest.approx(margin, abs=1e-12), name


def test_run_json_carries_each_check(tmp_path, capsys):
    path = write(tmp_path / "fixed.yaml", fixed_scenario())
    assert main(["run", str(path), "--json", "--no-analysis"]) == 1  # x_high and a_rare fail
    expect = json.loads(capsys.readouterr().out)["expect"]
    for name, (status, value, margin) in EXPECTED.items():
        assert expect[name]["status"] == status
        assert expect[name]["value"] == pytest.approx(value, abs=1e-12)
        assert expect[name]["margin"] == pytest.approx(margin, abs=1e-12)
        assert expect[name]["mcse"] == 0


def test_a_changed_scenario_flips_a_check_from_pass_to_fail():
    expect = {"x_likely": {"outcome": "x", "at_least": 0.55}}
    first = run_checks(Scenario.model_validate(fixed_scenario(0.3, expect)))
    assert first.method == "exact" and first.reliable  # every number fixed: no sampling
    before = first.checks["x_likely"]
    after = run_checks(Scenario.model_validate(fixed_scenario(0.1, expect))).checks["x_likely"]
    assert (before.status, before.value) == ("pass", pytest.approx(p_x(0.3)))
    assert (after.status, after.value) == ("fail", pytest.approx(p_x(0.1)))
    assert after.margin == pytest.approx(p_x(0.1) - 0.55)


def test_checks_only_computes_the_named_what_ifs_and_no_timeline():
    scenario = Scenario.model_validate(fixed_scenario())
    lean = run(scenario, scope="checks")
    full = run(scenario, scope="results")
    assert set(lean.what_if) == {"a_on"} and lean.timeline == []
    assert set(full.what_if) == {"a_on", "a_off"} and full.timeline  # the default is unchanged
    assert {n: c.to_dict() for n, c in lean.expect.items()} == {
        n: c.to_dict() for n, c in full.expect.items()
    }


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
