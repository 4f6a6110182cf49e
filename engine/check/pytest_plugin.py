"""A pytest plugin: ``pytest scenarios/`` runs every expectation of every scenario as a test.

Registered through the ``pytest11`` entry point ``signpost`` (``pytest -p no:signpost`` turns
it off). Each scenario file becomes a test file and each of its ``expect`` entries one test
item, named ``<file>::<check>`` (``scenarios/kazakhstan/baseline.yaml::tethering_leads``).

Which YAML files are collected
    A ``*.yaml`` / ``*.yml`` file whose name does not start with ``_`` (those are parents only,
    SPEC §6), and that lies under one of the folders of the ini option ``signpost_scenarios``
    (paths relative to the rootdir; default ``scenarios``) or is named on the command line
    itself. So ``pytest -q tests scenarios`` collects ``scenarios/**.yaml`` but never the YAML
    under ``tests/`` (the deliberately broken ``tests/scenario/malformed/`` and the fixtures of
    ``tests/support/scenarios/``): an allow-list of folders, not a deny-list, so a stray YAML file
    elsewhere (CI configuration, fixtures, another project in the same environment) is
    never taken for a scenario.

One run per file
    A file's scenario is run once, when its first item runs (``engine.check.batch.run_checks``:
    the main result and the what-ifs its expectations name, no timeline, no analysis; exact
    enumeration when every number is fixed), and every item of the file reads that run.

What a verdict becomes
    pass is a passed test; fail is a failed test whose report shows the value, the bound and
    the margin (no engine traceback). An invalid scenario is one failing item
    ``<file>::validate`` listing every validation error as ``file:line:column: ...``.

    *Too close to call* (the margin is smaller than three Monte Carlo standard errors) is
    **skipped with its reason** by default, and **fails** with ``--signpost-strict``. Chosen
    because the SPEC says such a check is "never passed or failed by chance": passing it would
    hide it (a warning is easily lost), failing it would make the suite flaky on sampler noise,
    and xfail would claim that a failure is expected. A skip is shown as ``s`` and with its
    reason under ``-rs`` (the project's ``-ra``), which is exactly "not decided"; CI that must
    decide uses ``--signpost-strict`` as ``signpost check --strict`` does. A run that misses
    the reliability bar adds a warning to its file's first item.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from engine import display
from engine.inference.diagnostics import NOISE_MCSE
from engine.run.result import Status
from engine.scenario.discover import is_scenario_name

if TYPE_CHECKING:  # the engine's numerical modules load only when a scenario is collected
    from engine.check.batch import FileChecks
    from engine.run.result import Check

DEFAULT_FOLDERS = ["scenarios"]


class UnreliableRunWarning(UserWarning):
    """A scenario's numbers missed the reliability bar (SPEC §4)."""


class CheckFailed(Exception):
    """An expectation failed (or, under ``--signpost-strict``, was too close to call)."""

    def __init__(self, node: str, check: Check):
        self.node, self.check = node, check
        super().__init__(node)


