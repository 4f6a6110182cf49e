"""The printed form of ``signpost score``: one line per resolved scenario, the means, the
unresolved scenarios apart, the calibration table (from ten resolved scenarios), invalid files.

Numbers are put into text by :mod:`engine.display` (a bin with no forecast shows its
placeholder); ``--json`` (:func:`engine.score.batch.to_json`)
keeps them whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.display import brier, decimal, decimal_bin, decimal_interval, log_score
from engine.score.batch import FileScore, resolved, unresolved
from engine.score.scores import MIN_CALIBRATION, CalibrationBin, calibration_of, means

UNRELIABLE = "UNRELIABLE: the sampler missed the reliability bar; these numbers may be wrong"


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
            f"happened {s.outcome} (on {s.on.isoformat()})  P(happened) {decimal_interval(s.p)}  "
            f"Brier {brier(s.brier)}  log {log_score(s.log)}"
        )
        if not f.reliable:
            line += f"  {UNRELIABLE}"
        lines.append(line)
        if s.timeline:
            points = ", ".join(
                f"{p.date.isoformat() if p.date else 'start'} {decimal(p.p.p)}" for p in s.timeline
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
        forecast, observed = decimal(b.forecast), decimal(b.observed)
        counts = f"{b.count:>6}  {b.happened:>8}"
        lines.append(f"  {decimal_bin(b.lo, b.hi)}  {counts}  {forecast:>13}  {observed:>8}")
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
            f"Brier {brier(mean['brier'])}  log {log_score(mean['log'])}"
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
