"""Error codes and their declared examples; error records, their one-line format and JSON, and
the exception that carries them."""

import importlib
import json
import re
from pathlib import Path

import pytest

from engine.scenario.issues import (
    CODES,
    EXAMPLE_BASE,
    Code,
    ScenarioError,
    ScenarioIssue,
    codes,
    render_path,
)
from engine.scenario.validate import validate_files
from tests.support import SCENARIOS


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


# --- the codes and their examples ---------------------------------------------------------------


def example_file(folder: Path, code: Code, example: str | bytes | None) -> Path:
    """The file ``example`` stands for (see :class:`Code`), beside ``_base.yaml``."""
    folder.mkdir()
    (folder / "_base.yaml").write_text(EXAMPLE_BASE, encoding="utf-8")
    (folder / "other.yaml").write_text("extends: _base.yaml\nid: other\n", encoding="utf-8")
    path = folder / "example.yaml"
    if example is None:
        return path  # no file at all
    raw = example.encode() if isinstance(example, str) else example
    if not code.whole:
        text = raw.decode("latin-1")
        head = [
            f"{key}: {value}\n"
            for key, value in (("extends", "_base.yaml"), ("id", "example"))
            if not re.search(rf"^{key}:", text, re.MULTILINE)
        ]
        raw = "".join(head).encode() + raw
    path.write_bytes(raw)
    return path


def codes_earned(folder: Path, code: Code, example: str | bytes | None) -> list[str]:
    """The codes of every issue the example's file earns, checked in a batch after other.yaml."""
    path = example_file(folder, code, example)
    other, checked = validate_files([folder / "other.yaml", path])
    assert other.ok, [issue.format() for issue in other.issues]
    return [issue.code for issue in checked.issues]


@pytest.mark.parametrize("name", list(codes()))
def test_a_bad_example_earns_exactly_its_code_and_a_good_one_none(name, tmp_path):
    code = codes()[name]
    bad = code.bad() if callable(code.bad) else code.bad
    assert codes_earned(tmp_path / "bad", code, bad) == [name]
    assert codes_earned(tmp_path / "good", code, code.good) == []


def test_codes_are_gathered_from_the_modules_that_raise_them():
    declared = {}
    for module in ("reader", "merge", "translate", "validate"):
        found = vars(importlib.import_module(f"engine.scenario.{module}")).values()
        declared |= {c.name: c for c in found if isinstance(c, Code)}
    from engine.scenario.rules import RULES

    declared |= {rule.CODE.name: rule.CODE for rule in RULES}
    assert CODES == codes() == declared
    assert len(RULES) == len({rule.CODE.name for rule in RULES})  # one code per rule


def test_every_code_has_a_one_line_description_and_two_examples():
    for name, code in CODES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
        assert code.name == name
        assert code.description and "\n" not in code.description, name
        assert code.good is not None and code.bad != code.good, name
        assert code.bad is not None or code.whole, name  # only a whole file can be missing


def test_schema_md_lists_every_code_with_its_description():
    """scenarios/SCHEMA.md's table of codes says what the declarations say, no more, no less."""
    text = (SCENARIOS / "SCHEMA.md").read_text(encoding="utf-8")
    text = text[text.index("## What `signpost validate` rejects") :]
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (.+) \|$", text, re.MULTILINE))
    assert rows == {name: code.description for name, code in CODES.items()}


# --- issues --------------------------------------------------------------------------------------


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
