"""How a probability is put into text, everywhere: terminal tables, reports, diffs, scores.

Rounding happens here only, for display; results, JSON and CSV keep whole numbers. Words are
the ICD 203 bands of SPEC §2 (``engine.scenario.values.word_for``) and are withheld — shown as
:data:`WITHHELD` — when the numbers missed the reliability bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.scenario.values import word_for

if TYPE_CHECKING:
    from engine.inference.answer import Summary

MISSING = "—"  # the cell of a number that is not there (no value, not finite, not applicable)
WITHHELD = MISSING  # the word of an unreliable run


def share(p: float | None) -> str:
    """A probability as a whole percentage; below 1% or above 99% with one decimal."""
    if p is None:
        return WITHHELD
    return f"{p:.1%}" if 0 < p < 0.01 or 0.99 < p < 1 else f"{p:.0%}"


def point(summary: Summary) -> str:
    """The probability as :func:`percent` shows it, without its interval: ``57%``."""
    return share(summary.p) if summary.lo == summary.hi else f"{summary.p:.0%}"


def interval(summary: Summary) -> str:
    """The 90% interval as :func:`percent` shows it: ``(43%–69%)``; empty when exact."""
    return "" if summary.lo == summary.hi else f"({summary.lo:.0%}–{summary.hi:.0%})"


def percent(summary: Summary) -> str:
    """``57% (43%–69%)``: the probability and its 90% interval; ``31%`` when exact."""
    return f"{point(summary)} {interval(summary)}".rstrip()


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
    each state of a multi-state driver (SPEC §11.6); ``—`` where there is none."""

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
