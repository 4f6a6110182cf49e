"""``signpost check``: lines, summary, exit codes 0/1/2, --strict and --junit."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.cli import main
from tests.support import MALFORMED
from tests.support.checks import (
    PASSING_EXPECT,
    close_call_expect,
    fixed_scenario,
    measured_x,
    sampled_scenario,
    write,
)


def check(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["check", *args])
    return code, capsys.readouterr().out.splitlines()


def test_all_pass_exits_0_with_one_line_per_check(tmp_path, capsys):
    path = write(tmp_path / "good.yaml", fixed_scenario(expect=PASSING_EXPECT))
    code, lines = check(capsys, str(path))
    assert code == 0
    node = path.as_posix()
    assert lines[0] == (
        f"PASS   {node}::x_band  value 0.575  margin +0.025  (P(x) between 0.5 and 0.6)"
    )
    assert [line.split()[1] for line in lines[:3]] == [f"{node}::{n}" for n in PASSING_EXPECT]
    assert "\033" not in "\n".join(lines)  # no colour when not a terminal
    assert lines[-1].startswith("3 checks in 1 file: 3 passed, 0 failed, 0 too close to call")


def test_a_broken_bound_exits_1_naming_the_check(tmp_path, capsys):
    """A copy of a passing scenario with one bound broken: the check fails, by name."""
    good = write(tmp_path / "scenarios" / "good.yaml", fixed_scenario(expect=PASSING_EXPECT))
    broken_bound = {"x_band": {"outcome": "x", "between": [0.6, 0.7]}}
    broken = fixed_scenario(expect={**PASSING_EXPECT, **broken_bound}, id="broken")
    bad = write(tmp_path / "scenarios" / "broken.yaml", broken)
    assert check(capsys, str(good))[0] == 0
    code, lines = check(capsys, str(tmp_path / "scenarios"))
    assert code == 1
    failed = [line for line in lines if line.startswith("FAIL")]
    assert failed == [
        f"FAIL   {bad.as_posix()}::x_band  value 0.575  margin -0.025  (P(x) between 0.6 and 0.7)"
    ]
    assert "6 checks in 2 files: 5 passed, 1 failed, 0 too close to call" in lines[-1]


def test_invalid_file_is_reported_the_others_still_checked_and_2_wins(tmp_path, capsys):
    shutil.copy(MALFORMED / "key_on.yaml", tmp_path / "key_on.yaml")
    write(tmp_path / "failing.yaml", fixed_scenario())
    code, lines = check(capsys, str(tmp_path))
    assert code == 2
    text = "\n".join(lines)
    assert f"ERROR  {(tmp_path / 'key_on.yaml').as_posix()}  invalid scenario" in text
    assert f"{tmp_path / 'key_on.yaml'}:9:3: drivers.on: YAML reads the key `on`" in text
    assert f"FAIL   {(tmp_path / 'failing.yaml').as_posix()}::x_high" in text
    assert lines[-1].startswith("6 checks in 1 file: 4 passed, 2 failed, 0 too close to call")
    assert "; 1 invalid file" in lines[-1]


def test_default_path_is_scenarios_and_parents_are_not_checked(tmp_path, capsys, monkeypatch):
    parent = fixed_scenario(expect=PASSING_EXPECT)
    del parent["id"]  # a parent alone is not a valid scenario: it must not be checked alone
    write(tmp_path / "scenarios" / "_base.yaml", parent)
    write(tmp_path / "scenarios" / "child.yaml", {"extends": "_base.yaml", "id": "child"})
    monkeypatch.chdir(tmp_path)
    code, lines = check(capsys)
    assert code == 0
    assert all("_base.yaml" not in line for line in lines)
    assert lines[0].startswith("PASS   scenarios/child.yaml::x_band")


def test_nothing_to_check_exits_2(tmp_path, capsys):
    code, lines = check(capsys, str(tmp_path))
    assert (code, lines) == (2, ["no scenario files found"])
    code, lines = check(capsys, str(tmp_path / "missing.yaml"))
    assert code == 2 and "no such file" in "\n".join(lines)


def test_junit_has_one_testcase_per_check_and_invalid_files_as_errors(tmp_path, capsys):
    shutil.copy(MALFORMED / "key_on.yaml", tmp_path / "key_on.yaml")
    write(tmp_path / "failing.yaml", fixed_scenario())
    out = tmp_path / "out" / "junit.xml"
    assert check(capsys, str(tmp_path), "--junit", str(out))[0] == 2
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    counts = {key: int(root.get(key)) for key in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": 7, "failures": 2, "errors": 1, "skipped": 0}
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"validate", *fixed_scenario()["expect"]}
    assert cases["validate"].find("error") is not None
    assert "key_on.yaml:9:3" in cases["validate"].find("error").text
    failure = cases["a_rare"].find("failure")
    message = failure.get("message")
    assert "value 0.3" in message and "P(a) at most 0.25" in message and "margin -0.05" in message
    assert cases["x_band"].find("failure") is None and cases["x_band"].find("skipped") is None
    assert cases["x_band"].get("file") == (tmp_path / "failing.yaml").as_posix()


@pytest.fixture(scope="module")
def close_call(tmp_path_factory) -> Path:
    """A sampled scenario whose two checks sit within 3 MCSE of their bound."""
    value, mcse = measured_x()
    near = close_call_expect(value, mcse)
    expect = {name: near[name] for name in ("at_mean", "one_mcse_up", "well_below")}
    return write(tmp_path_factory.mktemp("close") / "close.yaml", sampled_scenario(expect))


def test_too_close_passes_by_default_and_fails_with_strict(close_call, capsys):
    code, lines = check(capsys, str(close_call))
    assert code == 0
    assert [line.split()[0] for line in lines[:3]] == ["CLOSE", "CLOSE", "PASS"]
    assert "too close to call: |margin| < 3 mcse" in lines[0] and "mcse" in lines[2]
    assert "3 checks in 1 file: 1 passed, 0 failed, 2 too close to call" in lines[-1]

    out = close_call.parent / "strict.xml"
    code, lines = check(capsys, str(close_call), "--strict", "--junit", str(out))
    assert code == 1
    assert [line.split()[0] for line in lines[:3]] == ["FAIL", "FAIL", "PASS"]
    assert "(--strict)" in lines[0]
    root = ET.parse(out).getroot()
    assert (root.get("failures"), root.get("skipped")) == ("2", "0")

    relaxed = close_call.parent / "relaxed.xml"
    check(capsys, str(close_call), "--junit", str(relaxed))
    root = ET.parse(relaxed).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "0", "2")
