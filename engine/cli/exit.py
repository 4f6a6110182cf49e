"""The exit codes of ``signpost``, one table for every command (README: *The command*).

As sqlfluff's: 0 fine, 1 a check failed, 2 bad input; and 3 an internal error (a bug in
Signpost, never the user's input), 130 interrupted (Ctrl-C). The same situation gives the same
code in every command: an invalid scenario file is 2 whether ``run``, ``check``, ``score`` or
``report`` meets it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ``signpost``, as sqlfluff's: 0 fine, 1 a check failed, 2 bad input; and
    3 an internal error (a bug in Signpost, never the user's input), 130 interrupted (Ctrl-C)."""

    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2
    INTERNAL = 3
    INTERRUPTED = 130


OK = ExitCode.OK
CHECK_FAILED = ExitCode.CHECK_FAILED
BAD_INPUT = ExitCode.BAD_INPUT
INTERNAL = ExitCode.INTERNAL
INTERRUPTED = ExitCode.INTERRUPTED


def batch_exit_code(files, *, failed: bool = False) -> ExitCode:
    """The exit code of a batch command (``check``, ``score``, ``report``), from its files.

    Parameters
    ----------
    files : iterable of engine.run.batch.Outcome
        One per file of the batch (``invalid``, ``bad_input``, ``crashed``).
    failed : bool
        Some check (an expectation) failed.

    Returns
    -------
    ExitCode
        3 when Signpost failed on some valid scenario (a bug), else 2 when no file was found or
        some file is bad input (invalid, or valid but impossible to run as written), else 1 when
        a check failed, else 0. The other files are always run and reported.
    """
    files = list(files)
    if any(f.crashed for f in files):
        return INTERNAL
    if not files or any(f.invalid or (f.error and f.bad_input) for f in files):
        return BAD_INPUT
    return CHECK_FAILED if failed else OK
