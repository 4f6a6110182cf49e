"""``signpost run``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.exit import BAD_INPUT, OK
from engine.cli.options import (
    inference_options,
    inference_settings,
    print_json,
    scenario_or_errors,
    status,
)


def add(subparsers) -> None:
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost run FILE``: 0, 1 when an expectation fails, 2 on bad input."""
    from engine.cli.exit import CHECK_FAILED
    from engine.run.result import Status

    scenario = scenario_or_errors(args.path)
    if scenario is None:
        return BAD_INPUT
    from engine.run import run
    from models.elimination import TooWide

    scope = "results" if args.no_analysis else "all"
    try:
        with status(f"signpost run {args.path}", args) as say:
            result = run(scenario, **inference_settings(args), scope=scope, progress=say)
    except TooWide as error:  # the scenario is valid but cannot be summed in memory
        print(f"{args.path}: {error}", file=sys.stderr)
        return BAD_INPUT
    if args.json:
        print_json(result.to_dict())
    else:
        from engine.run.text import render

        render(result)
    failed = any(check.status == Status.FAIL for check in result.expect.values())
    return CHECK_FAILED if failed else OK
