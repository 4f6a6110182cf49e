"""How the report shows a prior: as written, with its 5th and 95th percentiles.

Probabilities and words are put into text by :mod:`engine.display`, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from engine.display import share
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
            "written": f"{prior.value:g}",
            "lo": prior.value,
            "hi": prior.value,
            "text": share(prior.value),
        }
    assert isinstance(prior, BetaPrior)
    from scipy.special import betaincinv  # the Beta's quantile function

    lo, hi = (float(betaincinv(prior.alpha, prior.beta, q)) for q in (0.05, 0.95))
    written = prior.describe()
    return {"written": written, "lo": lo, "hi": hi, "text": f"{written}: {lo:.0%}–{hi:.0%}"}
