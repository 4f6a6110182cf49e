"""Validation: pydantic errors as placed issues with hints, and cross-reference rules."""

from pathlib import Path

import pytest

from engine.scenario.issues import ScenarioError
from engine.scenario.merge import load_document
from engine.scenario.rules.cause_cycle import strongly_connected
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario, unique_id_issues, validate_file, validate_files

SCENARIOS = Path(__file__).parent / "scenarios"

BASE = """signpost: 1
id: s
title: T
drivers:
  a:
    label: A
    p: 0.3
  b:
    label: B
    p: 0.4
outcomes:
  up:
    label: Up
  down:
    label: Down
"""


def scenario_file(tmp_path: Path, extra: str = "", base: str = BASE, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(base + extra, encoding="utf-8")
    return path


def issues(path: Path) -> list:
    checked = validate_file(path)
    assert checked.scenario is None and not checked.ok
    return checked.issues


def only_issue(path: Path):
    (issue,) = issues(path)
    return issue


# --- valid scenarios ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["minimal.yaml", "full.yaml", "variant/child.yaml"])
def test_valid_fixtures_load(name):
    checked = validate_file(SCENARIOS / name)
    assert checked.ok, [issue.format() for issue in checked.issues]
    assert isinstance(load_scenario(SCENARIOS / name), Scenario)


def test_the_full_fixture_keeps_what_the_analyst_wrote():
    scenario = load_scenario(SCENARIOS / "full.yaml")
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


# --- pydantic errors, placed and explained -----------------------------------------------------


def test_an_unknown_word_lists_the_closest_words_first(tmp_path):
    issue = only_issue(scenario_file(tmp_path, base=BASE.replace("p: 0.3", "p: likley")))
    assert issue.format() == (
        f"{tmp_path}/s.yaml:7:8: drivers.a.p: unknown probability word 'likley' — write one of: "
        "likely, unlikely, very likely, almost no chance, remote, very unlikely, "
        "highly improbable, improbable, roughly even chance, roughly even odds, probable, "
        "highly probable, almost certain, nearly certain"
    )


def test_a_missing_key_points_at_its_parent(tmp_path):
    issue = only_issue(scenario_file(tmp_path, base=BASE.replace("    label: B\n", "")))
    assert (issue.code, issue.key_path, issue.line, issue.column) == (
        "missing-key",
        "drivers.b.label",
        8,
        3,
    )


def test_a_missing_top_level_key_points_at_the_top(tmp_path):
    issue = only_issue(scenario_file(tmp_path, base=BASE.replace("title: T\n", "")))
    assert (issue.key_path, issue.line, issue.column) == ("title", 1, 1)


def test_an_unknown_key_suggests_the_closest(tmp_path):
    issue = only_issue(scenario_file(tmp_path, "indicator:\n  i: {}\n"))
    assert issue.code == "unknown-key"
    assert issue.hint.startswith("did you mean `indicators`?")
    assert (issue.line, issue.column) == (16, 1)


@pytest.mark.parametrize(
    ("replace", "by", "hint"),
    [
        ("p: 0.3", "p: '0.3'", "write 0.3 without quotes"),
        ("p: 0.3", "p: 30", "a probability is not a percentage: write 0.3"),
        ("p: 0.3", "p: 1e-3", "write it with a decimal point, as 0.001"),
        ("title: T", "title: yes", "quote the text"),
        ("title: T", "title: 12", "put the text in quotes"),
        ("id: s", "id: s\nas_of: '2022-01-07'", "write the date unquoted as YYYY-MM-DD"),
        ("id: s", "id: s\nas_of: 2022-01-07 10:00:00", "without a time"),
        ("id: s", "id: s\nas_of: 7 January", "write a date written YYYY-MM-DD"),
        ("signpost: 1", "signpost: true", "write `1`, the format version"),
        ("    label: A", "    label:", "write a short phrase"),
        ("    label: A", "    label: ''", "write some text, or remove the key"),
        ("p: 0.3", "p: {range: [0.1]}", "write two numbers in brackets"),
        ("p: 0.3", "p: {mean: 0.3}", "write one of these keys"),
    ],
)
def test_hints_say_what_to_write_instead(tmp_path, replace, by, hint):
    issue = only_issue(scenario_file(tmp_path, base=BASE.replace(replace, by, 1)))
    assert hint in issue.hint, issue.format()


def test_a_bad_id_suggests_a_valid_one(tmp_path):
    issue = only_issue(scenario_file(tmp_path, base=BASE.replace("  b:", "  Big Driver:")))
    assert (issue.code, issue.key_path) == ("bad-id", 'drivers["Big Driver"]')
    assert "like `big_driver`" in issue.hint


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


# --- cross-references --------------------------------------------------------------------------


def test_cycles_are_shown_and_placed_at_a_closing_arrow(tmp_path):
    extra = BASE.replace("p: 0.3", "p: 0.3\n    causes: {b: raises}").replace(
        "p: 0.4", "p: 0.4\n    causes: {a: lowers}"
    )
    issue = only_issue(scenario_file(tmp_path, base=extra))
    assert issue.code == "cause-cycle"
    assert issue.message == "causes form a cycle: a -> b -> a"
    assert (issue.key_path, issue.line) == ("drivers.a.causes.b", 8)


def test_two_separate_cycles_are_two_issues(tmp_path):
    drivers = "".join(
        f"  {d}:\n    label: {d}\n    p: 0.5\n    causes: {{{c}: raises}}\n"
        for d, c in [("a", "b"), ("b", "a"), ("c", "d"), ("d", "e"), ("e", "c"), ("f", "a")]
    )
    text = f"signpost: 1\nid: s\ntitle: T\ndrivers:\n{drivers}" + BASE[BASE.index("outcomes") :]
    found = issues(scenario_file(tmp_path, base=text))
    assert [issue.message for issue in found] == [
        "causes form a cycle: a -> b -> a",
        "causes form a cycle: c -> e -> d -> c",
    ]


def test_strongly_connected_needs_no_recursion():
    n = 50_000
    chain = {str(i): [str(i + 1)] for i in range(n - 1)} | {str(n - 1): ["0"]}
    (group,) = strongly_connected(chain)
    assert len(group) == n


def test_repeated_hard_evidence_that_agrees_is_fine(tmp_path):
    extra = "evidence:\n" + "".join(
        f"  e{i}:\n    driver: a\n    observed: true\n" for i in range(3)
    )
    assert validate_file(scenario_file(tmp_path, extra)).ok


def test_contradictions_name_the_earlier_item(tmp_path):
    extra = "evidence:\n  e1:\n    driver: a\n    observed: true\n" + (
        "  e2:\n    driver: a\n    observed: false\n  e3:\n    driver: b\n    observed: false\n"
    )
    issue = only_issue(scenario_file(tmp_path, extra))
    assert issue.code == "contradictory-evidence"
    assert issue.key_path == "evidence.e2.observed"
    assert "evidence `e1` (line 19)" in issue.message


def test_more_likely_than_itself(tmp_path):
    extra = "expect:\n  x:\n    outcome: up\n    more_likely_than: up\n"
    assert only_issue(scenario_file(tmp_path, extra)).message == "compares `up` with itself"


def test_driver_expectations_compare_with_drivers(tmp_path):
    extra = "expect:\n  x:\n    driver: a\n    more_likely_than: up\n"
    issue = only_issue(scenario_file(tmp_path, extra))
    assert issue.message == "unknown driver `up`"
    assert "`up` is an outcome, not a driver" in issue.hint


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
