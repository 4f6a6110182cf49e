"""The batch overview (engine/report/overview.py): ``index.html`` and ``summary.csv`` with every
scenario side by side, what happened and the scores, and the calibration chart."""

from __future__ import annotations

import math
import re

import pytest

from engine.report.overview import write_overview
from tests.support.reports import hand_scores, read_csv, section


def test_overview_links_and_heatmap(batch):
    index = (batch[1] / "index.html").read_text(encoding="utf-8")
    assert 'href="hostile/index.html"' in index
    assert 'class="figure heatmap"' in index
    assert "<script" not in index.lower()


def test_summary_csv_and_overview_have_the_score_columns(resolved_batch):
    rows = {r["id"]: r for r in read_csv(resolved_batch / "summary.csv")}
    p, brier, log = hand_scores(resolved_batch / "resolved", "dry")
    assert rows["resolved"]["resolved"] == "dry"
    assert float(rows["resolved"]["p_happened"]) == pytest.approx(p, abs=1e-12)
    assert float(rows["resolved"]["brier"]) == pytest.approx(brier, abs=1e-12)
    assert float(rows["resolved"]["log"]) == pytest.approx(log, abs=1e-12)
    assert rows["resolved-soon"]["resolved"] == "wet"
    assert [rows["hostile"][c] for c in ("resolved", "p_happened", "brier", "log")] == [""] * 4
    index = (resolved_batch / "index.html").read_text(encoding="utf-8")
    table = index[index.index('id="summary-table"') :]
    assert "<th>happened</th>" in table and f"{brier:.3f}" in table and "unresolved" in table
    assert 'class="figure calibration"' not in index  # two resolved: too few to calibrate


def overview_summary(n: int, p_x: float, happened: str | None) -> dict:
    summary = {
        "id": f"case-{n:02}",
        "title": f"case {n}",
        "file": f"case_{n:02}.yaml",
        "reliable": True,
        "expectations": {},
        "outcomes": {
            "x": {"label": "=x", "p": p_x, "lo": p_x, "hi": p_x},
            "z": {"label": "z", "p": 1 - p_x, "lo": 1 - p_x, "hi": 1 - p_x},
        },
    }
    summary["resolved"] = {"outcome": happened, "on": "2023-01-01"} if happened else None
    return summary


@pytest.mark.parametrize("resolved", [9, 10])
def test_the_overview_calibration_chart_from_ten_resolved(tmp_path, resolved):
    cases = [(0.1, "z"), (0.1, "z"), (0.3, "z"), (0.3, "x"), (0.5, "x")]
    cases += [(0.5, "z"), (0.7, "x"), (0.7, "x"), (0.9, "x"), (0.9, "x")]
    summaries = [
        overview_summary(n, p_x, happened if n < resolved else None)
        for n, (p_x, happened) in enumerate(cases)
    ]
    write_overview(tmp_path, summaries, [])
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = read_csv(tmp_path / "summary.csv")
    assert [r["resolved"] for r in rows] == [
        h if n < resolved else "" for n, (_, h) in enumerate(cases)
    ]
    assert float(rows[0]["brier"]) == pytest.approx(2 * 0.1**2)
    assert rows[0]["log"] and float(rows[0]["log"]) == pytest.approx(-math.log(0.9))
    if resolved < 10:
        assert 'id="calibration"' not in index and 'class="figure calibration"' not in index
        return
    part = section(index, "calibration")
    assert part.count("<svg") == 1 and 'class="figure calibration"' in part
    table = re.findall(
        r"<tr><td>([^<]*)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)", part
    )
    assert table == [
        ("0%–20%", "4", "0"),
        ("20%–40%", "4", "1"),
        ("40%–60%", "4", "2"),
        ("60%–80%", "4", "3"),
        ("80%–100%", "4", "4"),
    ]
    assert "<script" not in index.lower()


def test_a_scenario_without_an_outcome_shows_the_one_placeholder_in_table_heatmap_and_caption(
    tmp_path,
):
    """Two scenarios with different outcomes: each cell the other lacks is engine.display's
    MISSING in the summary table and in the heatmap, and the caption names that mark; the
    heatmap's numbers are the table's."""
    from engine.display import MISSING

    one, other = overview_summary(1, 0.3, None), overview_summary(2, 0.004, "x")
    other["outcomes"]["y"] = other["outcomes"].pop("z")
    write_overview(tmp_path, [one, other], [])
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    caption = re.search(r"<figcaption>([^<]*no such outcome[^<]*)</figcaption>", index)[1]
    assert f"({MISSING} : the scenario has no such outcome)" in caption
    svg = re.search(r'<svg[^>]*class="figure heatmap".*?</svg>', index, re.DOTALL)[0]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count(MISSING) == 2, texts  # case 1 has no y, case 2 no z
    assert "0.4%" in texts and "30%" in texts and "70%" in texts  # as the table shows them
    table = index[index.index('id="summary-table"') :]
    assert table.count(f">{MISSING}<") >= 2
    assert "–" not in svg and "n/a" not in index
