"""JUnit XML of a batch of checks, for CI systems that show test reports.

One ``testsuite`` per scenario file and one ``testcase`` per check, named by the check, with
``classname`` the file's path dotted (as pytest names its test files) and ``file`` the path.
A failed check carries a ``failure`` element giving its value, bound and margin; a check too
close to call is ``skipped`` (a ``failure`` under ``strict``); an invalid scenario is one
testcase ``validate`` with an ``error`` element listing its validation errors.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from engine import display
from engine.check.batch import FileChecks, counted_status, tally
from engine.inference.diagnostics import NOISE_MCSE
from engine.run.result import Status

# characters XML 1.0 cannot hold even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return _NOT_XML.sub("?", str(value))


def _classname(path: Path) -> str:
    return path.with_suffix("").as_posix().replace("/", ".").lstrip(".")


def _suite(file: FileChecks, *, strict: bool) -> ET.Element:
    counts = tally([file], strict=strict)
    suite = ET.Element(
        "testsuite",
        name=_text(file.path.as_posix()),
        tests="1" if not file.ok else str(counts["checks"]),
        failures=str(counts[Status.FAIL]),
        errors=str(int(not file.ok)),
        skipped=str(counts[Status.TOO_CLOSE]),
        time=f"{file.seconds:.3f}",
    )
    attributes = {"classname": _classname(file.path), "file": _text(file.path.as_posix())}
    if file.invalid:
        case = ET.SubElement(suite, "testcase", name="validate", time="0", **attributes)
        error = ET.SubElement(case, "error", type="invalid scenario")
        error.set("message", _text(f"invalid scenario: {len(file.issues)} error(s)"))
        error.text = _text("\n".join(issue.format() for issue in file.issues))
        return suite
    if file.error:
        case = ET.SubElement(suite, "testcase", name="run", time="0", **attributes)
        error = ET.SubElement(case, "error", type="not run")
        error.set("message", _text(f"could not be run: {file.error}"))
        return suite
    share = file.seconds / max(len(file.checks), 1)  # one run serves every check of the file
    for check in file.checks.values():
        case = ET.SubElement(suite, "testcase", name=check.name, time=f"{share:.3f}", **attributes)
        status = counted_status(check, strict=strict)
        value, margin = display.value(check.value), display.margin(check.margin)
        detail = (
            f"value {value}, bound: {check.description}, margin {margin}, "
            f"mcse {display.mcse(check.mcse)}"
        )
        if status == Status.FAIL:
            reason = Status.TOO_CLOSE if check.status == Status.TOO_CLOSE else "bound broken"
            failure = ET.SubElement(case, "failure", type=check.status)
            failure.set("message", _text(f"{reason}: {detail}"))
            failure.text = _text(f"{file.node(check.name)}\n{reason}\n{detail}")
        elif status == Status.TOO_CLOSE:
            skipped = ET.SubElement(case, "skipped", type=Status.TOO_CLOSE)
            noise = f"|margin| < {display.number(NOISE_MCSE)} mcse"
            skipped.set("message", _text(f"too close to call ({noise}): {detail}"))
        if not file.reliable:
            out = ET.SubElement(case, "system-out")
            out.text = "the sampler's run is not reliable: its statuses may change"
    return suite


def junit_xml(files: Iterable[FileChecks], *, strict: bool = False, seconds: float = 0.0) -> str:
    """The JUnit XML document of a batch of checked files.

    Parameters
    ----------
    files : iterable of FileChecks
        The checked files (invalid ones included).
    strict : bool
        Count checks too close to call as failures.
    seconds : float
        The batch's wall time.

    Returns
    -------
    str
        An XML document with a ``testsuites`` root.
    """
    files = list(files)
    suites = [_suite(file, strict=strict) for file in files]
    root = ET.Element("testsuites", name="signpost check", time=f"{seconds:.3f}")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key)) for s in suites)))
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def write_junit(path: str | Path, files: Iterable[FileChecks], **kwargs) -> None:
    """Write :func:`junit_xml` to ``path`` (UTF-8) atomically, creating its folder if needed.

    Raises :class:`engine.infra.files.OutputError` when the system refuses the write.
    """
    from engine.infra.files import write_text

    write_text(path, junit_xml(files, **kwargs) + "\n")
