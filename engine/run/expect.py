"""Expectations: named sanity bounds on the posterior, each a pass, fail or too close to call.

SPEC §5. ``value`` is the probability the bound is about (for ``more_likely_than``, the
difference of the two probabilities); ``margin`` is how far inside the bound it lies (negative
outside). A check whose margin is smaller than three Monte Carlo standard errors of that margin
is *too close to call*: the sampler's noise could decide it either way. When every number is
fixed the answer is exact and no check is too close to call.
"""

from __future__ import annotations

import numpy as np

from engine.display import number
from engine.inference.answer import Answer, Summary
from engine.inference.diagnostics import within_noise
from engine.run.result import Check, Result, Status
from engine.scenario.schema import Expectation, Scenario


def _subject(answer: Answer, kind: str):
    """Summaries and per-draw values (None when exact) of the outcomes or the drivers.

    Drivers are named as SPEC §11.2 names them: a binary driver ``X`` (it holds) also as
    ``X=true`` and, its complement, ``X=false``; a multi-state driver's states as ``X=s``.
    """
    sample = answer.sample
    if kind == "outcome":
        return answer.outcomes, None if sample is None else sample.outcomes
    summaries = dict(answer.drivers)
    columns = [] if sample is None else list(sample.drivers.T)
    for key, s in answer.drivers.items():
        if "=" not in key:
            j = list(answer.drivers).index(key)
            summaries[f"{key}=true"] = s
            summaries[f"{key}=false"] = Summary(1 - s.p, 1 - s.hi, 1 - s.lo, s.mcse)
            if sample is not None:
                columns += [sample.drivers[:, j], 1 - sample.drivers[:, j]]
    draws = None if sample is None else np.stack(columns, axis=1)
    return summaries, draws


def _rivals(summaries: dict, kind: str, subject: str) -> list[str]:
    """What ``most_likely`` compares with: the other outcomes, or the driver's other states
    (a binary driver ``X`` is ``X=true``, its rival ``X=false``)."""
    if kind == "outcome":
        return [k for k in summaries if k != subject]
    driver, _, state = subject.partition("=")
    own = f"{driver}={state or 'true'}"
    return [k for k in summaries if k.partition("=")[0] == driver and "=" in k and k != own]


def _mcse(answer: Answer, draws: np.ndarray | None, weights: dict[int, float]) -> float:
    """MCSE of a weighted sum of columns of (S, k) per-draw values; 0 when exact."""
    if draws is None:
        return 0.0
    from engine.inference.estimates import mcse

    combined = sum(w * draws[:, j] for j, w in weights.items())
    return mcse(np.asarray(combined), answer.sample)


def evaluate(name: str, expectation: Expectation, result: Result) -> Check:
    """Evaluate one expectation against a result."""
    answer = result.what_if[expectation.what_if] if expectation.what_if else result.main
    kind, subject = expectation.subject
    summaries, draws = _subject(answer, kind)
    ids = list(summaries)
    k = ids.index(subject)
    p = summaries[subject].p
    where = f" if {expectation.what_if}" if expectation.what_if else ""
    strict = False
    if expectation.between is not None:
        lo, hi = expectation.between
        value, margin = p, min(p - lo, hi - p)
        weights = {k: 1.0}
        text = f"P({subject}{where}) between {number(lo)} and {number(hi)}"
    elif expectation.at_least is not None:
        value, margin, weights = p, p - expectation.at_least, {k: 1.0}
        text = f"P({subject}{where}) at least {number(expectation.at_least)}"
    elif expectation.at_most is not None:
        value, margin, weights = p, expectation.at_most - p, {k: -1.0}
        text = f"P({subject}{where}) at most {number(expectation.at_most)}"
    elif expectation.more_likely_than is not None:
        other = expectation.more_likely_than
        value = margin = p - summaries[other].p
        weights, strict = {k: 1.0, ids.index(other): -1.0}, True
        text = f"P({subject}{where}) > P({other}{where})"
    else:  # most_likely
        rivals = _rivals(summaries, kind, subject)
        others = {j: summaries[i].p for j, i in enumerate(ids) if i in rivals}
        runner_up = max(others, key=others.get)
        value, margin = p, p - others[runner_up]
        weights, strict = {k: 1.0, runner_up: -1.0}, True
        text = f"P({subject}{where}) is the largest (next: {ids[runner_up]})"
    mcse = _mcse(answer, draws, weights)
    if within_noise(margin, mcse):
        status = Status.TOO_CLOSE
    elif margin > 0 or (margin == 0 and not strict):
        status = Status.PASS
    else:
        status = Status.FAIL
    return Check(name, status, float(value), float(margin), mcse, text)


def evaluate_expectations(scenario: Scenario, result: Result) -> dict[str, Check]:
    """Evaluate every ``expect`` entry of the scenario, in file order."""
    return {name: evaluate(name, item, result) for name, item in scenario.expect.items()}
