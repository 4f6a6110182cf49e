"""How the report puts numbers into text: percentages with intervals, priors, words.

Rounding happens here only, for display; results and CSV keep whole numbers.
"""

from __future__ import annotations

from typing import Any

from engine.priors import BetaPrior, Fixed, probability_prior, word_for
from engine.result import Summary

WITHHELD = "—"  # the word of an unreliable run


def percent(summary: Summary) -> str:
    """``57% (43–69%)``: the probability and its 90% interval; ``31%`` when exact."""
    if summary.lo == summary.hi:
        return share(summary.p)
    return f"{summary.p:.0%} ({summary.lo:.0%}–{summary.hi:.0%})"


def share(p: float) -> str:
    """A probability as a whole percentage; below 1% or above 99% with one decimal."""
    return f"{p:.1%}" if 0 < p < 0.01 or 0.99 < p < 1 else f"{p:.0%}"


def word(p: float, reliable: bool) -> str:
    """The ICD 203 word for ``p``, or a dash when the run is unreliable (words withheld)."""
    return word_for(p) if reliable else WITHHELD


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
    from scipy.stats import beta

    lo, hi = (float(x) for x in beta.ppf([0.05, 0.95], prior.alpha, prior.beta))
    written = prior.describe()
    return {"written": written, "lo": lo, "hi": hi, "text": f"{written}: {lo:.0%}–{hi:.0%}"}
