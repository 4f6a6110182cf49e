"""The engine against the independent reference (tests/support/reference.py), from SPEC §4, §11.

Every number fixed: the engine is exact, so it must equal the NumPy enumeration and pgmpy's
variable elimination to 1e-9, on shapes the engine's own tests do not use (chains, colliders,
several parents, several effects per outcome, indicators seen and not seen, soft evidence,
interventions on a child, ``extends``, the dated timeline), on drivers with states, tables and
noisy-OR, outcomes from a driver's states, every way of naming a state (SPEC §11), numbers of
exactly 0 and 1, and on random small networks of both kinds.

Uncertain numbers: the engine samples p(θ | e) (importance sampling, NUTS where prior draws miss
the bar); the reference draws θ from the priors and weights each draw by P(e | θ). The posterior
means must agree within four combined Monte Carlo standard errors, and the 90% intervals loosely.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.inference.answer import Answer
from engine.run import run
from engine.run.result import Result
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario
from tests.support.networks import CERTAIN, state_map
from tests.support.random_networks import scenarios
from tests.support.reference import (
    Evidence,
    Expected,
    Sampled,
    enumerate_posterior,
    evidence_from,
    importance_sampling,
    network_from,
    pgmpy_posterior,
    probability_of,
    timeline_from,
)

EXACT = 1e-9


def write(spec: dict, folder: Path, name: str | None = None) -> Path:
    path = folder / (name or f"{spec['id']}.yaml")
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def run_file(path: Path, **kwargs) -> Result:
    return run(load_scenario(path), scope="results", **kwargs)


def assert_exact(answer: Answer, expected: Expected) -> None:
    """Engine numbers equal the reference's; exact results carry no interval and no error."""
    for kind in ("outcomes", "drivers"):
        got = getattr(answer, kind)
        want = getattr(expected, kind)
        assert list(got) == list(want)
        for name, summary in got.items():
            assert summary.p == pytest.approx(float(want[name]), abs=EXACT), (kind, name)
            assert summary.lo == summary.hi == summary.p and summary.mcse == 0


def both_references(spec: dict, names: list[str] | None = None, do=None) -> Expected:
    """The NumPy enumeration, after checking that pgmpy gives the same numbers."""
    net, evidence = network_from(spec), evidence_from(spec, names)
    mine = enumerate_posterior(net, evidence, do)
    theirs = pgmpy_posterior(net, evidence, do)
    for kind in ("outcomes", "drivers"):
        for name, p in getattr(mine, kind).items():
            assert getattr(theirs, kind)[name] == pytest.approx(p, abs=EXACT), (kind, name)
    return mine


# --- every number fixed -----------------------------------------------------------------------

AS_OF = dt.date(2022, 1, 7)

# a -> b -> c chain; d a collider of a and c; e with three parents; outcomes with several effects.
SHAPES: dict[str, Any] = {
    "signpost": 1,
    "id": "shapes",
    "title": "Chain, collider, several parents",
    "as_of": AS_OF,
    "drivers": {
        "a": {"label": "a", "p": 0.3},
        "b": {"label": "b", "p": 0.4, "causes": {"a": 1.5}},
        "c": {"label": "c", "p": 0.6, "causes": {"b": -1.2}},
        "d": {"label": "d", "p": 0.2, "causes": {"a": 0.8, "c": 1.1}},
        "e": {"label": "e", "p": 0.5, "causes": {"a": -0.6, "b": 0.9, "d": {"odds_ratio": 4}}},
    },
    "outcomes": {
        "rise": {"label": "rise", "drivers": {"a": 1.0, "d": -0.7, "e": {"odds_ratio": 3}}},
        "fall": {"label": "fall", "base": 2, "drivers": {"c": 0.5, "b": -1.0}},
        "flat": {"label": "flat", "base": 0.5},
    },
    "indicators": {
        "sign_a": {"label": "i", "signals": "a", "if_true": 0.8, "if_false": 0.2},
        "sign_d": {"label": "i", "signals": "d", "if_true": 0.7, "if_false": 0.1},
        "sign_e": {"label": "i", "signals": "e", "if_true": 0.4, "if_false": 0.3},
    },
    "evidence": {
        "saw_a": {"indicator": "sign_a", "observed": True, "date": dt.date(2022, 1, 5)},
        "no_d": {"indicator": "sign_d", "observed": False, "date": dt.date(2022, 1, 10)},
        "report_c": {"driver": "c", "likelihood_ratio": 2.5},
        "report_e1": {"driver": "e", "likelihood_ratio": 3, "date": dt.date(2022, 1, 10)},
        "report_e2": {"driver": "e", "likelihood_ratio": 0.5, "date": dt.date(2022, 1, 19)},
        "b_holds": {"driver": "b", "observed": True, "date": dt.date(2022, 1, 19)},
    },
    "what_if": {
        "set_b": {"set": {"b": True}},  # a child of a with hard evidence on it
        "unset_b": {"set": {"b": False}},
        "set_d_and_c": {"set": {"d": False, "c": True}},  # a collider and its parent
    },
}


