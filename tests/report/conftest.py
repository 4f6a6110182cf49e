"""The report batches several test modules of ``tests/report/`` read: written once per module."""

from __future__ import annotations

import pytest

from engine.cli.exit import batch_exit_code
from engine.report.batch import RunOptions, report_batch
from tests.support.reports import RESOLVED, RESOLVED_SOON, write_batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The hostile scenario reported on the exact path: (scenarios, reports, batch result)."""
    root = tmp_path_factory.mktemp("exact")
    source = write_batch(root / "scenarios")
    out = root / "reports"
    result = report_batch([source], out, jobs=1, options=RunOptions())
    return source, out, result


@pytest.fixture(scope="module")
def resolved_batch(tmp_path_factory):
    """The hostile scenario and two resolved children, reported without analysis."""
    root = tmp_path_factory.mktemp("resolved")
    source = write_batch(root / "scenarios")
    (source / "resolved.yaml").write_text(RESOLVED, encoding="utf-8")
    (source / "resolved_soon.yaml").write_text(RESOLVED_SOON, encoding="utf-8")
    out = root / "reports"
    result = report_batch([source], out, jobs=1, options=RunOptions(analysis=False))
    assert batch_exit_code(result.entries) == 0
    return out
