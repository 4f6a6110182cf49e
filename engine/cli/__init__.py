"""The ``signpost`` command: parse arguments, call one public function, choose the exit code.

Each subcommand is one function decorated with :func:`subcommand`: it receives argparse's
sub-parsers, adds its parser and sets ``run`` to a function ``run(args) -> int``. Import heavy
modules (the runner, PyMC, reports) *inside* that ``run`` function: ``signpost --help``,
``signpost validate`` and ``signpost schema`` must start without PyMC.

Exit codes are :class:`engine.cli.exit.ExitCode`: 0 fine, 1 a check failed, 2 bad input, 3 an
internal error, 130 interrupted. No traceback reaches the user unless they ask with
``--debug``: an unexpected exception is a bug, reported in one line that says so (exit 3).
Third-party warnings (a library announcing its own refactor) are silenced, again unless
``--debug``: they are not the user's business.

Options that set how the numbers are computed (``--method``, ``--draws``, ...) are declared once,
by :func:`inference_options`, and checked against the same limits as the scenario's
``inference`` block (``engine.scenario.schema.Inference``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from engine import __version__
from engine.cli.exit import BAD_INPUT, INTERNAL, INTERRUPTED, OK

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
    for sub in subparsers.choices.values():
        sub.add_argument(
            "--debug",
            action="store_true",
            help="show third-party warnings, and a traceback if Signpost fails",
        )
    return parser


def _bounded(name: str) -> Callable[[str], int | float]:
    """An argparse type for ``inference.<name>``: the schema's type and limits, the schema's
    description as the message."""
    from engine.scenario.schema import Inference

    field = Inference.model_fields[name]

    def parse(text: str) -> int | float:
        try:
            return Inference.model_validate({name: field.annotation(text)}).__dict__[name]
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(f"takes {field.description}, got {text!r}") from None

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def scenario_paths(parser: argparse.ArgumentParser) -> None:
    """Add the files and folders to work on, ``scenarios/`` when none is given."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("scenarios")],
        metavar="PATH",
        help="files or folders (default: scenarios/)",
    )


def inference_options(parser: argparse.ArgumentParser, *names: str, defaults: str = "") -> None:
    """Add the options that override the scenario's ``inference`` block.

    ``names`` picks among method, draws, tune, chains and seed (all by default); ``defaults``
    is said in the help when they are not the scenario's own.
    """
    default = defaults or "the scenario's"
    helps = {
        "method": "auto (importance sampling, NUTS where needed), importance or nuts",
        "draws": "draws: per chain for NUTS; importance sampling draws chains x draws",
        "tune": "NUTS tuning steps per chain",
        "chains": "NUTS chains (and the multiple of draws importance sampling takes)",
        "seed": "random seed",
    }
    for name in names or tuple(helps):
        if name == "method":
            parser.add_argument(
                "--method",
                choices=("auto", "importance", "nuts"),
                help=f"how to compute uncertain numbers: {helps['method']} (default: {default})",
            )
        else:
            parser.add_argument(
                f"--{name}", type=_bounded(name), help=f"{helps[name]} (default: {default})"
            )


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
    debug = args.debug or bool(os.environ.get("SIGNPOST_DEBUG"))
    with warnings.catch_warnings():
        if not debug:  # a library's notices (deprecations, refactors) are not the user's business
            warnings.simplefilter("ignore")
        try:
            return int(args.run(args))
        except KeyboardInterrupt:
            print("signpost: interrupted", file=sys.stderr)
            return INTERRUPTED
        except BrokenPipeError:
            return OK
        except Exception as exc:  # noqa: BLE001 - the user never sees a traceback (SPEC §7)
            if debug:
                traceback.print_exc()
            if getattr(exc, "bad_input", False):  # a valid scenario the engine cannot run
                print(f"signpost: {exc}", file=sys.stderr)
                return BAD_INPUT
            print(internal_error(exc), file=sys.stderr)
            return INTERNAL