def test_fixed_shapes_main_and_what_ifs_equal_enumeration_and_pgmpy(tmp_path):
    result = run_file(write(SHAPES, tmp_path))
    assert result.main.diagnostics.method == "exact"
    assert_exact(result.main, both_references(SHAPES))
    for name, what_if in SHAPES["what_if"].items():
        assert_exact(result.what_if[name], both_references(SHAPES, do=what_if["set"]))
    # the JSON carries the same numbers
    out = result.to_dict()
    assert out["outcomes"]["rise"]["p"] == result.main.outcomes["rise"].p
    assert out["what_if"]["set_b"]["drivers"]["b"]["p"] == pytest.approx(1.0, abs=EXACT)


def test_fixed_shapes_influence_equals_enumeration_under_each_intervention(tmp_path):
    """SPEC §9's influence with every number fixed: each driver set true and set false under all
    the other evidence, exact; the analysis answers need only the outcomes, so none carries a
    driver summary (a sum per driver, per setting, that an imported network of hundreds of
    drivers could not afford)."""
    from engine.inference.exact import ExactEvaluator
    from engine.inference.network import network_of

    result = run(load_scenario(write(SHAPES, tmp_path)), scope="all")
    influence = result.to_dict()["influence"]
    assert set(influence) == set(SHAPES["drivers"])
    for driver, row in influence.items():
        sides = {}
        for side, value in (("if_true", True), ("if_false", False)):
            want = both_references(SHAPES, do={driver: value}).outcomes
            assert list(row[side]) == list(want)
            for outcome, p in row[side].items():
                assert p == pytest.approx(float(want[outcome]), abs=EXACT), (driver, side)
            sides[side] = want
        swing = max(
            abs(float(sides["if_true"][k]) - float(sides["if_false"][k])) for k in sides["if_true"]
        )
        assert row["swing"] == pytest.approx(swing, abs=EXACT)
    network = network_of(load_scenario(write(SHAPES, tmp_path)))
    answer = ExactEvaluator(network)(network.setting(do={"b": True}), analysis=True)
    assert answer.drivers == {} and answer.outcomes


@pytest.mark.parametrize(
    "evidence",
    [
        {},
        {"i": {"indicator": "sign_e", "observed": True}},
        {"i": {"indicator": "sign_e", "observed": False}, "j": {"driver": "d", "observed": False}},
        {"i": {"driver": "e", "likelihood_ratio": 0.2}, "j": {"driver": "c", "observed": True}},
        {"i": {"driver": "a", "likelihood_ratio": 5}, "j": {"driver": "a", "likelihood_ratio": 2}},
    ],
    ids=["none", "seen", "not-seen-and-hard", "soft-and-hard", "two-reports"],
)
def test_fixed_shapes_under_other_evidence(tmp_path, evidence):
    spec = {**SHAPES, "evidence": evidence}
    result = run_file(write(spec, tmp_path))
    assert_exact(result.main, both_references(spec))
    for name, what_if in spec["what_if"].items():
        assert_exact(result.what_if[name], both_references(spec, do=what_if["set"]))


CHAIN: dict[str, Any] = {
    "signpost": 1,
    "id": "chain",
    "title": "A cause and its child",
    "drivers": {
        "cause": {"label": "cause", "p": 0.3},
        "child": {"label": "child", "p": 0.1, "causes": {"cause": 3.0}},
    },
    "outcomes": {
        "rise": {"label": "rise", "drivers": {"cause": 2.0}},
        "fall": {"label": "fall", "drivers": {"child": 0.5}},
    },
    "what_if": {"force_child": {"set": {"child": True}}},
}


def test_intervening_on_a_child_leaves_its_cause_alone_but_observing_it_does_not(tmp_path):
    """do(child) keeps P(cause) at its prior; seeing the child raises it (SPEC §4)."""
    done = run_file(write(CHAIN, tmp_path)).what_if["force_child"]
    seen_spec = {**CHAIN, "id": "seen", "evidence": {"e": {"driver": "child", "observed": True}}}
    seen = run_file(write(seen_spec, tmp_path)).main
    assert_exact(done, both_references(CHAIN, do={"child": True}))
    assert_exact(seen, both_references(seen_spec))
    assert done.drivers["cause"].p == pytest.approx(0.3, abs=EXACT)
    # P(cause | child) = 0.3 * s(ln 0.1/0.9 + 3) / P(child)
    on = 1 / (1 + math.exp(-(math.log(0.1 / 0.9) + 3.0)))
    expected = 0.3 * on / (0.3 * on + 0.7 * 0.1)
    assert seen.drivers["cause"].p == pytest.approx(expected, abs=EXACT)
    assert seen.drivers["cause"].p - done.drivers["cause"].p > 0.4
    assert seen.outcomes["rise"].p - done.outcomes["rise"].p > 0.15


