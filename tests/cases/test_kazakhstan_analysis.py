"""The real Kazakhstan baseline: ranked drivers and signposts against the one reference.

The reference (``tests/support/reference.py``) enumerates the driver states itself, straight
from SPEC §4, §9 and §11 (the pack's ``posture`` has three states), vectorised over draws of
the numbers. Two checks:

- the baseline with every number fixed (at the middle of its word's range, or the effect word's
  mean): the engine is exact, so influence, signposts and band-crossing agree to 1e-9;
- the baseline as shipped (uncertain numbers): against importance sampling from the priors,
  weighted by P(evidence | numbers), within a Monte Carlo tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.run import run
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario
from tests.support import SCENARIOS
from tests.support.reference import (
    EFFECT_WORDS,
    PROBABILITY_WORDS,
    effective_size,
    enumerate_posterior,
    evidence_from,
    mutual_information,
    mutual_information_of,
    network_from,
    posterior_mean,
    prior_sampler,
    word_for,
)

BASELINE = SCENARIOS / "kazakhstan" / "baseline.yaml"


def middle_probability(spec) -> float:
    """A written probability fixed at the middle of its range (a Beta at its mean)."""
    if isinstance(spec, float | int):
        return float(spec)
    if isinstance(spec, str):
        lo, hi = PROBABILITY_WORDS[spec.lower()]
        return (lo + hi) / 2
    if "beta" in spec:
        a, b = spec["beta"]
        return a / (a + b)
    return sum(spec["range"]) / 2


def middle_effect(spec) -> float:
    """A written effect fixed at its mean."""
    if isinstance(spec, float | int):
        return float(spec)
    if isinstance(spec, str):
        return EFFECT_WORDS[spec.lower()][0]
    if "odds_ratio" in spec:
        return math.log(spec["odds_ratio"])
    if "normal" in spec:
        return float(spec["normal"][0])
    return sum(spec["range"]) / 2


def outcome_means(answer, weights) -> np.ndarray:
    """E[P(Y = k | e, θ) | e] per outcome, in the scenario's order."""
    return np.array([posterior_mean(p, weights) for p in answer.outcomes.values()])


def joint_means(answer, item, weights) -> np.ndarray:
    """E[P(Y = k, X | e, θ) | e] per outcome for a condition (``X``, ``X=s``) or an indicator X
    (SPEC §9)."""
    return np.array([posterior_mean(p, weights) for p in answer.joint[item].values()])


def values_of(net, driver) -> list:
    """What a what-if can set a driver to: true, false (binary) or each of its states."""
    return [True, False] if net.binary(driver) else list(net.states[driver])


def swing(net, evidence, driver) -> tuple[dict, float]:
    """The outcome means with ``driver`` set to each value (what-if semantics), and the swing
    maxₖ (max − min) over the values (SPEC §9, §11.6).

    Each setting weighs the prior draws by P(e | θ) in its own intervened network, hard
    evidence on the driver set aside (SPEC §4, §9).
    """
    means = {}
    for value in values_of(net, driver):
        answer = enumerate_posterior(net, evidence, do={driver: value})
        means[value] = outcome_means(answer, np.asarray(answer.evidence, float))
    table = np.array(list(means.values()))
    return means, float(np.max(table.max(axis=0) - table.min(axis=0)))


def state_table(net, answer, driver, weights=None) -> dict[str, np.ndarray]:
    """state -> P(Y = k, X = s | e) per outcome (posterior means with ``weights``)."""
    rows = {}
    for s in net.states_of(driver):
        item = f"{driver}={s}"
        if weights is None:
            rows[s] = np.array([answer.joint[item][k] for k in net.outcomes])
        else:
            rows[s] = joint_means(answer, item, weights)
    return rows


# --- the checks --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_doc() -> dict:
    return load_scenario(BASELINE).model_dump(exclude_none=True)


def _fixed_driver(driver: dict) -> dict:
    """A driver with its numbers at their middles; a multi-state driver's chances normalised."""
    if "states" not in driver:
        causes = {c: middle_effect(e) for c, e in (driver.get("causes") or {}).items()}
        return {**driver, "p": middle_probability(driver["p"]), "causes": causes}
    chances = {s: middle_probability(state["p"]) for s, state in driver["states"].items()}
    states = {}
    for s, state in driver["states"].items():
        causes = {c: middle_effect(e) for c, e in (state.get("causes") or {}).items()}
        states[s] = {**state, "p": chances[s] / sum(chances.values()), "causes": causes}
    return {**driver, "states": states}


def fixed_version(doc: dict) -> dict:
    fixed = {**doc, "id": "kz-fixed", "drivers": {}, "outcomes": {}, "indicators": {}}
    for d, driver in doc["drivers"].items():
        fixed["drivers"][d] = _fixed_driver(driver)
    for k, outcome in doc["outcomes"].items():
        effects = {d: middle_effect(e) for d, e in (outcome.get("drivers") or {}).items()}
        fixed["outcomes"][k] = {**outcome, "drivers": effects}
    for i, ind in (doc.get("indicators") or {}).items():
        fixed["indicators"][i] = {
            **ind,
            "if_true": middle_probability(ind["if_true"]),
            "if_false": middle_probability(ind["if_false"]),
        }
    return fixed


def check_influence(result: dict, net, evidence, outcomes) -> None:
    """Each driver set to each value, hard evidence on it set aside; ranked by swing."""
    swings = {}
    for d in net.drivers:
        means, swings[d] = swing(net, evidence, d)
        row = result["influence"][d]
        if net.binary(d):
            got = {True: row["if_true"], False: row["if_false"]}
        else:
            got = row["states"]
        assert list(got) == list(means), d
        for value, mean in means.items():
            for k, m in zip(outcomes, mean):
                assert got[value][k] == pytest.approx(m, abs=1e-9), (d, value, k)
        assert row["swing"] == pytest.approx(swings[d], abs=1e-9)
    assert list(result["influence"]) == sorted(swings, key=lambda d: -swings[d])


