"""Scenarios for the report tests, every number fixed (exact, fast) and their text hostile on
purpose, and helpers that read what a report wrote."""

from __future__ import annotations

import csv
import math
from pathlib import Path

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_TEMPLATE = "{{ 7*7 }}"
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example","click")'
HOSTILE_MATH = "$x^2$"

PARENT = """\
signpost: 1
id: parent-only
title: A parent, never reported on its own
as_of: 2022-01-07
sources:
  src:
    title: "<b>bold</b> source"
    author: "@someone"
    url: https://example.org/a_b?x=1&y=2
drivers:
  rain:
    label: "<script>alert(1)</script>"
    p: 0.3
    quote: "{{ 7*7 }} said $x^2$"
    sources: [src]
  wind:
    label: '=HYPERLINK("http://evil.example","click")'
    p: 0.4
    causes:
      rain: 1.5
outcomes:
  wet:
    label: "$x^2$ wet"
    drivers:
      rain: 2.0
      wind: -0.5
  dry:
    label: "{{ 7*7 }} dry"
indicators:
  clouds:
    label: "+cmd|' /C calc'!A0"
    signals: rain
    if_true: 0.9
    if_false: 0.2
evidence:
  seen_clouds:
    label: "@SUM(1+1) clouds"
    indicator: clouds
    observed: true
    date: 2022-01-10
    sources: [src]
what_if:
  storm:
    label: "-2+3 storm"
    set: {wind: true}
expect:
  wet_likely:
    outcome: wet
    at_least: 0.2
"""

CHILD = """\
signpost: 1
id: hostile
extends: _parent.yaml
title: "<script>alert(1)</script> {{ 7*7 }} $x^2$"
question: '=HYPERLINK("http://evil.example","click") will it rain?'
"""

OTHER = """\
signpost: 1
id: calm
title: A calm second scenario
drivers:
  sun:
    label: The sun shines
    p: 0.8
outcomes:
  warm:
    label: It is warm
    drivers:
      sun: 1.0
  cold:
    label: It is cold
"""

BROKEN = """\
signpost: 1
id: broken
title: A scenario with an unknown word
drivers:
  sun:
    label: The sun shines
    p: quite probable
outcomes:
  warm:
    label: It is warm
  cold:
    label: It is cold
"""


def write_batch(folder: Path, *, broken: bool = False, other: bool = False) -> Path:
    """Write the hostile child (and its ``_parent.yaml``) into ``folder``; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_parent.yaml").write_text(PARENT, encoding="utf-8")
    (folder / "hostile.yaml").write_text(CHILD, encoding="utf-8")
    if other:
        (folder / "calm.yaml").write_text(OTHER, encoding="utf-8")
    if broken:
        (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


# A resolved child of the hostile parent (SPEC §10), and one resolved ten days after the evidence.
RESOLVED = """\
signpost: 1
id: resolved
extends: _parent.yaml
title: The hostile scenario, resolved
sources:
  later:
    title: "<i>What</i> happened"
    url: https://example.org/later?a=1&b=2
resolved:
  outcome: dry
  on: 2023-06-30
  sources: [later, src]
  note: "<script>alert(1)</script> {{ 7*7 }} $x^2$ =cmd"
"""

RESOLVED_SOON = """\
signpost: 1
id: resolved-soon
extends: _parent.yaml
title: Resolved ten days after the evidence
resolved:
  outcome: wet
  on: 2022-01-20
  sources: [src]
"""


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file written by a report, as dicts."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def section(html: str, name: str) -> str:
    """The ``<section id="name">`` of a page, up to its end."""
    start = html.index(f'<section id="{name}">')
    return html[start : html.index("</section>", start)]


def hand_scores(folder, happened: str) -> tuple[float, float, float]:
    """P(happened), Brier and log score from the report's own outcome probabilities."""
    p = {r["outcome"]: float(r["p"]) for r in read_csv(folder / "outcomes.csv")}
    brier = sum((q - (k == happened)) ** 2 for k, q in p.items())
    return p[happened], brier, -math.log(p[happened])
