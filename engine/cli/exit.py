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
