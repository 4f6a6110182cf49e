"""The ``signpost`` command: parse arguments, call one public function, choose the exit code.

Each subcommand is one function decorated with :func:`subcommand`: it receives argparse's
sub-parsers, adds its parser and sets ``run`` to a function ``run(args) -> int``. Import heavy
modules (the runner, PyMC, reports) *inside* that ``run`` function: ``signpost --help``,
``signpost validate`` and ``signpost schema`` must start without PyMC.

Exit codes are :class:`engine.errors.ExitCode`: 0 fine, 1 a check failed, 2 bad input. No
traceback ever reaches the user: an unexpected exception becomes a one-line internal error
(exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from engine import __version__
from engine.errors import BAD_INPUT, OK

AddParser = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
SUBCOMMANDS: list[AddParser] = []


def subcommand(add: AddParser) -> AddParser:
    """Register a function that adds one subcommand's parser (kept in definition order)."""
    SUBCOMMANDS.append(add)
    return add


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="signpost",
        description="Scenario and risk assessment: plain YAML scenarios as Bayesian models.",
    )
    parser.add_argument("--version", action="version", version=f"signpost {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``signpost`` with ``argv`` (default: the command line) and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 fine, 1 a check failed, 2 bad input (or an internal error).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else BAD_INPUT
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("signpost: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return OK
    except Exception as exc:  # noqa: BLE001 - the user never sees a traceback (SPEC §7)
        message = " ".join(str(exc).split())[:200]
        print(
            f"signpost: internal error ({type(exc).__name__}: {message}); please report it",
            file=sys.stderr,
        )
        return BAD_INPUT


# --- validate ----------------------------------------------------------------------------------


@subcommand
def _add_validate(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Check scenario files (and the parents they extend) and report every "
        "problem with its file, line, column and key path. Nothing is run or written. "
        "Folders are searched for *.yaml and *.yml; files starting with _ are parents only.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """``signpost validate PATH...``: 0 when every file is valid, 2 otherwise."""
    from engine.loader import discover
    from engine.validate import check_files

    files = discover(args.paths)
    skipped = [p for p in args.paths if p.is_file() and p not in files]
    checked = check_files(files)
    bad = [c for c in checked if not c.ok]
    if args.json:
        print(json.dumps(_validate_json(checked, skipped), indent=2, ensure_ascii=False))
    else:
        for path in skipped:
            print(f"skip  {path} ({_why_skipped(path)})")
        for entry in checked:
            if entry.ok:
                print(f"ok  {entry.path}")
            for issue in entry.issues:
                print(issue.format())
        print(_summary(checked, bad))
    return BAD_INPUT if bad or not checked else OK


def _why_skipped(path: Path) -> str:
    if path.name.startswith("_"):
        return "a parent only: it is checked through the files that extend it"
    return "not a .yaml or .yml file"


def _summary(checked, bad) -> str:
    if not checked:
        return "no scenario files found"
    issues = sum(len(c.issues) for c in bad)
    files = "1 file" if len(checked) == 1 else f"{len(checked)} files"
    if not bad:
        return f"{files}: all valid"
    errors = "1 error" if issues == 1 else f"{issues} errors"
    return f"{files}: {len(checked) - len(bad)} valid, {len(bad)} with {errors}"


def _validate_json(checked, skipped) -> dict:
    return {
        "ok": bool(checked) and all(c.ok for c in checked),
        "files": [
            {
                "path": str(c.path),
                "id": c.scenario.id if c.scenario else None,
                "ok": c.ok,
                "errors": [issue.to_dict() for issue in c.issues],
            }
            for c in checked
        ],
        "skipped": [str(p) for p in skipped],
    }


# --- schema ------------------------------------------------------------------------------------


@subcommand
def _add_schema(subparsers) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of scenario files (for editors)",
        description="Print the JSON Schema of a scenario file. Editors with a YAML language "
        "server read it from a first line `# yaml-language-server: $schema=PATH`.",
    )
    parser.set_defaults(run=run_schema)


def schema_text() -> str:
    """The JSON Schema as ``signpost schema`` prints it (and ``scenarios/`` stores it)."""
    from engine.schema import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def run_schema(args: argparse.Namespace) -> int:
    """``signpost schema``: print the JSON Schema."""
    sys.stdout.write(schema_text())
    return OK


# --- run ---------------------------------------------------------------------------------------


@subcommand
def _add_run(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run one scenario and print its result",
        description="Run a scenario: outcome probabilities with 90%% intervals and ICD 203 "
        "words, what-ifs, the timeline, what moves the outcome, signposts to watch, "
        "expectations and diagnostics. Exit 0, or 1 when an expectation fails.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="a scenario file")
    parser.add_argument("--json", action="store_true", help="print the SPEC §8 JSON object")
    parser.add_argument("--draws", type=int, help="draws per chain (default: the scenario's)")
    parser.add_argument("--chains", type=int, help="chains (default: the scenario's)")
    parser.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    parser.add_argument("--no-analysis", action="store_true", help="skip influence/signposts")
    parser.set_defaults(run=run_run)


def run_run(args: argparse.Namespace) -> int:
    """``signpost run FILE``: 0, 1 when an expectation fails, 2 on bad input."""
    from engine.errors import CHECK_FAILED, ScenarioError
    from engine.loader import load_scenario

    try:
        scenario = load_scenario(args.path)
    except ScenarioError as error:
        print(error.format(), file=sys.stderr)
        return BAD_INPUT
    from engine.run import run

    result = run(
        scenario,
        draws=args.draws,
        chains=args.chains,
        seed=args.seed,
        analysis=not args.no_analysis,
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        from engine.text import render

        render(result)
    failed = any(check.status == "fail" for check in result.expect.values())
    return CHECK_FAILED if failed else OK