def test_what_if_sets_aside_hard_evidence_on_its_driver_only(tmp_path):
    spec = {
        **CHAIN,
        "evidence": {
            "child_not": {"driver": "child", "observed": False},
            "cause_report": {"driver": "cause", "likelihood_ratio": 4},
        },
    }
    result = run_file(write(spec, tmp_path))
    assert_exact(result.what_if["force_child"], both_references(spec, do={"child": True}))
    # the child's evidence is set aside, the report on the cause is not: odds 3/7 * 4
    assert result.what_if["force_child"].drivers["cause"].p == pytest.approx(12 / 19, abs=EXACT)


def test_extends_child_changing_one_number_equals_reference_on_merged_numbers(tmp_path):
    parent = {k: v for k, v in SHAPES.items() if k != "id"}
    write(parent, tmp_path, "_parent.yaml")
    child = {
        "signpost": 1,
        "id": "child",
        "extends": "_parent.yaml",
        "drivers": {"c": {"causes": {"b": 0.7}}},
        "evidence": {"b_holds": None},
    }
    result = run_file(write(child, tmp_path))
    merged = copy.deepcopy(SHAPES)
    merged["drivers"]["c"]["causes"]["b"] = 0.7
    del merged["evidence"]["b_holds"]
    assert_exact(result.main, both_references(merged))
    for name, what_if in merged["what_if"].items():
        assert_exact(result.what_if[name], both_references(merged, do=what_if["set"]))
    # and the change matters
    assert abs(result.main.drivers["c"].p - float(both_references(SHAPES).drivers["c"])) > 0.05


def test_timeline_points_use_only_evidence_dated_on_or_before_them(tmp_path):
    result = run_file(write(SHAPES, tmp_path))
    expected = timeline_from(SHAPES)
    assert [when for when, _ in expected] == [
        dt.date(2022, 1, 5), AS_OF, dt.date(2022, 1, 10), dt.date(2022, 1, 19)
    ]  # fmt: skip
    assert expected[0][1] == ["saw_a"]  # undated evidence counts from as_of only
    assert [p.date for p in result.timeline] == [when for when, _ in expected]
    for point, (when, names) in zip(result.timeline, expected):
        assert sorted(point.evidence) == sorted(names), when
        assert_exact(point.answer, both_references(SHAPES, names))
    assert result.timeline[-1].answer.outcomes == result.main.outcomes
    steps = [p.answer.outcomes["rise"].p for p in result.timeline]
    assert len(set(steps)) == len(steps)  # each new date moves the answer


# --- random small networks --------------------------------------------------------------------