class InvalidScenario(Exception):
    """The scenario file broke the format's rules; ``lines`` are its validation errors."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("signpost", "signpost scenario checks")
    group.addoption(
        "--signpost-strict",
        action="store_true",
        default=False,
        help="fail a scenario check that is too close to call (default: skip it)",
    )
    parser.addini(
        "signpost_scenarios",
        type="linelist",
        default=DEFAULT_FOLDERS,
        help="folders (relative to the rootdir) whose *.yaml/*.yml files are signpost "
        "scenarios to collect (default: scenarios)",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not is_scenario_name(file_path):
        return None
    if not (_in_scenario_folder(file_path, parent.config) or _named(file_path, parent.config)):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


def _in_scenario_folder(path: Path, config: pytest.Config) -> bool:
    folders = [(config.rootpath / f).resolve() for f in config.getini("signpost_scenarios")]
    return any(path.resolve().is_relative_to(folder) for folder in folders)


def _named(path: Path, config: pytest.Config) -> bool:
    here = config.invocation_params.dir
    return any((here / arg.split("::")[0]).resolve() == path.resolve() for arg in config.args)


class ScenarioFile(pytest.File):
    """A scenario file: one item per expectation, all served by one run."""

    def collect(self):
        from engine.scenario.validate import validate_file

        here = self.config.invocation_params.dir
        shown = self.path.relative_to(here) if self.path.is_relative_to(here) else self.path
        checked = validate_file(shown)  # errors name the file as the user sees it
        if not checked.ok:
            lines = [issue.format() for issue in checked.issues]
            yield InvalidScenarioItem.from_parent(self, name="validate", lines=lines)
            return
        self._scenario = checked.scenario
        self._outcome: FileChecks | BaseException | None = None  # set by the first item
        self.warned = False
        where = checked.document.where
        for name in checked.scenario.expect:
            place = where.locate(("expect", name), key=True)
            line = place.line - 1 if place.line and place.file == str(shown) else None
            yield CheckItem.from_parent(self, name=name, line=line)

    def checks(self) -> FileChecks:
        """The run's verdicts, computed by the first item that asks (a failure is kept too)."""
        from engine.check.batch import run_checks

        if self._outcome is None:
            try:
                self._outcome = run_checks(self._scenario, self.nodeid)
            except Exception as exc:  # every item of the file reports the same error
                self._outcome = exc
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


class CheckItem(pytest.Item):
    """One expectation of a scenario."""

    def __init__(self, *, line: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.line = line

    def runtest(self) -> None:
        from engine.check.batch import counted_status

        file: ScenarioFile = self.parent
        checks = file.checks()
        if not checks.reliable and not file.warned:
            file.warned = True
            self.warn(
                UnreliableRunWarning(
                    f"{file.nodeid}: its numbers missed the reliability bar (SPEC §4); its "
                    "verdicts may change with more draws"
                )
            )
        check = checks.checks[self.name]
        status = counted_status(check, strict=self.config.getoption("signpost_strict"))
        if status == Status.FAIL:
            raise CheckFailed(self.nodeid, check)
        if status == Status.TOO_CLOSE:
            value, margin = display.value(check.value), display.margin(check.margin)
            noise = f"{display.number(NOISE_MCSE)} x mcse {display.mcse(check.mcse)}"
            reason = (
                f"too close to call: {check.description}: value {value}, margin {margin} "
                f"within {noise} (--signpost-strict fails it)"
            )
            raise _skip_here(reason)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return failure_text(excinfo.value.node, excinfo.value.check)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.line, f"{self.parent.nodeid}::{self.name}"


class InvalidScenarioItem(pytest.Item):
    """An invalid scenario file: one failing item listing its validation errors."""

    def __init__(self, *, lines: list[str], **kwargs):
        super().__init__(**kwargs)
        self.lines = lines

    def runtest(self) -> None:
        raise InvalidScenario(self.lines)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, InvalidScenario):
            first, *rest = excinfo.value.lines
            return "\n".join([f"invalid scenario: {first}", *rest])
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.nodeid}: invalid scenario"


def _skip_here(reason: str) -> BaseException:
    """A skip reported at the item's own place (the scenario's line), not at this module's."""
    try:  # the keyword is pytest's own (since 7.0), for skips raised by non-Python items
        return pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:
        return pytest.skip.Exception(reason)


def failure_text(node: str, check: Check) -> str:
    """The report of a failed check: what was expected, the value, the margin."""
    too_close = check.status == Status.TOO_CLOSE
    reason = "too close to call (--signpost-strict)" if too_close else "expectation failed"
    value, margin = display.value(check.value), display.margin(check.margin)
    lines = [
        f"{reason}: {check.description}: value {value}, margin {margin}",
        f"  check:  {node}",
        f"  bound:  {check.description}",
        f"  value:  {value}",
        f"  margin: {margin} (negative: outside the bound)",
    ]
    if check.mcse > 0:
        noise = display.number(NOISE_MCSE)
        lines.append(f"  mcse:   {display.mcse(check.mcse)} (too close to call below {noise} mcse)")
    return "\n".join(lines)
