"""``signpost score``: Brier and log scores of resolved scenarios (SPEC §10), by hand.

Every scenario here but the real packs has fixed numbers, so the engine's answer is exact and is
checked against a hand enumeration to 1e-9. ``resolved`` is not an expectation: ``signpost
check`` and the pytest plugin judge a resolved scenario exactly as they would without it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
from pathlib import Path

import pytest
import yaml

# The runner is imported here, in this process: pytester's in-process runs drop the modules they
# import, and a C extension cannot load twice (as in test_pytest_plugin.py).
import engine.check.batch  # noqa: F401
import engine.run
from engine.cli import main
from engine.inference.diagnostics import Diagnostics
from engine.scenario.validate import load_scenario
from engine.score.scores import (
    CalibrationBin,
    brier,
    calibration,
    finite,
    log_score,
    score,
)
from tests.support import MALFORMED, SCENARIOS

pytest_plugins = ["pytester"]

AS_OF, SEEN, JUDGED = dt.date(2022, 1, 7), dt.date(2022, 1, 10), dt.date(2023, 12, 31)


def write(path: Path, scenario: dict) -> Path:
    """Write a scenario as YAML (dates as dates) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path


# --- a fixed-number scenario, answered by hand ---------------------------------------------------

# Drivers a (p 0.3) and b (p 0.4, +1.5 log-odds when a holds). Outcomes: x (base 1, +2 if a,
# -0.5 if b), w (base 2, +1 if b), z (base 1). Indicator i signals a (0.9 if a, else 0.2),
# observed true on 2022-01-10: the timeline has a point at as_of (no evidence) and one then.
P_A, P_B, CAUSE = 0.3, 0.4, 1.5
BASE = {"x": 1.0, "w": 2.0, "z": 1.0}
EFFECTS = {"x": {"a": 2.0, "b": -0.5}, "w": {"b": 1.0}, "z": {}}
IF_TRUE, IF_FALSE = 0.9, 0.2


def three_outcomes(resolved: str | None = "w", id: str = "three") -> dict:
    scenario = {
        "signpost": 1,
        "id": id,
        "title": "Two drivers, three outcomes",
        "as_of": AS_OF,
        "sources": {"later": {"title": "What happened", "url": "https://example.org/later"}},
        "drivers": {
            "a": {"label": "a holds", "p": P_A},
            "b": {"label": "b holds", "p": P_B, "causes": {"a": CAUSE}},
        },
        "outcomes": {
            k: {"label": f"outcome {k}", "base": BASE[k], "drivers": EFFECTS[k]} for k in BASE
        },
        "indicators": {
            "i": {"label": "i seen", "signals": "a", "if_true": IF_TRUE, "if_false": IF_FALSE}
        },
        "evidence": {"seen": {"indicator": "i", "observed": True, "date": SEEN}},
    }
    if resolved:
        scenario["resolved"] = {"outcome": resolved, "on": JUDGED, "sources": ["later"]}
    return scenario


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def by_hand(evidence: bool) -> dict[str, float]:
    """P(k) by enumerating a and b, with or without the observation of i."""
    totals = dict.fromkeys(BASE, 0.0)
    for a in (0, 1):
        for b in (0, 1):
            p_a = P_A if a else 1 - P_A
            p_b_true = sigmoid(math.log(P_B / (1 - P_B)) + CAUSE * a)
            weight = p_a * (p_b_true if b else 1 - p_b_true)
            if evidence:
                weight *= IF_TRUE if a else IF_FALSE
            held = {"a": a, "b": b}
            scores = {
                k: BASE[k] * math.exp(sum(v * held[d] for d, v in EFFECTS[k].items())) for k in BASE
            }
            total = sum(scores.values())
            for k in BASE:
                totals[k] += weight * scores[k] / total
    norm = sum(totals.values())
    return {k: t / norm for k, t in totals.items()}


def hand_scores(happened: str) -> tuple[float, float, float]:
    p = by_hand(evidence=True)
    brier_ = sum((p[k] - (1.0 if k == happened else 0.0)) ** 2 for k in p)
    return p[happened], brier_, -math.log(p[happened])


def score_json(capsys, *paths) -> tuple[int, dict]:
    code = main(["score", *map(str, paths), "--json"])
    return code, json.loads(capsys.readouterr().out)


def score_text(capsys, *paths) -> tuple[int, list[str]]:
    code = main(["score", *map(str, paths)])
    return code, capsys.readouterr().out.splitlines()


