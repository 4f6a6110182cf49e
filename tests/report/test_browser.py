"""A generated page in a real browser: Debian's headless Chromium, from disk, network off.

Checks that the page renders to a non-blank screenshot, that the DOM holds the headline table
and the figures, and that the browser's console stays silent (the page needs no JavaScript and
its Content-Security-Policy forbids any). Skipped where the ``chromium`` package is missing.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from engine.report.batch import report_batch
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
