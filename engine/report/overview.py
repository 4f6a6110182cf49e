"""The batch overview: ``index.html`` and ``summary.csv`` with every scenario side by side.

Built from each report's summary (kept in its manifest), so scenarios skipped as unchanged appear
as well as the ones run now; scenarios that failed are listed with their error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from markupsafe import Markup

from engine import __version__
from engine.report.files import write_text
from engine.report.numbers import percent, word
from engine.report.tables import write_csv
from engine.report.templating import render_html
from engine.result import Summary


def outcome_columns(summaries: list[dict[str, Any]]) -> list[str]:
    """Every outcome id of the batch, in order of first appearance."""
    return list(dict.fromkeys(k for s in summaries for k in s["outcomes"]))


def summary_rows(summaries: list[dict], failed: list[dict]) -> tuple[list[str], list[list]]:
    """``summary.csv``: one row per scenario, each outcome's p, lo and hi side by side."""
    outcomes = outcome_columns(summaries)
    header = ["id", "title", "file", "status", "reliable", "expectations_failed", "error"]
    header += [f"{k}.{part}" for k in outcomes for part in ("p", "lo", "hi")]
    rows: list[list] = []
    for s in summaries:
        cells = []
        for k in outcomes:
            o = s["outcomes"].get(k)
            cells += [o["p"], o["lo"], o["hi"]] if o else ["", "", ""]
        fails = s["expectations"].get("fail", 0)
        rows.append([s["id"], s["title"], s["file"], "ok", s["reliable"], fails, ""] + cells)
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
    outcomes = outcome_columns(summaries)
    scenarios = []
    for s in summaries:
        cells = []
        for k in outcomes:
            o = s["outcomes"].get(k)
            if o is None:
                cells.append({"percent": "–", "word": ""})
                continue
            summary = Summary(o["p"], o["lo"], o["hi"], 0.0)
            cells.append({"percent": percent(summary), "word": word(o["p"], s["reliable"])})
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
            }
        )
    heatmap = None
    if summaries:
        from engine.report.figures import heatmap as draw_heatmap

        nan = float("nan")
        grid = [[s["outcomes"].get(k, {}).get("p", nan) for k in outcomes] for s in summaries]
        heatmap = Markup(draw_heatmap([s["id"] for s in summaries], outcomes, grid))
    html = render_html(
        "index.html",
        scenarios=scenarios,
        failed=failed,
        outcomes=outcomes,
        heatmap=heatmap,
        generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        engine_version=__version__,
    )
    write_csv(out / "summary.csv", *summary_rows(summaries, failed))
    write_text(out / "index.html", html)
