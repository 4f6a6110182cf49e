"""The batch overview: ``index.html`` and ``summary.csv`` with every scenario side by side.

Built from each report's summary (kept in its manifest), so scenarios skipped as unchanged appear
as well as the ones run now; scenarios that failed are listed with their error.

A resolved scenario (SPEC §10) also shows what happened, P(happened), and its Brier and log
scores, computed from the summary's outcome probabilities; what happened is read from the
summary's ``resolved`` when it has one, else from the report's ``scenario.yaml`` (the scenario
as run), read by :func:`engine.scenario.merge.read_document` like any scenario file. From
:data:`engine.score.scores.MIN_CALIBRATION` resolved scenarios on, the overview adds a
calibration chart of the batch.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from markupsafe import Markup

from engine import __version__, display
from engine.display import MISSING, interval, point, share, span, word
from engine.inference.answer import Summary
from engine.infra.files import write_text
from engine.report.tables import write_csv
from engine.report.templating import render_html
from engine.run.result import Result
from engine.scenario.merge import read_document
from engine.scenario.schema import Scenario
from engine.score.scores import MIN_CALIBRATION, brier, calibration, log_score


def summary_of(file: str | Path, scenario: Scenario, result: Result) -> dict[str, Any]:
    """What the overview needs from one scenario's result, kept in its report's manifest (and
    by ``signpost serve``): ``id``, ``title``, ``file``, ``reliable``, ``method``, ``outcomes``
    (each with ``label``, ``p``, ``lo``, ``hi``), ``expectations`` (a count per status) and
    ``resolved`` (``{"outcome": id, "on": date}``, or None)."""
    counts: dict[str, int] = {}
    for check in result.expect.values():
        counts[check.status] = counts.get(check.status, 0) + 1
    resolution = scenario.resolved
    return {
        "id": result.id,
        "title": result.title,
        "file": str(file),
        "reliable": result.reliable,
        "method": result.diagnostics.method,
        "outcomes": {
            k: {"label": scenario.outcomes[k].label, "p": s.p, "lo": s.lo, "hi": s.hi}
            for k, s in result.main.outcomes.items()
        },
        "expectations": counts,
        "resolved": None
        if resolution is None
        else {"outcome": resolution.outcome_id, "on": resolution.on.isoformat()},
    }


def outcome_columns(summaries: list[dict[str, Any]]) -> list[str]:
    """Every outcome id of the batch, in order of first appearance."""
    return list(dict.fromkeys(k for s in summaries for k in s["outcomes"]))


def resolution_of(out: str | Path, summary: dict[str, Any]) -> dict[str, Any] | None:
    """What happened to one reported scenario, and how its result scored; None if unresolved.

    Parameters
    ----------
    out : str or Path
        The reports folder (``out/<id>/scenario.yaml`` is read, by the scenario reader, when
        the summary does not say).
    summary : dict
        The report's summary: ``id``, ``outcomes`` (each with ``p`` and ``label``), and
        optionally ``resolved`` (``{"outcome": id, "on": date}`` or None).

    Returns
    -------
    dict or None
        ``outcome``, ``label``, ``on`` (text), ``p`` (P(happened)), ``brier``, ``log``, and
        ``probabilities`` (every outcome's p), unrounded.
    """
    if "resolved" in summary:
        resolved = summary["resolved"]
    else:  # read as any scenario file is: dates are dates, `on` is a key (SPEC §10)
        document, _ = read_document(Path(out) / summary["id"] / "scenario.yaml")
        resolved = document.data.get("resolved") if document is not None else None
    if not isinstance(resolved, dict):
        return None
    happened = resolved.get("outcome")
    if isinstance(happened, bool):  # a binary outcomes_from (SPEC §11.5)
        happened = "true" if happened else "false"
    outcomes = summary.get("outcomes", {})
    if happened not in outcomes:
        return None
    on = resolved.get("on")
    probabilities = {k: float(o["p"]) for k, o in outcomes.items()}
    p = probabilities[happened]
    return {
        "outcome": happened,
        "label": outcomes[happened].get("label", happened),
        "on": on.isoformat() if hasattr(on, "isoformat") else str(on or ""),
        "p": p,
        "brier": brier(probabilities, happened),
        "log": log_score(p),
        "probabilities": probabilities,
    }


def summary_rows(
    summaries: list[dict],
    failed: list[dict],
    resolutions: list[dict[str, Any] | None] | None = None,
) -> tuple[list[str], list[list]]:
    """``summary.csv``: one row per scenario: what happened, P(happened), Brier and log (empty
    when unresolved), then each outcome's p, lo and hi side by side."""
    outcomes = outcome_columns(summaries)
    header = ["id", "title", "file", "status", "reliable", "expectations_failed", "error"]
    header += ["resolved", "p_happened", "brier", "log"]
    header += [f"{k}.{part}" for k in outcomes for part in ("p", "lo", "hi")]
    resolutions = resolutions or [None] * len(summaries)
    rows: list[list] = []
    for s, r in zip(summaries, resolutions, strict=True):
        cells = []
        for k in outcomes:
            o = s["outcomes"].get(k)
            cells += [o["p"], o["lo"], o["hi"]] if o else ["", "", ""]
        fails = s["expectations"].get("fail", 0)
        scored = [r["outcome"], r["p"], r["brier"], r["log"]] if r else ["", "", "", ""]
        rows.append(
            [s["id"], s["title"], s["file"], "ok", s["reliable"], fails, ""] + scored + cells
        )
    for f in failed:
        rows.append([f.get("id") or "", "", f["file"], "failed", "", "", f["error"]])
        rows[-1] += [""] * (len(header) - len(rows[-1]))
    return header, rows


def write_overview(out: str | Path, summaries: list[dict], failed: list[dict]) -> None:
    """Write ``out/index.html`` and ``out/summary.csv``.

    Parameters
    ----------
    out : str or Path
        The reports folder.
    summaries : list of dict
        One per reported scenario (the ``summary`` of its manifest), in batch order.
    failed : list of dict
        ``{"file": ..., "error": ...}`` per scenario that could not be reported.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    resolutions = [resolution_of(out, s) for s in summaries]
    html = overview_html(summaries, failed, resolutions)
    write_csv(out / "summary.csv", *summary_rows(summaries, failed, resolutions))
    write_text(out / "index.html", html)


def overview_html(
    summaries: list[dict],
    failed: list[dict],
    resolutions: list[dict[str, Any] | None],
    live: Any = None,
) -> str:
    """The overview page (``index.html``) of ``summaries`` and ``failed`` (as for
    :func:`write_overview`), with each summary's :func:`resolution_of`; ``live`` is set only by
    ``signpost serve`` (a report has no script)."""
    outcomes = outcome_columns(summaries)
    scenarios = []
    for s, r in zip(summaries, resolutions, strict=True):
        cells = []
        for k in outcomes:
            o = s["outcomes"].get(k)
            if o is None:
                cells.append({"point": MISSING, "interval": "", "word": ""})  # as the heatmap
                continue
            summary = _summary(o)
            cells.append(
                {
                    "point": point(summary),
                    "interval": interval(summary),
                    "word": word(o["p"], s["reliable"]),
                }
            )
        counts = s["expectations"]
        scenarios.append(
            {
                "id": s["id"],
                "title": s["title"],
                "file": s["file"],
                "reliable": s["reliable"],
                "href": f"{s['id']}/index.html",
                "cells": cells,
                "expectations": ", ".join(f"{n} {status}" for status, n in counts.items() if n)
                or "none",
                "resolved": _resolved_cells(r),
            }
        )
    heatmap = None
    if summaries:
        from engine.report.figures.overview import heatmap as draw_heatmap

        grid = [[_summary(s["outcomes"].get(k)) for k in outcomes] for s in summaries]
        heatmap = Markup(draw_heatmap([s["id"] for s in summaries], outcomes, grid))
    return render_html(
        "index.html",
        scenarios=scenarios,
        any_resolved=any(resolutions),
        calibration=_calibration([r for r in resolutions if r]),
        min_calibration=MIN_CALIBRATION,
        failed=failed,
        outcomes=outcomes,
        heatmap=heatmap,
        missing=MISSING,
        generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        engine_version=__version__,
        live=live,
    )


def _summary(outcome: dict[str, Any] | None) -> Summary | None:
    """A summary's outcome (``p``, ``lo``, ``hi``) as the Summary the display rules read."""
    return None if outcome is None else Summary(outcome["p"], outcome["lo"], outcome["hi"], 0.0)


def _resolved_cells(resolution: dict[str, Any] | None) -> dict[str, str] | None:
    """The overview's cells of one resolved scenario, rounded for display."""
    if resolution is None:
        return None
    return {
        "outcome": resolution["outcome"],
        "label": resolution["label"],
        "on": resolution["on"],
        "p": share(resolution["p"]),
        "brier": display.brier(resolution["brier"]),
        "log": display.log_score(resolution["log"]),
    }


def _calibration(resolutions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The calibration chart and table of the batch, from enough resolved scenarios on."""
    if len(resolutions) < MIN_CALIBRATION:
        return None
    from engine.report.figures.overview import calibration_chart

    pairs = [(p, k == r["outcome"]) for r in resolutions for k, p in r["probabilities"].items()]
    bins = calibration(pairs)
    rows = [
        {
            "bin": span(b.lo, b.hi),
            "count": b.count,
            "happened": b.happened,
            "forecast": MISSING if b.forecast is None else share(b.forecast),
            "observed": MISSING if b.observed is None else share(b.observed),
        }
        for b in bins
    ]
    return {"count": len(resolutions), "chart": Markup(calibration_chart(bins)), "rows": rows}