def test_scores_match_a_hand_enumeration(tmp_path):
    path = write(tmp_path / "three.yaml", three_outcomes("w"))
    scenario = load_scenario(path)
    result = engine.run.run(scenario, scope="results")
    scored = score(result, scenario.resolved)
    p, brier_, log_ = hand_scores("w")
    assert scored.p.p == pytest.approx(p, abs=1e-9)
    assert scored.p.lo == scored.p.hi == scored.p.p  # exact: the interval collapses
    assert scored.brier == pytest.approx(brier_, abs=1e-9)
    assert scored.log == pytest.approx(log_, abs=1e-9)
    before, after = by_hand(evidence=False)["w"], by_hand(evidence=True)["w"]
    assert [t.date.isoformat() for t in scored.timeline] == ["2022-01-07", "2022-01-10"]
    assert [t.p.p for t in scored.timeline] == pytest.approx([before, after], abs=1e-9)
    assert before != pytest.approx(after)  # the evidence moved it


def test_brier_and_log_score_definitions():
    assert brier({"a": 1.0, "b": 0.0}, "a") == 0.0  # perfect
    assert brier({"a": 1.0, "b": 0.0}, "b") == 2.0  # the worst
    assert brier({"a": 0.5, "b": 0.3, "c": 0.2}, "b") == pytest.approx(0.25 + 0.49 + 0.04)
    assert log_score(1.0) == 0.0
    assert log_score(math.exp(-2)) == pytest.approx(2.0)
    assert log_score(0.0) == math.inf and finite(math.inf) is None
    with pytest.raises(KeyError):
        brier({"a": 1.0}, "b")


def test_json_has_the_spec_shape_and_hand_numbers(tmp_path, capsys):
    write(tmp_path / "three.yaml", three_outcomes("w"))
    write(tmp_path / "open.yaml", three_outcomes(None, id="open"))
    write(tmp_path / "_parent.yaml", three_outcomes("x", id="parent"))  # a parent: skipped
    code, data = score_json(capsys, tmp_path)
    assert code == 0
    assert {"count", "mean", "scenarios", "unresolved"} <= set(data)
    assert data["count"] == 1 and data["unresolved"] == ["open"]
    assert set(data["mean"]) == {"brier", "log"}
    (entry,) = data["scenarios"]
    spec_keys = {"id", "file", "as_of", "resolved", "p", "brier", "log", "timeline"}
    assert spec_keys <= set(entry)
    assert entry["id"] == "three" and entry["resolved"] == "w" and entry["as_of"] == "2022-01-07"
    assert entry["file"] == (tmp_path / "three.yaml").as_posix()
    assert entry["on"] == "2023-12-31" and entry["reliable"] is True
    p, brier_, log_ = hand_scores("w")
    assert entry["p"] == pytest.approx(p, abs=1e-9)
    assert entry["brier"] == pytest.approx(brier_, abs=1e-9)
    assert entry["log"] == pytest.approx(log_, abs=1e-9)
    assert data["mean"] == pytest.approx({"brier": brier_, "log": log_}, abs=1e-9)
    assert [set(t) >= {"date", "p"} for t in entry["timeline"]] == [True, True]
    assert entry["timeline"][0]["p"] == pytest.approx(by_hand(evidence=False)["w"], abs=1e-9)
    assert "calibration" not in data  # fewer than ten resolved


def test_means_over_several_scenarios(tmp_path, capsys):
    for k in BASE:
        write(tmp_path / f"{k}.yaml", three_outcomes(k, id=f"happened-{k}"))
    code, data = score_json(capsys, tmp_path)
    assert code == 0 and data["count"] == 3
    hand = [hand_scores(k) for k in BASE]
    assert data["mean"]["brier"] == pytest.approx(sum(h[1] for h in hand) / 3, abs=1e-9)
    assert data["mean"]["log"] == pytest.approx(sum(h[2] for h in hand) / 3, abs=1e-9)
    assert {s["resolved"]: s["p"] for s in data["scenarios"]} == pytest.approx(
        by_hand(evidence=True), abs=1e-9
    )


def test_text_lists_each_resolved_scenario_the_means_and_the_unresolved_apart(tmp_path, capsys):
    path = write(tmp_path / "three.yaml", three_outcomes("w"))
    write(tmp_path / "open.yaml", three_outcomes(None, id="open"))
    code, lines = score_text(capsys, tmp_path)
    assert code == 0
    p, brier_, log_ = hand_scores("w")
    assert lines[0] == (
        f"{path.as_posix()}  three  as of 2022-01-07  happened w (on 2023-12-31)  "
        f"P(happened) {p:.3f} (exact)  Brier {brier_:.3f}  log {log_:.3f}"
    )
    before = by_hand(evidence=False)["w"]
    assert lines[1] == (
        f"    P(happened) along the timeline: 2022-01-07 {before:.3f}, 2022-01-10 {p:.3f}"
    )
    assert lines[2] == f"mean of 1 resolved scenario: Brier {brier_:.3f}  log {log_:.3f}"
    unresolved = lines.index("unresolved (1), not scored:")
    assert lines[unresolved + 1].split() == ["open", (tmp_path / "open.yaml").as_posix()]
    assert not any(line.startswith("open") or "UNRELIABLE" in line for line in lines)


