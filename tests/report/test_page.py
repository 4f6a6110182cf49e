"""One scenario's report on the exact path (every number fixed): files, escaping, order, words.

The scenario's text is hostile on purpose (tests/support/reports.py): markup, a template
expression, spreadsheet formulas and mathtext must all come out as plain text.
"""

from __future__ import annotations

import hashlib
import re

import pytest
import yaml

from engine.cli.exit import batch_exit_code
from engine.inference.diagnostics import Diagnostics
from engine.report.page import Provenance, write_report
from engine.run import run
from engine.scenario.merge import load_document
from engine.scenario.validate import load_scenario
from engine.scenario.values import PROBABILITY_BANDS
from tests.support.reports import (
    HOSTILE_FORMULA,
    HOSTILE_MATH,
    HOSTILE_SCRIPT,
    HOSTILE_TEMPLATE,
    hand_scores,
    read_csv,
    section,
)

WORDS = [w for words, _, _ in PROBABILITY_BANDS for w in words]
SECTIONS = [
    "headline",
    "outcome-chart",
    "what-ifs",
    "timeline",
    "graph",
    "drivers",
    "analysis",
    "expectations",
    "diagnostics",
    "provenance",
]


@pytest.fixture(scope="module")
def page(batch):
    return (batch[1] / "hostile" / "index.html").read_text(encoding="utf-8")


def test_the_folder_holds_every_file(batch):
    _, out, result = batch
    assert batch_exit_code(result.entries) == 0
    assert [e.status for e in result.entries] == ["reported"]
    names = {p.name for p in (out / "hostile").iterdir()}
    assert names == {
        "index.html",
        "report.md",
        "scenario.yaml",
        "manifest.json",
        "outcomes.csv",
        "drivers.csv",
        "what_if.csv",
        "timeline.csv",
        "expectations.csv",
        "influence.csv",
        "signposts.csv",
        "uncertainty.csv",
        "band_crossing.csv",
    }  # no posterior.nc: an exact run has no draws
    assert not (out / "parent-only").exists()  # `_parent.yaml` is a parent only
    assert {p.name for p in out.iterdir()} == {"hostile", "index.html", "summary.csv"}


def test_the_page_says_why_there_is_no_posterior(page):
    assert "No posterior.nc" in page
    assert "the probabilities are exact" in page


def test_sections_come_in_order(page):
    places = [page.index(f'<section id="{name}">') for name in SECTIONS]
    assert places == sorted(places)


def test_headline_numbers_and_words(batch, page):
    rows = {r["outcome"]: r for r in read_csv(batch[1] / "hostile" / "outcomes.csv")}
    wet, dry = float(rows["wet"]["p"]), float(rows["dry"]["p"])
    assert (rows["wet"]["word"], rows["dry"]["word"]) == ("likely", "unlikely")
    headline = section(page, "headline")
    shown = re.findall(
        r'<span class="id">(\w+)</span></td><td class="num">([^<]*)</td><td>([^<]*)</td>', headline
    )
    assert shown == [("wet", f"{wet:.0%}", "likely"), ("dry", f"{dry:.0%}", "unlikely")]


