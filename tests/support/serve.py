"""Scenario folders for the ``signpost serve`` tests, and a workspace driven step by step.

The scenarios have every number fixed (exact and fast) unless a test asks for uncertain ones;
their text is hostile on purpose (SPEC §7: it must stay text on every page).
"""

from __future__ import annotations

import time
from pathlib import Path

from engine.serve.workspace import Workspace

PARENT = """\
signpost: 1
id: parent-only
title: A parent, never served on its own
as_of: 2022-01-07
drivers:
  rain:
    label: "<script>alert(1)</script> rain"
    p: 0.3
  wind:
    label: Wind
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
    label: Clouds
    signals: rain
    if_true: 0.9
    if_false: 0.2
evidence:
  seen_clouds:
    indicator: clouds
    observed: true
    date: 2022-01-10
"""

CHILD = """\
signpost: 1
id: {id}
extends: _parent.yaml
title: "<b>Child</b> {id}"
drivers:
  rain:
    p: {p}
"""

CALM = """\
signpost: 1
id: calm
title: A calm scenario
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


def write_folder(folder: Path) -> Path:
    """``_parent.yaml`` with two children (``one``, ``two``) and ``calm.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_parent.yaml").write_text(PARENT, encoding="utf-8")
    write_child(folder, "one", 0.3)
    write_child(folder, "two", 0.6)
    (folder / "calm.yaml").write_text(CALM, encoding="utf-8")
    return folder


def write_child(folder: Path, name: str, p: object) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(CHILD.format(id=name, p=p), encoding="utf-8")
    return path


def settle(workspace: Workspace, changed: list[Path] | None = None) -> None:
    """Tell the workspace of ``changed`` files (all at first) and let it do everything."""
    if changed is None:
        workspace.refresh(None, time.perf_counter())
    else:
        workspace.notify(changed)
    while workspace.step():
        pass
