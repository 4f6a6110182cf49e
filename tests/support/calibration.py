"""Simulation-based calibration (SBC) of the engine's intervals: drawing cases, running the
engine on them, and measuring coverage. The method is explained in
``tests/inference/test_calibration.py``; NUTS uses the same machinery in
``tests/inference/test_nuts.py``.

Each case draws, with one seeded generator, every uncertain number of
:func:`tests.support.networks.small_scenario` from its prior (the reference's
:func:`~tests.support.reference.prior_sampler`), the drivers from those numbers, the indicators
from their drivers; q* is the reference's :func:`~tests.support.reference.enumerate_posterior`
on the true numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from engine.inference.estimates import weighted_quantiles
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support.networks import SMALL_GRAPH, small_scenario
from tests.support.reference import (
    Network,
    enumerate_posterior,
    evidence_from,
    logit,
    network_from,
    prior_sampler,
    sigmoid,
)

OUTCOMES = SMALL_GRAPH.outcomes
NUTS_CASES = 400  # about 0.12 s a case (NumPyro on JAX, one compiled program serves every case)
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