@st.composite
def networks(draw) -> dict:
    """A random scenario with every number fixed: 2-6 drivers, a random DAG, random evidence."""
    n = draw(st.integers(2, 6))
    names = [f"d{i}" for i in range(n)]
    prob = st.floats(0.03, 0.97)
    weight = st.floats(-3.0, 3.0)
    drivers = {}
    for i, name in enumerate(names):
        parents = draw(st.lists(st.sampled_from(names[:i]), unique=True)) if i else []
        drivers[name] = {"label": name, "p": draw(prob)}
        if parents:
            drivers[name]["causes"] = {q: draw(weight) for q in parents}
    outcomes = {}
    for k in range(draw(st.integers(2, 4))):
        pushed = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
        outcomes[f"y{k}"] = {
            "label": f"y{k}",
            "base": draw(st.floats(0.2, 5.0)),
            "drivers": {d: draw(weight) for d in pushed},
        }
    indicators = {
        f"i{m}": {"label": "i", "signals": draw(st.sampled_from(names)),
                  "if_true": draw(prob), "if_false": draw(prob)}
        for m in range(draw(st.integers(0, 3)))
    }  # fmt: skip
    evidence = {}
    for m, name in enumerate(indicators):
        if draw(st.booleans()):
            evidence[f"seen{m}"] = {"indicator": name, "observed": draw(st.booleans())}
    for d in draw(st.lists(st.sampled_from(names), unique=True, max_size=2)):
        evidence[f"hard_{d}"] = {"driver": d, "observed": draw(st.booleans())}
    for m, d in enumerate(draw(st.lists(st.sampled_from(names), max_size=3))):
        evidence[f"soft{m}"] = {"driver": d, "likelihood_ratio": draw(st.floats(0.1, 10.0))}
    target = draw(st.sampled_from(names))
    return {
        "signpost": 1,
        "id": "random",
        "title": "random",
        "drivers": drivers,
        "outcomes": outcomes,
        "indicators": indicators,
        "evidence": evidence,
        "what_if": {"w": {"set": {target: draw(st.booleans())}}},
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_random_fixed_networks_equal_enumeration_and_pgmpy(spec):
    result = run(Scenario.model_validate(spec), scope="results")
    assert_exact(result.main, both_references(spec))
    do = spec["what_if"]["w"]["set"]
    assert_exact(result.what_if["w"], both_references(spec, do=do))


# --- uncertain numbers: NUTS against importance sampling --------------------------------------

DRAWS = {"draws": 1000, "tune": 500, "chains": 2, "seed": 11}
PRIOR_DRAWS = 20_000

# One structure for every sampled test (one compilation): every kind of prior, a chain a -> b -> d,
# a collider d of b and c, indicators seen and not seen, a soft report, dated evidence.
UNCERTAIN: dict[str, Any] = {
    "signpost": 1,
    "id": "uncertain",
    "title": "Words, ranges, beta and normal priors",
    "as_of": AS_OF,
    "drivers": {
        "a": {"label": "a", "p": "unlikely"},
        "b": {"label": "b", "p": {"range": [0.15, 0.4]}, "causes": {"a": "strongly raises"}},
        "c": {"label": "c", "p": {"beta": [2, 5]}},
        "d": {
            "label": "d",
            "p": "likely",
            "causes": {"b": {"normal": [-1.0, 0.4]}, "c": {"range": [0.5, 2.0]}},
        },
    },
    "outcomes": {
        "rise": {"label": "rise", "drivers": {"a": "raises", "d": {"range": [0.5, 1.5]}}},
        "fall": {"label": "fall", "base": 1.5, "drivers": {"c": "lowers", "b": "slightly raises"}},
        "flat": {"label": "flat", "drivers": {"d": {"odds_ratio": 0.5}}},
    },
    "indicators": {
        "sign_b": {
            "label": "i", "signals": "b", "if_true": "likely", "if_false": {"range": [0.1, 0.3]}
        },
        "sign_d": {"label": "i", "signals": "d", "if_true": 0.7, "if_false": "unlikely"},
    },
    "evidence": {
        "report_a": {"driver": "a", "likelihood_ratio": 2},
        "saw_b": {"indicator": "sign_b", "observed": True, "date": dt.date(2022, 1, 10)},
        "no_d": {"indicator": "sign_d", "observed": False, "date": dt.date(2022, 1, 12)},
    },
    "what_if": {
        "set_b": {"set": {"b": True}},  # a child: its cause a must not move
        "unset_d": {"set": {"d": False}},
    },
}  # fmt: skip


def assert_matches_sampling(answer: Answer, reference: Sampled, where: str) -> None:
    """Means within 4 combined MCSEs; 90% intervals within 0.03; the run reliable."""
    assert answer.reliable, where
    assert reference.ess > 1000, where  # enough weight in the prior draws to trust the reference
    for kind in ("outcomes", "drivers"):
        for name, summary in getattr(answer, kind).items():
            ref = getattr(reference, kind)[name]
            tolerance = 4 * math.hypot(summary.mcse, ref.mcse) + 1e-12  # a state observed: 1
            label = f"{where} {kind}.{name}: engine {summary.p:.4f} ± {summary.mcse:.4f}, "
            label += f"reference {ref.p:.4f} ± {ref.mcse:.4f}"
            assert abs(summary.p - ref.p) <= tolerance, label
            assert summary.lo == pytest.approx(ref.lo, abs=0.03), f"{label}; lo {summary.lo}"
            assert summary.hi == pytest.approx(ref.hi, abs=0.03), f"{label}; hi {summary.hi}"


@pytest.fixture(scope="module")
def uncertain_result(tmp_path_factory) -> Result:
    folder = tmp_path_factory.mktemp("uncertain")
    return run_file(write(UNCERTAIN, folder), **DRAWS)


def test_sampled_main_result_matches_importance_sampling(uncertain_result):
    reference = importance_sampling(UNCERTAIN, evidence_from(UNCERTAIN), size=PRIOR_DRAWS)
    assert_matches_sampling(uncertain_result.main, reference, "main")


def test_sampled_what_ifs_match_and_do_differs_from_see(uncertain_result):
    for name, what_if in UNCERTAIN["what_if"].items():
        reference = importance_sampling(
            UNCERTAIN, evidence_from(UNCERTAIN), what_if["set"], size=PRIOR_DRAWS, seed=1
        )
        assert_matches_sampling(uncertain_result.what_if[name], reference, name)
    # seeing b (instead of setting it) raises a: the engine's do-number must not show that
    seen = evidence_from(UNCERTAIN)
    seen.hard["b"] = True
    see = importance_sampling(UNCERTAIN, seen, size=PRIOR_DRAWS, seed=2).drivers["a"]
    done = uncertain_result.what_if["set_b"].drivers["a"]
    assert see.p - done.p > 10 * math.hypot(see.mcse, done.mcse) and see.p - done.p > 0.1


def test_sampled_timeline_matches_importance_sampling(uncertain_result):
    expected = timeline_from(UNCERTAIN)
    assert [p.date for p in uncertain_result.timeline] == [when for when, _ in expected]
    for point, (when, names) in zip(uncertain_result.timeline, expected):
        assert sorted(point.evidence) == sorted(names)
        reference = importance_sampling(
            UNCERTAIN, evidence_from(UNCERTAIN, names), size=PRIOR_DRAWS, seed=3
        )
        assert_matches_sampling(point.answer, reference, f"timeline {when}")


def test_sampled_extends_variant_matches_importance_sampling_on_merged_numbers(tmp_path):
    """A child changing one word: same graph (no new compilation), the merged numbers."""
    write({k: v for k, v in UNCERTAIN.items() if k != "id"}, tmp_path, "_parent.yaml")
    child = {
        "signpost": 1,
        "id": "variant",
        "extends": "_parent.yaml",
        "drivers": {"c": {"p": "very likely"}},
    }
    result = run(load_scenario(write(child, tmp_path)), scope="main", **DRAWS)
    merged = copy.deepcopy(UNCERTAIN)
    merged["drivers"]["c"]["p"] = "very likely"
    reference = importance_sampling(merged, evidence_from(merged), size=PRIOR_DRAWS, seed=4)
    assert_matches_sampling(result.main, reference, "variant")
    assert reference.drivers["c"].p > 0.7  # the change is visible


def test_importance_sampling_of_fixed_numbers_is_the_enumeration():
    """The reference's two halves agree: with fixed numbers every weight is the same draw."""
    reference = importance_sampling(CHAIN, Evidence(hard={"child": True}), size=10)
    exact = enumerate_posterior(network_from(CHAIN), Evidence(hard={"child": True}))
    for name, value in exact.drivers.items():
        assert reference.drivers[name].p == pytest.approx(float(value), abs=1e-12)
        assert reference.drivers[name].mcse == pytest.approx(0.0, abs=1e-12)
    assert np.isclose(reference.ess, 10)


# --- states, tables, noisy-OR, outcomes_from (SPEC §11), every number fixed -------------------
#
# Scenarios are loaded with Scenario.model_validate (valid by construction) and run as the
# runner runs a loaded file.


def run_spec(spec: dict, scope: str = "results", **kwargs) -> Result:
    return run(Scenario.model_validate(spec), scope=scope, **kwargs)


# fuel -> posture (3 states, causes on two of them) -> defections (a binary table on posture);
# unrest a noisy-OR of fuel, a state of posture and defections; alignment a multi-state table on
# fuel and posture, its rows written with the parents in either order.
STATES: dict[str, Any] = {
    "signpost": 1,
    "id": "states",
    "title": "States, tables and noisy-OR",
    "as_of": AS_OF,
    "drivers": {
        "fuel": {"label": "fuel", "p": 0.4},
        "posture": {"label": "posture", "states": state_map(
            withdrawn=0.6,
            garrison={"p": 0.3, "causes": {"fuel": 0.8}},
            expanded={"p": 0.1, "causes": {"fuel=false": -0.6}},
        )},
        "defections": {"label": "defections", "table": {
            "posture=withdrawn": 0.1, "posture=garrison": 0.3, "posture=expanded": 0.7,
        }},
        "unrest": {"label": "unrest", "noisy_or": {
            "leak": 0.05, "fuel": 0.5, "posture=expanded": 0.4, "defections": 0.3,
        }},
        "alignment": {"label": "alignment", "states": state_map(soft={}, firm={}, hard={}),
                      "table": {
            "fuel=true posture=withdrawn": {"soft": 0.5, "firm": 0.3, "hard": 0.2},
            "posture=garrison fuel=true": {"soft": 0.2, "firm": 0.5, "hard": 0.3},
            "fuel=true posture=expanded": {"soft": 0.1, "firm": 0.2, "hard": 0.7},
            "posture=withdrawn fuel=false": {"soft": 0.7, "firm": 0.2, "hard": 0.1},
            "fuel=false posture=garrison": {"hard": 0.4, "soft": 0.3, "firm": 0.3},
            "fuel=false posture=expanded": {"soft": 0.05, "firm": 0.15, "hard": 0.8},
        }},
    },
    "outcomes": {
        "tethered": {"label": "t", "drivers": {
            "posture=garrison": 1.2, "alignment=hard": 0.8, "unrest": -0.5,
        }},
        "alienation": {"label": "a", "base": 0.7, "drivers": {
            "posture=expanded": 1.5, "unrest=true": 1.0, "defections=false": -0.3,
        }},
        "balancing": {"label": "b"},
    },
    "indicators": {
        "troops_leave": {"label": "i", "signals": "posture=withdrawn", "if_true": 0.9,
                         "if_false": 0.2},
        "strikes": {"label": "i", "signals": "unrest", "if_true": 0.7, "if_false": 0.1},
        "firm_words": {"label": "i", "signals": "alignment=firm", "if_true": 0.6,
                       "if_false": 0.3},
    },
    "evidence": {
        "no_leave": {"indicator": "troops_leave", "observed": False, "date": dt.date(2022, 1, 5)},
        "no_expansion": {"driver": "posture=expanded", "observed": False,
                         "date": dt.date(2022, 1, 10)},
        "strikes_seen": {"indicator": "strikes", "observed": True, "date": dt.date(2022, 1, 10)},
        "report_garrison": {"driver": "posture=garrison", "likelihood_ratio": 2.5},
        "report_firm": {"driver": "alignment=firm", "likelihood_ratio": 0.5,
                        "date": dt.date(2022, 1, 19)},
        "report_no_fuel": {"driver": "fuel=false", "likelihood_ratio": 1.5},
        "defections_seen": {"driver": "defections", "observed": True,
                            "date": dt.date(2022, 1, 19)},
    },
    "what_if": {
        "garrison": {"set": {"posture": "garrison"}},  # hard evidence on posture set aside
        "hard_line": {"set": {"alignment": "hard"}},
        "calm": {"set": {"unrest": False, "fuel": True}},
    },
}  # fmt: skip

STATES_FROM_POSTURE = {
    **{k: v for k, v in STATES.items() if k != "outcomes"},
    "id": "from-posture",
    "outcomes_from": "posture",
}
STATES_FROM_UNREST = {
    **{k: v for k, v in STATES.items() if k != "outcomes"},
    "id": "from-unrest",
    "outcomes_from": "unrest",
}

FIXED_STATES = {
    "states": STATES,
    "from_posture": STATES_FROM_POSTURE,
    "from_unrest": STATES_FROM_UNREST,
    "certain": CERTAIN,
}


@pytest.mark.parametrize("name", FIXED_STATES)
def test_fixed_states_main_and_what_ifs_equal_enumeration_and_pgmpy(name):
    spec = FIXED_STATES[name]
    result = run_spec(spec)
    assert result.main.diagnostics.method == "exact"
    assert_exact(result.main, both_references(spec))
    for what_if, item in spec["what_if"].items():
        assert_exact(result.what_if[what_if], both_references(spec, do=item["set"]))


def test_fixed_states_json_names_each_state_of_a_multi_state_driver():
    """SPEC §11.6: ``X`` for a binary driver, ``X=s`` for every state of another."""
    out = run_spec(STATES).to_dict()
    assert list(out["drivers"]) == [
        "fuel", "posture=withdrawn", "posture=garrison", "posture=expanded", "defections",
        "unrest", "alignment=soft", "alignment=firm", "alignment=hard",
    ]  # fmt: skip
    expected = both_references(STATES)
    for key, summary in out["drivers"].items():
        assert summary["p"] == pytest.approx(expected.drivers[key], abs=EXACT)
        assert summary["lo"] == summary["hi"] == summary["p"] and summary["mcse"] == 0
    assert out["drivers"]["posture=expanded"]["p"] == 0  # observed not to hold
    garrison = out["what_if"]["garrison"]["drivers"]
    assert garrison["posture=garrison"]["p"] == pytest.approx(1.0, abs=EXACT)


@pytest.mark.parametrize(
    "evidence",
    [
        {},
        {"i": {"driver": "posture", "observed": "garrison"}},
        {"i": {"driver": "posture=withdrawn", "observed": False},
         "j": {"driver": "posture=garrison", "observed": False}},
        {"i": {"driver": "alignment=soft", "observed": True},
         "j": {"driver": "unrest", "observed": False}},
        {"i": {"indicator": "firm_words", "observed": False},
         "j": {"driver": "fuel=false", "observed": True}},
        {"i": {"driver": "alignment=hard", "likelihood_ratio": 4},
         "j": {"driver": "alignment=hard", "likelihood_ratio": 0.5},
         "k": {"driver": "defections=false", "likelihood_ratio": 3}},
    ],
    ids=["none", "observed-state", "two-states-ruled-out", "state-observed-true",
         "not-seen-and-false", "reports-on-states"],
)  # fmt: skip
def test_fixed_states_under_other_evidence(evidence):
    for base in (STATES, STATES_FROM_POSTURE):
        spec = {**base, "evidence": evidence}
        result = run_spec(spec)
        assert_exact(result.main, both_references(spec))
        for name, what_if in spec["what_if"].items():
            assert_exact(result.what_if[name], both_references(spec, do=what_if["set"]))


def test_fixed_states_timeline_uses_only_evidence_dated_on_or_before_each_point():
    result = run_spec(STATES)
    expected = timeline_from(STATES)
    assert [p.date for p in result.timeline] == [when for when, _ in expected]
    assert len(expected) == 4
    for point, (when, names) in zip(result.timeline, expected):
        assert sorted(point.evidence) == sorted(names), when
        assert_exact(point.answer, both_references(STATES, names))
    steps = [p.answer.outcomes["tethered"].p for p in result.timeline]
    assert len(set(steps)) == len(steps)


def test_expectations_on_states_bound_the_reference_probabilities():
    """SPEC §5, §11.2: `driver: X=s`, `X=false` and `X` name P(X = s), P(X false), P(X holds);
    `outcome: true` names a binary outcomes_from's `true`."""
    bounds = {
        "garrison": {"driver": "posture=garrison", "at_most": 0.9},
        "no_fuel": {"driver": "fuel=false", "at_least": 0.1},
        "fuel": {"driver": "fuel", "between": [0.01, 0.99]},
        "hard_if": {"driver": "alignment=hard", "what_if": "garrison", "at_least": 0.05},
        "unrest": {"outcome": True, "at_least": 0.05},
    }
    spec = {**STATES_FROM_UNREST, "expect": bounds}
    result = run_spec(spec)
    main = enumerate_posterior(network_from(spec), evidence_from(spec))
    garrison = both_references(spec, do=spec["what_if"]["garrison"]["set"])
    want = {
        "garrison": probability_of(main, "posture=garrison"),
        "no_fuel": probability_of(main, "fuel=false"),
        "fuel": probability_of(main, "fuel"),
        "hard_if": probability_of(garrison, "alignment=hard"),
        "unrest": main.outcomes["true"],
    }
    assert want["no_fuel"] == pytest.approx(1 - want["fuel"], abs=EXACT)
    for name, value in want.items():
        assert result.expect[name].value == pytest.approx(value, abs=EXACT), name


def test_closed_forms_of_states_noisy_or_and_outcomes_from():
    """Numbers by hand: a state ruled out renormalises the others; noisy-OR with a leak;
    `outcomes_from` a binary driver gives its `true` the chance that it holds."""
    spec = {
        "signpost": 1, "id": "closed", "title": "closed forms",
        "drivers": {
            "a": {"label": "a", "p": 0.4},
            "posture": {"label": "p", "states": state_map(w=0.5, g=0.3, e=0.2)},
            "n": {"label": "n", "noisy_or": {"leak": 0.1, "a": 0.3, "posture=e": 0.5}},
        },
        "outcomes_from": "n",
        "evidence": {"not_w": {"driver": "posture=w", "observed": False}},
        "what_if": {"e": {"set": {"posture": "e"}}},
    }  # fmt: skip
    result = run_spec(spec)
    drivers = result.main.drivers
    assert drivers["posture=w"].p == 0
    assert drivers["posture=g"].p == pytest.approx(0.6, abs=EXACT)
    assert drivers["posture=e"].p == pytest.approx(0.4, abs=EXACT)
    # P(n) = 1 - (1 - 0.1) E[1 - 0.3 a] E[1 - 0.5 [e]] with P(a) = 0.4, P(e) = 0.4
    p_n = 1 - 0.9 * (1 - 0.3 * 0.4) * (1 - 0.5 * 0.4)
    assert drivers["n"].p == pytest.approx(p_n, abs=EXACT)
    assert list(result.main.outcomes) == ["true", "false"]
    assert result.main.outcomes["true"].p == pytest.approx(p_n, abs=EXACT)
    assert result.main.outcomes["false"].p == pytest.approx(1 - p_n, abs=EXACT)
    p_n_if_e = 1 - 0.9 * (1 - 0.3 * 0.4) * 0.5
    assert result.what_if["e"].outcomes["true"].p == pytest.approx(p_n_if_e, abs=EXACT)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(certain=True))
