"""The printed form of ``signpost score``: one line per resolved scenario, the means, the
unresolved scenarios apart, the calibration table (from ten resolved scenarios), invalid files.

Numbers are rounded here only, for display; ``--json`` (:func:`engine.score.batch.to_json`)
keeps them whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from engine.inference.answer import Summary
from engine.score.batch import FileScore, resolved, unresolved
from engine.score.scores import MIN_CALIBRATION, CalibrationBin, calibration_of, means

UNRELIABLE = "UNRELIABLE: the sampler missed the reliability bar; these numbers may be wrong"


def probability(p: float) -> str:
    """A probability with three decimals."""
    return f"{p:.3f}"


def interval(summary: Summary) -> str:
    """``0.325 (90% 0.210–0.451)``, or ``0.575 (exact)`` when every number is fixed."""
    if summary.lo == summary.hi:
        return f"{probability(summary.p)} (exact)"
    return f"{probability(summary.p)} (90% {probability(summary.lo)}–{probability(summary.hi)})"


def number(value: float | None) -> str:
    """A score with three decimals; ``inf`` when infinite, ``n/a`` when missing."""
    if value is None:
        return "n/a"
    return "inf" if math.isinf(value) else f"{value:.3f}"


def score_lines(files: Sequence[FileScore]) -> list[str]:
    """One line per resolved scenario (then its timeline, indented), aligned in columns."""
    scored = resolved(files)
    if not scored:
        return []
    width_file = max(len(f.path.as_posix()) for f in scored)
    width_id = max(len(f.id) for f in scored)
    lines = []
    for f in scored:
        s = f.score
        assert s is not None
        as_of = f.as_of.isoformat() if f.as_of else "(no as_of)"
        line = (
            f"{f.path.as_posix():<{width_file}}  {f.id:<{width_id}}  as of {as_of}  "
            f"happened {s.outcome} (on {s.on.isoformat()})  P(happened) {interval(s.p)}  "
            f"Brier {number(s.brier)}  log {number(s.log)}"
        )
        if not f.reliable:
            line += f"  {UNRELIABLE}"
        lines.append(line)
        if s.timeline:
            points = ", ".join(
                f"{p.date.isoformat() if p.date else 'start'} {probability(p.p.p)}"
                for p in s.timeline
            )
            lines.append(f"    P(happened) along the timeline: {points}")
    return lines


def calibration_lines(table: Sequence[CalibrationBin], scenarios: int) -> list[str]:
    """The calibration table: forecast bin, count, happened, mean forecast, observed frequency."""
    lines = [
        f"calibration: every outcome probability of the {scenarios} resolved scenarios, by bin",
        "  forecast   count  happened  mean forecast  observed",
    ]
    for b in table:
        forecast = "" if b.forecast is None else probability(b.forecast)
        observed = "" if b.observed is None else probability(b.observed)
        lines.append(
            f"  {b.lo:.1f}–{b.hi:.1f}  {b.count:>6}  {b.happened:>8}  {forecast:>13}  {observed:>8}"
        )
    return lines


def render_lines(files: Sequence[FileScore]) -> list[str]:
    """Every line ``signpost score`` prints, in order."""
    files = list(files)
    if not files:
        return ["no scenario files found"]
    scored = resolved(files)
    scores = [f.score for f in scored if f.score is not None]
    lines = score_lines(files)
    mean = means(scores)
    if scores:
        lines.append(
            f"mean of {len(scores)} resolved scenario{'s' if len(scores) != 1 else ''}: "
            f"Brier {number(mean['brier'])}  log {number(mean['log'])}"
        )
    else:
        lines.append("no resolved scenario: nothing to score")
    if any(not f.reliable for f in scored):
        lines.append("warn  some runs are unreliable: their scores may change with more draws")
    table = calibration_of(scores)
    if table is not None:
        lines += calibration_lines(table, len(scores))
    elif scores:
        lines.append(
            f"calibration: shown from {MIN_CALIBRATION} resolved scenarios on ({len(scores)} here)"
        )
    open_ = unresolved(files)
    if open_:
        lines.append(f"unresolved ({len(open_)}), not scored:")
        width = max(len(f.id) for f in open_)
        for f in open_:
            note = f"  {UNRELIABLE}" if not f.reliable else ""
            lines.append(f"  {f.id:<{width}}  {f.path.as_posix()}{note}")
    for f in files:
        if f.invalid:
            lines.append(f"ERROR  {f.path.as_posix()}  invalid scenario")
            lines += [issue.format() for issue in f.issues]
        elif f.error:
            lines.append(f"ERROR  {f.path.as_posix()}  could not be run: {f.error}")
    return lines
