"""``extends``: a file deep-merged into its parents, places kept (engine.scenario.merge, §6)."""

import datetime as dt

import pytest

from engine.scenario.merge import load_document, read_document
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario
from tests.support import FIXTURES
from tests.support.scenario_files import write

VARIANT = FIXTURES / "variant"


# --- extends -----------------------------------------------------------------------------------


def test_a_chain_of_extends_deep_merges():
    document = load_document(VARIANT / "child.yaml")
    data = document.data
    assert document.chain == (
        VARIANT / "child.yaml",
        VARIANT / "_parent.yaml",
        VARIANT / "_grandparent.yaml",
    )
    assert data["id"] == "variant-child"  # never inherited: the parent's is dropped
    assert data["title"] == "The child variant"
    assert data["as_of"] == dt.date(2022, 1, 7)  # from the grandparent
    assert data["drivers"]["rain"] == {"label": "It rains", "p": {"range": [0.2, 0.5]}}
    assert data["drivers"]["wind"]["p"] == "unlikely"  # the parent's override
    assert data["drivers"]["wind"]["causes"] == {"rain": "raises"}
    assert set(data["outcomes"]) == {"wet", "dry", "stormy"}
    assert "expect" not in data  # removed by null
    assert "extends" not in data
    assert isinstance(load_scenario(VARIANT / "child.yaml"), Scenario)


def test_merged_positions_point_to_the_file_the_value_came_from():
    where = load_document(VARIANT / "child.yaml").where
    assert where.values[("drivers", "rain", "p")].file == str(VARIANT / "child.yaml")
    assert where.values[("drivers", "wind", "p")].file == str(VARIANT / "_parent.yaml")
    label = where.values[("drivers", "rain", "label")]
    assert (label.file, label.line) == (str(VARIANT / "_grandparent.yaml"), 7)
    assert ("drivers", "rain", "description") not in where.values
    assert ("expect", "wet_likely") not in where.values


def test_merge_rules(tmp_path):
    write(tmp_path, "_p.yaml", "id: p\na: {x: 1, v: 2}\nb: [1, 2]\nc: {k: v}\nd: 1\nkeep: 1\n")
    child = write(
        tmp_path,
        "c.yaml",
        "extends: _p.yaml\nid: c\na: {v: 3, z: null, w: {q: null, r: 1}}\nb: [3]\nc: 5\n"
        "d: {new: 1}\nkeep: null\nnever: null\n",
    )
    assert load_document(child).data == {
        "id": "c",
        "a": {"x": 1, "v": 3, "w": {"r": 1}},  # nulls vanish even where nothing was removed
        "b": [3],  # lists replace
        "c": 5,  # a value replaces a mapping
        "d": {"new": 1},  # and a mapping replaces a value
    }


def test_the_id_is_never_inherited(tmp_path):
    write(tmp_path, "_p.yaml", "id: parent\ntitle: t\n")
    document = load_document(write(tmp_path, "c.yaml", "extends: _p.yaml\n"))
    assert "id" not in document.data


def test_extends_relative_to_the_file_in_another_folder(tmp_path):
    write(tmp_path, "shared/_p.yaml", "title: shared\n")
    child = write(tmp_path, "deep/er/c.yaml", "extends: ../../shared/_p.yaml\nid: c\n")
    document = load_document(child)
    assert document.data == {"id": "c", "title": "shared"}
    assert document.chain[1] == tmp_path / "shared" / "_p.yaml"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"c.yaml": "extends: _gone.yaml\n"}, "which does not exist"),
        ({"c.yaml": "extends: c.yaml\n"}, "`extends` loops: {d}/c.yaml -> {d}/c.yaml"),
        (
            {
                "c.yaml": "extends: _a.yaml\n",
                "_a.yaml": "extends: _b.yaml\n",
                "_b.yaml": "extends: _a.yaml\n",
            },
            "`extends` loops: {d}/c.yaml -> {d}/_a.yaml -> {d}/_b.yaml -> {d}/_a.yaml",
        ),
        ({"c.yaml": "extends: 3\n"}, "takes a file path"),
        ({"c.yaml": "extends: /etc/hostname\n"}, "takes a relative path"),
        ({"c.yaml": "extends: sub\n", "sub/x.yaml": "a: 1\n"}, "which does not exist"),
    ],
)
def test_bad_extends_is_an_error_at_the_extends_line(tmp_path, files, message):
    for name, text in files.items():
        write(tmp_path, name, text)
    document, issues = read_document(tmp_path / "c.yaml")
    assert document is None
    (issue,) = issues
    assert issue.code == "extends"
    assert message.format(d=tmp_path) in issue.message
    assert issue.key_path == "extends" and issue.line == 1 and issue.column == 10


def test_a_broken_parent_is_reported_in_the_parent(tmp_path):
    write(tmp_path, "_p.yaml", "title: [unclosed\n")
    document, (issue,) = read_document(write(tmp_path, "c.yaml", "extends: _p.yaml\n"))
    assert document is None
    assert issue.file == str(tmp_path / "_p.yaml") and issue.code == "yaml-syntax"


def test_a_missing_parent_suggests_a_near_name(tmp_path):
    write(tmp_path, "_base.yaml", "title: t\n")
    (issue,) = read_document(write(tmp_path, "c.yaml", "extends: _bsae.yaml\n"))[1]
    assert "did you mean _base.yaml?" in issue.hint
