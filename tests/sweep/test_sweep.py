"""``signpost sweep`` (SPEC §13) held to independent computations.

- every value of a sweep is what ``signpost run`` gives for the scenario with that number written
  as the value (the same seed: the same draws of every other number, to the last digit);
- with every other number fixed, each value equals the plain enumerator of
  ``tests/support/reference.py``;
- with uncertain numbers, each value agrees with the reference's own importance sampler (its own
  draws, 20 000 of them) within four combined Monte Carlo standard errors;
- the crossings are where the interpolated curve meets the edges of ``word_for``'s bands.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.inference.network import network_of
from engine.run import run
from engine.scenario.validate import validate_file
from engine.scenario.values import word_for
from engine.sweep.compute import BAND_EDGES, BAND_WORDS, band_crossings, sweep
from engine.sweep.request import SweepError, check_request
from tests.support.checks import write as write_scenario
from tests.support.networks import small_scenario
from tests.support.reference import (
    enumerate_posterior,
    evidence_from,
    importance_sampling,
    network_from,
)

EVIDENCE = {
    "seen_i": {"indicator": "i", "observed": True},
    "report_b": {"driver": "b", "likelihood_ratio": 3},
    "not_k": {"indicator": "k", "observed": False},
}
FIXED = {
    "p": {"a": 0.3, "b": 0.5, "c": 0.6, "d": 0.35},
    "causes": {("b", "a"): 1.0, ("c", "b"): -1.0, ("c", "a"): 0.5, ("d", "c"): 2.0},
    "effects": {("x", "a"): 1.0, ("x", "c"): -0.5, ("y", "b"): 2.0, ("z", "c"): 1.0},
    "indicators": {"i": (0.7, 0.3), "j": (0.9, 0.3), "k": (0.7, 0.1)},
}


def write(tmp_path: Path, spec: dict, name: str = "small.yaml") -> Path:
    return write_scenario(tmp_path / name, spec)


def swept(path: Path, number: str, values: tuple[float, float, int], **options):
    checked = validate_file(path)
    assert checked.ok, checked.issues
    network = network_of(checked.scenario)
    request = check_request(network, number, *values, document=checked.document)
    return sweep(checked.scenario, request, network=network, **options)


def with_number(spec: dict, number: str, value: float) -> dict:
    """The scenario dict with the number at key path ``number`` written as ``value``."""
    out = copy.deepcopy(spec)
    *parents, last = number.split(".")
    here = out
    for key in parents:
        here = here[key]
    here[last] = value
    return out


@pytest.mark.parametrize(
    "number",
    ["drivers.a.p", "drivers.c.causes.b", "outcomes.y.drivers.b", "indicators.i.if_true"],
)
def test_each_value_is_the_run_of_the_file_with_that_number_written(tmp_path, number):
    spec = small_scenario(evidence=EVIDENCE, inference={"seed": 11, "draws": 500})
    values = (0.2, 0.8, 3) if number.endswith((".p", ".if_true")) else (-1.0, 2.0, 3)
    result = swept(write(tmp_path, spec), number, values)
    assert result.values == pytest.approx([values[0], sum(values[:2]) / 2, values[1]])
    for point in result.points:
        edited = write(tmp_path, with_number(spec, number, point.value), "edited.yaml")
        main = run(validate_file(edited).scenario, scope="main").main
        for k, summary in main.outcomes.items():
            assert point.outcomes[k] == summary  # p, lo, hi and mcse, to the last digit


def test_with_every_other_number_fixed_each_value_is_exact_enumeration(tmp_path):
    spec = small_scenario(**FIXED, evidence=EVIDENCE)
    spec["drivers"]["b"]["p"] = "roughly even chance"  # the one uncertain number: the swept one
    result = swept(write(tmp_path, spec), "drivers.b.p", (0.05, 0.95, 7))
    assert result.diagnostics.method == "exact"
    for point in result.points:
        expected = enumerate_posterior(
            network_from(with_number(spec, "drivers.b.p", point.value)), evidence_from(spec)
        )
        for k, summary in point.outcomes.items():
            assert summary.p == pytest.approx(expected.outcomes[k], abs=1e-12)
            assert summary.lo == summary.hi == summary.p and summary.mcse == 0


def test_with_uncertain_numbers_each_value_agrees_with_the_reference_sampler(tmp_path):
    spec = small_scenario(evidence=EVIDENCE, inference={"seed": 3})
    result = swept(write(tmp_path, spec), "drivers.a.p", (0.1, 0.9, 3))
    assert result.reliable
    for i, point in enumerate(result.points):
        fixed = with_number(spec, "drivers.a.p", point.value)
        reference = importance_sampling(fixed, evidence_from(spec), size=20_000, seed=100 + i)
        for k, summary in point.outcomes.items():
            theirs = reference.outcomes[k]
            assert abs(summary.p - theirs.p) <= 4 * math.hypot(summary.mcse, theirs.mcse), k
            assert summary.lo < summary.p < summary.hi


def test_the_sweep_is_smooth_because_every_value_shares_the_other_numbers_draws(tmp_path):
    """Common random numbers: a small step of the number moves each outcome a little, far less
    than the Monte Carlo noise of two independent runs would."""
    spec = small_scenario(evidence=EVIDENCE, inference={"seed": 5, "draws": 250})
    result = swept(write(tmp_path, spec), "drivers.a.p", (0.40, 0.41, 2))
    for k, (first, second) in result.outcomes.items():
        assert abs(second.p - first.p) < 0.5 * first.mcse, k


def test_threads_change_nothing(tmp_path):
    path = write(tmp_path, small_scenario(evidence=EVIDENCE, inference={"draws": 250}))
    one = swept(path, "drivers.c.p", (0.1, 0.9, 4), jobs=1)
    two = swept(path, "drivers.c.p", (0.1, 0.9, 4), jobs=2)
    assert [p.outcomes for p in one.points] == [p.outcomes for p in two.points]


def test_band_edges_are_where_word_for_changes_its_word():
    assert len(BAND_EDGES) == len(BAND_WORDS) - 1
    for j, edge in enumerate(BAND_EDGES):
        below, above = word_for(edge - 1e-9), word_for(edge + 1e-9)
        assert (below, above) == (BAND_WORDS[j], BAND_WORDS[j + 1])


def test_crossings_are_interpolated_at_each_band_edge_in_the_direction_of_travel():
    up = band_crossings("k", 0.0, 0.1, 1.0, 0.5)  # crosses 0.20 and 0.45
    assert [(c.at, c.old, c.new) for c in up] == [
        (pytest.approx(0.25), "very unlikely", "unlikely"),
        (pytest.approx(0.875), "unlikely", "roughly even chance"),
    ]
    down = band_crossings("k", 2.0, 0.9, 4.0, 0.7)  # crosses 0.80, going down
    assert [(c.at, c.old, c.new) for c in down] == [(pytest.approx(3.0), "very likely", "likely")]
    assert band_crossings("k", 0.0, 0.3, 1.0, 0.4) == []


def test_most_likely_and_crossings_follow_the_numbers(tmp_path):
    spec = small_scenario(**FIXED, evidence=EVIDENCE)
    spec["outcomes"]["y"]["drivers"]["b"] = "raises"
    result = swept(write(tmp_path, spec), "outcomes.y.drivers.b", (-3.0, 4.0, 15))
    for point, likeliest in zip(result.points, result.most_likely):
        assert point.outcomes[likeliest].p == max(s.p for s in point.outcomes.values())
    xs = result.values
    for c in result.crossings:  # between two values whose words differ, where the line meets
        i = max(i for i, v in enumerate(xs) if v <= c.at)
        before, after = (result.outcomes[c.outcome][j].p for j in (i, i + 1))
        edge = BAND_EDGES[min(BAND_WORDS.index(c.old), BAND_WORDS.index(c.new))]
        assert word_for(before) != word_for(after)
        assert min(before, after) <= edge <= max(before, after)
        line = before + (after - before) * (c.at - xs[i]) / (xs[i + 1] - xs[i])
        assert line == pytest.approx(edge)
    every = [
        (k, j) for k, ss in result.outcomes.items() for j in range(len(xs) - 1)
        if word_for(ss[j].p) != word_for(ss[j + 1].p)
    ]  # fmt: skip
    assert {
        (c.outcome, max(i for i, v in enumerate(xs) if v <= c.at)) for c in result.crossings
    } == set(every)
    assert "y" in {c.outcome for c in result.crossings}  # y's own effect moves it across bands


# --- bad input ---------------------------------------------------------------------------------


def test_a_path_that_names_no_number_says_where_and_what_to_write(tmp_path):
    path = write(tmp_path, small_scenario())
    network = network_of(validate_file(path).scenario)
    with pytest.raises(SweepError) as label:
        check_request(network, "drivers.a.label", document=validate_file(path).document)
    (message,) = label.value.problems
    assert message.startswith(f"{path}:") and ":" in message.split(":", 2)[2]  # file:line:col
    assert "drivers.a.label" in message and "drivers.a.p" in message
    with pytest.raises(SweepError) as unknown:
        check_request(network, "drivers.nope.p")
    assert "names no number" in str(unknown.value)


def test_every_problem_with_the_values_at_once(tmp_path):
    network = network_of(validate_file(write(tmp_path, small_scenario())).scenario)
    with pytest.raises(SweepError) as error:
        check_request(network, "drivers.a.p", 0.0, 1.5, 1)
    assert len(error.value.problems) == 3
    assert "--from 0" in error.value.problems[0] and "--to 1.5" in error.value.problems[1]
    assert "--steps 1" in error.value.problems[2]
    with pytest.raises(SweepError, match="smaller value to a larger"):
        check_request(network, "drivers.a.p", 0.8, 0.2)
    check_request(network, "outcomes.x.drivers.a", -10.0, 10.0)  # an effect may be any number


def signpost(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "engine", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)


def test_cli_bad_input_is_exit_2_with_every_problem_and_nothing_written(tmp_path):
    path = write(tmp_path, small_scenario())
    plot = tmp_path / "missing" / "sweep.svg"
    done = signpost("sweep", str(path), "drivers.a.label", "--plot", str(plot), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and "drivers.a.label" in lines[0] and "--plot" in lines[1]
    assert "Traceback" not in done.stderr and not plot.exists()
    done = signpost("sweep", str(path), "drivers.a.p", "--from", "0", "--to", "2", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("strictly between 0 and 1") == 2
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(path.read_text().replace("likely", "quite likely", 1), encoding="utf-8")
    done = signpost("sweep", str(invalid), "drivers.a.p", cwd=tmp_path)
    assert done.returncode == 2 and f"{invalid}:" in done.stderr and "quite likely" in done.stderr


def test_cli_json_is_the_spec_object_and_the_plot_draws_text_as_written(tmp_path):
    spec = small_scenario(**FIXED, evidence=EVIDENCE)
    spec["drivers"]["a"]["p"] = "unlikely"
    spec["outcomes"]["x"]["label"] = "<script>alert(1)</script> $x^2$ & co"
    path, plot = write(tmp_path, spec), tmp_path / "sweep.svg"
    done = signpost(
        "sweep", str(path), "drivers.a.p", "--from", "0.1", "--to", "0.9", "--steps", "5",
        "--json", "--plot", str(plot), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"id", "path", "values", "outcomes", "most_likely", "crossings"} <= set(result)
    assert result["path"] == "drivers.a.p" and result["values"] == pytest.approx(
        [0.1, 0.3, 0.5, 0.7, 0.9]
    )
    assert set(result["outcomes"]) == {"x", "y", "z"}
    for summaries in result["outcomes"].values():
        assert len(summaries) == 5 and set(summaries[0]) == {"p", "lo", "hi", "mcse"}
    for i, likeliest in enumerate(result["most_likely"]):
        assert likeliest == max(result["outcomes"], key=lambda k: result["outcomes"][k][i]["p"])
    for c in result["crossings"]:
        assert set(c) == {"outcome", "at", "from", "to"} and 0.1 <= c["at"] <= 0.9
    svg = plot.read_text(encoding="utf-8")
    root = ET.fromstring(svg)  # a whole SVG document, parsed as XML
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    assert "<script>alert(1)</script> $x^2$ & co" in texts  # literal: escaped, no mathematics
    assert "<script" not in svg and "almost certain" in texts