def test_the_page_is_self_contained_and_without_script(page):
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|srcset)\s*=|url\(\s*['"]?http|@import|<link|<iframe""", page)
    assert "default-src 'none'" in page  # even a mistake could not fetch or run anything
    assert page.count("<svg") == 3


def test_hostile_text_is_escaped_not_evaluated(page):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    title = re.search(r"<title>(.*)</title>", page).group(1)
    assert title == "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} $x^2$ — Signpost report"
    assert HOSTILE_TEMPLATE in page and "49" not in title
    assert "&lt;b&gt;bold&lt;/b&gt; source" in page
    assert 'href="https://example.org/a_b?x=1&amp;y=2"' in page


def test_figures_draw_text_literally(page):
    figures = "".join(re.findall(r"<svg.*?</svg>", page, re.DOTALL))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", figures)
    assert f"{HOSTILE_MATH} wet" in texts  # a `$` does not start mathtext
    assert any("&lt;script&gt;" in t for t in texts)
    assert f"{HOSTILE_TEMPLATE} dry" in texts
    ids = re.findall(r'\sid="([^"]+)"', figures)
    assert len(ids) == len(set(ids))  # several figures share one page


def test_csv_cells_are_defused(batch):
    folder = batch[1] / "hostile"
    drivers = {r["driver"]: r for r in read_csv(folder / "drivers.csv")}
    assert drivers["wind"]["label"] == "'" + HOSTILE_FORMULA
    assert drivers["rain"]["label"] == HOSTILE_SCRIPT
    assert float(drivers["rain"]["p"]) > 0.3  # numbers stay numbers
    what_if = read_csv(folder / "what_if.csv")
    assert {r["label"] for r in what_if} == {"main result", "'-2+3 storm"}
    summary = read_csv(batch[1] / "summary.csv")
    assert summary[0]["title"].startswith(HOSTILE_SCRIPT)


def test_markdown_is_inert(batch):
    text = (batch[1] / "hostile" / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"\$x^2\$ wet" in text


def test_scenario_yaml_is_the_resolved_scenario(batch):
    source, out, _ = batch
    written = yaml.safe_load((out / "hostile" / "scenario.yaml").read_text(encoding="utf-8"))
    assert written == load_document(source / "hostile.yaml").data
    assert "extends" not in written and "rain" in written["drivers"]


def test_provenance(page, batch):
    source = batch[0]
    provenance = section(page, "provenance")
    for name in ("hostile.yaml", "_parent.yaml"):
        assert hashlib.sha256((source / name).read_bytes()).hexdigest() in provenance
    assert "{{ 7*7 }} said $x^2$" in provenance  # the driver's quote
    assert "signpost 0.1.0" in provenance and "numpy" in provenance and "seed" in provenance


def test_an_unreliable_run_has_a_banner_and_no_words(tmp_path, batch):
    scenario = load_scenario(batch[0] / "hostile.yaml")
    result = run(scenario)
    result.diagnostics = Diagnostics("nuts", chains=2, draws=100, max_rhat=1.3, min_ess_bulk=50)
    assert not result.reliable
    provenance = Provenance("hostile.yaml", "0" * 64, [("hostile.yaml", "0" * 64)], "1" * 64)
    write_report(tmp_path, scenario, result, "signpost: 1\n", provenance)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="unreliable"' in page
    assert "UNRELIABLE" in section(page, "outcome-chart")  # the figure says so too
    for name in ("headline", "drivers", "analysis"):
        part = re.sub(r"<svg.*?</svg>", "", section(page, name), flags=re.DOTALL)
        cells = re.findall(r"<td>([^<]*)</td>|\(([a-z ]+)\)", part)
        shown = {c for pair in cells for c in pair if c}
        assert not shown & set(WORDS), name
    assert all(r["word"] == "" for r in read_csv(tmp_path / "outcomes.csv"))
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "UNRELIABLE" in markdown
    assert not re.search(r"\| (likely|unlikely|very likely) \|", markdown)


# --- a resolved scenario (SPEC §10): what happened, the scores, the timeline, the overview ------


def svg_texts(html: str, name: str) -> list[str]:
    svg = re.search(rf'<svg[^>]*class="figure {name}".*?</svg>', html, re.DOTALL).group(0)
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_page_shows_what_happened_and_the_scores(resolved_batch):
    folder = resolved_batch / "resolved"
    page = (folder / "index.html").read_text(encoding="utf-8")
    places = [page.index(f'<section id="{name}">') for name in ("headline", "resolution")]
    assert places == sorted(places) and places[1] < page.index('<section id="outcome-chart">')
    part = section(page, "resolution")
    assert (
        "2023-06-30" in part and "{{ 7*7 }} dry" in part and '<span class="id">dry</span>' in part
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} $x^2$ =cmd" in part  # the note
    assert 'href="https://example.org/later?a=1&amp;b=2"' in part  # sources linked
    assert "&lt;i&gt;What&lt;/i&gt; happened" in part and "&lt;b&gt;bold&lt;/b&gt; source" in part
    p, brier, log = hand_scores(folder, "dry")
    assert f"{p:.0%}" in part and f"{brier:.3f}" in part and f"{log:.3f}" in part
    assert "happened" in section(page, "headline")
    assert "<script" not in page.lower()
    rows = read_csv(folder / "score.csv")
    assert rows[0]["resolved"] == "dry" and rows[0]["date"] == "" and rows[0]["on"] == "2023-06-30"
    assert float(rows[0]["brier"]) == pytest.approx(brier, abs=1e-12)
    assert float(rows[0]["log"]) == pytest.approx(log, abs=1e-12)
    assert [r["date"] for r in rows[1:]] == ["2022-01-07", "2022-01-10"]


def test_the_markdown_shows_what_happened(resolved_batch):
    folder = resolved_batch / "resolved"
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "## What happened" in text and "Resolved on 2023-06-30" in text
    assert r"\<script\>alert(1)\</script\>" in text and "<script>" not in text
    p, brier, log = hand_scores(folder, "dry")
    assert f"| {brier:.3f} |" in text and f"| {log:.3f} |" in text


@pytest.mark.parametrize(
    ("report", "judged", "label"),
    [("resolved", "2023-06-30", "{{ 7*7 }} dry"), ("resolved-soon", "2022-01-20", "$x^2$ wet")],
)
def test_the_timeline_figure_marks_the_resolution(resolved_batch, report, judged, label):
    page = (resolved_batch / report / "index.html").read_text(encoding="utf-8")
    texts = svg_texts(page, "timeline")
    assert judged in texts  # the resolution date is a tick of the extended axis
    assert any(t.startswith(f" resolved {judged}: ") for t in texts)  # the vertical line's label
    assert f"{label} (happened)" in texts  # the legend says which outcome happened
    assert page.count("<svg") == 3


def test_an_unresolved_page_has_no_resolution(resolved_batch):
    page = (resolved_batch / "hostile" / "index.html").read_text(encoding="utf-8")
    assert 'id="resolution"' not in page and "(happened)" not in page
    assert not (resolved_batch / "hostile" / "score.csv").exists()
