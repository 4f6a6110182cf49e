"""How a number, a word or a placeholder is put into text, everywhere a person reads one:
terminal tables, reports and their figures, diffs, scores, sweeps, the live page.

One function per display rule; every front end calls these and rounds nothing itself. Results,
JSON and CSV keep whole numbers. Words are the ICD 203 bands of SPEC §2
(:func:`engine.scenario.values.word_for`) and are withheld — shown as :data:`WITHHELD` — when
the numbers missed the reliability bar. A number that is not there (no value, not finite, not
applicable) is :data:`MISSING`.
"""

from __future__ import annotations

import math
from typing import Protocol

from engine.scenario.values import word_for

MISSING = "—"  # the cell of a number that is not there (no value, not finite, not applicable)
WITHHELD = MISSING  # the word of an unreliable run
INFINITE = "∞"  # a log score when what happened was given probability 0


class Interval(Protocol):
    """A probability with its 90% interval (:class:`engine.inference.answer.Summary`)."""

    p: float
    lo: float
    hi: float


def _absent(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


# --- probabilities ------------------------------------------------------------------------------


def share(p: float | None) -> str:
    """A probability as a whole percentage; below 1% or above 99% with one decimal."""
    if p is None:
        return WITHHELD
    return f"{p:.1%}" if 0 < p < 0.01 or 0.99 < p < 1 else f"{p:.0%}"


def point(summary: Interval) -> str:
    """The probability as :func:`percent` shows it, without its interval: ``57%``."""
    return share(summary.p) if summary.lo == summary.hi else f"{summary.p:.0%}"


def span(lo: float, hi: float) -> str:
    """A range of probabilities in whole percentages: ``43%–69%`` (a prior's 90%, a bin)."""
    return f"{lo:.0%}–{hi:.0%}"


def interval(summary: Interval) -> str:
    """The 90% interval as :func:`percent` shows it: ``(43%–69%)``; empty when exact."""
    return "" if summary.lo == summary.hi else f"({span(summary.lo, summary.hi)})"


def percent(summary: Interval) -> str:
    """``57% (43%–69%)``: the probability and its 90% interval; ``31%`` when exact."""
    return f"{point(summary)} {interval(summary)}".rstrip()


def fine(p: float | None) -> str:
    """A probability to a tenth of a percent, ``46.8%``, where changes are small (diffs)."""
    return WITHHELD if p is None else f"{p:.1%}"


def decimal(p: float | None) -> str:
    """A probability as a decimal with three places, ``0.471``, beside scores that are."""
    return MISSING if p is None else f"{p:.3f}"


def decimal_interval(summary: Interval) -> str:
    """``0.325 (90% 0.210–0.451)``, or ``0.575 (exact)`` when every number is fixed."""
    if summary.lo == summary.hi:
        return f"{decimal(summary.p)} (exact)"
    return f"{decimal(summary.p)} (90% {decimal(summary.lo)}–{decimal(summary.hi)})"


def decimal_bin(lo: float, hi: float) -> str:
    """A calibration bin among decimals: ``0.2–0.4``."""
    return f"{lo:.1f}–{hi:.1f}"


# --- changes and what moves them ---------------------------------------------------------------


def points(delta: float | None) -> str:
    """A change of probability in percentage points, ``+5.2`` / ``−0.3`` / ``0.0``;
    :data:`MISSING` when there is none (not attributed)."""
    if delta is None:
        return MISSING
    value = 100 * delta
    if abs(value) < 0.05:
        return "0.0"
    return f"{value:+.1f}".replace("-", "−")


def points_error(mcse: float) -> str:
    """The Monte Carlo standard error of a change, in percentage points: ``± 0.4``."""
    return f"± {100 * mcse:.1f}"


def swing(value: float) -> str:
    """A driver's swing (the largest spread of an outcome between its settings), in
    percentage points as :func:`share` rounds: ``19 pp``, ``0.4 pp``."""
    return share(value).removesuffix("%") + " pp"


def bits(value: float) -> str:
    """Information about the outcome, in bits: ``0.123``."""
    return f"{value:.3f}"


# --- scores (SPEC §10) --------------------------------------------------------------------------


def brier(value: float | None) -> str:
    """A Brier score with three decimals; :data:`MISSING` when there is none."""
    return MISSING if value is None else f"{value:.3f}"


def log_score(value: float | None) -> str:
    """A log score with three decimals; :data:`INFINITE` when what happened had probability
    0; :data:`MISSING` when there is none."""
    if value is None:
        return MISSING
    return INFINITE if math.isinf(value) else f"{value:.3f}"


# --- expectations (SPEC §5) ---------------------------------------------------------------------


def value(x: float) -> str:
    """An expectation's value, to three significant figures: ``0.134``."""
    return f"{x:.3g}"


def margin(x: float) -> str:
    """An expectation's margin, signed (negative: outside the bound): ``+0.116``."""
    return f"{x:+.3g}"


def mcse(x: float) -> str:
    """A Monte Carlo standard error, to two significant figures: ``0.0025``."""
    return f"{x:.2g}"


# --- diagnostics (SPEC §4) ----------------------------------------------------------------------


def ess(x: float | None) -> str:
    """An effective sample size, whole: ``3318``."""
    return MISSING if _absent(x) else f"{x:.0f}"


def pareto_k(x: float | None) -> str:
    """A Pareto k-hat: ``0.41``."""
    return MISSING if _absent(x) else f"{x:.2f}"


def rhat(x: float | None) -> str:
    """An R-hat: ``1.004``."""
    return MISSING if _absent(x) else f"{x:.3f}"


def acceptance(x: float | None) -> str:
    """NUTS's target acceptance rate: ``0.90``."""
    return MISSING if _absent(x) else f"{x:.2f}"


def seconds(x: float) -> str:
    """A duration: ``4.3 s``."""
    return f"{x:.1f} s"


# --- numbers as written -------------------------------------------------------------------------


def number(x: float) -> str:
    """A number as the analyst wrote it, shortest: ``0.3``, ``3``, ``1e-05``."""
    return f"{x:g}"


def approximate(x: float) -> str:
    """A computed number that is not a probability (a swept value, where a word changes), to
    four significant figures: ``0.3784``, ``-3.6``."""
    return f"{x:.4g}"


def log_odds(x: float) -> str:
    """An effect written as a number: ``+1.2 log-odds``."""
    return f"{x:+g} log-odds"


# --- words and observations --------------------------------------------------------------------


def word(p: float, reliable: bool, withheld: str = WITHHELD) -> str:
    """The ICD 203 word for ``p``, or ``withheld`` when the numbers are not reliable."""
    return word_for(p) if reliable else withheld


def observed(value: bool | str) -> str:
    """What an observation says: ``true``, ``false``, or a state's id (SPEC §11.6)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def settings(row: dict, outcome: str) -> str:
    """One outcome's probability under each setting of an item, for influence and signpost
    tables: ``31% / 12%`` (true / false) for a binary item, ``withdrawn 31% / garrison 40%`` for
    each state of a multi-state driver (SPEC §11.6); :data:`MISSING` where there is none."""

    def p(outcomes: dict | None) -> str:
        return share(None if outcomes is None else outcomes.get(outcome))

    if "states" in row:
        return " / ".join(
            f"{s} {p(x.get('outcomes', x) if x is not None else None)}"
            for s, x in row["states"].items()
        )
    return f"{p(row['if_true'])} / {p(row['if_false'])}"


def state_chances(row: dict) -> str:
    """How likely each observation of a signpost is: ``21%`` (P(seen) or P(holds)), or
    ``withdrawn 70% / garrison 16%`` for a multi-state driver."""
    if "states" in row:
        return " / ".join(f"{s} {share(x['p'])}" for s, x in row["states"].items())
    return share(row["p_true"])
