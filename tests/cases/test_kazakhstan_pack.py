"""The Kazakhstan pack: its shape, as scenarios/README.md describes it (no sampling here).

The numbers themselves are checked by the pack's own expectations (``pytest scenarios/``);
this file checks the pack's shape: the named drivers and outcomes, a source and a one-sentence
quote for every driver, a rationale for every number, runnable variants, a followable timeline.
"""

from __future__ import annotations

import re

import pytest

from engine.inference.network import network_of
from engine.scenario.discover import discover
from engine.scenario.merge import load_document
from engine.scenario.validate import load_scenario
from tests.support import SCENARIOS

PACK = SCENARIOS / "kazakhstan"
NAMED_DRIVERS = {
    "posture",
    "anti_russian_sentiment",
    "multivector_collapse",
    "china_counterweight",
}
NAMED_OUTCOMES = {"tethered", "alienation", "balancing"}


@pytest.fixture(scope="module")
def scenarios():
    return {path.stem: load_scenario(path) for path in discover([PACK])}


def test_at_least_five_runnable_scenarios_with_distinct_ids(scenarios):
    assert {"baseline", "mission_expands", "swift_withdrawal", "china_counterweight"} <= set(
        scenarios
    )
    assert any("price" in name for name in scenarios)
    ids = [s.id for s in scenarios.values()]
    assert len(scenarios) >= 5 and len(set(ids)) == len(ids)


def test_the_named_drivers_and_outcomes_are_in_every_scenario(scenarios):
    for scenario in scenarios.values():
        assert NAMED_DRIVERS <= set(scenario.drivers)
        assert NAMED_OUTCOMES <= set(scenario.outcomes)


def test_every_driver_cites_a_known_source_with_a_one_sentence_quote(scenarios):
    for name, scenario in scenarios.items():
        for driver_id, driver in scenario.drivers.items():
            where = f"{name}: drivers.{driver_id}"
            assert driver.sources, f"{where} has no source"
            assert set(driver.sources) <= set(scenario.sources), where
            assert driver.quote, f"{where} has no quote"
            sentences = re.findall(r"[.!?](?:\s|$)", driver.quote.strip())
            assert len(sentences) <= 1, f"{where}: quote longer than one sentence"


def test_every_number_has_a_rationale():
    data = load_document(PACK / "baseline.yaml").data
    for kind in ("drivers", "outcomes", "indicators"):
        for item_id, item in data[kind].items():
            assert item.get("rationale"), f"{kind}.{item_id} has no rationale"
    for item_id, item in data["evidence"].items():
        if "likelihood_ratio" in item:
            assert item.get("rationale"), f"evidence.{item_id} has no rationale"


def test_at_least_eight_expectations_across_the_pack(scenarios):
    names = {(name, check) for name, s in scenarios.items() for check in s.expect}
    assert len(names) >= 8
    trenin = scenarios["baseline"].expect
    assert any(e.more_likely_than == "alienation" for e in trenin.values())


def test_the_swift_withdrawal_timeline_can_be_followed_day_by_day(scenarios):
    steps = network_of(scenarios["swift_withdrawal"]).timeline()
    dates = [step.date.isoformat() for step in steps]
    assert dates == sorted(dates)
    assert {"2022-01-10", "2022-01-11", "2022-01-13", "2022-01-19"} <= set(dates)
    evidence = [len(step.evidence) for step in steps]
    assert evidence == sorted(evidence) and evidence[0] < evidence[-1]


def test_the_force_posture_is_one_driver_of_three_exclusive_states(scenarios):
    """SPEC §11.1 where the articles call for it: leave on time, stay on, or expand."""
    for name, scenario in scenarios.items():
        posture = scenario.drivers["posture"]
        assert tuple(posture.states) == ("withdrawn", "garrison", "expanded"), name
        for state_id, state in posture.states.items():
            where = f"{name}: drivers.posture.states.{state_id}"
            assert state.label and state.rationale and state.sources, where
            assert set(state.sources) <= set(scenario.sources), where


def test_the_baseline_reports_each_posture_and_they_add_up_to_one():
    from engine.run import run

    result = run(load_scenario(PACK / "baseline.yaml"), scope="main")
    states = {k: s for k, s in result.main.drivers.items() if k.startswith("posture=")}
    assert list(states) == ["posture=withdrawn", "posture=garrison", "posture=expanded"]
    assert abs(sum(s.p for s in states.values()) - 1) < 1e-9
    sample = result.main.sample
    columns = [list(result.main.drivers).index(k) for k in states]
    assert abs(sample.drivers[:, columns].sum(axis=1) - 1).max() < 1e-9  # in every draw
