"""Reading one file safely into values with the place of every key (engine.scenario.reader,
SPEC §7)."""

import datetime as dt
import gc
import time
from pathlib import Path

import pytest
import yaml

from engine.scenario import reader
from engine.scenario.issues import ScenarioError
from engine.scenario.merge import load_document, read_document
from engine.scenario.reader import MAX_BYTES, MAX_DEPTH
from engine.scenario.source import Location
from tests.support import FIXTURES
from tests.support.scenario_files import write

VARIANT = FIXTURES / "variant"


def codes(path: Path) -> list[str]:
    _, issues = read_document(path)
    return sorted(issue.code for issue in issues)


# --- values and positions ----------------------------------------------------------------------


def test_values_resolve_as_safe_loader_does():
    document = load_document(FIXTURES / "full.yaml")
    assert document.data == yaml.safe_load((FIXTURES / "full.yaml").read_text())
    assert document.data["as_of"] == dt.date(2022, 1, 7)
    assert document.data["outcomes"]["tethered"]["base"] == 2
    assert document.chain == (FIXTURES / "full.yaml",)


def test_every_key_and_value_has_its_line_and_column():
    where = load_document(FIXTURES / "minimal.yaml").where
    file = str(FIXTURES / "minimal.yaml")
    assert where.values[("drivers", "rain", "p")] == Location(file, 8, 8, None)
    assert where.keys[("drivers", "rain", "p")] == Location(file, 8, 5)
    assert where.keys[("drivers", "rain")] == Location(file, 6, 3)
    assert where.values[("outcomes", "wet", "drivers", "rain")].line == 13
    assert where.values[()] == Location(file, 2, 1, "block")


def test_locate_prefers_the_key_line_for_block_collections_and_walks_up_for_missing_keys():
    where = load_document(FIXTURES / "minimal.yaml").where
    assert where.locate(("drivers", "rain")).line == 6  # `rain:`, not its first key below
    assert where.locate(("drivers", "rain", "causes", "x")).line == 6  # nearest parent key
    assert where.locate(("drivers", "rain", "p")).column == 8  # the value
    assert where.locate(("drivers", "rain", "p"), key=True).column == 5  # the key
    assert where.locate(("nothing", "here")).line == 2  # the top mapping


def test_list_items_have_positions(tmp_path):
    path = write(tmp_path, "s.yaml", "authors:\n  - A\n  - B\nx: [1, 2]\n")
    where = load_document(path).where
    assert where.values[("authors", 1)].line == 3
    assert where.values[("x", 1)].column == 8


def test_crlf_line_endings_and_a_byte_order_mark_are_fine(tmp_path):
    path = write(tmp_path, "s.yaml", b"\xef\xbb\xbfa: 1\r\nb:\r\n  c: 2\r\n")
    document = load_document(path)
    assert document.data == {"a": 1, "b": {"c": 2}}
    assert document.where.values[("b", "c")].line == 3


def test_quoted_keys_that_would_read_as_booleans_are_fine(tmp_path):
    path = write(tmp_path, "s.yaml", "\"on\": 1\n'no': 2\n")
    assert load_document(path).data == {"on": 1, "no": 2}


# --- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"a: caf\xe9\n", "encoding"),
        (b"\xff\xfea\x00:\x00", "encoding"),  # UTF-16
        (b"a: \x00\n", "control-character"),
        (b"a: \x1b[31m\n", "control-character"),
        ("a: x\u2028\n".encode(), "control-character"),
        (b"a: x\xc2\x85\n", "control-character"),  # NEL: a line break to YAML 1.1
        (b'a: "\\e[31m"\n', "control-character"),  # written as an escape
        (b"a:\n\tb: 1\n", "tab-indent"),
        (b"a: [1,\n", "yaml-syntax"),
        (b'a: "\\U00110000"\n', "yaml-syntax"),  # an escape past the last character
        (b'a: "\\UFFFFFFFF"\n', "yaml-syntax"),
        (b"a: 1\n---\nb: 2\n", "documents"),
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"- a\n- b\n", "wrong-type"),
        (b"a: 1\na: 2\n", "duplicate-key"),
        (b"x: {a: 1, a: 2}\n", "duplicate-key"),
        (b"a: &x 1\n", "anchor"),
        (b"a: !!python/name:os.system x\n", "tag"),
        (b"a: !!str 0.3\n", "tag"),
        (b"a: !custom {x: 1}\n", "tag"),
        (b"? [a, b]\n: 1\n", "key-type"),
        (b"other:\n  <<: {x: 1}\n", "key-type"),
        (b"a: 2022-02-30\n", "bad-value"),
    ],
)
def test_reading_refuses(tmp_path, text, code):
    assert code in codes(write(tmp_path, "s.yaml", text))


