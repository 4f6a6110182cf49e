"""``signpost score``."""

from __future__ import annotations

import argparse
import sys

from engine.cli.exit import batch_exit_code
from engine.cli.options import executor_of, executor_options, print_json, scenario_paths, status


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score resolved scenarios against what happened (Brier, log)",
        description="Run every scenario file among PATHS once and score each one with a "
        "`resolved` block against what happened: P(happened) with its 90% interval, the Brier "
        "score and the log score (natural log), P(happened) along the timeline, then the means "
        "and, from ten resolved scenarios on, a calibration table. Unresolved scenarios are "
        "listed apart. Exit 0, 2 when any file is invalid (the others are still scored), 3 when "
        "Signpost fails on a valid file; 2 also when the Dask scheduler (--scheduler) cannot be "
        "reached.",
    )
    scenario_paths(parser)
    executor_options(parser, jobs="1, in this process, in order")
    parser.add_argument("--json", action="store_true", help="print the SPEC §10 JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost score [PATH...]``: exit as :func:`engine.cli.exit.batch_exit_code`."""
    from engine.score.batch import score_batch, to_json

    executor = executor_of(args, jobs=1)
    with status("signpost score", args) as say:
        files = list(score_batch(args.paths, progress=say, executor=executor, announce=_announce))
    if args.json:
        print_json(to_json(files))
    else:
        from engine.score.text import render_lines

        for line in render_lines(files):
            print(line)
    return batch_exit_code(files)


def _announce(line: str) -> None:
    """Where the files run (on Dask), on stderr: stdout may be JSON."""
    print(f"signpost score: {line}", file=sys.stderr, flush=True)
