"""Simulation-based calibration (SBC) of the engine's intervals (issue 13, point 7).

The engine reports, for each outcome k, the 5th and 95th percentiles of q_k(θ) = P(Y = k | e, θ)
under the posterior p(θ | e) (SPEC §4). SBC checks that this interval means what it says. Draw
the true numbers θ* from the prior p(θ), then the evidence e from θ* (the drivers by ancestral
sampling, each indicator from its driver). The pair (θ*, e) is then a draw from the joint
p(θ) p(e | θ), so, given e, θ* is a draw from the very posterior p(θ | e) the engine samples, and
q_k(θ*) is a draw from the posterior of q_k(θ). Over many such cases q_k(θ*) must fall in the
engine's 90% interval 90% of the time, and in its 50% interval (25th to 75th percentile of the
same draws) half of the time. An interval too narrow (an overconfident posterior, weights that
miss the tail) covers too rarely, one too wide too often, and one that ignores the evidence
(q_k computed without it) is centred in the wrong place and covers too rarely: the negative
controls at the end show the bands reject each of these.

What it cannot see: three binary indicators say little about 18 numbers, so p(θ | e) is close
to p(θ) here (importance weights with an effective sample size of 91–96% of the draws), and
intervals of q_k(θ) under the unweighted prior draws cover about as well. A bug in the weights
alone would need a scenario with far more evidence per number to show.

Each case draws, with one seeded generator:

- every uncertain number of :func:`tests.small_network.small_scenario` (the four drivers' ``p``,
  the four causes, the four outcome effects, the three indicators' ``if_true``/``if_false``:
  18 numbers) from the prior the engine reads from its word (``tests.reference.prior_sampler``,
  which goes through ``engine.scenario.values``);
- the drivers a, b, c, d from those numbers (P(D = 1 | parents) = sigmoid(logit p + Σ w·parent));
- the indicators i, j, k from their drivers (``if_true`` or ``if_false``).

The scenario keeps its words (the engine must infer θ) and gets all three indicators as
evidence. q*_k = P(Y = k | e, θ*) is computed exactly by ``tests.reference.enumerate_posterior``
on the true numbers. Every outcome x, y, z is scored: a coverage is the share of the n × 3
(case, outcome) pairs whose q* lies in the interval (the three outcomes of a case are
correlated, so this pools them rather than tripling n; each outcome's own share is shown in the
messages). Two paths: importance sampling on prior draws (here), and NUTS (in
``tests/test_nuts.py``, with every other test that samples with NUTS, so the suite compiles the
model once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pytest

from engine.inference.estimates import weighted_quantiles
from engine.run import run
from engine.scenario.schema import Scenario
from tests.reference import (
    Evidence,
    Network,
    enumerate_posterior,
    evidence_from,
    logit,
    network_from,
    prior_sampler,
    sigmoid,
)
from tests.small_network import SMALL_GRAPH, small_scenario

OUTCOMES = SMALL_GRAPH.outcomes
IMPORTANCE_CASES = 600
NUTS_CASES = 100
NUTS_SETTINGS = {"chains": 2, "draws": 1000, "tune": 300}  # 2 x 500 misses R-hat 1.01 often
BANDS = {0.90: (0.85, 0.95), 0.50: (0.40, 0.60)}


@dataclass
class Cases:
    """Per case (rows) and outcome (columns): the truth q* and the engine's draws' summaries."""

    truth: np.ndarray  # (n, K) q*_k = P(Y = k | e, θ*)
    mean: np.ndarray  # (n, K) the engine's posterior mean of q_k
    lo: np.ndarray  # (n, K) the engine's reported 90% interval
    hi: np.ndarray
    quantiles: dict[float, np.ndarray]  # q -> (n, K) the q-quantile of q_k from the sample
    methods: set[str]
    unreliable: int
    seconds: float

    @property
    def n(self) -> int:
        return len(self.truth)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """The central ``level`` interval: the reported one at 90%, else from the sample."""
        if level == 0.90:
            return self.lo, self.hi
        tail = (1 - level) / 2
        return self.quantiles[round(tail, 6)], self.quantiles[round(1 - tail, 6)]


def _as_float(net: Network) -> Network:
    """A network of size-1 draws as plain floats."""

    def one(v):
        return float(np.asarray(v).reshape(-1)[0])

    return Network(
        p={d: one(v) for d, v in net.p.items()},
        causes={d: {par: one(w) for par, w in ws.items()} for d, ws in net.causes.items()},
        base=dict(net.base),
        effects={k: {d: one(v) for d, v in vs.items()} for k, vs in net.effects.items()},
        indicators={i: (d, one(t), one(f)) for i, (d, t, f) in net.indicators.items()},
    )


# The NUTS path samples a scenario with six uncertain numbers (the rest fixed, as data of the
# same compiled model): NUTS mixes quickly there, so a hundred runs fit the suite's time.
FEW_UNCERTAIN = {
    "p": {"c": 0.6, "d": 0.3},
    "causes": {("c", "b"): -1.0, ("c", "a"): 0.5, ("d", "c"): 2.0},
    "effects": {("x", "c"): -0.5, ("y", "b"): 2.0, ("z", "c"): 1.0},
    "indicators": {"j": (0.85, 0.3), "k": (0.7, 0.1)},
}


def draw_case(
    rng: np.random.Generator, numbers: dict | None = None, observe: tuple[str, ...] = ()
) -> tuple[dict, np.ndarray]:
    """One SBC case: the scenario dict with simulated evidence, and q* for each outcome.

    ``numbers`` fixes some numbers of the small scenario (the rest stay uncertain words);
    ``observe`` names drivers whose simulated state is hard evidence too.
    """
    numbers = numbers or {}
    probability, effect = prior_sampler(1, rng)
    truth = _as_float(network_from(small_scenario(**numbers), probability, effect))
    state: dict[str, int] = {}
    for d in truth.drivers:  # a, b, c, d: every driver comes after its causes
        x = logit(truth.p[d]) + sum(w * state[par] for par, w in truth.causes[d].items())
        state[d] = int(rng.random() < sigmoid(x))
    evidence = {}
    for name, (driver, if_true, if_false) in truth.indicators.items():
        seen = rng.random() < (if_true if state[driver] else if_false)
        evidence[f"seen_{name}"] = {"indicator": name, "observed": bool(seen)}
    for driver in observe:
        evidence[f"{driver}_is"] = {"driver": driver, "observed": bool(state[driver])}
    spec = small_scenario(**numbers, evidence=evidence, scenario_id="sbc")
    answer = enumerate_posterior(truth, evidence_from(spec))
    return spec, np.array([answer.outcomes[k] for k in OUTCOMES])


def run_cases(n: int, seed: int, numbers=None, observe=(), **options) -> Cases:
    """Draw ``n`` cases and run the engine on each (scope main), each run with its own seed."""
    rng = np.random.default_rng(seed)
    truth, mean, lo, hi = [], [], [], []
    levels = (0.005, 0.25, 0.75, 0.995)
    quantiles: dict[float, list] = {q: [] for q in levels}
    methods, unreliable = set(), 0
    started = time.perf_counter()
    for case in range(n):
        spec, q_true = draw_case(rng, numbers, observe)
        result = run(Scenario.model_validate(spec), scope="main", seed=seed + case, **options)
        main = result.main
        methods.add(main.diagnostics.method)
        unreliable += not main.reliable
        truth.append(q_true)
        mean.append([main.outcomes[k].p for k in OUTCOMES])
        lo.append([main.outcomes[k].lo for k in OUTCOMES])
        hi.append([main.outcomes[k].hi for k in OUTCOMES])
        sample = main.sample
        found = weighted_quantiles(sample.outcomes, sample.weights, levels)
        for q, row in zip(levels, found):
            quantiles[q].append(row)
    return Cases(
        truth=np.array(truth),
        mean=np.array(mean),
        lo=np.array(lo),
        hi=np.array(hi),
        quantiles={q: np.array(v) for q, v in quantiles.items()},
        methods=methods,
        unreliable=unreliable,
        seconds=time.perf_counter() - started,
    )


def coverage(truth: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, np.ndarray]:
    """The pooled share of (case, outcome) pairs with lo ≤ q* ≤ hi, and each outcome's share."""
    hits = (lo <= truth) & (truth <= hi)
    return float(hits.mean()), hits.mean(axis=0)


