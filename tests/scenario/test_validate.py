"""Validating a file: the valid fixtures, every problem of a file at once sorted by place,
problems in inherited keys placed in the parent, and scenario ids across a batch."""

import pytest

from engine.scenario.issues import ScenarioError
from engine.scenario.merge import load_document
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario, unique_id_issues, validate_file, validate_files
from tests.support import FIXTURES
from tests.support.scenario_files import BASE, issues, only_issue, scenario_file

# --- valid scenarios ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["minimal.yaml", "full.yaml", "variant/child.yaml"])
def test_valid_fixtures_load(name):
    checked = validate_file(FIXTURES / name)
    assert checked.ok, [issue.format() for issue in checked.issues]
    assert isinstance(load_scenario(FIXTURES / name), Scenario)


def test_the_full_fixture_keeps_what_the_analyst_wrote():
    scenario = load_scenario(FIXTURES / "full.yaml")
    assert scenario.drivers["regime_secured"].p == "Very Likely"
    assert scenario.drivers["sentiment"].p == {"range": [0.15, 0.40]}
    assert scenario.outcomes["tethered"].base == 2.0  # a YAML int where a float is expected
    assert scenario.drivers["outside_help"].causes == {"elite_split": 1.0}
    assert scenario.expect["tethered_plausible"].between == [0.30, 0.95]
    assert scenario.evidence["report"].likelihood_ratio == 2.0
    assert scenario.inference.target_accept == 0.95


def test_whole_numbers_are_accepted_where_numbers_are_expected(tmp_path):
    extra = (
        "evidence:\n  e:\n    driver: a\n    likelihood_ratio: 3\n"
        "expect:\n  x1:\n    outcome: up\n    at_most: 1\n  x2:\n    outcome: up\n"
        "    between: [0, 1]\n"
    )
    assert validate_file(scenario_file(tmp_path, extra)).ok


def test_the_id_of_a_variant_is_never_inherited(tmp_path):
    scenario_file(tmp_path, name="_base.yaml")
    child = scenario_file(tmp_path, base="extends: _base.yaml\ntitle: Variant\n", name="v.yaml")
    issue = only_issue(child)
    assert issue.key_path == "id" and "never inherited" in issue.hint


def test_an_error_in_an_inherited_key_points_into_the_parent(tmp_path):
    scenario_file(tmp_path, base=BASE.replace("p: 0.4", "p: 4"), name="_base.yaml")
    child = scenario_file(tmp_path, base="extends: _base.yaml\nid: v\n", name="v.yaml")
    issue = only_issue(child)
    assert (issue.file, issue.line, issue.key_path) == (
        str(tmp_path / "_base.yaml"),
        10,
        "drivers.b.p",
    )


def test_schema_and_reference_errors_come_together_sorted(tmp_path):
    text = BASE.replace("p: 0.4", "p: 0.4\n    causes: {ghost: raises}").replace(
        "p: 0.3", "p: likley"
    )
    found = issues(scenario_file(tmp_path, "colour: blue\n", base=text))
    assert [(issue.code, issue.line) for issue in found] == [
        ("unknown-word", 7),
        ("unknown-id", 11),
        ("unknown-key", 17),
    ]


def test_load_scenario_raises_with_every_issue(tmp_path):
    path = scenario_file(tmp_path, base=BASE.replace("p: 0.3", "p: 3").replace("p: 0.4", "p: 4"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [issue.line for issue in caught.value.issues] == [7, 10]


# --- a batch -----------------------------------------------------------------------------------


def test_scenario_ids_are_unique_within_a_batch(tmp_path):
    first = scenario_file(tmp_path, name="one.yaml")
    second = scenario_file(tmp_path, name="two.yaml")
    other = scenario_file(tmp_path, base=BASE.replace("id: s", "id: other"), name="three.yaml")
    (issue,) = unique_id_issues(load_document(p) for p in (first, second, other))
    assert (issue.code, issue.file, issue.line, issue.column) == ("duplicate-id", str(second), 2, 5)
    assert str(first) in issue.message
    one, two, three = validate_files([first, second, other])
    assert one.ok and three.ok and not two.ok
    assert [i.code for i in two.issues] == ["duplicate-id"]