@pytest.mark.parametrize(
    ("key", "reads_as"),
    [
        ("on", "a boolean"),
        ("off", "a boolean"),
        ("no", "a boolean"),
        ("yes", "a boolean"),
        ("y", "a boolean"),
        ("N", "a boolean"),
        ("True", "a boolean"),
        ("1e3", "a number"),
        ("12", "a number"),
        ("0x1F", "a number"),
        ("1.5", "a number"),
        (".inf", "a number"),
        ("2022-01-01", "a date"),
        ("null", "null"),
        ("~", "null"),
    ],
)
def test_keys_yaml_reads_as_something_else_than_text(tmp_path, key, reads_as):
    path = write(tmp_path, "s.yaml", f"drivers:\n  {key}:\n    label: x\n")
    _, issues = read_document(path)
    (issue,) = issues
    assert issue.code == "key-type"
    assert f"as {reads_as}" in issue.message
    assert f'quote it ("{key}")' in issue.hint
    assert (issue.line, issue.column, issue.path) == (2, 3, ("drivers", key))


def test_a_duplicate_key_names_both_lines(tmp_path):
    path = write(tmp_path, "s.yaml", "a:\n  b: 1\n  c: 2\n  b: 3\n")
    document, (issue,) = read_document(path)
    assert (issue.line, issue.column, issue.key_path) == (4, 3, "a.b")
    assert "first written at line 2" in issue.message
    assert document.data == {"a": {"b": 1, "c": 2}}  # the first is kept


def test_aliases_are_never_expanded(tmp_path):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path = write(tmp_path, "s.yaml", laughs)
    started = time.perf_counter()
    document, issues = read_document(path)
    assert time.perf_counter() - started < 1.0
    assert document is None
    assert {issue.code for issue in issues} == {"anchor"}
    assert "copy the value or use `extends`" in issues[0].hint


def test_a_self_referencing_alias_is_refused(tmp_path):
    document, issues = read_document(write(tmp_path, "s.yaml", "a: &a [*a]\n"))
    assert document is None and {i.code for i in issues} == {"anchor"}


def test_nesting_is_bounded(tmp_path):
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert codes(write(tmp_path, "s.yaml", deep)) == ["too-deep"]
    fine = "a: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n"
    assert codes(write(tmp_path, "t.yaml", fine)) == []


def test_thousands_of_brackets_do_not_overflow_the_stack(tmp_path):
    assert codes(write(tmp_path, "s.yaml", "a: " + "[" * 100_000)) == ["too-deep"]


def test_size_is_bounded(tmp_path):
    path = write(tmp_path, "s.yaml", b"# " + b"x" * MAX_BYTES + b"\n")
    assert codes(path) == ["too-large"]


def test_control_characters_are_listed_up_to_a_bound(tmp_path):
    _, issues = read_document(write(tmp_path, "s.yaml", "a: " + "\x07" * 50 + "\n"))
    assert len(issues) == 10
    assert "only the first 10 are listed" in issues[-1].hint
    assert [issue.column for issue in issues[:3]] == [4, 5, 6]


def test_a_tab_after_a_colon_gets_a_tab_hint(tmp_path):
    (issue,) = read_document(write(tmp_path, "s.yaml", "a:\tb\n"))[1]
    assert issue.code == "yaml-syntax" and "tab" in issue.hint


def test_an_escape_past_the_last_character_is_placed_and_named(tmp_path):
    path = write(tmp_path, "s.yaml", 'a: 1\nb: "ok \\U0001F600 \\U0011ffff"\n')
    (issue,) = read_document(path)[1]
    assert (issue.code, issue.line, issue.column) == ("yaml-syntax", 2, 19)
    assert "`\\U0011ffff` names no character" in issue.message


def test_the_garbage_collector_rests_while_a_file_is_parsed_and_only_then(tmp_path, monkeypatch):
    seen = []

    def parse(text, file):
        seen.append(gc.isenabled())
        return parse_as_before(text, file)

    parse_as_before = reader._parse
    monkeypatch.setattr(reader, "_parse", parse)
    path = write(tmp_path, "s.yaml", "a: 1\n")
    assert read_document(path)[0].data == {"a": 1}
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        read_document(path)
        assert not gc.isenabled()  # left off, as it was found
    finally:
        gc.enable()


def test_missing_files_and_folders(tmp_path):
    assert codes(tmp_path / "nope.yaml") == ["not-found"]
    assert codes(tmp_path) == ["not-found"]


def test_load_document_raises_with_every_reading_problem(tmp_path):
    path = write(tmp_path, "s.yaml", "on: 1\nno: 2\na: 1\na: 2\n")
    with pytest.raises(ScenarioError) as caught:
        load_document(path)
    assert [issue.line for issue in caught.value.issues] == [1, 2, 4]
