"""One scenario's report on the exact path (every number fixed): files, escaping, order, words.

The scenario's text is hostile on purpose (tests/report_fixtures.py): markup, a template
expression, spreadsheet formulas and mathtext must all come out as plain text.
"""

from __future__ import annotations

import csv
import hashlib
import re

import pytest
import yaml

from engine.loader import load_document
from engine.priors import PROBABILITY_BANDS
from engine.report.batch import RunOptions, report_batch
from engine.report.page import Provenance, write_report
from engine.result import Diagnostics
from engine.run import run
from engine.validate import load_scenario
from tests.report_fixtures import (
    HOSTILE_FORMULA,
    HOSTILE_MATH,
    HOSTILE_SCRIPT,
    HOSTILE_TEMPLATE,
    write_batch,
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
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("exact")
    source = write_batch(root / "scenarios")
    out = root / "reports"
    result = report_batch([source], out, jobs=1, options=RunOptions())
    return source, out, result


@pytest.fixture(scope="module")
def page(batch):
    return (batch[1] / "hostile" / "index.html").read_text(encoding="utf-8")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}">')
    return html[start : html.index("</section>", start)]


def test_the_folder_holds_every_file(batch):
    _, out, result = batch
    assert result.exit_code == 0
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
    wet = float(rows["wet"]["p"])
    assert rows["wet"]["word"] == "likely"
    headline = section(page, "headline")
    assert f"{wet:.0%}" in headline
    assert "likely" in headline


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


def test_overview_links_and_heatmap(batch):
    index = (batch[1] / "index.html").read_text(encoding="utf-8")
    assert 'href="hostile/index.html"' in index
    assert 'class="figure heatmap"' in index
    assert "<script" not in index.lower()


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
