"""``signpost report`` as a batch: broken scenarios, workers, skipping unchanged reports, --force.

Every scenario here has fixed numbers (exact and fast); the sampled path is test_report_sampled.
"""

from __future__ import annotations

import csv
import json

import engine.run
from engine.cli import main
from engine.cli.exit import batch_exit_code
from engine.report.batch import RunOptions, report_batch
from tests.support.reports import OTHER, write_batch


def statuses(result) -> dict[str, str]:
    return {e.id or e.file: e.status for e in result.entries}


def test_a_broken_scenario_is_listed_and_the_rest_reported(tmp_path, capsys):
    source = write_batch(tmp_path / "scenarios", broken=True, other=True)
    out = tmp_path / "reports"
    code = main(["report", str(source), "--out", str(out), "-j", "2"])  # worker processes
    assert code == 2  # an invalid scenario is bad input, as in check and score
    printed = capsys.readouterr().out
    broken = source / "broken.yaml"
    lines = printed.splitlines()
    assert lines[0] == f"FAILED     {broken}"
    assert lines[1].startswith(f"    {broken}:7:8: drivers.sun.p: unknown probability word ")
    assert "'quite probable'" in lines[1]
    assert (out / "hostile" / "index.html").is_file()
    assert (out / "calm" / "index.html").is_file()
    assert not (out / "broken").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    failed = index[index.index('<section id="failed">') : index.index("</section>")]
    assert "broken.yaml" in failed and "quite probable" in failed
    assert 'href="calm/index.html"' in index and 'href="hostile/index.html"' in index
    with open(out / "summary.csv", newline="", encoding="utf-8") as stream:
        rows = {Path_name(r["file"]): r for r in csv.DictReader(stream)}
    assert rows["broken.yaml"]["status"] == "failed"
    assert "quite probable" in rows["broken.yaml"]["error"]
    assert rows["calm.yaml"]["status"] == "ok" and float(rows["calm.yaml"]["warm.p"]) > 0.5


def Path_name(file: str) -> str:
    return file.replace("\\", "/").rsplit("/", 1)[-1]


def test_a_scenario_that_fails_to_run_is_listed_and_the_rest_reported(tmp_path, monkeypatch):
    source = write_batch(tmp_path / "scenarios", other=True)
    real_run = engine.run.run

    def failing_run(scenario, **kwargs):
        if scenario.id == "hostile":
            raise RuntimeError("the sampler exploded")
        return real_run(scenario, **kwargs)

    monkeypatch.setattr(engine.run, "run", failing_run)
    result = report_batch([source], tmp_path / "reports", jobs=1)
    assert (
        batch_exit_code(result.entries) == 3
    )  # a crash on a valid scenario is an internal error; the rest is reported
    assert statuses(result) == {"calm": "reported", "hostile": "failed"}
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "RuntimeError: the sampler exploded" in index
    assert not (tmp_path / "reports" / "hostile" / "manifest.json").exists()


def test_unchanged_scenarios_are_skipped_unless_forced(tmp_path):
    source = tmp_path / "scenarios"
    source.mkdir()
    (source / "calm.yaml").write_text(OTHER, encoding="utf-8")
    out = tmp_path / "reports"
    assert statuses(report_batch([source], out, jobs=1)) == {"calm": "reported"}
    manifest = out / "calm" / "manifest.json"
    first = json.loads(manifest.read_text())
    page = (out / "calm" / "index.html").stat().st_mtime_ns

    again = report_batch([source], out, jobs=1)
    assert statuses(again) == {"calm": "unchanged"} and batch_exit_code(again.entries) == 0
    assert (out / "calm" / "index.html").stat().st_mtime_ns == page
    assert 'href="calm/index.html"' in (out / "index.html").read_text(encoding="utf-8")

    assert statuses(report_batch([source], out, jobs=1, force=True)) == {"calm": "reported"}
    assert json.loads(manifest.read_text())["key"] == first["key"]

    seeded = report_batch([source], out, jobs=1, options=RunOptions(seed=5))
    assert statuses(seeded) == {"calm": "reported"}  # other run options: other inputs

    (source / "calm.yaml").write_text(OTHER.replace("p: 0.8", "p: 0.7"), encoding="utf-8")
    assert statuses(report_batch([source], out, jobs=1)) == {"calm": "reported"}

    (out / "calm" / "outcomes.csv").unlink()  # a damaged report is redone
    assert statuses(report_batch([source], out, jobs=1)) == {"calm": "reported"}


def test_default_paths_and_out(tmp_path, monkeypatch, capsys):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "calm.yaml").write_text(OTHER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["report", "-j", "1"]) == 0
    assert (tmp_path / "reports" / "calm" / "index.html").is_file()
    assert "1 reported, 0 unchanged, 0 failed" in capsys.readouterr().out


def test_no_scenario_is_bad_input(tmp_path, capsys):
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "no scenario files" in capsys.readouterr().err
