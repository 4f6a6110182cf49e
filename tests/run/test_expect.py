"""Expectations (SPEC §5) against answers computed by hand, and the too-close rule."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support.checks import (
    fixed_scenario,
    p_x,
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


def test_checks_only_computes_the_named_what_ifs_and_no_timeline():
    scenario = Scenario.model_validate(fixed_scenario())
    lean = run(scenario, scope="checks")
    full = run(scenario, scope="results")
    assert set(lean.what_if) == {"a_on"} and lean.timeline == []
    assert set(full.what_if) == {"a_on", "a_off"} and full.timeline  # the default is unchanged
    assert {n: c.to_dict() for n, c in lean.expect.items()} == {
        n: c.to_dict() for n, c in full.expect.items()
    }
