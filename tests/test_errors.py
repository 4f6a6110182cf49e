"""Error records, their one-line format and JSON, and the exception that carries them."""

import json

import pytest

from engine.cli.exit import BAD_INPUT, CHECK_FAILED, OK, ExitCode
from engine.scenario.issues import CODES, ScenarioError, ScenarioIssue, render_path


def issue(**changes) -> ScenarioIssue:
    fields = dict(
        code="unknown-word",
        message="unknown probability word 'likley'",
        hint="write one of: likely, unlikely",
        file="scenarios/x.yaml",
        line=12,
        column=5,
        path=("drivers", "a", "p"),
    )
    return ScenarioIssue(**{**fields, **changes})


def test_exit_codes_are_named_as_sqlfluff_does():
    assert (OK, CHECK_FAILED, BAD_INPUT) == (0, 1, 2)
    assert ExitCode.BAD_INPUT == 2


def test_format_names_file_line_column_path_problem_and_fix():
    assert issue().format() == (
        "scenarios/x.yaml:12:5: drivers.a.p: unknown probability word 'likley' "
        "— write one of: likely, unlikely"
    )


def test_format_without_place_path_or_hint():
    whole = issue(line=0, column=0, path=(), hint="", code="encoding", message="not UTF-8")
    assert whole.format() == "scenarios/x.yaml: not UTF-8"


def test_format_is_always_one_line():
    assert "\n" not in issue(message="two\nlines", hint="and\r\nmore").format()


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        (("drivers", "a", "causes", "b"), "drivers.a.causes.b"),
        (("authors", 0), "authors[0]"),
        (("drivers", "b", "sources", 1), "drivers.b.sources[1]"),
        (("evidence", "2022-01-01"), "evidence.2022-01-01"),
        (("drivers", "a b"), 'drivers["a b"]'),
        (("drivers", "x.y"), 'drivers["x.y"]'),
        ((), ""),
    ],
)
def test_render_path(path, rendered):
    assert render_path(path) == rendered


def test_to_dict_is_json_ready():
    record = issue().to_dict()
    assert json.loads(json.dumps(record)) == record
    assert record["path"] == "drivers.a.p"
    assert {"code", "file", "line", "column", "path", "message", "hint"} == set(record)


def test_unknown_code_is_a_bug():
    with pytest.raises(ValueError, match="unknown error code"):
        issue(code="no-such-rule")


def test_every_code_is_described():
    assert all(isinstance(text, str) and text for text in CODES.values())


def test_scenario_error_sorts_by_place_and_drops_repeats():
    later, earlier = issue(line=20), issue(line=3, column=9)
    error = ScenarioError([later, earlier, later])
    assert error.issues == [earlier, later]
    assert error.errors is error.issues
    assert str(error) == f"{earlier.format()}\n{later.format()}"
    assert error.to_dict() == {"errors": [earlier.to_dict(), later.to_dict()]}


def test_scenario_error_needs_an_issue():
    with pytest.raises(ValueError):
        ScenarioError([])
