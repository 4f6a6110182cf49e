"""Generated pages in a real browser: Debian's headless Chromium, from disk, network off.

Checks that a page renders to a non-blank screenshot, that the DOM holds the headline table
and the figures, and that the browser's console stays silent (the page needs no JavaScript and
its Content-Security-Policy forbids any); and that the overview of the shipped scenarios fits a
1280 × 900 window: measured in the DOM by Playwright driving the same Chromium (the measuring
script is the test's, never the page's), with the screenshot kept in ``build/test-artefacts/``
(or ``$SIGNPOST_ARTEFACTS``). Skipped where the ``chromium`` package is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from engine.report.batch import report_batch
from engine.report.overview import write_overview
from engine.scenario.validate import validate_paths
from tests.support import ROOT, SCENARIOS
from tests.support.reports import write_batch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found: install Debian's `chromium` package "
    "(apt-get install -y chromium)",
)

NETWORK_OFF = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"]


def chromium(*args: str) -> subprocess.CompletedProcess:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # root in containers and CI
        "--disable-gpu",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        *NETWORK_OFF,
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


RESOLVED = """\
signpost: 1
id: resolved
extends: _parent.yaml
title: The hostile scenario, resolved
resolved:
  outcome: dry
  on: 2023-06-30
  sources: [src]
  note: "<script>alert(1)</script> it stayed dry"
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    source = write_batch(root / "scenarios", other=True)
    (source / "resolved.yaml").write_text(RESOLVED, encoding="utf-8")
    report_batch([source], root / "reports", jobs=1)
    return root / "reports"


@pytest.fixture(scope="module")
def page(reports):
    return reports / "hostile" / "index.html"


def test_screenshot_is_a_real_image(page, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "page.png"
    done = chromium("--window-size=1200,2400", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    pixels = imread(shot)
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1000
    grey = pixels[..., :3].mean(axis=-1)
    assert grey.std() > 0.05  # not a blank page
    assert (grey < 0.5).mean() > 0.005  # some dark ink: text and figures drawn
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 50
    assert console_lines(done.stderr) == []


def test_dom_holds_headline_and_figures_and_console_is_silent(page):
    done = chromium("--dump-dom", page.as_uri())
    dom = done.stdout
    assert 'id="headline-table"' in dom
    assert dom.count("<svg") == 3
    for name in ("outcomes", "timeline", "graph"):
        assert f'class="figure {name}"' in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert console_lines(done.stderr) == []


def test_dom_holds_the_resolution_and_its_scores(reports):
    done = chromium("--dump-dom", (reports / "resolved" / "index.html").as_uri())
    dom = done.stdout
    assert '<section id="resolution">' in dom and 'id="score-table"' in dom
    assert "Resolved on" in dom and "2023-06-30" in dom and "Brier score" in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt; it stayed dry" in dom
    assert dom.count("<svg") == 3 and 'class="figure timeline"' in dom
    assert console_lines(done.stderr) == []


# --- the overview in a 1280 × 900 window -------------------------------------------------------

WINDOW = {"width": 1280, "height": 900}
ARTEFACTS = Path(os.environ.get("SIGNPOST_ARTEFACTS", ROOT / "build" / "test-artefacts"))

# Run in the page by the test (CDP), not by the page: its scroll width, and for each "happened"
# cell the number of words on each line its label is laid out on.
MEASURE = """() => {
  const lines = (span) => {
    const node = span.firstChild, counts = [];
    let top = null;
    for (const word of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const here = Math.round(range.getBoundingClientRect().top);
      if (here === top) counts[counts.length - 1] += 1; else counts.push(1);
      top = here;
    }
    return counts;
  };
  const table = document.getElementById("summary-table");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    tableRight: table.getBoundingClientRect().right,
    happened: [...table.querySelectorAll("td.resolved .label")].map(
      (span) => ({text: span.textContent, words: lines(span)})),
  };
}"""


@contextlib.contextmanager
def browser_page(viewport: dict):
    """A Playwright page of the system's Chromium, network off."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chrome = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", *NETWORK_OFF]
        )
        try:
            page = chrome.new_page(viewport=viewport)
            messages = []
            page.on("console", lambda message: messages.append(message.text))
            page.on("pageerror", lambda error: messages.append(str(error)))
            yield page, messages
        finally:
            chrome.close()


def shipped_summaries() -> list[dict]:
    """The overview's summary of every shipped scenario, as a batch would keep it, with every
    probability at the widest it is written ("47% (31%–65%)", "roughly even chance"): the
    layout depends on the text, so the scenarios are read, not run."""
    summaries = []
    for checked in validate_paths([SCENARIOS]):
        scenario = checked.scenario
        assert scenario is not None, [issue.format() for issue in checked.issues]
        resolved = scenario.resolved
        summaries.append(
            {
                "id": scenario.id,
                "title": scenario.title,
                "file": checked.path.relative_to(ROOT).as_posix(),
                "reliable": True,
                "expectations": {"pass": len(scenario.expect)},
                "outcomes": {
                    k: {"label": o.label, "p": 0.47, "lo": 0.31, "hi": 0.65}
                    for k, o in scenario.outcomes.items()
                },
                "resolved": {"outcome": resolved.outcome, "on": resolved.on.isoformat()}
                if resolved
                else None,
            }
        )
    return summaries


def test_the_overview_of_the_shipped_scenarios_fits_a_1280_pixel_window(tmp_path):
    summaries = shipped_summaries()
    assert len(summaries) >= 10 and sum(s["resolved"] is not None for s in summaries) >= 4
    write_overview(tmp_path, summaries, [])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "overview-1280x900.png"
    with browser_page(WINDOW) as (page, messages):
        page.goto((tmp_path / "index.html").as_uri())
        measured = page.evaluate(MEASURE)
        page.screenshot(path=str(shot))
        page.screenshot(path=str(ARTEFACTS / "overview-1280-full.png"), full_page=True)
    assert measured["scrollWidth"] <= WINDOW["width"], measured  # nothing cut on the right
    assert measured["tableRight"] <= WINDOW["width"], measured
    happened = measured["happened"]
    assert len(happened) == sum(s["resolved"] is not None for s in summaries)
    for cell in happened:  # a label wraps into lines of several words, never one word a line
        assert sum(cell["words"]) == len(cell["text"].split()), cell
        assert all(count >= 2 for count in cell["words"][:-1]), cell
    assert messages == []

    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[:2] == (WINDOW["height"], WINDOW["width"])
    grey = pixels[..., :3].mean(axis=-1)
    assert grey.std() > 0.05 and (grey < 0.5).mean() > 0.005  # a page drawn, not a blank one
