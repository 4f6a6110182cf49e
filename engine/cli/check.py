"""``signpost check``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.exit import BAD_INPUT, batch_exit_code
from engine.cli.options import executor_of, executor_options, scenario_paths


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the expectations of scenario files (for CI)",
        description="Run every scenario file among PATHS once and judge each of its "
        "expectations: one line per check (PASS, FAIL or CLOSE for too close to call), then a "
        "summary. Exit 0 when every check passes, 1 when any fails, 2 when any file is invalid "
        "(the other files are still checked), 3 when Signpost fails on a valid file; 2 also "
        "when the Dask scheduler (--scheduler) cannot be reached.",
    )
    scenario_paths(parser)
    executor_options(parser, jobs="1, in this process, in order")
    parser.add_argument(
        "--strict", action="store_true", help="count a check too close to call as a failure"
    )
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML to FILE")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost check [PATH...]``: exit as :func:`engine.cli.exit.batch_exit_code`."""
    import os
    import time

    from engine.check.batch import any_failed, check_batch
    from engine.check.text import file_lines, summary

    started = time.perf_counter()
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    files = []
    executor = executor_of(args, jobs=1)
    for file in check_batch(args.paths, executor=executor, announce=_announce):
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
    return batch_exit_code(files, failed=any_failed(files, strict=args.strict))


def _announce(line: str) -> None:
    """Where the files run (on Dask), on stderr: stdout is one line per check."""
    print(f"signpost check: {line}", file=sys.stderr, flush=True)
