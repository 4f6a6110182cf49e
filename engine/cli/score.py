"""``signpost score``."""

from __future__ import annotations

import argparse
import json

from engine.cli.exit import batch_exit_code
from engine.cli.options import scenario_paths


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score resolved scenarios against what happened (Brier, log)",
        description="Run every scenario file among PATHS once and score each one with a "
        "`resolved` block against what happened: P(happened) with its 90% interval, the Brier "
        "score and the log score (natural log), P(happened) along the timeline, then the means "
        "and, from ten resolved scenarios on, a calibration table. Unresolved scenarios are "
        "listed apart. Exit 0, 2 when any file is invalid (the others are still scored), 3 when "
        "Signpost fails on a valid file.",
    )
    scenario_paths(parser)
    parser.add_argument("--json", action="store_true", help="print the SPEC §10 JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost score [PATH...]``: exit as :func:`engine.cli.exit.batch_exit_code`."""
    from engine.infra.progress import DelayedStatus
    from engine.score.batch import score_batch, to_json

    with DelayedStatus("signpost score", enabled=None if not args.json else False) as say:
        files = list(score_batch(args.paths, progress=say))
    if args.json:
        print(json.dumps(to_json(files), indent=2, ensure_ascii=False))
    else:
        from engine.score.text import render_lines

        for line in render_lines(files):
            print(line)
    return batch_exit_code(files)
