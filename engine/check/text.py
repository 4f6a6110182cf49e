"""``signpost check`` as text: one line per check for CI logs, then a summary."""

from __future__ import annotations

from collections.abc import Iterable

from engine import display
from engine.check.batch import FileChecks, counted_status, tally
from engine.inference.diagnostics import NOISE_MCSE
from engine.run.result import Check, Status

ANSI = {"green": "\033[32m", "red": "\033[31m", "yellow": "\033[33m"}
RESET = "\033[0m"


def _coloured(text: str, style: str, colour: bool) -> str:
    return f"{ANSI[style]}{text}{RESET}" if colour else text


def check_line(
    file: FileChecks, check: Check, *, strict: bool = False, colour: bool = False
) -> str:
    """One line for CI logs: ``PASS  file::name  value 0.29  margin +0.29  (bound)``.

    The MCSE is shown when the numbers were sampled; a too-close check says so, and under
    ``strict`` is shown as ``FAIL`` with the reason.
    """
    status = counted_status(check, strict=strict)
    label = _coloured(status.tag, status.style, colour)
    text = (
        f"{label}  {file.node(check.name)}  value {display.value(check.value)}  "
        f"margin {display.margin(check.margin)}"
    )
    if check.mcse > 0:
        text += f"  mcse {display.mcse(check.mcse)}"
    text += f"  ({check.description})"
    if check.status == Status.TOO_CLOSE:
        noise = f"|margin| < {display.number(NOISE_MCSE)} mcse"
        text += f"  too close to call: {noise}{' (--strict)' if strict else ''}"
    return text


def file_lines(file: FileChecks, *, strict: bool = False, colour: bool = False) -> list[str]:
    """The lines of one file: its checks, or ``ERROR`` and why it could not be checked."""
    if file.invalid:
        label = _coloured("ERROR", "red", colour)
        head = f"{label}  {file.path.as_posix()}  invalid scenario"
        return [head, *(issue.format() for issue in file.issues)]
    if file.error:
        label = _coloured("ERROR", "red", colour)
        return [f"{label}  {file.path.as_posix()}  could not be run: {file.error}"]
    lines = [check_line(file, c, strict=strict, colour=colour) for c in file.checks.values()]
    if not file.checks:
        lines.append(f"note   {file.path.as_posix()}  has no expectations")
    if not file.reliable:
        lines.append(
            f"warn   {file.path.as_posix()}  its numbers missed the reliability bar "
            "(SPEC §4): its verdicts may change with more draws"
        )
    return lines


def summary(files: Iterable[FileChecks], *, strict: bool = False, seconds: float = 0.0) -> str:
    """``12 checks in 5 files: 11 passed, 1 failed, 0 too close to call; 1 invalid file``."""
    files = list(files)
    if not files:
        return "no scenario files found"
    counts = tally(files, strict=strict)
    checked = sum(1 for f in files if f.ok)
    text = (
        f"{_plural(counts['checks'], 'check')} in {_plural(checked, 'file')}: "
        f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, "
        f"{counts[Status.TOO_CLOSE]} {Status.TOO_CLOSE}"
    )
    if counts["invalid"]:
        text += f"; {_plural(counts['invalid'], 'invalid file')}"
    if counts["not run"]:
        text += f"; {_plural(counts['not run'], 'file')} not run"
    if seconds:
        text += f" ({display.seconds(seconds)})"
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
