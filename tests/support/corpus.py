"""The corpus of malformed scenarios (``tests/scenario/malformed/``) and the errors each file
must produce (``tests/scenario/malformed_errors.yaml``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.scenario.discover import discover
from engine.scenario.issues import ScenarioIssue
from tests.support import MALFORMED

EXPECTED_ERRORS = MALFORMED.parent / "malformed_errors.yaml"

Place = list  # [code, line, column], and the file's name when another file of the corpus


def cases() -> list[Path]:
    """Every corpus file that is run on its own (``_*.yaml`` are parents only)."""
    return discover([MALFORMED])


def expected_errors() -> dict[str, list[Place]]:
    """File name -> every error it must produce, in order of place."""
    return yaml.safe_load(EXPECTED_ERRORS.read_text(encoding="utf-8"))


def place_of(issue: ScenarioIssue, path: Path) -> Place:
    """An issue of ``path`` as the expectations file writes it."""
    where = Path(issue.file)
    return [issue.code, issue.line, issue.column] + ([] if where == path else [where.name])
