"""The real Kazakhstan baseline: ranked drivers and signposts against the one reference.

The reference (``tests/support/reference.py``) enumerates the driver states itself, straight
from SPEC §4 and §9, vectorised over draws of the numbers. Two checks:

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
    """E[P(Y = k, X | e, θ) | e] per outcome for a driver or indicator X (SPEC §9)."""
    return np.array([posterior_mean(p, weights) for p in answer.joint[item].values()])


def swing(net, evidence, driver) -> tuple[np.ndarray, np.ndarray, float]:
    """The outcome means with ``driver`` set true and false (what-if semantics), and the swing.

    Each setting weighs the prior draws by P(e | θ) in its own intervened network, hard
    evidence on the driver set aside (SPEC §4, §9).
    """
    true = enumerate_posterior(net, evidence, do={driver: True})
    false = enumerate_posterior(net, evidence, do={driver: False})
    if_true = outcome_means(true, np.asarray(true.evidence, float))
    if_false = outcome_means(false, np.asarray(false.evidence, float))
    return if_true, if_false, float(np.max(np.abs(if_true - if_false)))


# --- the checks --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_doc() -> dict:
    return load_scenario(BASELINE).model_dump(exclude_none=True)


def fixed_version(doc: dict) -> dict:
    fixed = {**doc, "id": "kz-fixed", "drivers": {}, "outcomes": {}, "indicators": {}}
    for d, driver in doc["drivers"].items():
        causes = {c: middle_effect(e) for c, e in (driver.get("causes") or {}).items()}
        fixed["drivers"][d] = {**driver, "p": middle_probability(driver["p"]), "causes": causes}
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


def test_fixed_baseline_influence_signposts_and_band_crossing_are_exact(baseline_doc):
    doc = fixed_version(baseline_doc)
    result = run(Scenario.model_validate(doc)).to_dict()
    assert result["diagnostics"]["method"] == "exact"
    net, evidence = network_from(doc), evidence_from(doc)
    answer = enumerate_posterior(net, evidence)
    outcomes = net.outcomes
    outcome = np.array([answer.outcomes[k] for k in outcomes])
    for k, p in zip(outcomes, outcome):
        assert result["outcomes"][k]["p"] == pytest.approx(p, abs=1e-9)

    # Influence: each driver set true and false, hard evidence on it set aside; ranked by swing.
    swings = {}
    for d in net.drivers:
        true, false, swings[d] = swing(net, evidence, d)
        row = result["influence"][d]
        for k, t, f in zip(outcomes, true, false):
            assert row["if_true"][k] == pytest.approx(t, abs=1e-9), (d, k)
            assert row["if_false"][k] == pytest.approx(f, abs=1e-9), (d, k)
        assert row["swing"] == pytest.approx(swings[d], abs=1e-9)
    assert list(result["influence"]) == sorted(swings, key=lambda d: -swings[d])

    # Signposts: every driver without hard evidence, every indicator without evidence.
    expected = {}
    for item, kind in [(d, "driver") for d in net.drivers] + [
        (i, "indicator") for i in net.indicators
    ]:
        if item in evidence.hard or item in evidence.seen:
            continue
        joint = np.array([answer.joint[item][k] for k in outcomes])
        p_true = joint.sum()
        row = result["signposts"][item]
        assert row["kind"] == kind
        assert row["p_true"] == pytest.approx(p_true, abs=1e-9)
        for k, j, o in zip(outcomes, joint, outcome):
            assert row["if_true"][k] == pytest.approx(j / p_true, abs=1e-9)
            assert row["if_false"][k] == pytest.approx((o - j) / (1 - p_true), abs=1e-9)
        expected[item] = mutual_information(joint, outcome)
        assert row["bits"] == pytest.approx(expected[item], abs=1e-9), item
    assert set(result["signposts"]) == set(expected)
    assert list(result["signposts"]) == sorted(expected, key=lambda i: -expected[i])

    # Band-crossing: every single observation that changes an outcome's word.
    for k, p in zip(outcomes, outcome):
        moves = {
            (item, observed)
            for item, row in result["signposts"].items()
            for observed, key in ((True, "if_true"), (False, "if_false"))
            if word_for(row[key][k]) != word_for(p)
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
        joint = joint_means(answer, item, weights)
        assert row["p_true"] == pytest.approx(joint.sum(), abs=0.03), item
        assert row["bits"] == pytest.approx(mutual_information(joint, outcome), abs=0.02), item

    # The drivers that move the outcome most: their swings, each with its own posterior.
    for d, row in list(result["influence"].items())[:3]:
        assert row["swing"] == pytest.approx(swing(net, evidence, d)[2], abs=0.03), d
