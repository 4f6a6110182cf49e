"""signpost diff: finding edits, attributing the change (Shapley, sequential), the outputs."""

from __future__ import annotations

import copy
import json
import math
from itertools import permutations

import pytest
import yaml

from engine.cli import main
from engine.diff.attribution import all_subsets, shapley, valid_order
from engine.diff.compare import compare
from engine.diff.edits import apply_edits, evaluated_base, find_edits, validate_mapping
from engine.diff.text import brief, markdown, md_escape

BASE = {
    "signpost": 1,
    "id": "v1",
    "title": "A small scenario",
    "drivers": {
        "a": {"label": "A holds", "p": 0.2},
        "b": {"label": "B holds", "p": 0.6, "causes": {"a": -1.0}},
    },
    "outcomes": {
        "x": {"label": "X", "drivers": {"a": 1.0, "b": {"odds_ratio": 2}}},
        "rest": {"label": "Y"},
    },
}


def version(**changes):
    """A deep copy of BASE with id v2 and the given top-level sections replaced."""
    data = copy.deepcopy(BASE)
    data["id"] = "v2"
    data.update(copy.deepcopy(changes))
    return data


def edited(data, path, value):
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def write(folder, name, data):
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def summary(edits):
    return [(e.path, e.kind, [".".join(c.path) for c in e.includes]) for e in edits]


# --- finding edits -----------------------------------------------------------------------------


def test_one_changed_value_and_documentation_is_not_an_edit():
    new = edited(BASE, ("drivers", "a", "p"), "likely")
    new["drivers"]["a"].update(label="A, relabelled", rationale="why", quote="q", sources=[])
    new["drivers"]["b"]["description"] = "more words"
    new["what_if"] = {"w": {"set": {"a": True}}}
    new["expect"] = {"e": {"outcome": "x", "at_least": 0.1}}
    new["inference"] = {"seed": 1}
    new["title"] = "Another title"
    edits = find_edits(BASE, new)
    assert summary(edits) == [("drivers.a.p", "changed", [])]
    assert edits[0].to_dict() | {"change": None} == {
        "path": "drivers.a.p",
        "kind": "changed",
        "old": 0.2,
        "new": "likely",
        "includes": [],
        "change": None,
    }


def test_words_compare_without_case_and_base_defaults_to_one():
    old = edited(BASE, ("drivers", "a", "p"), "Very Likely")
    new = edited(BASE, ("drivers", "a", "p"), "very  likely")
    new = edited(new, ("outcomes", "rest", "base"), 1)
    assert find_edits(old, new) == []


def test_causes_and_effects_are_one_value_per_key():
    new = edited(BASE, ("drivers", "b", "causes", "a"), {"range": [-2.0, -0.5]})
    new = edited(new, ("outcomes", "x", "drivers", "b"), None)
    new = edited(new, ("outcomes", "rest", "drivers"), {"a": "raises"})
    assert summary(find_edits(BASE, new)) == [
        ("drivers.b.causes.a", "changed", []),
        ("outcomes.x.drivers.b", "removed", []),
        ("outcomes.rest.drivers.a", "added", []),
    ]


def _with_driver_c():
    new = edited(BASE, ("drivers", "c"), {"label": "C", "p": 0.3, "causes": {"a": 0.5}})
    new = edited(new, ("drivers", "b", "causes", "c"), 1.0)
    new = edited(new, ("outcomes", "rest", "drivers"), {"c": 2.0})
    new = edited(
        new,
        ("indicators",),
        {"sign": {"label": "S", "signals": "c", "if_true": 0.8, "if_false": 0.1}},
    )
    new = edited(new, ("evidence",), {"seen": {"indicator": "sign", "observed": True}})
    return new


def test_adding_a_driver_with_its_references_is_one_edit():
    edits = find_edits(BASE, _with_driver_c())
    assert summary(edits) == [
        (
            "drivers.c",
            "added",
            ["drivers.b.causes.c", "outcomes.rest.drivers.c", "indicators.sign", "evidence.seen"],
        )
    ]
    assert edits[0].to_dict()["new"] == {"label": "C", "p": 0.3, "causes": {"a": 0.5}}


