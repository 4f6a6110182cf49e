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


# --- the same situation, the same code, in every command ----------------------------------------

import pytest  # noqa: E402

import engine.run  # noqa: E402
from engine.cli import main  # noqa: E402
from tests.support.reports import write_batch  # noqa: E402

BATCHES = {
    "check": [],
    "score": [],
    "report": ["-j", "1", "--out"],  # in this process: the monkeypatch below reaches the run
}


def _args(command: str, folder, tmp_path) -> list[str]:
    extra = BATCHES[command]
    return [command, str(folder), *extra, *([str(tmp_path / "out")] if "--out" in extra else [])]


@pytest.mark.parametrize("command", sorted(BATCHES))
def test_an_invalid_file_in_a_batch_is_bad_input_in_every_command(command, tmp_path):
    folder = write_batch(tmp_path / "scenarios", broken=True, other=True)
    assert main(_args(command, folder, tmp_path)) == BAD_INPUT


def test_an_invalid_file_run_alone_is_bad_input_too(tmp_path):
    folder = write_batch(tmp_path / "scenarios", broken=True)
    assert main(["run", str(folder / "broken.yaml")]) == BAD_INPUT


@pytest.mark.parametrize("command", sorted(BATCHES))
def test_signpost_failing_on_a_valid_file_is_an_internal_error_and_the_rest_run(
    command, tmp_path, monkeypatch, capsys
):
    folder = write_batch(tmp_path / "scenarios", other=True)
    real_run = engine.run.run

    def failing(scenario, **kwargs):
        if scenario.id == "hostile":
            raise RuntimeError("the engine broke")
        return real_run(scenario, **kwargs)

    monkeypatch.setattr(engine.run, "run", failing)
    assert main(_args(command, folder, tmp_path)) == INTERNAL
    printed = capsys.readouterr()
    assert "RuntimeError: the engine broke" in printed.out + printed.err
    assert "Traceback" not in printed.out + printed.err
    assert "calm" in printed.out + printed.err  # the other file was run and reported
