"""Issue 4 on the real Kazakhstan baseline: ranked drivers and signposts vs independent sums.

The reference here enumerates the driver states itself, straight from SPEC §4 and §9 (a loop
over drivers, no table tricks), vectorised over draws of the numbers. Two checks:

- the baseline with every number fixed (at the middle of its word's range, or the effect word's
  mean): the engine is exact, so influence, signposts and band-crossing agree to 1e-9;
- the baseline as shipped (uncertain numbers, sampled with NUTS): against importance sampling
  from the priors, weighted by P(evidence | numbers), within a Monte Carlo tolerance.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import log_expit

from engine.run import run
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario

BASELINE = Path(__file__).parents[1] / "scenarios" / "kazakhstan" / "baseline.yaml"

# SPEC §2-3 tables, copied here so the reference does not lean on the engine's own.
WORD_RANGES = {
    "almost no chance": (0.01, 0.05), "remote": (0.01, 0.05),
    "very unlikely": (0.05, 0.20), "highly improbable": (0.05, 0.20),
    "unlikely": (0.20, 0.45), "improbable": (0.20, 0.45),
    "roughly even chance": (0.45, 0.55), "roughly even odds": (0.45, 0.55),
    "likely": (0.55, 0.80), "probable": (0.55, 0.80),
    "very likely": (0.80, 0.95), "highly probable": (0.80, 0.95),
    "almost certain": (0.95, 0.99), "nearly certain": (0.95, 0.99),
}  # fmt: skip
EFFECT_WORDS = {
    "strongly raises": (2.0, 0.5), "raises": (1.0, 0.5), "slightly raises": (0.5, 0.25),
    "strongly lowers": (-2.0, 0.5), "lowers": (-1.0, 0.5), "slightly lowers": (-0.5, 0.25),
}  # fmt: skip
BANDS = [(0.05, "<"), (0.20, "<"), (0.45, "<"), (0.55, "<="), (0.80, "<="), (0.95, "<=")]
WORDS = ["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
         "very likely", "almost certain"]  # fmt: skip


def word(p: float) -> str:
    for (edge, rule), name in zip(BANDS, WORDS):
        if (p < edge) if rule == "<" else (p <= edge):
            return name
    return WORDS[-1]


# --- drawing the numbers -----------------------------------------------------------------------


def beta_for(lo: float, hi: float) -> tuple[float, float]:
    def gaps(log_ab):
        a, b = np.exp(log_ab)
        return [stats.beta.ppf(0.05, a, b) - lo, stats.beta.ppf(0.95, a, b) - hi]

    return tuple(np.exp(optimize.fsolve(gaps, [1.0, 1.0], xtol=1e-12)))


def probability_draws(spec, size, rng):
    """Draws of a probability as written (a number gives a constant)."""
    if isinstance(spec, float | int):
        return np.full(size, float(spec))
    if isinstance(spec, str):
        return rng.beta(*beta_for(*WORD_RANGES[spec.lower()]), size)
    if "range" in spec:
        return rng.beta(*beta_for(*spec["range"]), size)
    return rng.beta(*spec["beta"], size)


def effect_draws(spec, size, rng):
    if isinstance(spec, float | int):
        return np.full(size, float(spec))
    if isinstance(spec, str):
        return rng.normal(*EFFECT_WORDS[spec.lower()], size)
    if "odds_ratio" in spec:
        return np.full(size, math.log(spec["odds_ratio"]))
    if "range" in spec:
        lo, hi = spec["range"]
        return rng.normal((lo + hi) / 2, (hi - lo) / (2 * stats.norm.ppf(0.95)), size)
    return rng.normal(*spec["normal"], size)


def middle_probability(spec):
    if isinstance(spec, float | int):
        return float(spec)
    lo, hi = WORD_RANGES[spec.lower()] if isinstance(spec, str) else spec.get("range", (0, 0))
    if isinstance(spec, dict) and "beta" in spec:
        a, b = spec["beta"]
        return a / (a + b)
    return (lo + hi) / 2


def middle_effect(spec):
    if isinstance(spec, float | int):
        return float(spec)
    if isinstance(spec, str):
        return EFFECT_WORDS[spec.lower()][0]
    if "odds_ratio" in spec:
        return math.log(spec["odds_ratio"])
    return (
        sum(spec.get("range", spec.get("normal", (0, 0)))[:1] + [0])
        if "normal" in spec
        else (sum(spec["range"]) / 2)
    )


def numbers(doc: dict, size: int, rng) -> dict:
    """Draws of every number of a scenario dict, keyed by its key path."""
    out = {}
    for d, driver in doc["drivers"].items():
        out[f"drivers.{d}.p"] = probability_draws(driver["p"], size, rng)
        for c, effect in (driver.get("causes") or {}).items():
            out[f"drivers.{d}.causes.{c}"] = effect_draws(effect, size, rng)
    for k, outcome in doc["outcomes"].items():
        for d, effect in (outcome.get("drivers") or {}).items():
            out[f"outcomes.{k}.drivers.{d}"] = effect_draws(effect, size, rng)
    for i, indicator in (doc.get("indicators") or {}).items():
        out[f"indicators.{i}.if_true"] = probability_draws(indicator["if_true"], size, rng)
        out[f"indicators.{i}.if_false"] = probability_draws(indicator["if_false"], size, rng)
    return out


# --- the reference: P(states, evidence | numbers), state by state ------------------------------


def log_sigmoid(x):
    return log_expit(x)  # log(1 / (1 + exp(-x))), computed stably


class Reference:
    """Sums over every driver state, for a batch of draws of the numbers."""

    def __init__(self, doc: dict, theta: dict):
        self.doc, self.theta = doc, theta
        self.drivers = list(doc["drivers"])
        self.outcomes = list(doc["outcomes"])
        self.indicators = list(doc.get("indicators") or {})
        self.states = np.array(list(itertools.product([0, 1], repeat=len(self.drivers))))
        self.draws = len(theta[f"drivers.{self.drivers[0]}.p"])
        self._outcome_given_states = None

    def column(self, driver):
        return self.states[:, self.drivers.index(driver)]

    def log_weights(self, do: dict | None = None) -> np.ndarray:
        """log P(D = s, e | θ) for every draw and state, under interventions ``do``."""
        do = do or {}
        evidence = (self.doc.get("evidence") or {}).values()
        logw = 0.0
        for d, driver in self.doc["drivers"].items():
            s = self.column(d)
            if d in do:
                logw = logw + np.where(s == do[d], 0.0, -np.inf)
                continue
            logit = np.log(self.theta[f"drivers.{d}.p"] / (1 - self.theta[f"drivers.{d}.p"]))
            logit = logit[:, None] + sum(
                self.theta[f"drivers.{d}.causes.{c}"][:, None] * self.column(c)
                for c in (driver.get("causes") or {})
            )
            logw = logw + np.where(s == 1, log_sigmoid(logit), log_sigmoid(-logit))
            for e in evidence:
                if e.get("driver") == d and "observed" in e:
                    logw = logw + np.where(s == int(e["observed"]), 0.0, -np.inf)
        for e in evidence:
            if e.get("driver") and "likelihood_ratio" in e:
                logw = logw + math.log(e["likelihood_ratio"]) * self.column(e["driver"])
            if e.get("indicator"):
                seen = self.seen_given_states(e["indicator"])
                logw = logw + np.log(seen if e["observed"] else 1 - seen)
        return np.broadcast_to(logw, (self.draws, len(self.states)))

    def seen_given_states(self, indicator):
        signal = self.doc["indicators"][indicator]["signals"]
        t = self.theta[f"indicators.{indicator}.if_true"][:, None]
        f = self.theta[f"indicators.{indicator}.if_false"][:, None]
        return np.where(self.column(signal) == 1, t, f)

    def outcome_given_states(self) -> np.ndarray:
        if self._outcome_given_states is None:
            self._outcome_given_states = self._softmax()
        return self._outcome_given_states

    def _softmax(self) -> np.ndarray:
        logits = []
        for k, outcome in self.doc["outcomes"].items():
            total = math.log(outcome.get("base", 1.0)) + sum(
                self.theta[f"outcomes.{k}.drivers.{d}"][:, None] * self.column(d)
                for d in (outcome.get("drivers") or {})
            )
            logits.append(np.broadcast_to(total, (self.draws, len(self.states))))
        logits = np.stack(logits, axis=-1)
        logits = logits - logits.max(axis=-1, keepdims=True)
        return np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)


def evidence_items_without(doc, driver):
    """The evidence a what-if on ``driver`` keeps: hard evidence on that driver is set aside."""
    kept = {
        name: e
        for name, e in (doc.get("evidence") or {}).items()
        if not (e.get("driver") == driver and "observed" in e)
    }
    return {**doc, "evidence": kept}


def posterior_mean(doc, theta, do=None, ref=None):
    """Self-normalised importance estimate of E[P(Y | e, θ)] under ``do`` (exact for one draw).

    ``ref`` may be a Reference of the same numbers whose outcome table can be reused.
    """
    reused = ref
    ref = Reference(doc, theta)
    if reused is not None:
        ref._outcome_given_states = reused.outcome_given_states()
    logw = ref.log_weights(do)
    log_evidence = np.logaddexp.reduce(logw, axis=1)
    post = np.exp(logw - log_evidence[:, None])
    q = np.einsum("ds,dsk->dk", post, ref.outcome_given_states())
    weights = np.exp(log_evidence - log_evidence.max())
    weights /= weights.sum()
    return weights @ q, weights, post, ref


def joint_with(doc, theta, item, kind, weights, post, ref):
    """E over the posterior of P(Y = k, X = 1 | e, θ), for a driver or indicator X."""
    x = ref.column(item)[None, :] if kind == "driver" else ref.seen_given_states(item)
    per_draw = np.einsum("ds,ds,dsk->dk", post, np.broadcast_to(x, post.shape),
                         ref.outcome_given_states())  # fmt: skip
    return weights @ per_draw


def bits(joint_true, outcome):
    table = np.clip(np.stack([outcome - joint_true, joint_true]), 0, None)
    px, py = table.sum(1, keepdims=True), table.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.nansum(np.where(table > 0, table * np.log2(table / (px * py)), 0)))


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
    theta = numbers(doc, 1, np.random.default_rng(0))
    outcome, weights, post, ref = posterior_mean(doc, theta)
    for k, p in zip(ref.outcomes, outcome):
        assert result["outcomes"][k]["p"] == pytest.approx(p, abs=1e-9)

    # Influence: each driver set true and false, hard evidence on it set aside; ranked by swing.
    swings = {}
    for d in ref.drivers:
        kept = evidence_items_without(doc, d)
        true = posterior_mean(kept, theta, do={d: 1})[0]
        false = posterior_mean(kept, theta, do={d: 0})[0]
        row = result["influence"][d]
        for k, t, f in zip(ref.outcomes, true, false):
            assert row["if_true"][k] == pytest.approx(t, abs=1e-9), (d, k)
            assert row["if_false"][k] == pytest.approx(f, abs=1e-9), (d, k)
        swings[d] = float(np.max(np.abs(true - false)))
        assert row["swing"] == pytest.approx(swings[d], abs=1e-9)
    assert list(result["influence"]) == sorted(swings, key=lambda d: -swings[d])

    # Signposts: every driver without hard evidence, every indicator without evidence.
    evidence = doc.get("evidence", {}).values()
    hard = {e["driver"] for e in evidence if e.get("driver") and "observed" in e}
    seen = {e["indicator"] for e in evidence if e.get("indicator")}
    expected = {}
    for item, kind in [(d, "driver") for d in ref.drivers] + [
        (i, "indicator") for i in ref.indicators
    ]:
        if item in hard or item in seen:
            continue
        joint = joint_with(doc, theta, item, kind, weights, post, ref)
        p_true = joint.sum()
        row = result["signposts"][item]
        assert row["kind"] == kind
        assert row["p_true"] == pytest.approx(p_true, abs=1e-9)
        for k, j, o in zip(ref.outcomes, joint, outcome):
            assert row["if_true"][k] == pytest.approx(j / p_true, abs=1e-9)
            assert row["if_false"][k] == pytest.approx((o - j) / (1 - p_true), abs=1e-9)
        expected[item] = bits(joint, outcome)
        assert row["bits"] == pytest.approx(expected[item], abs=1e-9), item
    assert set(result["signposts"]) == set(expected)
    assert list(result["signposts"]) == sorted(expected, key=lambda i: -expected[i])

    # Band-crossing: every single observation that changes an outcome's word.
    for k, p in zip(ref.outcomes, outcome):
        moves = {
            (item, observed)
            for item, row in result["signposts"].items()
            for observed, key in ((True, "if_true"), (False, "if_false"))
            if word(row[key][k]) != word(p)
        }
        listed = result["band_crossing"][k]
        assert {(m["item"], m["observed"]) for m in listed} == moves
        chances = [m["p_observation"] for m in listed]
        assert chances == sorted(chances, reverse=True)


def test_sampled_baseline_signposts_and_influence_match_importance_sampling(baseline_doc):
    result = run(load_scenario(BASELINE)).to_dict()
    assert result["reliable"]
    rng = np.random.default_rng(20220107)
    theta = numbers(baseline_doc, 3_000, rng)
    outcome, weights, post, ref = posterior_mean(baseline_doc, theta)
    ess = 1 / (weights**2).sum()
    assert ess > 1000, f"importance sampling too weak for a reference (ESS {ess:.0f})"
    for k, p in zip(ref.outcomes, outcome):
        assert result["outcomes"][k]["p"] == pytest.approx(p, abs=0.02), k

    # The top of the signpost list, and each entry's numbers, within Monte Carlo tolerance.
    for item, row in list(result["signposts"].items())[:5]:
        joint = joint_with(baseline_doc, theta, item, row["kind"], weights, post, ref)
        assert row["p_true"] == pytest.approx(joint.sum(), abs=0.03), item
        assert row["bits"] == pytest.approx(bits(joint, outcome), abs=0.02), item

    # The drivers that move the outcome most: their swings, each with its own posterior.
    for d, row in list(result["influence"].items())[:3]:
        kept = evidence_items_without(baseline_doc, d)
        true = posterior_mean(kept, theta, do={d: 1}, ref=ref)[0]
        false = posterior_mean(kept, theta, do={d: 0}, ref=ref)[0]
        assert row["swing"] == pytest.approx(float(np.max(np.abs(true - false))), abs=0.03), d
