"""The format's problems (pydantic's errors) placed and explained in the analyst's words."""

import pytest

from tests.support.scenario_files import BASE, only_issue, scenario_file

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