def test_random_fixed_scenarios_with_states_equal_enumeration_and_pgmpy(spec):
    do = spec["what_if"]["w"]["set"]
    net, evidence = network_from(spec), evidence_from(spec)
    assume(enumerate_posterior(net, evidence).evidence > 1e-12)  # evidence that can hold
    assume(enumerate_posterior(net, evidence, do).evidence > 1e-12)
    result = run_spec(spec)
    assert_exact(result.main, both_references(spec))
    assert_exact(result.what_if["w"], both_references(spec, do=do))


# --- states with uncertain numbers: importance sampling against the reference's ----------------

UNCERTAIN_STATES: dict[str, Any] = {
    "signpost": 1,
    "id": "uncertain-states",
    "title": "Words and ranges on states, table cells and noisy-OR",
    "as_of": AS_OF,
    "drivers": {
        "fuel": {"label": "fuel", "p": "unlikely"},
        "posture": {"label": "posture", "states": state_map(
            withdrawn="likely",
            garrison={"p": {"range": [0.2, 0.4]}, "causes": {"fuel": "raises"}},
            expanded={"p": "very unlikely", "causes": {"fuel=false": {"normal": [-0.5, 0.3]}}},
        )},
        "defections": {"label": "defections", "table": {
            "posture=withdrawn": "very unlikely", "posture=garrison": {"beta": [2, 5]},
            "posture=expanded": 0.6,
        }},
        "unrest": {"label": "unrest", "noisy_or": {
            "leak": {"range": [0.02, 0.1]}, "fuel": "likely",
            "posture=expanded": "roughly even chance", "defections": 0.3,
        }},
        "level": {"label": "level", "states": state_map(lo={}, hi={}), "table": {
            "fuel=true": {"lo": "likely", "hi": "unlikely"},
            "fuel=false": {"lo": 0.3, "hi": 0.7},
        }},
    },
    "outcomes": {
        "rise": {"label": "rise", "drivers": {
            "posture=garrison": "raises", "unrest": {"range": [0.5, 1.5]},
            "level=hi": "slightly raises",
        }},
        "fall": {"label": "fall", "base": 1.5, "drivers": {"posture=expanded": "strongly raises"}},
        "flat": {"label": "flat"},
    },
    "indicators": {
        "leave": {"label": "i", "signals": "posture=withdrawn", "if_true": "very likely",
                  "if_false": {"range": [0.1, 0.3]}},
        "strikes": {"label": "i", "signals": "unrest", "if_true": 0.7, "if_false": "unlikely"},
    },
    "evidence": {
        "report_garrison": {"driver": "posture=garrison", "likelihood_ratio": 2},
        "no_leave": {"indicator": "leave", "observed": False, "date": dt.date(2022, 1, 10)},
        "strikes_seen": {"indicator": "strikes", "observed": True, "date": dt.date(2022, 1, 12)},
        "level_hi": {"driver": "level=lo", "observed": False, "date": dt.date(2022, 1, 12)},
    },
    "what_if": {
        "garrison": {"set": {"posture": "garrison"}},  # a child of fuel: fuel must not move
        "calm": {"set": {"unrest": False}},
    },
    "inference": {"method": "importance"},  # the same numbers without a NUTS compilation
}  # fmt: skip