def test_removing_a_driver_with_its_references_is_one_edit():
    edits = find_edits(_with_driver_c(), BASE)
    assert [(e.path, e.kind) for e in edits] == [("drivers.c", "removed")]
    assert len(edits[0].includes) == 4
    assert validate_mapping(apply_edits(_with_driver_c(), edits))[0] is not None


def test_evidence_item_is_one_value_and_its_date_counts():
    old = edited(BASE, ("evidence",), {"r": {"driver": "a", "likelihood_ratio": 2.0}})
    new = edited(old, ("evidence", "r"), {"driver": "a", "observed": True, "label": "seen"})
    assert summary(find_edits(old, new)) == [("evidence.r", "changed", [])]
    dated = edited(old, ("evidence", "r", "date"), "2022-01-10")
    assert summary(find_edits(old, dated)) == [("evidence.r", "changed", [])]


def test_extends_is_resolved_before_comparing(tmp_path):
    from engine.scenario.merge import load_document

    parent = {k: v for k, v in BASE.items() if k != "id"}
    write(tmp_path, "_parent.yaml", parent)
    write(tmp_path, "one.yaml", {"extends": "_parent.yaml", "id": "one"})
    write(
        tmp_path, "two.yaml", {"extends": "_parent.yaml", "id": "two", "drivers": {"a": {"p": 0.4}}}
    )
    old = load_document(tmp_path / "one.yaml").data
    new = load_document(tmp_path / "two.yaml").data
    assert summary(find_edits(old, new)) == [("drivers.a.p", "changed", [])]


# --- attribution -------------------------------------------------------------------------------


def p_x(p_a: float, effect: float) -> float:
    """P(Y = x) for BASE with P(A) = p_a and A's effect on x = effect, from SPEC §4 by hand.

    B's effect on x is ln 2 and B depends on A: P(B | A) = sigmoid(logit 0.6 - 1).
    """
    logit_b = math.log(0.6 / 0.4)
    total = 0.0
    for a in (0, 1):
        pb = 1 / (1 + math.exp(-(logit_b - 1.0 * a)))
        for b, weight_b in ((0, 1 - pb), (1, pb)):
            score = math.exp(effect * a + math.log(2) * b)
            total += (p_a if a else 1 - p_a) * weight_b * score / (score + 1)
    return total


def test_shapley_values_match_a_computation_by_hand():
    new = edited(BASE, ("drivers", "a", "p"), 0.5)
    new = edited(new, ("outcomes", "x", "drivers", "a"), 2.0)
    result = compare(BASE, new)
    assert result.attribution == "shapley" and result.exact
    v = {(pa, e): p_x(pa, e) for pa in (0.2, 0.5) for e in (1.0, 2.0)}
    phi_p = ((v[0.5, 1.0] - v[0.2, 1.0]) + (v[0.5, 2.0] - v[0.2, 2.0])) / 2
    phi_e = ((v[0.2, 2.0] - v[0.2, 1.0]) + (v[0.5, 2.0] - v[0.5, 1.0])) / 2
    shares = {s.edit.path: s.change for s in result.edits}
    assert result.old.outcomes["x"] == pytest.approx(v[0.2, 1.0], abs=1e-12)
    assert result.new.outcomes["x"] == pytest.approx(v[0.5, 2.0], abs=1e-12)
    assert shares["drivers.a.p"]["x"] == pytest.approx(phi_p, abs=1e-12)
    assert shares["outcomes.x.drivers.a"]["x"] == pytest.approx(phi_e, abs=1e-12)
    assert shares["drivers.a.p"]["rest"] == pytest.approx(-phi_p, abs=1e-12)
    assert result.evaluations == 4


def test_shapley_formula_equals_the_average_over_orders():
    values = {
        s: {"k": float(len(s) ** 2 + 3 * (0 in s) - 2 * (2 in s) * (1 in s))}
        for s in all_subsets(3)
    }
    shares = shapley(3, values, ["k"])
    for i in range(3):
        marginal = []
        for order in permutations(range(3)):
            before = frozenset(order[: order.index(i)])
            marginal.append(values[before | {i}]["k"] - values[before]["k"])
        assert shares[i]["k"] == pytest.approx(sum(marginal) / len(marginal), abs=1e-12)