def describe(name: str, cases: Cases, level: float, pooled: float, per: np.ndarray) -> str:
    each = ", ".join(f"{k} {c:.3f}" for k, c in zip(OUTCOMES, per))
    return (
        f"{name}: {level:.0%} coverage {pooled:.3f} over {cases.n} cases × {len(OUTCOMES)} "
        f"outcomes (per outcome: {each}); band {BANDS.get(level)}; methods {cases.methods}, "
        f"{cases.unreliable} unreliable runs, {cases.seconds:.1f} s"
    )


@pytest.fixture(scope="module")
def importance_cases() -> Cases:
    # drivers a and c observed as well as the indicators: a posterior that moves off the prior
    return run_cases(IMPORTANCE_CASES, seed=1300, observe=("a", "c"), method="importance")


@pytest.mark.parametrize("level", sorted(BANDS))
def test_importance_sampling_intervals_are_calibrated(importance_cases, level):
    cases = importance_cases
    assert cases.methods == {"importance"}
    pooled, per = coverage(cases.truth, *cases.interval(level))
    low, high = BANDS[level]
    assert low <= pooled <= high, describe("importance", cases, level, pooled, per)


def test_the_check_fails_intervals_too_narrow_or_too_wide(importance_cases):
    """Negative controls on the same cases: the 90% band rejects an overconfident interval
    (the posterior mean ± 0.01) and an underconfident one (the 0.5th to 99.5th percentile)."""
    cases = importance_cases
    low, high = BANDS[0.90]
    narrow, _ = coverage(cases.truth, cases.mean - 0.01, cases.mean + 0.01)
    assert narrow < low, f"mean ± 0.01 covers {narrow:.3f}: the band did not reject it"
    wide, _ = coverage(cases.truth, cases.quantiles[0.005], cases.quantiles[0.995])
    assert wide > high, f"the 99% interval covers {wide:.3f}: the band did not reject it"


def test_the_check_fails_an_interval_that_ignores_the_evidence(importance_cases):
    """A third control: the 90% interval of P(Y = k | θ) with θ from the prior and no evidence
    (what an engine that dropped the indicators would report; the same for every case) misses
    q* = P(Y = k | e, θ*) far too often."""
    probability, effect = prior_sampler(4000, np.random.default_rng(13))
    blind = enumerate_posterior(network_from(small_scenario(), probability, effect), Evidence())
    lo, hi = np.quantile(np.stack([blind.outcomes[k] for k in OUTCOMES], 1), [0.05, 0.95], 0)
    low, _ = BANDS[0.90]
    ignored, per = coverage(importance_cases.truth, lo, hi)
    assert ignored < low, f"the evidence-blind interval covers {ignored:.3f} ({per}): not rejected"
