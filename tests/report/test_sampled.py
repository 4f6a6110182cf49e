"""One small scenario with uncertain numbers through ``signpost report``: intervals,
posterior.nc (weighted prior draws), analysis."""

from __future__ import annotations

import csv
import json
import shutil

import arviz as az
import numpy as np
import pytest

from engine.cli import main
from tests.support import FIXTURES

MINIMAL = FIXTURES / "minimal.yaml"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("sampled")
    shutil.copy(MINIMAL, root / "minimal.yaml")
    out = root / "reports"
    args = ["report", str(root), "--out", str(out), "-j", "1", "--draws", "200", "--chains", "2"]
    assert main(args) == 0
    return out


def test_the_sampled_report_has_a_posterior_and_intervals(out):
    folder = out / "minimal"
    posterior = az.from_netcdf(folder / "posterior.nc")
    assert posterior.posterior.sizes["chain"] == 1  # importance sampling: one set of draws
    assert posterior.posterior.sizes["draw"] >= 400  # chains x draws, more when retried
    weights = np.exp(posterior.sample_stats["log_weight"].values)
    assert weights.sum() == pytest.approx(1.0)
    q = posterior.posterior["q"].sel(outcome="wet").values.ravel()
    with open(folder / "outcomes.csv", newline="", encoding="utf-8") as stream:
        rows = {r["outcome"]: r for r in csv.DictReader(stream)}
    wet = rows["wet"]
    assert float(wet["lo"]) < float(wet["p"]) < float(wet["hi"])
    assert float(wet["p"]) == pytest.approx(float(weights.ravel() @ q), abs=1e-9)
    page = (folder / "index.html").read_text(encoding="utf-8")
    shown = f"{float(wet['p']):.0%} ({float(wet['lo']):.0%}–{float(wet['hi']):.0%})"
    assert shown in page
    assert "importance sampling" in page and "No posterior.nc" not in page
    assert "posterior.nc" in page
    for name in ("influence.csv", "signposts.csv", "uncertainty.csv", "band_crossing.csv"):
        assert (folder / name).is_file()


def test_the_manifest_records_the_run_options(out):
    manifest = json.loads((out / "minimal" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"] == {"draws": 200, "chains": 2, "seed": None, "analysis": True}
    assert "posterior.nc" in manifest["files"]
    assert manifest["summary"]["method"] == "importance"
