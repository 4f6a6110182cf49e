"""Writing small scenario files for the tests of reading and validating, and reading back
their issues."""

from __future__ import annotations

from pathlib import Path

from engine.scenario.issues import ScenarioIssue
from engine.scenario.validate import validate_file

# A valid scenario that tests edit by text (line numbers matter: drivers a at 5, b at 8).
BASE = """signpost: 1
id: s
title: T
drivers:
  a:
    label: A
    p: 0.3
  b:
    label: B
    p: 0.4
outcomes:
  up:
    label: Up
  down:
    label: Down
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write ``text`` (bytes as they are) to ``folder/name``, making folders; return the path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def scenario_file(tmp_path: Path, extra: str = "", base: str = BASE, name: str = "s.yaml") -> Path:
    """``base`` followed by ``extra``, written to ``tmp_path/name``."""
    path = tmp_path / name
    path.write_text(base + extra, encoding="utf-8")
    return path


def issues(path: Path) -> list[ScenarioIssue]:
    """Every issue of an invalid file (the test fails if the file is valid)."""
    checked = validate_file(path)
    assert checked.scenario is None and not checked.ok
    return checked.issues


def only_issue(path: Path) -> ScenarioIssue:
    """The one issue of an invalid file."""
    (issue,) = issues(path)
    return issue
