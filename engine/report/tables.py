"""The report's CSV tables: rows built from a result, and a writer that defuses formulas.

CSV carries raw numbers (no rounding). A text cell that a spreadsheet would read as a formula —
one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — gets a leading ``'``
unless it is a number (SPEC §7). Words are left empty when the run is unreliable.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engine.display import observed, word
from engine.inference.answer import Summary
from engine.infra.files import write_text
from engine.report.numbers import how_made, label_of
from engine.run.result import Result
from engine.scenario.schema import Scenario

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")

Row = Sequence[Any]


def safe_cell(value: Any) -> Any:
    """One CSV cell: numbers as they are, text defused, None as an empty cell.

    Parameters
    ----------
    value : Any
        A number, text, bool, date or None.

    Returns
    -------
    Any
        ``value`` for numbers; ``"true"``/``"false"`` for booleans; ``""`` for None and for
        numbers that are not finite; otherwise text, with ``'`` in front when it starts like a
        formula and is not a number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value if math.isfinite(value) else ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_text(header: Row, rows: Iterable[Row]) -> str:
    """The CSV text of a table (RFC 4180 quoting, ``\\r\\n`` line ends), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def write_csv(target: str | Path, header: Row, rows: Iterable[Row]) -> Path:
    """Write a table to ``target`` atomically; see :func:`csv_text`."""
    return write_text(target, csv_text(header, rows))


def _word(summary: Summary, reliable: bool) -> str:
    return word(summary.p, reliable, withheld="")  # CSV: an empty cell, not a dash


def _summary(summary: Summary) -> list[float]:
    return [summary.p, summary.lo, summary.hi, summary.mcse]


def outcome_rows(result: Result) -> tuple[list[str], list[Row]]:
    """outcome, label, p, lo, hi, mcse, word (empty when unreliable)."""
    labels = result.labels.get("outcomes", {})
    header = ["outcome", "label", "p", "lo", "hi", "mcse", "word"]
    rows = [
        [k, labels.get(k, k), *_summary(s), _word(s, result.reliable)]
        for k, s in result.main.outcomes.items()
    ]
    return header, rows


def driver_rows(result: Result, scenario: Scenario) -> tuple[list[str], list[Row]]:
    """driver, label, prior as written, prior 5th/95th percentiles, posterior summary, word."""
    header = ["driver", "label", "prior", "prior_lo", "prior_hi", "p", "lo", "hi", "mcse", "word"]
    rows = []
    for key, s in result.main.drivers.items():
        prior = how_made(scenario, key)["prior"]
        rows.append(
            [key, label_of(scenario, key), prior["written"], prior["lo"], prior["hi"]]
            + [*_summary(s), _word(s, result.reliable)]
        )
    return header, rows


def what_if_rows(result: Result) -> tuple[list[str], list[Row]]:
    """One row per what-if and outcome (the main result first, as what-if ``""``)."""
    header = ["what_if", "label", "outcome", "p", "lo", "hi", "mcse", "reliable"]
    labels = result.labels.get("what_if", {})
    rows: list[Row] = [
        ["", "main result", k, *_summary(s), result.main.reliable]
        for k, s in result.main.outcomes.items()
    ]
    for name, answer in result.what_if.items():
        rows += [
            [name, labels.get(name, name), k, *_summary(s), answer.reliable]
            for k, s in answer.outcomes.items()
        ]
    return header, rows


def timeline_rows(result: Result) -> tuple[list[str], list[Row]]:
    """One row per timeline point and outcome, with the evidence counted at that point."""
    header = ["date", "evidence", "outcome", "p", "lo", "hi", "mcse"]
    rows = []
    for point in result.timeline:
        evidence = " ".join(point.evidence)
        for k, s in point.answer.outcomes.items():
            rows.append([point.date, evidence, k, *_summary(s)])
    return header, rows


def expectation_rows(result: Result) -> tuple[list[str], list[Row]]:
    header = ["expectation", "status", "value", "margin", "mcse", "description"]
    rows = [
        [name, c.status, c.value, c.margin, c.mcse, c.description]
        for name, c in result.expect.items()
    ]
    return header, rows


def _by_setting(row: dict) -> list[tuple[str, float | None, dict | None]]:
    """(setting, its probability, the outcomes then) for each setting of an influence or
    signpost row: ``true``/``false`` for a binary item, each state of a multi-state driver."""
    if "states" in row:
        return [
            (s, x.get("p") if isinstance(x, dict) and "outcomes" in x else None,
             x.get("outcomes", x) if x is not None else None)
            for s, x in row["states"].items()
        ]  # fmt: skip
    p = row.get("p_true")
    return [
        ("true", p, row["if_true"]),
        ("false", None if p is None else 1 - p, row["if_false"]),
    ]


def influence_rows(analysis: dict) -> tuple[list[str], list[Row]]:
    """One row per driver, setting and outcome: the outcome's probability with the driver set
    to ``true``/``false`` or to each of its states (empty where the evidence cannot hold)."""
    header = ["driver", "swing", "set_to", "outcome", "p"]
    rows = []
    for driver, row in analysis.get("influence", {}).items():
        for setting, _, outcomes in _by_setting(row):
            for k, p in (outcomes or {}).items():
                rows.append([driver, row["swing"], setting, k, p])
    return header, rows


def signpost_rows(analysis: dict) -> tuple[list[str], list[Row]]:
    """One row per signpost, observation and outcome: bits, how likely the observation is,
    and the outcome's probability once it is observed."""
    header = ["item", "kind", "bits", "observed", "p_observed", "outcome", "p"]
    rows = []
    for item, row in analysis.get("signposts", {}).items():
        for setting, chance, outcomes in _by_setting(row):
            for k, p in (outcomes or {}).items():
                rows.append([item, row["kind"], row["bits"], setting, chance, k, p])
    return header, rows


