"""A diff between two versions of the Kazakhstan baseline, checked against an independent
enumeration written here from SPEC §4.

The baseline (``extends`` resolved) has every uncertain number replaced by its prior's mean, so
both versions run exactly; the second version makes three edits: the chance that the mission
expands, a new piece of evidence, and an effect on an outcome.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from itertools import combinations, permutations, product

import pytest
import yaml

from engine.cli import main
from engine.scenario.merge import load_document
from engine.scenario.values import Fixed, effect_prior, probability_prior
from tests.support import SCENARIOS

BASELINE = SCENARIOS / "kazakhstan" / "baseline.yaml"


def fixed_probability(value) -> float:
    prior = probability_prior(value)
    return prior.value if isinstance(prior, Fixed) else prior.mean


def fixed_effect(value) -> float:
    prior = effect_prior(value)
    return prior.value if isinstance(prior, Fixed) else prior.mean


def fixed_baseline() -> dict:
    data = copy.deepcopy(load_document(BASELINE).data)
    for driver in data["drivers"].values():
        driver["p"] = fixed_probability(driver["p"])
        driver["causes"] = {k: fixed_effect(v) for k, v in (driver.get("causes") or {}).items()}
    for outcome in data["outcomes"].values():
        outcome["drivers"] = {k: fixed_effect(v) for k, v in (outcome.get("drivers") or {}).items()}
    for indicator in data["indicators"].values():
        indicator["if_true"] = fixed_probability(indicator["if_true"])
        indicator["if_false"] = fixed_probability(indicator["if_false"])
    return data


def expansion_even(data):
    data["drivers"]["mission_expansion"]["p"] = 0.5


def protests_seen(data):
    data["evidence"]["protests_seen"] = {
        "label": "Anti-Russian protests draw large crowds",
        "indicator": "anti_russian_protests",
        "observed": True,
        "date": dt.date(2022, 1, 12),
    }


def weaker_alienation(data):
    data["outcomes"]["alienation"]["drivers"]["mission_expansion"] = 1.0


EDITS = {
    "drivers.mission_expansion.p": expansion_even,
    "evidence.protests_seen": protests_seen,
    "outcomes.alienation.drivers.mission_expansion": weaker_alienation,
}


def with_edits(base: dict, names) -> dict:
    data = copy.deepcopy(base)
    for name in names:
        EDITS[name](data)
    return data


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def enumerate_outcomes(data: dict) -> dict[str, float]:
    """P(Y = k | evidence) by summing over every driver state, straight from SPEC §4."""
    drivers, outcomes = data["drivers"], data["outcomes"]
    totals = dict.fromkeys(outcomes, 0.0)
    for values in product((0, 1), repeat=len(drivers)):
        state = dict(zip(drivers, values))
        weight = 1.0
        for name, driver in drivers.items():
            p = driver["p"]
            logit = math.log(p / (1 - p))
            logit += sum(w * state[parent] for parent, w in driver["causes"].items())
            holds = sigmoid(logit)
            weight *= holds if state[name] else 1 - holds
        for item in data["evidence"].values():
            if "indicator" in item:
                indicator = data["indicators"][item["indicator"]]
                seen = (
                    indicator["if_true"] if state[indicator["signals"]] else indicator["if_false"]
                )
                weight *= seen if item["observed"] else 1 - seen
            elif "observed" in item:
                weight *= float(state[item["driver"]] == item["observed"])
            else:
                weight *= item["likelihood_ratio"] ** state[item["driver"]]
        scores = {
            k: o.get("base", 1) * math.exp(sum(v * state[d] for d, v in o["drivers"].items()))
            for k, o in outcomes.items()
        }
        total = sum(scores.values())
        for k, score in scores.items():
            totals[k] += weight * score / total
    norm = sum(totals.values())
    return {k: v / norm for k, v in totals.items()}


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
    assert edits["drivers.mission_expansion.p"]["kind"] == "changed"
    assert edits["evidence.protests_seen"]["kind"] == "added"
    expected_shares = shapley_by_orders(old)
    for path, edit in edits.items():
        for k, change in edit["change"].items():
            assert change == pytest.approx(expected_shares[path][k], abs=1e-10)
    for k, change in out["change"].items():
        assert sum(e["change"][k] for e in out["edits"]) == pytest.approx(change, abs=1e-12)
    # the edits matter: the expansion and the protests move alienation up
    assert out["change"]["alienation"] > 0.05