def test_an_invalid_file_is_listed_the_others_scored_and_exit_2(tmp_path, capsys):
    shutil.copy(MALFORMED / "key_on.yaml", tmp_path / "key_on.yaml")
    write(tmp_path / "three.yaml", three_outcomes("w"))
    code, lines = score_text(capsys, tmp_path)
    assert code == 2
    assert lines[0].split()[1] == "three"
    errors = [i for i, line in enumerate(lines) if line.startswith("ERROR")]
    bad = tmp_path / "key_on.yaml"
    assert len(errors) == 1 and lines[errors[0]] == f"ERROR  {bad.as_posix()}  invalid scenario"
    assert lines[errors[0] + 1] == (  # the validation error, with its place
        f"{bad}:9:3: drivers.on: YAML reads the key `on` as a boolean (true/false), not as text"
        ' — quote it ("on") or rename it'
    )
    code, data = score_json(capsys, tmp_path)
    assert code == 2 and data["count"] == 1
    assert [Path(f["file"]).name for f in data["invalid"]] == ["key_on.yaml"]
    assert main(["score", str(tmp_path / "missing")]) == 2


def test_an_unreliable_run_says_so(tmp_path, capsys, monkeypatch):
    write(tmp_path / "three.yaml", three_outcomes("w"))
    real_run = engine.run.run

    def unreliable_run(scenario, **kwargs):
        result = real_run(scenario, **kwargs)
        result.diagnostics = Diagnostics("nuts", chains=2, draws=100, max_rhat=1.3)
        return result

    monkeypatch.setattr(engine.run, "run", unreliable_run)
    code, lines = score_text(capsys, tmp_path)
    assert code == 0
    assert "UNRELIABLE" in lines[0]
    code, data = score_json(capsys, tmp_path)
    assert data["scenarios"][0]["reliable"] is False and data["reliable"] is False


# --- calibration -------------------------------------------------------------------------------

# P(x) of each scenario and what happened; with P(z) = 1 − P(x) every forecast sits mid-bin.
CALIBRATION_CASES = [
    (0.1, "z"),
    (0.1, "z"),
    (0.3, "z"),
    (0.3, "x"),
    (0.5, "x"),
    (0.5, "z"),
    (0.7, "x"),
    (0.7, "x"),
    (0.9, "x"),
    (0.9, "x"),
]
# By hand, forecast (happened?) per bin:
#   0–0.2: x of 1, 2 (no, no); z of 9, 10 (no, no)        -> 4 forecasts, 0 happened
#   0.2–0.4: x of 3 (no), 4 (yes); z of 7, 8 (no, no)      -> 4, 1
#   0.4–0.6: x of 5 (yes), 6 (no); z of 5 (no), 6 (yes)    -> 4, 2
#   0.6–0.8: x of 7, 8 (yes, yes); z of 3 (yes), 4 (no)    -> 4, 3
#   0.8–1: x of 9, 10 (yes, yes); z of 1, 2 (yes, yes)     -> 4, 4
CALIBRATION_COUNTS = [(4, 0), (4, 1), (4, 2), (4, 3), (4, 4)]


def base_rate(p_x: float, happened: str, id: str) -> dict:
    """x against z with P(x) = p_x, set by the base weights alone."""
    return {
        "signpost": 1,
        "id": id,
        "title": f"P(x) = {p_x}",
        "as_of": AS_OF,
        "sources": {"later": {"title": "What happened"}},
        "drivers": {"a": {"label": "a holds", "p": 0.5}},
        "outcomes": {
            "x": {"label": "x", "base": p_x / (1 - p_x)},
            "z": {"label": "z"},
        },
        "resolved": {"outcome": happened, "on": JUDGED, "sources": ["later"]},
    }


def write_calibration_batch(folder: Path, cases) -> Path:
    for n, (p_x, happened) in enumerate(cases):
        write(folder / f"case_{n:02}.yaml", base_rate(p_x, happened, f"case-{n:02}"))
    return folder


def test_calibration_bins_by_hand():
    pairs = [(0.0, False), (0.19, True), (0.2, False), (0.5, True), (0.99, True), (1.0, False)]
    bins = calibration(pairs)
    assert [(b.lo, b.hi) for b in bins] == [(0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1)]
    assert [(b.count, b.happened) for b in bins] == [(2, 1), (1, 0), (1, 1), (0, 0), (2, 1)]
    assert bins[0].forecast == pytest.approx(0.095) and bins[0].observed == 0.5
    assert bins[3] == CalibrationBin(0.6, 0.8, 0, 0, None) and bins[3].observed is None


