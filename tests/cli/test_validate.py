"""`signpost validate`: every malformed file rejected with its errors placed, output, exit
codes, and a light start. What each corpus file must produce is
``tests/scenario/malformed_errors.yaml`` (held in ``tests/scenario/test_malformed.py``)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.exit import BAD_INPUT, INTERNAL, OK
from tests.support import FIXTURES, MALFORMED, SAMPLING
from tests.support.corpus import cases, expected_errors

CASES = cases()
EXPECTED = expected_errors()
HEAVY = (*SAMPLING, "scipy")


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^\S+\.ya?ml:", line)]


def shown_place(path: Path, place: list) -> str:
    """How a line of output starts for an expected error: ``file:line:column: `` or ``file: ``."""
    _, line, column, *other = place
    file = path.parent / other[0] if other else path
    return f"{file}:{line}:{column}: " if line else f"{file}: "


# --- the corpus --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_a_malformed_file_is_rejected_with_each_error_placed(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path), listing(MALFORMED)
    assert main(["validate", str(path)]) == BAD_INPUT
    out, err = capsys.readouterr()
    assert err == ""
    lines = error_lines(out)
    places = [shown_place(path, place) for place in EXPECTED[path.name]]
    assert len(lines) == len(places), out
    for line, place in zip(lines, places):
        assert line.startswith(place) and len(line) > len(place), (line, place)
    assert out.splitlines()[-1].endswith(f"1 with {len(places)} error" + "s" * (len(places) > 1))
    assert (listing(tmp_path), listing(MALFORMED)) == before  # nothing written


def test_several_errors_are_all_reported_sorted_by_line(capsys):
    path = MALFORMED / "several_errors.yaml"
    assert main(["validate", str(path)]) == BAD_INPUT
    lines = error_lines(capsys.readouterr().out)
    places = [tuple(map(int, line.split(":")[1:3])) for line in lines]
    assert len(places) == 6 and places == sorted(places)
    assert [line.split(": ")[1] for line in lines] == [
        "drivers.a.p",
        "drivers.on",
        "drivers.on.causes.ghost",
        "drivers.on.colour",
        "outcomes.up.base",
        "outcomes.down.label",
    ]


@pytest.mark.parametrize(
    "name", ["not_utf8.yaml", "yaml_syntax.yaml", "deep_nesting.yaml", "python_tag.yaml"]
)
def test_no_traceback_reaches_the_user(name, tmp_path):
    before = listing(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(MALFORMED / name)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == BAD_INPUT
    assert done.stderr == ""
    assert "Traceback" not in done.stdout
    assert len(error_lines(done.stdout)) == len(EXPECTED[name])
    assert listing(tmp_path) == before


# --- output and exit codes ---------------------------------------------------------------------


def test_valid_files_print_ok_and_exit_0(capsys):
    assert main(["validate", str(FIXTURES / "minimal.yaml"), str(FIXTURES / "variant")]) == OK
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"ok  {FIXTURES / 'minimal.yaml'}",
        f"ok  {FIXTURES / 'variant' / 'child.yaml'}",
        "2 files: all valid",
    ]


def test_one_bad_file_makes_the_batch_bad(capsys):
    args = ["validate", str(FIXTURES / "minimal.yaml"), str(MALFORMED / "unknown_word.yaml")]
    assert main(args) == BAD_INPUT
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "2 files: 1 valid, 1 with 1 error"


def test_explicit_parents_and_other_files_are_skipped_and_said_so(capsys):
    parent = FIXTURES / "variant" / "_parent.yaml"
    assert main(["validate", str(parent), str(FIXTURES / "minimal.yaml")]) == OK
    out = capsys.readouterr().out
    assert f"skip  {parent} (a parent only" in out


def test_nothing_to_validate_is_bad_input(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == BAD_INPUT
    assert "no scenario files found" in capsys.readouterr().out


def test_a_missing_path_is_reported(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "gone.yaml")]) == BAD_INPUT
    assert f"{tmp_path / 'gone.yaml'}: no such file" in capsys.readouterr().out


def test_duplicate_ids_in_a_batch(tmp_path, capsys):
    text = (FIXTURES / "minimal.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    assert main(["validate", str(tmp_path)]) == BAD_INPUT
    out = capsys.readouterr().out
    assert f"{tmp_path / 'b.yaml'}:3:5: id: scenario id `minimal` is also the id of" in out


def test_json_output(capsys):
    args = ["validate", "--json", str(FIXTURES / "minimal.yaml"), str(MALFORMED / "gone.yaml")]
    main(args)
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    good, bad = report["files"]
    assert good == {
        "path": str(FIXTURES / "minimal.yaml"),
        "id": "minimal",
        "ok": True,
        "errors": [],
    }
    assert bad["errors"][0]["code"] == "not-found"


def test_an_internal_error_is_one_line_that_says_so_and_exit_3(monkeypatch, capsys):
    """A bug in Signpost is not bad input: its own exit code, a line saying how to report it,
    and the traceback only with --debug."""

    def broken(paths):
        raise RuntimeError("boom\nwith a second line")

    monkeypatch.setattr("engine.scenario.validate.validate_files", broken)
    assert main(["validate", str(FIXTURES / "minimal.yaml")]) == INTERNAL == 3
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("signpost: internal error (RuntimeError: boom with a second line).")
    assert "bug in Signpost" in err and "--debug" in err and "report it" in err

    assert main(["validate", str(FIXTURES / "minimal.yaml"), "--debug"]) == INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err


def test_usage_errors_and_help_return_codes(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert main(["validate", "--help"]) == 0
    assert "validate" in capsys.readouterr().out


def test_validate_and_help_start_without_pymc_or_scipy():
    code = f"""
import sys
from engine.cli import main
main(["--help"])
main(["validate", {str(FIXTURES)!r}])
main(["validate", {str(MALFORMED)!r}])
main(["schema"])
print("HEAVY", sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.splitlines()[-1] == "HEAVY []"