def check_signposts(result: dict, net, evidence, answer, outcome) -> None:
    """Every driver without hard evidence, every indicator without evidence: the joint law of
    the outcome and the item, its conditionals and its bits."""
    outcomes = net.outcomes
    observed = set(evidence.kept(net))
    expected = {}
    for d in net.drivers:
        if d in observed:
            continue
        row = result["signposts"][d]
        assert row["kind"] == "driver"
        rows = state_table(net, answer, d)
        if net.binary(d):
            joint = rows["true"]
            p_true = joint.sum()
            assert row["p_true"] == pytest.approx(p_true, abs=1e-9)
            for k, j, o in zip(outcomes, joint, outcome):
                assert row["if_true"][k] == pytest.approx(j / p_true, abs=1e-9)
                assert row["if_false"][k] == pytest.approx((o - j) / (1 - p_true), abs=1e-9)
        else:
            assert list(row["states"]) == list(rows)
            for s, joint in rows.items():
                assert row["states"][s]["p"] == pytest.approx(joint.sum(), abs=1e-9), (d, s)
                for k, j in zip(outcomes, joint):
                    given = row["states"][s]["outcomes"][k]
                    assert given == pytest.approx(j / joint.sum(), abs=1e-9), (d, s, k)
        expected[d] = mutual_information_of(np.array(list(rows.values())))
        assert row["bits"] == pytest.approx(expected[d], abs=1e-9), d
    for i in net.indicators:
        if i in evidence.seen:
            continue
        joint = np.array([answer.joint[i][k] for k in outcomes])
        p_true = joint.sum()
        row = result["signposts"][i]
        assert row["kind"] == "indicator"
        assert row["p_true"] == pytest.approx(p_true, abs=1e-9)
        for k, j, o in zip(outcomes, joint, outcome):
            assert row["if_true"][k] == pytest.approx(j / p_true, abs=1e-9)
            assert row["if_false"][k] == pytest.approx((o - j) / (1 - p_true), abs=1e-9)
        expected[i] = mutual_information(joint, outcome)
        assert row["bits"] == pytest.approx(expected[i], abs=1e-9), i
    assert set(result["signposts"]) == set(expected)
    assert list(result["signposts"]) == sorted(expected, key=lambda i: -expected[i])


def observations(row: dict) -> dict:
    """Each single observation of a signpost: its value and P(Y = k | it)."""
    if "states" in row:
        return {s: state["outcomes"] for s, state in row["states"].items()}
    return {True: row["if_true"], False: row["if_false"]}


def test_fixed_baseline_influence_signposts_and_band_crossing_are_exact(baseline_doc):
    doc = fixed_version(baseline_doc)
    result = run(Scenario.model_validate(doc)).to_dict()
    assert result["diagnostics"]["method"] == "exact"
    net, evidence = network_from(doc), evidence_from(doc)
    assert not net.binary("posture")  # the pack's multi-state driver is in every check
    answer = enumerate_posterior(net, evidence)
    outcomes = net.outcomes
    outcome = np.array([answer.outcomes[k] for k in outcomes])
    for k, p in zip(outcomes, outcome):
        assert result["outcomes"][k]["p"] == pytest.approx(p, abs=1e-9)
    check_influence(result, net, evidence, outcomes)
    check_signposts(result, net, evidence, answer, outcome)

    # Band-crossing: every single observation that changes an outcome's word.
    for k, p in zip(outcomes, outcome):
        moves = {
            (item, observed)
            for item, row in result["signposts"].items()
            for observed, given in observations(row).items()
            if word_for(given[k]) != word_for(p)
        }
        listed = result["band_crossing"][k]
        assert {(m["item"], m["observed"]) for m in listed} == moves
        chances = [m["p_observation"] for m in listed]
        assert chances == sorted(chances, reverse=True)


def test_sampled_baseline_signposts_and_influence_match_importance_sampling(baseline_doc):
    result = run(load_scenario(BASELINE)).to_dict()
    assert result["reliable"] is True
    probability, effect = prior_sampler(3_000, np.random.default_rng(20220107))
    net, evidence = network_from(baseline_doc, probability, effect), evidence_from(baseline_doc)
    answer = enumerate_posterior(net, evidence)
    weights = np.asarray(answer.evidence, float)
    ess = effective_size(weights)
    assert ess > 1000, f"importance sampling too weak for a reference (ESS {ess:.0f})"
    outcome = outcome_means(answer, weights)
    for k, p in zip(net.outcomes, outcome):
        assert result["outcomes"][k]["p"] == pytest.approx(p, abs=0.02), k

    # The top of the signpost list, and each entry's numbers, within Monte Carlo tolerance.
    for item, row in list(result["signposts"].items())[:5]:
        if item in net.indicators or net.binary(item):
            joint = joint_means(answer, item, weights)
            assert row["p_true"] == pytest.approx(joint.sum(), abs=0.03), item
            bits = mutual_information(joint, outcome)
        else:
            rows = state_table(net, answer, item, weights)
            for s, joint in rows.items():
                assert row["states"][s]["p"] == pytest.approx(joint.sum(), abs=0.03), (item, s)
            bits = mutual_information_of(np.array(list(rows.values())))
        assert row["bits"] == pytest.approx(bits, abs=0.02), item

    # The drivers that move the outcome most: their swings, each with its own posterior.
    for d, row in list(result["influence"].items())[:3]:
        assert row["swing"] == pytest.approx(swing(net, evidence, d)[1], abs=0.03), d