def uncertainty_rows(analysis: dict) -> tuple[list[str], list[Row]]:
    header = ["outcome", "number", "share"]
    rows = [
        [k, number, share]
        for k, shares in analysis.get("uncertainty", {}).items()
        for number, share in shares.items()
    ]
    return header, rows


def band_crossing_rows(analysis: dict, reliable: bool) -> tuple[list[str], list[Row]]:
    header = ["outcome", "item", "observed", "p", "word", "p_observation"]
    rows = [
        [k, c["item"], observed(c["observed"]), c["p"], c["word"] if reliable else ""]
        + [c["p_observation"]]
        for k, crossings in analysis.get("band_crossing", {}).items()
        for c in crossings
    ]
    return header, rows


def score_rows(result: Result, scenario: Scenario) -> tuple[list[str], list[Row]]:
    """What happened and how this result scored (SPEC §10): one row for the main result, then
    one per timeline point (``date`` filled, the scores of the main result left empty)."""
    from engine.score.scores import finite, score

    header = ["resolved", "label", "on", "date", "p", "lo", "hi", "mcse", "brier", "log"]
    header.append("reliable")
    assert scenario.resolved is not None
    s = score(result, scenario.resolved)
    head = [s.outcome, s.label, s.on]
    rows: list[Row] = [[*head, "", *_summary(s.p), s.brier, finite(s.log), result.reliable]]
    rows += [[*head, p.date, *_summary(p.p), "", "", ""] for p in s.timeline]
    return header, rows


def report_tables(result: Result, scenario: Scenario) -> dict[str, tuple[list[str], list[Row]]]:
    """Every CSV table of one report, by file name; analysis tables only when computed."""
    tables = {
        "outcomes.csv": outcome_rows(result),
        "drivers.csv": driver_rows(result, scenario),
        "what_if.csv": what_if_rows(result),
        "timeline.csv": timeline_rows(result),
        "expectations.csv": expectation_rows(result),
    }
    if scenario.resolved is not None:
        tables["score.csv"] = score_rows(result, scenario)
    analysis = result.analysis
    if analysis:
        tables["influence.csv"] = influence_rows(analysis)
        tables["signposts.csv"] = signpost_rows(analysis)
        tables["uncertainty.csv"] = uncertainty_rows(analysis)
        tables["band_crossing.csv"] = band_crossing_rows(analysis, result.reliable)
    return tables
