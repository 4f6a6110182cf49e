"""``signpost check``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.exit import BAD_INPUT, batch_exit_code
from engine.cli.options import scenario_paths


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the expectations of scenario files (for CI)",
        description="Run every scenario file among PATHS once and judge each of its "
        "expectations: one line per check (PASS, FAIL or CLOSE for too close to call), then a "
        "summary. Exit 0 when every check passes, 1 when any fails, 2 when any file is invalid "
        "(the other files are still checked), 3 when Signpost fails on a valid file.",
    )
    scenario_paths(parser)
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
    for file in check_batch(args.paths):
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
