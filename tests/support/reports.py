"""Scenarios for the report tests: every number fixed (exact, fast), text hostile on purpose."""

from __future__ import annotations

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
