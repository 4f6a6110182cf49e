"""How the report shows a prior: as written, with its 5th and 95th percentiles.

Probabilities and words are put into text by :mod:`engine.display`, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from engine.display import log_odds, number, share, span
from engine.scenario.values import BetaPrior, Fixed, probability_prior


def prior_of(spec: Any) -> dict[str, Any]:
    """A driver's ``p`` as written, with the 5th and 95th percentiles of its prior.

    Returns
    -------
    dict
        ``written`` (the scenario's words, or the number), ``lo`` and ``hi`` (equal for a
        fixed number) and ``text`` (``"unlikely: 20–45%"``).
    """
    prior = probability_prior(spec)
    if isinstance(prior, Fixed):
        return {
            "written": number(prior.value),
            "lo": prior.value,
            "hi": prior.value,
            "text": share(prior.value),
        }
    assert isinstance(prior, BetaPrior)
    from scipy.special import betaincinv  # the Beta's quantile function

    lo, hi = (float(betaincinv(prior.alpha, prior.beta, q)) for q in (0.05, 0.95))
    written = prior.describe()
    return {"written": written, "lo": lo, "hi": hi, "text": f"{written}: {span(lo, hi)}"}


def driver_key(key: str) -> tuple[str, str | None]:
    """A result's driver key (``X``, or ``X=s`` for a state) as (driver, state or None)."""
    driver, _, state = key.partition("=")
    return driver, state or None


def label_of(scenario, key: str) -> str:
    """``Russia's posture: A garrison stays`` for ``posture=garrison``; a driver's own label."""
    driver, state = driver_key(key)
    item = scenario.drivers[driver]
    if state is None or item.states is None:
        return item.label
    return f"{item.label}: {item.states[state].label}"


def how_made(scenario, key: str) -> dict[str, Any]:
    """How a driver's (or a state's) probability is given, for the report's driver table.

    Returns ``prior`` (:func:`prior_of`, or ``written`` and ``text`` saying it comes from a
    table or a noisy-OR, ``lo``/``hi`` None) and ``causes`` (what it depends on, as text).
    """
    driver, state = driver_key(key)
    item = scenario.drivers[driver]
    if item.table is not None:
        parents = sorted({c.partition("=")[0] for row in item.table for c in row.split()})
        text = f"a table of {len(item.table)} rows over {', '.join(parents)}"
        return {"prior": {"written": "table", "lo": None, "hi": None, "text": text}, "causes": []}
    if item.noisy_or is not None:
        leak = item.noisy_or.get("leak", 0.0)
        causes = [
            f"{c} alone: {prior_of(v)['text']}" for c, v in item.noisy_or.items() if c != "leak"
        ]
        text = f"noisy-OR, leak {prior_of(leak)['text']}"
        return {
            "prior": {"written": "noisy_or", "lo": None, "hi": None, "text": text},
            "causes": causes,
        }
    own = item.states[state] if state is not None and item.states is not None else item
    return {
        "prior": prior_of(own.p),
        "causes": [f"{c} {effect_text(e)}" for c, e in own.causes.items()],
    }


def effect_text(spec: Any) -> str:
    """An effect as written: its word, ``odds_ratio 3``, or ``+1.2 log-odds``."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        key, value = next(iter(spec.items()))
        return f"{key} {value}"
    return log_odds(spec)
