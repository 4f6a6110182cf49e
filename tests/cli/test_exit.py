"""The exit codes of every command, named once (engine/cli/exit.py; README: *The command*)."""

from engine.cli.exit import BAD_INPUT, CHECK_FAILED, INTERNAL, INTERRUPTED, OK, ExitCode


def test_exit_codes_are_named_as_sqlfluff_does():
    assert (OK, CHECK_FAILED, BAD_INPUT) == (0, 1, 2)
    assert ExitCode.BAD_INPUT == 2
    assert (INTERNAL, INTERRUPTED) == (3, 130)
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "CHECK_FAILED": 1,
        "BAD_INPUT": 2,
        "INTERNAL": 3,
        "INTERRUPTED": 130,
    }
