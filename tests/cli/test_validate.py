"""`signpost validate`: the malformed corpus, output, exit codes, and a light start.

Every file in ``tests/malformed/`` (except ``_`` parents) states the errors it must produce in
leading comments::

    # expect: LINE[:COLUMN] KEY.PATH message fragment
    # expect: _parent.yaml:LINE:COLUMN KEY.PATH message fragment   (an error in another file)

``KEY.PATH`` is ``-`` for an error about the whole file, and ``LINE`` is 0 when the error has no
place; ``{dir}`` in a fragment stands for the folder of the file. The file must produce exactly
these errors, each at that place, with that key path, containing that fragment.
"""

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.exit import BAD_INPUT, INTERNAL, OK
from engine.scenario.discover import discover
from engine.scenario.issues import CODES
from engine.scenario.validate import validate_file
from tests.support import FIXTURES, MALFORMED

CASES = discover([MALFORMED])
EXPECT = re.compile(
    r"^# expect: (?:(?P<file>[^\s:]+\.ya?ml):)?(?P<line>\d+)(?::(?P<column>\d+))? "
    r"(?P<path>\S+) (?P<fragment>.+)$"
)
HEAVY = ("pymc", "pytensor", "arviz", "numba", "nutpie", "scipy")


@dataclass(frozen=True)
class Expected:
    file: Path
    line: int
    column: int | None
    path: str
    fragment: str

    def matches(self, output_line: str) -> bool:
        place = f"{self.file}"
        if self.line:
            place += f":{self.line}:" + (f"{self.column}:" if self.column else "")
        else:
            place += ":"
        rest = output_line.removeprefix(place)
        if rest == output_line or (self.line and self.column is None and ":" not in rest):
            return False
        if self.line and self.column is None:
            rest = rest.split(":", 1)[1]
        rest = rest.removeprefix(" ")
        if self.path == "-" and re.match(r"^\S+: ", rest):  # a key path where none belongs
            return False
        if self.path != "-":
            if not rest.startswith(f"{self.path}: "):
                return False
            rest = rest.removeprefix(f"{self.path}: ")
        return self.fragment.lower() in rest.lower()


def expectations(path: Path) -> list[Expected]:
    found = []
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        match = EXPECT.match(line)
        if match:
            fragment = match["fragment"].replace("{dir}", str(path.parent))
            found.append(
                Expected(
                    path.parent / (match["file"] or path.name),
                    int(match["line"]),
                    int(match["column"]) if match["column"] else None,
                    match["path"],
                    fragment,
                )
            )
    return found


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^\S+\.ya?ml:", line)]


# --- the corpus --------------------------------------------------------------------------------


def test_the_corpus_is_large_and_every_file_states_its_errors():
    assert len(CASES) >= 30
    for path in CASES:
        assert expectations(path), f"{path.name} has no `# expect:` line"


def test_the_corpus_breaks_every_rule():
    seen = {issue.code for path in CASES for issue in validate_file(path).issues}
    tested_elsewhere = {"not-found", "too-large", "duplicate-id"}
    assert set(CODES) - tested_elsewhere <= seen, set(CODES) - tested_elsewhere - seen


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_a_malformed_file_is_rejected_with_each_error_placed(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path), listing(MALFORMED)
    assert main(["validate", str(path)]) == BAD_INPUT
    out, err = capsys.readouterr()
    assert err == ""
    lines = error_lines(out)
    expected = expectations(path)
    for want in expected:
        assert any(want.matches(line) for line in lines), f"no line for {want}\n{out}"
    assert len(lines) == len(expected), out
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
    assert error_lines(done.stdout)
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
