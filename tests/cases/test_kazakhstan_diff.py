"""A diff between two versions of the Kazakhstan baseline, checked against the reference's
independent enumeration (SPEC §4, §11).

The baseline (``extends`` merged in) has every uncertain number replaced by its prior's mean, so
both versions run exactly; the second version makes three edits: an effect on the chance that
the mission expands (a state of the three-state ``posture``), a new piece of evidence, and an
effect of that state on an outcome. The numbers come from the reference's enumeration
(``tests/support/reference.py``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from itertools import combinations, permutations

import pytest
import yaml

from engine.cli import main
from engine.scenario.merge import load_document
from engine.scenario.values import Fixed, effect_prior, probability_prior
from tests.support import SCENARIOS
from tests.support.reference import enumerate_posterior, evidence_from, network_from

BASELINE = SCENARIOS / "kazakhstan" / "baseline.yaml"


def fixed_probability(value) -> float:
    prior = probability_prior(value)
    return prior.value if isinstance(prior, Fixed) else prior.mean


def fixed_effect(value) -> float:
    prior = effect_prior(value)
    return prior.value if isinstance(prior, Fixed) else prior.mean


def _fixed_driver(driver: dict) -> dict:
    """A driver with its numbers at their prior means; a multi-state driver's chances divided
    by their sum (fixed chances must add up to 1, SPEC §11.1)."""
    if "states" not in driver:
        causes = {k: fixed_effect(v) for k, v in (driver.get("causes") or {}).items()}
        return {**driver, "p": fixed_probability(driver["p"]), "causes": causes}
    chances = {s: fixed_probability(state["p"]) for s, state in driver["states"].items()}
    states = {}
    for s, state in driver["states"].items():
        causes = {k: fixed_effect(v) for k, v in (state.get("causes") or {}).items()}
        states[s] = {**state, "p": chances[s] / sum(chances.values()), "causes": causes}
    return {**driver, "states": states}


def fixed_baseline() -> dict:
    data = copy.deepcopy(load_document(BASELINE).data)
    data["drivers"] = {name: _fixed_driver(d) for name, d in data["drivers"].items()}
    for outcome in data["outcomes"].values():
        outcome["drivers"] = {k: fixed_effect(v) for k, v in (outcome.get("drivers") or {}).items()}
    for indicator in data["indicators"].values():
        indicator["if_true"] = fixed_probability(indicator["if_true"])
        indicator["if_false"] = fixed_probability(indicator["if_false"])
    return data


def expansion_likelier(data):
    data["drivers"]["posture"]["states"]["expanded"]["causes"]["security_defections"] = 4.0


def protests_seen(data):
    data["evidence"]["protests_seen"] = {
        "label": "Anti-Russian protests draw large crowds",
        "indicator": "anti_russian_protests",
        "observed": True,
        "date": dt.date(2022, 1, 12),
    }


def weaker_alienation(data):
    data["outcomes"]["alienation"]["drivers"]["posture=expanded"] = 1.0


EDITS = {
    "drivers.posture.states.expanded.causes.security_defections": expansion_likelier,
    "evidence.protests_seen": protests_seen,
    "outcomes.alienation.drivers.posture=expanded": weaker_alienation,
}


def with_edits(base: dict, names) -> dict:
    data = copy.deepcopy(base)
    for name in names:
        EDITS[name](data)
    return data


def enumerate_outcomes(data: dict) -> dict[str, float]:
    """P(Y = k | evidence) by summing over every combination of the drivers' states: the
    reference's enumeration, straight from SPEC §4 and §11."""
    answer = enumerate_posterior(network_from(data), evidence_from(data))
    return {k: float(p) for k, p in answer.outcomes.items()}


def shapley_by_orders(base: dict) -> dict[str, dict[str, float]]:
    """Each edit's average marginal change over all 3! orders, from the enumeration."""
    names = list(EDITS)
    values = {
        frozenset(s): enumerate_outcomes(with_edits(base, s))
        for size in range(len(names) + 1)
        for s in combinations(names, size)
    }
    orders = list(permutations(names))
    shares = {}
    for name in names:
        share = dict.fromkeys(base["outcomes"], 0.0)
        for order in orders:
            before = frozenset(order[: order.index(name)])
            for k in share:
                share[k] += (values[before | {name}][k] - values[before][k]) / len(orders)
        shares[name] = share
    return shares


def test_kazakhstan_diff_matches_independent_enumeration(tmp_path, capsys):
    old = fixed_baseline()
    new = with_edits(old, EDITS)
    new["id"] = "kz-2022-baseline-edited"
    for name, data in (("old.yaml", old), ("new.yaml", new)):
        (tmp_path / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code = main(["diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["method"] == "shapley" and out["exact"] is True
    assert out["old"]["id"] == "kz-2022-baseline"
    assert out["new"]["id"] == "kz-2022-baseline-edited"
    expected_old, expected_new = enumerate_outcomes(old), enumerate_outcomes(new)
    for k in old["outcomes"]:
        assert out["old"]["outcomes"][k] == pytest.approx(expected_old[k], abs=1e-10)
        assert out["new"]["outcomes"][k] == pytest.approx(expected_new[k], abs=1e-10)
        assert out["change"][k] == pytest.approx(expected_new[k] - expected_old[k], abs=1e-10)
    edits = {e["path"]: e for e in out["edits"]}
    assert set(edits) == set(EDITS)
    assert edits["drivers.posture.states.expanded.causes.security_defections"]["kind"] == "changed"
    assert edits["evidence.protests_seen"]["kind"] == "added"
    expected_shares = shapley_by_orders(old)
    for path, edit in edits.items():
        for k, change in edit["change"].items():
            assert change == pytest.approx(expected_shares[path][k], abs=1e-10)
    for k, change in out["change"].items():
        assert sum(e["change"][k] for e in out["edits"]) == pytest.approx(change, abs=1e-12)
    # the edits matter: the expansion and the protests move alienation up
    assert out["change"]["alienation"] > 0.05
