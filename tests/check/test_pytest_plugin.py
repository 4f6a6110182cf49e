"""The pytest plugin: `pytest scenarios/` runs each expectation as an item `<file>::<check>`."""

from __future__ import annotations

import shutil

import pytest

# The runner and its NumPy/SciPy modules are imported here, in this process: pytester's
# in-process runs drop the modules they import, and a C extension cannot load twice.
import engine.check.batch  # noqa: F401
import engine.run  # noqa: F401
from tests.support import MALFORMED
from tests.support.checks import (
    PASSING_EXPECT,
    close_call_expect,
    fixed_scenario,
    measured_x,
    sampled_scenario,
    write,
)

pytest_plugins = ["pytester"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project like this one: scenarios/ with a parent, tests/ holding YAML of its own."""
    pytester.makeini("[pytest]\n")  # the rootdir is the project
    root = pytester.path
    parent = fixed_scenario(expect=PASSING_EXPECT)
    del parent["id"]  # not a valid scenario on its own: must never be collected alone
    write(root / "scenarios" / "_base.yaml", parent)
    write(root / "scenarios" / "good.yaml", {"extends": "_base.yaml", "id": "good"})
    write(root / "scenarios" / "more" / "failing.yaml", fixed_scenario())
    (root / "tests" / "malformed").mkdir(parents=True)
    shutil.copy(MALFORMED / "key_on.yaml", root / "tests" / "malformed" / "key_on.yaml")
    write(root / "tests" / "scenarios" / "fixture.yaml", fixed_scenario())
    return pytester


def test_items_are_named_file_check_and_only_scenarios_are_collected(project):
    result = project.runpytest("tests", "scenarios", "--collect-only", "-q")
    good = [f"scenarios/good.yaml::{name}" for name in PASSING_EXPECT]
    failing = [f"scenarios/more/failing.yaml::{name}" for name in fixed_scenario()["expect"]]
    assert [line for line in result.outlines if "::" in line] == good + failing
    assert "_base.yaml" not in result.stdout.str() and "tests/" not in result.stdout.str()


def test_a_failure_shows_value_bound_and_margin_without_a_traceback(project):
    result = project.runpytest("scenarios", "-rA")
    result.assert_outcomes(passed=7, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ scenarios/more/failing.yaml::a_rare _*",
            "expectation failed: P(a) at most 0.25: value 0.3, margin -0.05",
            "  check:  scenarios/more/failing.yaml::a_rare",
            "  bound:  P(a) at most 0.25",
            "  value:  0.3",
            "  margin: -0.05 (negative: outside the bound)",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED scenarios/more/failing.yaml::x_high - *"])
    text = result.stdout.str()
    assert "Traceback" not in text and "engine/" not in text and "raise " not in text


def test_all_passing_scenarios_exit_0(project):
    (project.path / "scenarios" / "more" / "failing.yaml").unlink()
    result = project.runpytest("scenarios")
    result.assert_outcomes(passed=3)
    assert result.ret == 0


def test_an_invalid_scenario_is_one_failing_item_with_its_errors(project):
    shutil.copy(MALFORMED / "key_on.yaml", project.path / "scenarios" / "key_on.yaml")
    result = project.runpytest("scenarios/key_on.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "invalid scenario: scenarios/key_on.yaml:9:3: drivers.on: YAML reads the key `on`*",
            "FAILED scenarios/key_on.yaml::validate - invalid scenario: *",
        ],
        consecutive=False,
    )


def test_a_yaml_file_named_on_the_command_line_is_collected(project):
    result = project.runpytest("tests/scenarios/fixture.yaml", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["tests/scenarios/fixture.yaml::x_band"])


def test_no_signpost_disables_the_plugin(project):
    result = project.runpytest("-p", "no:signpost", "scenarios")
    result.assert_outcomes()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_too_close_is_skipped_with_its_reason_and_fails_when_strict(project):
    value, mcse = measured_x()  # the compiled model is reused by the runs below (same graph)
    close = sampled_scenario(close_call_expect(value, mcse))
    write(project.path / "scenarios" / "close.yaml", close)
    result = project.runpytest("scenarios/close.yaml", "-rs")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    result.stdout.fnmatch_lines(
        ["SKIPPED * scenarios/close.yaml:*: too close to call: P(x) at least *"]
    )

    strict = project.runpytest("scenarios/close.yaml", "--signpost-strict")
    strict.assert_outcomes(passed=1, failed=3)
    strict.stdout.fnmatch_lines(["too close to call (--signpost-strict): P(x) at least *"])