def test_calibration_appears_from_ten_resolved_scenarios(tmp_path, capsys):
    folder = write_calibration_batch(tmp_path / "ten", CALIBRATION_CASES)
    code, data = score_json(capsys, folder)
    assert code == 0 and data["count"] == 10
    table = data["calibration"]
    assert [(b["count"], b["happened"]) for b in table] == CALIBRATION_COUNTS
    assert [b["forecast"] for b in table] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9], abs=1e-9)
    assert [b["observed"] for b in table] == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    code, lines = score_text(capsys, folder)
    start = next(i for i, line in enumerate(lines) if line.startswith("calibration:"))
    rows = [line.split() for line in lines[start + 2 : start + 7]]
    assert [(int(r[1]), int(r[2])) for r in rows] == CALIBRATION_COUNTS
    assert rows[1] == ["0.2–0.4", "4", "1", "0.300", "0.250"]


def test_no_calibration_below_ten_resolved_scenarios(tmp_path, capsys):
    folder = write_calibration_batch(tmp_path / "nine", CALIBRATION_CASES[:9])
    write(folder / "open.yaml", three_outcomes(None, id="open"))  # ten files, nine resolved
    code, data = score_json(capsys, folder)
    assert code == 0 and data["count"] == 9 and "calibration" not in data
    code, lines = score_text(capsys, folder)
    assert "calibration: shown from 10 resolved scenarios on (9 here)" in lines
    assert not any(re.match(r"\s+0\.0–0\.2", line) for line in lines)


# --- a resolution is not an expectation --------------------------------------------------------


def low_probability_resolved(resolved: bool) -> dict:
    """P(z) = 0.05; the expectations pass; with ``resolved`` it is z that happened."""
    scenario = base_rate(0.95, "z", "surprise")
    scenario["expect"] = {
        "x_favoured": {"outcome": "x", "at_least": 0.9},
        "x_top": {"outcome": "x", "most_likely": True},
    }
    if not resolved:
        del scenario["resolved"]
    return scenario


def test_check_judges_a_resolved_scenario_as_without_its_resolution(tmp_path, capsys):
    with_it = write(tmp_path / "with" / "surprise.yaml", low_probability_resolved(True))
    without = write(tmp_path / "without" / "surprise.yaml", low_probability_resolved(False))
    assert main(["check", str(with_it)]) == 0
    lines_with = capsys.readouterr().out.splitlines()
    assert main(["check", str(without)]) == 0
    lines_without = capsys.readouterr().out.splitlines()

    def strip(lines, path):
        return [re.sub(r"\(\d+\.\d s\)", "", line.replace(path.as_posix(), "F")) for line in lines]

    assert strip(lines_with, with_it) == strip(lines_without, without)
    assert lines_with[-1].startswith("2 checks in 1 file: 2 passed, 0 failed")
    code, data = score_json(capsys, with_it)
    assert data["scenarios"][0]["p"] == pytest.approx(0.05, abs=1e-9)  # it was a surprise


def test_the_pytest_plugin_passes_a_resolved_scenario(pytester):
    pytester.makeini("[pytest]\n")
    write(pytester.path / "scenarios" / "surprise.yaml", low_probability_resolved(True))
    result = pytester.runpytest("scenarios", "-q")
    result.assert_outcomes(passed=2)


# --- the real packs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packs():
    """``signpost score scenarios/ --json`` on the case families (sampled, about half a minute)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["score", str(SCENARIOS), "--json"])
    return code, json.loads(out.getvalue())


def test_the_packs_score_every_case_family(packs):
    code, data = packs
    assert code == 0
    scored = {s["id"]: s for s in data["scenarios"]}
    families = {i.split("-")[0] for i in scored}
    assert {"kz", "by", "am"} <= families
    assert data["count"] == len(scored) >= 3
    assert scored["kz-2022-baseline"]["resolved"] == "balancing"
    assert scored["kz-2022-baseline"]["file"].endswith("kazakhstan/baseline.yaml")
    assert "kz-2022-high-price" in data["unresolved"]
    assert not set(data["unresolved"]) & set(scored)
    for entry in scored.values():
        assert 0 < entry["lo"] <= entry["p"] <= entry["hi"] < 1
        assert 0 <= entry["brier"] <= 2
        assert entry["log"] == pytest.approx(-math.log(entry["p"]))
        assert entry["brier"] == pytest.approx(
            sum((p - (k == entry["resolved"])) ** 2 for k, p in entry["outcomes"].items())
        )
        assert entry["timeline"] and entry["timeline"][-1]["p"] == pytest.approx(entry["p"])
        assert entry["timeline"][0]["date"] <= entry["as_of"] < entry["on"]
    assert ("calibration" in data) == (data["count"] >= 10)
    assert data["mean"]["brier"] == pytest.approx(
        sum(s["brier"] for s in scored.values()) / len(scored)
    )