UNCERTAIN_FROM_POSTURE = {
    **{k: v for k, v in UNCERTAIN_STATES.items() if k != "outcomes"},
    "id": "uncertain-from-posture",
    "outcomes_from": "posture",
}


@pytest.fixture(scope="module", params=["outcomes", "outcomes_from"])
def uncertain_states(request) -> tuple[dict, Result]:
    spec = UNCERTAIN_STATES if request.param == "outcomes" else UNCERTAIN_FROM_POSTURE
    return spec, run_spec(spec, **DRAWS)


def test_sampled_states_main_and_what_ifs_match_importance_sampling(uncertain_states):
    spec, result = uncertain_states
    assert result.main.diagnostics.method == "importance"
    reference = importance_sampling(spec, evidence_from(spec), size=PRIOR_DRAWS)
    assert_matches_sampling(result.main, reference, "main")
    for name, what_if in spec["what_if"].items():
        reference = importance_sampling(
            spec, evidence_from(spec), what_if["set"], size=PRIOR_DRAWS, seed=1
        )
        assert_matches_sampling(result.what_if[name], reference, name)


def test_sampled_states_timeline_matches_importance_sampling(uncertain_states):
    spec, result = uncertain_states
    expected = timeline_from(spec)
    assert [p.date for p in result.timeline] == [when for when, _ in expected]
    for point, (when, names) in zip(result.timeline, expected):
        reference = importance_sampling(spec, evidence_from(spec, names), size=PRIOR_DRAWS, seed=3)
        assert_matches_sampling(point.answer, reference, f"timeline {when}")


def test_sampled_states_do_differs_from_see(uncertain_states):
    """Seeing posture = garrison raises fuel (its cause); setting it must not."""
    spec, result = uncertain_states
    seen = evidence_from(spec)
    seen.hard["posture"] = "garrison"
    see = importance_sampling(spec, seen, size=PRIOR_DRAWS, seed=2).drivers["fuel"]
    done = result.what_if["garrison"].drivers["fuel"]
    assert see.p - done.p > 10 * math.hypot(see.mcse, done.mcse) and see.p - done.p > 0.05


def test_importance_sampling_of_fixed_states_is_the_enumeration():
    """The reference's two halves agree on a multi-state network with fixed numbers."""
    evidence = evidence_from(STATES)
    reference = importance_sampling(STATES, evidence, size=10)
    exact = enumerate_posterior(network_from(STATES), evidence)
    assert list(reference.drivers) == list(exact.drivers)
    for name, value in exact.drivers.items():
        assert reference.drivers[name].p == pytest.approx(float(value), abs=1e-12)
        assert reference.drivers[name].mcse == pytest.approx(0.0, abs=1e-12)