def _many_edits():
    new = _with_driver_c()
    new = edited(new, ("drivers", "a", "p"), 0.35)
    new = edited(new, ("drivers", "b", "p"), 0.45)
    new = edited(new, ("drivers", "b", "causes", "a"), -0.4)
    new = edited(new, ("outcomes", "x", "drivers", "a"), 0.2)
    new = edited(new, ("outcomes", "x", "drivers", "b"), None)
    new = edited(new, ("outcomes", "x", "base"), 1.5)
    return edited(new, ("outcomes", "rest", "drivers", "a"), -0.7)


@pytest.mark.parametrize("new", [_with_driver_c(), _many_edits()], ids=["added", "many"])
def test_shares_add_up_to_the_change_exactly(new):
    for old, newer in ((BASE, new), (new, BASE)):
        result = compare(old, newer)
        assert result.exact
        for k, change in result.change.items():
            assert sum(s.change[k] for s in result.edits) == pytest.approx(change, abs=1e-12)
        assert sum(result.new.outcomes.values()) == pytest.approx(1.0, abs=1e-12)


def test_more_than_six_edits_are_sequential_in_the_documented_order():
    result = compare(BASE, _many_edits())
    assert len(result.edits) == 8 and result.attribution == "sequential"
    assert [result.edits[i].edit.path for i in result.order] == [
        "outcomes.x.drivers.b",
        "drivers.a.p",
        "drivers.b.causes.a",
        "drivers.b.p",
        "outcomes.x.base",
        "outcomes.x.drivers.a",
        "drivers.c",
        "outcomes.rest.drivers.a",
    ]
    assert result.evaluations == 9
    # the first step alone: removing B's effect on x
    first = result.edits[result.order[0]].change["x"]
    assert first == pytest.approx(_p_x_without_b() - p_x(0.2, 1.0), abs=1e-12)
    assert result.to_dict()["order"][0] == "outcomes.x.drivers.b"


def _p_x_without_b() -> float:
    return 0.8 * 0.5 + 0.2 * math.exp(1) / (math.exp(1) + 1)


def test_an_invalid_subset_falls_back_to_a_valid_sequence():
    old = edited(BASE, ("evidence",), {"e1": {"driver": "a", "observed": True}})
    new = edited(old, ("evidence", "e1", "observed"), False)
    new = edited(new, ("evidence", "e2"), {"driver": "a", "observed": False})
    edits = find_edits(old, new)
    base = evaluated_base(old, new)
    assert validate_mapping(apply_edits(base, [edits[1]]))[0] is None  # e2 contradicts old e1
    result = compare(old, new)
    assert result.attribution == "sequential"
    assert [result.edits[i].edit.path for i in result.order] == ["evidence.e1", "evidence.e2"]
    assert "not valid" in result.notes[0]
    assert sum(s.change["x"] for s in result.edits) == pytest.approx(result.change["x"])


def test_valid_order_backtracks():
    def is_valid(s):
        return s != frozenset({0}) and s != frozenset({1, 2})

    assert valid_order(3, is_valid, [0, 1, 2]) == [1, 0, 2]
    assert valid_order(2, lambda s: len(s) != 1, [0, 1]) is None


def test_different_outcomes_leave_each_edit_unattributed():
    new = edited(BASE, ("outcomes", "z"), {"label": "Z", "drivers": {"b": 1.0}})
    new = edited(new, ("drivers", "a", "p"), 0.4)
    out = compare(BASE, new).to_dict()
    assert out["method"] is None
    assert [e["change"] for e in out["edits"]] == [None, None]
    assert out["change"] == {"x": None, "rest": None, "z": None}
    assert set(out["new"]["outcomes"]) == {"x", "rest", "z"}
    assert sum(out["new"]["outcomes"].values()) == pytest.approx(1.0)