def internal_error(exc: BaseException) -> str:
    """The one line an unexpected exception becomes: a bug, and how to report it."""
    message = " ".join(str(exc).split())[:200]
    return (
        f"signpost: internal error ({type(exc).__name__}: {message}). This is a bug in "
        "Signpost, not a problem with your scenario: please report it with the command you "
        "ran and this line (run it again with --debug for the traceback). Exit code 3."
    )


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
    from engine.scenario.discover import why_skipped
    from engine.scenario.validate import check_paths

    checked = check_paths(args.paths)
    found = {entry.path for entry in checked}
    skipped = [p for p in args.paths if p.is_file() and p not in found]
    bad = [c for c in checked if not c.ok]
    if args.json:
        print(json.dumps(_validate_json(checked, skipped), indent=2, ensure_ascii=False))
    else:
        for path in skipped:
            print(f"skip  {path} ({why_skipped(path)})")
        for entry in checked:
            if entry.ok:
                print(f"ok  {entry.path}")
            for issue in entry.issues:
                print(issue.format())
        print(_summary(checked, bad))
    return BAD_INPUT if bad or not checked else OK


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
    from engine.scenario.schema import json_schema

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
        description="Run a scenario: outcome probabilities with 90% intervals and ICD 203 "
        "words, what-ifs, the timeline, what moves the outcome, signposts to watch, "
        "expectations and diagnostics. Exit 0, or 1 when an expectation fails.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="a scenario file")
    parser.add_argument("--json", action="store_true", help="print the SPEC §8 JSON object")
    inference_options(parser)
    parser.add_argument("--no-analysis", action="store_true", help="skip influence/signposts")
    parser.set_defaults(run=run_run)


def run_run(args: argparse.Namespace) -> int:
    """``signpost run FILE``: 0, 1 when an expectation fails, 2 on bad input."""
    from engine.cli.exit import CHECK_FAILED
    from engine.run.result import Status
    from engine.scenario.issues import ScenarioError
    from engine.scenario.validate import load_scenario

    try:
        scenario = load_scenario(args.path)
    except ScenarioError as error:
        print(error.format(), file=sys.stderr)
        return BAD_INPUT
    from engine.infra.progress import DelayedStatus
    from engine.run import run
    from models.elimination import TooWide

    try:
        with DelayedStatus(
            f"signpost run {args.path}", enabled=None if not args.json else False
        ) as say:
            result = run(
                scenario,
                method=args.method,
                draws=args.draws,
                tune=args.tune,
                chains=args.chains,
                seed=args.seed,
                scope="results" if args.no_analysis else "all",
                progress=say,
            )
    except TooWide as error:  # the scenario is valid but cannot be summed in memory
        print(f"{args.path}: {error}", file=sys.stderr)
        return BAD_INPUT
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        from engine.run.text import render

        render(result)
    failed = any(check.status == Status.FAIL for check in result.expect.values())
    return CHECK_FAILED if failed else OK


# --- check -------------------------------------------------------------------------------------


@subcommand
def _add_check(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the expectations of scenario files (for CI)",
        description="Run every scenario file among PATHS once and judge each of its "
        "expectations: one line per check (PASS, FAIL or CLOSE for too close to call), then a "
        "summary. Exit 0 when every check passes, 1 when any fails, 2 when any file is invalid "
        "(the other files are still checked).",
    )
    scenario_paths(parser)
    parser.add_argument(
        "--strict", action="store_true", help="count a check too close to call as a failure"
    )
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML to FILE")
    parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    """``signpost check [PATH...]``: 0 all pass, 1 a check failed, 2 a file was invalid."""
    import os
    import time

    from engine.check.batch import check_paths, exit_code
    from engine.check.text import file_lines, summary

    started = time.perf_counter()
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    files = []
    for file in check_paths(args.paths):
        files.append(file)
        for line in file_lines(file, strict=args.strict, colour=colour):
            print(line, flush=True)
    seconds = time.perf_counter() - started
    print(summary(files, strict=args.strict, seconds=seconds))
    if args.junit is not None:
        from engine.check.junit import write_junit
        from engine.infra.files import OutputError

        try:
            write_junit(args.junit, files, strict=args.strict, seconds=seconds)
        except OutputError as error:
            print(f"signpost check: {error}", file=sys.stderr)
            return BAD_INPUT
    return exit_code(files, strict=args.strict)


# --- diff --------------------------------------------------------------------------------------


@subcommand
def _add_diff(subparsers) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two versions of a scenario, edit by edit",
        description="Compare two versions of a scenario (OLD NEW, or --git REV FILE for FILE "
        "at REV against FILE now): the outcome probabilities of each, their change, and each "
        "edit's share of it (Shapley values for up to six edits, else sequential). Exit 0, or "
        "2 on bad input.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE", help="OLD NEW, or FILE")
    parser.add_argument("--git", metavar="REV", help="compare FILE at git revision REV with now")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print the SPEC §9 diff object")
    shape.add_argument("--markdown", action="store_true", help="print Markdown tables")
    inference_options(
        parser,
        "method",
        "draws",
        "tune",
        "chains",
        "seed",
        defaults="the new version's; draws and tune 500",
    )
    parser.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    """``signpost diff OLD NEW`` / ``signpost diff --git REV FILE``: 0, or 2 on bad input."""
    from engine.diff.versions import GitError, load_versions
    from engine.scenario.issues import ScenarioError

    wanted = 1 if args.git else 2
    if len(args.paths) != wanted:
        usage = "--git REV FILE" if args.git else "OLD NEW, or --git REV FILE"
        print(f"signpost diff: expected {usage}", file=sys.stderr)
        return BAD_INPUT
    try:
        old, new = load_versions(args.paths, args.git)
    except (ScenarioError, GitError) as error:
        text = error.format() if isinstance(error, ScenarioError) else f"signpost diff: {error}"
        print(text, file=sys.stderr)
        return BAD_INPUT
    from engine.diff.compare import compare
    from engine.infra.progress import DelayedStatus

    settings = {k: getattr(args, k) for k in ("method", "draws", "tune", "chains", "seed")}
    with DelayedStatus("signpost diff", enabled=None if not args.json else False) as say:
        result = compare(old, new, progress=say, **settings)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif args.markdown:
        from engine.diff.text import markdown

        sys.stdout.write(markdown(result))
    else:
        from engine.diff.text import render

        render(result)
    return OK


