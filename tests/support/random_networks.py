"""Random scenarios with every kind of SPEC §11 driver, for property tests (hypothesis).

:func:`scenarios` draws a valid scenario dict with every number fixed: a random DAG of binary and
2-4 state drivers (arrows from earlier to later drivers), each written with ``p`` and causes,
its states' ``p`` and causes, a table or noisy-OR; conditions ``X``, ``X=true``, ``X=false`` and
``X=s`` on causes, outcome effects, noisy-OR causes and indicators; outcomes or
``outcomes_from``; every kind of evidence (indicators seen and not seen, hard evidence
``observed: <state>`` and ``X=s observed: true|false``, soft evidence on a state) and a what-if
setting a driver to a state. Valid by construction: fixed state probabilities add up to 1, no
condition is named twice, hard evidence never contradicts itself (the evidence may still be
impossible under deterministic rows: callers check P(e) > 0).
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

STATE_IDS = ("low", "mid", "high", "top")
PROBABILITY = st.floats(0.05, 0.95)
CERTAIN = st.sampled_from([0.0, 1.0])
EFFECT = st.floats(-3.0, 3.0)


def _states(driver: dict) -> tuple[str, ...]:
    return tuple(driver["states"]) if "states" in driver else ("false", "true")


def _conditions(draw, name: str, driver: dict, *, most: int = 2) -> list[str]:
    """One or more distinct conditions on a driver (``X`` and ``X=true`` are one condition)."""
    if "states" in driver:
        options = [f"{name}={s}" for s in driver["states"]]
    else:
        options = [draw(st.sampled_from([name, f"{name}=true"])), f"{name}=false"]
    return draw(st.lists(st.sampled_from(options), unique=True, min_size=1, max_size=most))


def _chances(draw, states: tuple[str, ...]) -> dict[str, float]:
    """Fixed chances of every state, adding up to 1."""
    raw = [draw(st.floats(0.05, 1.0)) for _ in states]
    return {s: x / sum(raw) for s, x in zip(states, raw)}


def _probability(draw, certain: bool) -> float:
    if certain and draw(st.integers(0, 5)) == 0:
        return draw(CERTAIN)
    return draw(PROBABILITY)


def _driver(draw, name: str, k: int | None, parents: dict[str, dict], certain: bool) -> dict:
    driver: dict[str, Any] = {"label": name}
    states = ("false", "true") if k is None else STATE_IDS[:k]
    if k is not None:
        driver["states"] = {s: {"label": s} for s in states}
    kinds = ["weights"]
    if parents:
        kinds += ["table"] + (["noisy_or"] if k is None else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "table":
        names = list(parents)
        table = {}
        for combination in itertools.product(*(_states(parents[q]) for q in names)):
            written = [f"{q}={s}" for q, s in zip(names, combination)]
            key = " ".join(draw(st.permutations(written)))  # a row's parents in any order
            if k is None:
                table[key] = _probability(draw, certain)
            else:
                table[key] = _chances(draw, states)
        driver["table"] = table
    elif kind == "noisy_or":
        noisy: dict[str, float] = {}
        if draw(st.booleans()):
            noisy["leak"] = _probability(draw, certain)
        for q, parent in parents.items():
            for condition in _conditions(draw, q, parent, most=1):
                noisy[condition] = _probability(draw, certain)
        driver["noisy_or"] = noisy
    elif k is None:
        driver["p"] = _probability(draw, certain)
        causes = {c: draw(EFFECT) for q, par in parents.items() for c in _conditions(draw, q, par)}
        if causes:
            driver["causes"] = causes
    else:
        for s, chance in _chances(draw, states).items():
            driver["states"][s]["p"] = chance
            targets = [q for q in parents if draw(st.booleans())]
            causes = {c: draw(EFFECT) for q in targets for c in _conditions(draw, q, parents[q])}
            if causes:
                driver["states"][s]["causes"] = causes
    return driver


def _evidence(draw, drivers: dict[str, dict], indicators: dict) -> dict:
    evidence: dict[str, dict] = {}
    for name in indicators:
        if draw(st.booleans()):
            evidence[f"seen_{name}"] = {"indicator": name, "observed": draw(st.booleans())}
    names = list(drivers)
    for d in draw(st.lists(st.sampled_from(names), unique=True, max_size=2)):
        states = _states(drivers[d])
        if draw(st.booleans()):  # `X=s observed: true|false`
            s = draw(st.sampled_from(states))
            evidence[f"hard_{d}"] = {"driver": f"{d}={s}", "observed": draw(st.booleans())}
        elif "states" in drivers[d]:
            evidence[f"hard_{d}"] = {"driver": d, "observed": draw(st.sampled_from(states))}
        else:
            evidence[f"hard_{d}"] = {"driver": d, "observed": draw(st.booleans())}
    for m, d in enumerate(draw(st.lists(st.sampled_from(names), max_size=3))):
        condition = draw(st.sampled_from(_conditions(draw, d, drivers[d], most=1)))
        ratio = draw(st.floats(0.1, 10.0))
        evidence[f"soft{m}"] = {"driver": condition, "likelihood_ratio": ratio}
    return evidence


@st.composite
def scenarios(draw, *, most_drivers: int = 6, widest: int = 400, certain: bool = False) -> dict:
    """A random valid scenario dict with every number fixed (see the module docstring).

    ``widest`` bounds the number of combinations of all the drivers' states; ``certain`` lets
    a driver's own numbers be exactly 0 or 1 now and then (SPEC §11.3).
    """
    n = draw(st.integers(1, most_drivers))
    drivers: dict[str, dict] = {}
    width = 1
    for i in range(n):
        name = f"d{i}"
        k = draw(st.sampled_from([None, None, 2, 3, 4]))  # None: binary
        if width * (k or 2) > widest:
            k = None
        width *= k or 2
        earlier = list(drivers)
        some = draw(st.integers(0, 3)) > 0  # most drivers after the first have parents
        pick = st.lists(st.sampled_from(earlier), unique=True, min_size=int(some), max_size=2)
        chosen = draw(pick) if i else []
        parents = {q: drivers[q] for q in earlier if q in chosen}  # in the scenario's order
        drivers[name] = _driver(draw, name, k, parents, certain)
    names = list(drivers)
    spec: dict[str, Any] = {"signpost": 1, "id": "random", "title": "random", "drivers": drivers}
    if draw(st.integers(0, 4)) == 0:
        spec["outcomes_from"] = draw(st.sampled_from(names))
    else:
        outcomes = {}
        for k in range(draw(st.integers(2, 4))):
            outcome: dict[str, Any] = {"label": f"y{k}", "base": draw(st.floats(0.2, 5.0))}
            pushed = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
            effects = {c: draw(EFFECT) for d in pushed for c in _conditions(draw, d, drivers[d])}
            if effects:
                outcome["drivers"] = effects
            outcomes[f"y{k}"] = outcome
        spec["outcomes"] = outcomes
    indicators = {}
    for m in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from(names))
        signals = _conditions(draw, d, drivers[d], most=1)[0]
        indicators[f"i{m}"] = {
            "label": f"i{m}", "signals": signals,
            "if_true": draw(PROBABILITY), "if_false": draw(PROBABILITY),
        }  # fmt: skip
    spec["indicators"] = indicators
    spec["evidence"] = _evidence(draw, drivers, indicators)
    target = draw(st.sampled_from(names))
    if "states" in drivers[target]:
        value: bool | str = draw(st.sampled_from(_states(drivers[target])))
    else:
        value = draw(st.booleans())
    spec["what_if"] = {"w": {"set": {target: value}}}
    return spec