# --- the command -------------------------------------------------------------------------------


def test_json_object(tmp_path, capsys):
    new = edited(BASE, ("drivers", "a", "p"), 0.5)
    new["id"] = "v2"
    code = main(
        [
            "diff",
            str(write(tmp_path, "old.yaml", BASE)),
            str(write(tmp_path, "new.yaml", new)),
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"old", "new", "change", "method", "edits"} <= set(out)
    assert out["old"]["id"] == "v1" and out["new"]["id"] == "v2"
    assert out["method"] == "shapley" and out["exact"] is True
    (edit,) = out["edits"]
    assert {"path", "kind", "old", "new", "change"} <= set(edit)
    assert (edit["path"], edit["kind"], edit["old"], edit["new"]) == (
        "drivers.a.p",
        "changed",
        0.2,
        0.5,
    )
    assert edit["change"] == pytest.approx(out["change"], abs=1e-12)
    assert out["old"]["outcomes"]["x"] == pytest.approx(p_x(0.2, 1.0), abs=1e-12)
    assert out["change"]["x"] == pytest.approx(p_x(0.5, 1.0) - p_x(0.2, 1.0), abs=1e-12)


def test_markdown_table_escapes_scenario_text(tmp_path, capsys):
    old = edited(BASE, ("outcomes", "x", "label"), "X | *bold* <b>")
    new = edited(old, ("drivers", "a", "p"), 0.7)
    result = compare(old, new)
    text = markdown(result)
    assert "| outcome | old | new | change (pp) |" in text
    assert "X \\| \\*bold\\* \\<b\\> (`x`)" in text
    assert "| `drivers.a.p` | changed | 0.2 → 0.7 |" in text
    assert "| **total** |" in text
    assert md_escape("a|b") == "a\\|b"
    assert brief({"range": [0.2, 0.4]}) == "{range: [0.2, 0.4]}"
    assert brief({"label": "L", "p": "likely", "causes": {"a": "raises"}}) == (
        "{p: likely, causes: {a: raises}}"
    )
    code = main(
        [
            "diff",
            str(write(tmp_path, "o.yaml", old)),
            str(write(tmp_path, "n.yaml", new)),
            "--markdown",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:-1] == text.splitlines()[:-1]  # the last line holds the time


def test_table_prints_labels_literally(tmp_path, capsys):
    old = edited(BASE, ("outcomes", "x", "label"), "[bold red]not markup[/]")
    new = edited(old, ("drivers", "a", "p"), 0.3)
    code = main(["diff", str(write(tmp_path, "o.yaml", old)), str(write(tmp_path, "n.yaml", new))])
    out = capsys.readouterr().out
    assert code == 0
    assert "[bold red]not markup[/]" in out
    assert "drivers.a.p" in out and "total" in out


def test_bad_input_exits_2_with_the_errors(tmp_path, capsys):
    bad = edited(BASE, ("drivers", "a", "p"), 1.5)
    code = main(["diff", str(write(tmp_path, "o.yaml", BASE)), str(write(tmp_path, "n.yaml", bad))])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        f"{tmp_path / 'n.yaml'}:7:8: drivers.a.p: a probability must lie strictly between 0 and 1,"
        " got 1.5 — write a number strictly between 0 and 1, or a word such as `almost certain`"
    ]
    assert main(["diff", str(tmp_path / "o.yaml")]) == 2
    assert "expected OLD NEW" in capsys.readouterr().err


def test_sources_what_ifs_and_expectations_never_block_an_edit():
    old = _with_driver_c()
    old["what_if"] = {"c_on": {"set": {"c": True}}}
    old["expect"] = {"c_low": {"driver": "c", "at_most": 0.9}}
    new = edited(BASE, ("sources",), {"s2": {"title": "A new source"}})
    new = edited(new, ("drivers", "a", "sources"), ["s2"])
    new = edited(new, ("drivers", "a", "p"), 0.25)
    result = compare(old, new)
    assert [s.edit.path for s in result.edits] == ["drivers.a.p", "drivers.c"]
    assert result.attribution == "shapley" and result.evaluations == 4