# --- report ------------------------------------------------------------------------------------


@subcommand
def _add_report(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="run scenarios and write HTML, Markdown and CSV reports",
        description="Run every scenario under PATHS and write reports/<id>/ (index.html, "
        "report.md, CSV tables, posterior.nc, scenario.yaml) and reports/index.html with all "
        "of them side by side. Unchanged scenarios are skipped. A scenario that fails is "
        "listed with its error and the rest complete. Exit 0; 1 when any scenario failed; 2 "
        "when an output cannot be written (nothing is left half written); 130 on Ctrl-C. A "
        "second batch writing to the same --out waits for the first (--no-wait: exit 2).",
    )
    scenario_paths(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("reports"), help="reports folder (default reports/)"
    )
    parser.add_argument("-j", "--jobs", type=int, help="worker processes (default: CPU count)")
    parser.add_argument("--force", action="store_true", help="re-do reports that are up to date")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="if another signpost report is writing to --out, exit 2 instead of waiting",
    )
    inference_options(parser, "draws", "chains", "seed")
    parser.add_argument("--no-analysis", action="store_true", help="skip influence/signposts")
    parser.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    """``signpost report [PATHS] --out DIR``: 0, 1 when any scenario failed, 2 if none found."""
    from engine.report.batch import RunOptions, report_batch
    from engine.scenario.discover import discover

    paths = args.paths
    if args.jobs is not None and args.jobs < 1:
        print("signpost report: -j needs a number of workers, 1 or more", file=sys.stderr)
        return BAD_INPUT
    if not discover(paths):
        print(f"signpost report: no scenario files in {' '.join(map(str, paths))}", file=sys.stderr)
        return BAD_INPUT
    options = RunOptions(args.draws, args.chains, args.seed, analysis=not args.no_analysis)
    batch = report_batch(
        paths, args.out, jobs=args.jobs, options=options, force=args.force, wait=not args.no_wait
    )
    if batch.error or batch.interrupted:  # its one line is on stderr already
        return batch.exit_code
    counts = {s: sum(e.status == s for e in batch.entries) for s in ("reported", "unchanged")}
    failed = len(batch.entries) - sum(counts.values())
    print(
        f"{counts['reported']} reported, {counts['unchanged']} unchanged, {failed} failed "
        f"in {batch.seconds:.0f} s: {args.out / 'index.html'}"
    )
    return batch.exit_code


# --- score -------------------------------------------------------------------------------------


@subcommand
def _add_score(subparsers) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score resolved scenarios against what happened (Brier, log)",
        description="Run every scenario file among PATHS once and score each one with a "
        "`resolved` block against what happened: P(happened) with its 90% interval, the Brier "
        "score and the log score (natural log), P(happened) along the timeline, then the means "
        "and, from ten resolved scenarios on, a calibration table. Unresolved scenarios are "
        "listed apart. Exit 0, or 2 when any file is invalid (the others are still scored).",
    )
    scenario_paths(parser)
    parser.add_argument("--json", action="store_true", help="print the SPEC §10 JSON object")
    parser.set_defaults(run=run_score)


def run_score(args: argparse.Namespace) -> int:
    """``signpost score [PATH...]``: 0, or 2 when a file is invalid or none is found."""
    from engine.infra.progress import DelayedStatus
    from engine.score.batch import exit_code, score_paths, to_json

    with DelayedStatus("signpost score", enabled=None if not args.json else False) as say:
        files = list(score_paths(args.paths, progress=say))
    if args.json:
        print(json.dumps(to_json(files), indent=2, ensure_ascii=False))
    else:
        from engine.score.text import render_lines

        for line in render_lines(files):
            print(line)
    return exit_code(files)
