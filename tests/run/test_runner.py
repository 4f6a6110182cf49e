"""The runner's promises: exact without PyMC, the reliability rule and retry, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from engine.cli import main
from engine.run import run
from engine.scenario.schema import Scenario
from tests.support import SAMPLING
from tests.support.networks import FIXED, strong_scenario

UNCERTAIN = {
    **FIXED,
    "id": "uncertain",
    "drivers": {
        "a": {"label": "a", "p": "unlikely"},
        "b": {"label": "b", "p": {"range": [0.4, 0.7]}, "causes": {"a": "lowers"}},
    },
    "outcomes": {
        "x": {"label": "x", "drivers": {"a": "raises", "b": {"odds_ratio": 2}}},
        "y": {"label": "y"},
    },
    "evidence": {"report": {"driver": "a", "likelihood_ratio": 3}},
}


def test_fixed_scenario_is_exact_and_never_imports_pymc():
    code = textwrap.dedent(
        f"""
        import json, sys
        from engine.scenario.schema import Scenario
        from engine.run import run
        result = run(Scenario.model_validate({FIXED!r}))
        heavy = [m for m in {SAMPLING!r} if m in sys.modules]
        print(json.dumps({{"heavy": heavy, "result": result.to_dict()}}))
        """
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True).stdout)  # fmt: skip
    assert out["heavy"] == []
    result = out["result"]
    assert result["diagnostics"]["method"] == "exact"
    assert result["reliable"] is True
    for summary in result["outcomes"].values():
        assert summary["lo"] == summary["hi"] == summary["p"] and summary["mcse"] == 0


def test_unreliable_run_is_flagged_and_its_words_withheld(capsys, tmp_path):
    """Prior draws that miss the bar even at 16 times their number, NUTS not allowed."""
    spec = strong_scenario("importance")
    result = run(Scenario.model_validate(spec), scope="results")
    assert result.reliable is False and result.to_dict()["reliable"] is False
    assert result.to_dict()["diagnostics"]["problems"]  # says what missed the bar

    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(spec, default=str))  # JSON is YAML
    assert main(["run", str(path), "--no-analysis"]) == 0
    printed = capsys.readouterr().out
    assert "UNRELIABLE" in printed
    table = printed.split("Outcomes")[1].split("Drivers")[0]
    assert not any(word in table for word in ("unlikely", "likely", "even chance"))


def test_same_seed_same_numbers():
    scenario = Scenario.model_validate(UNCERTAIN)
    first = run(scenario, draws=300, chains=2, seed=7, scope="results").to_dict()
    second = run(scenario, draws=300, chains=2, seed=7, scope="results").to_dict()
    for key in ("outcomes", "drivers", "timeline"):
        assert first[key] == second[key]


def test_label_is_printed_literally_not_as_markup(capsys, tmp_path):
    hostile = {**FIXED, "outcomes": {**FIXED["outcomes"], "y": {"label": "[bold red]x[/] [/oops]"}}}
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(hostile))
    assert main(["run", str(path)]) == 0
    assert "[bold red]x[/] [/oops]" in capsys.readouterr().out


def test_a_scenario_too_wide_to_sum_is_bad_input_naming_its_drivers(capsys, tmp_path):
    """Valid, but 34 drivers push one outcome: 2^34 states a draw. Refused before any work."""
    drivers = {f"d{i}": {"label": f"driver {i}", "p": 0.3} for i in range(34)}
    wide = {
        "signpost": 1,
        "id": "wide",
        "title": "Too wide",
        "drivers": drivers,
        "outcomes": {
            "x": {"label": "x", "drivers": {d: 0.5 for d in drivers}},
            "calm": {"label": "calm"},
        },
    }
    path = tmp_path / "wide.yaml"
    path.write_text(json.dumps(wide))
    assert main(["validate", str(path)]) == 0
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    named = ", ".join(f"d{i}" for i in range(34))
    assert err.startswith(f"{path}: the network is too wide to sum out: 34 drivers ({named}) ")
    assert "a table of 2^34 states" in err and err.count("\n") == 1
    assert "d0, d1, d2" in err and "d33" in err and "Traceback" not in err
