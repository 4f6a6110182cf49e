"""The edit loop in a real browser: Debian's headless Chromium driven by Playwright.

``signpost serve`` runs as its own process on a copy of the Kazakhstan baseline (its full
analysis), and a real page follows it: the page is opened, an edit to the YAML is saved and the
page shows "recomputing", then the new numbers and the edit that moved them; a broken file
shows its errors above the numbers, marked out of date; putting the file back brings the first
numbers back, to the digit. Every number the page shows is checked against ``signpost run
--json`` of the same file in a process of its own. The page's console stays silent (no policy
violation, no script error) and it asks nothing of any other host. Screenshots of each step are
kept under pytest's ``tmp_path`` and copied to ``build/test-artefacts/serve/`` (git-ignored;
``SIGNPOST_ARTEFACTS`` moves it).

Skipped where the ``chromium`` package is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.display import percent
from engine.inference.answer import Summary

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found: install Debian's `chromium` package "
    "(apt-get install -y chromium)",
)
FLAGS = [
    "--headless",
    "--no-sandbox",  # root in containers and CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
KAZAKHSTAN = ROOT / "scenarios" / "kazakhstan"
ARTEFACTS = Path(os.environ.get("SIGNPOST_ARTEFACTS", ROOT / "build" / "test-artefacts")) / "serve"
EDIT = "\ndrivers:\n  price_demanded:\n    p: likely\n"
BROKEN = "\ndrivers:\n  price_demanded:\n    p: lkely\n    colour: red\n"
WAIT_MS = 180_000  # a loaded two-core machine; the benchmark measures the real latency


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "kazakhstan"
    folder.mkdir()
    for name in ("_base.yaml", "baseline.yaml"):
        shutil.copy(KAZAKHSTAN / name, folder / name)
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", str(folder), "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
        assert match, line + process.stderr.read()
        yield match[1], folder / "baseline.yaml"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def engine_numbers(path: Path) -> list[str]:
    """The headline cells ``signpost run --json`` gives for the file, as the page shows them."""
    done = subprocess.run(
        [sys.executable, "-m", "engine", "run", str(path), "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    outcomes = json.loads(done.stdout)["outcomes"]
    return [percent(Summary(**s)) for s in outcomes.values()]


def headline(page) -> list[str]:
    return page.locator("#headline-table td.num").all_inner_texts()


def shoot(page, tmp_path: Path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=False)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTEFACTS / shot.name)
    assert shot.stat().st_size > 10_000  # a drawn page, not a blank one


def test_the_page_follows_each_save(served, tmp_path):
    from playwright.sync_api import sync_playwright

    url, file = served
    original = file.read_text(encoding="utf-8")
    first = engine_numbers(file)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        noise, asked = [], []
        page.on("console", lambda message: noise.append(message.text))
        page.on("pageerror", lambda error: noise.append(str(error)))
        page.on("request", lambda request: asked.append(request.url))
        try:
            page.goto(url)  # the overview, until the baseline is computed
            page.wait_for_selector('a[href="kz-2022-baseline/index.html"]', timeout=WAIT_MS)
            page.click('a[href="kz-2022-baseline/index.html"]')
            page.wait_for_selector("#headline-table", timeout=WAIT_MS)
            assert headline(page) == first
            shoot(page, tmp_path, "1-opened")

            file.write_text(original + EDIT, encoding="utf-8")
            page.wait_for_selector('html[data-live="recomputing"]', state="attached",
                                   timeout=WAIT_MS)  # fmt: skip
            page.wait_for_selector("#live-edit-table .edit-path", timeout=WAIT_MS)
            assert page.inner_text("#live-edit-table .edit-path") == "drivers.price_demanded.p"
            assert "very unlikely → likely" in page.inner_text("#live-edit-table")
            edited = engine_numbers(file)
            assert headline(page) == edited != first
            shoot(page, tmp_path, "2-edited")

            file.write_text(original + BROKEN, encoding="utf-8")
            errors = page.wait_for_selector("#live-errors", timeout=WAIT_MS)
            text = errors.inner_text()
            assert re.search(rf"{re.escape(str(file))}:\d+:\d+: drivers\.price_demanded\.p: "
                             r"unknown probability word 'lkely' — write one of", text)  # fmt: skip
            assert "drivers.price_demanded.colour: unknown key" in text and "OUT OF DATE" in text
            assert headline(page) == edited  # the last good numbers, marked out of date
            shoot(page, tmp_path, "3-broken")

            file.write_text(original, encoding="utf-8")
            page.wait_for_selector("#live-errors", state="detached", timeout=WAIT_MS)
            page.wait_for_selector('html[data-live="ready"]', state="attached", timeout=WAIT_MS)
            deadline = time.monotonic() + WAIT_MS / 1000
            while headline(page) != first and time.monotonic() < deadline:
                time.sleep(0.1)
            assert headline(page) == first  # the first numbers back, to the digit
            assert "drivers.price_demanded.p" in page.inner_text("#live-changes")
            shoot(page, tmp_path, "4-fixed")
        finally:
            browser.close()
    assert noise == []  # no policy violation, no script error
    assert all(u.startswith(url) for u in asked), [u for u in asked if not u.startswith(url)]
