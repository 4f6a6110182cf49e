"""The validation rules: each rule's declared examples, and each rule's findings placed and
worded."""

from engine.scenario.rules.cause_cycle import strongly_connected
from engine.scenario.validate import validate_file
from tests.support.scenario_files import BASE, issues, only_issue, scenario_file

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
