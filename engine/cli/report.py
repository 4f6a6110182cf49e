"""``signpost report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine import display
from engine.cli.exit import BAD_INPUT, INTERRUPTED, batch_exit_code
from engine.cli.options import executor_of, executor_options, inference_options, scenario_paths


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="run scenarios and write HTML, Markdown and CSV reports",
        description="Run every scenario under PATHS and write reports/<id>/ (index.html, "
        "report.md, CSV tables, posterior.nc, scenario.yaml) and reports/index.html with all "
        "of them side by side. Unchanged scenarios are skipped. A scenario that fails is "
        "listed with its error and the rest complete. Exit 0; 2 when a file is invalid or an "
        "output cannot be written (nothing is left half written); 3 when Signpost fails on a "
        "valid file; 130 on Ctrl-C. A second batch writing to the same --out waits for the "
        "first (--no-wait: exit 2). The scenarios run on local worker processes, or on Dask "
        "(--scheduler, --dask); the reports are always written here.",
    )
    scenario_paths(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("reports"), help="reports folder (default reports/)"
    )
    executor_options(parser, jobs="the number of CPUs")
    parser.add_argument("--force", action="store_true", help="re-do reports that are up to date")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="if another signpost report is writing to --out, exit 2 instead of waiting",
    )
    inference_options(parser, "draws", "chains", "seed")
    parser.add_argument("--no-analysis", action="store_true", help="skip influence/signposts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost report [PATHS] --out DIR``: exit as :func:`engine.cli.exit.batch_exit_code`;
    2 also when an output cannot be written, ``--out`` is busy (``--no-wait``) or the Dask
    scheduler cannot be reached, 130 on Ctrl-C."""
    import os

    from engine.report.batch import RunOptions, report_batch
    from engine.scenario.discover import discover

    paths = args.paths
    if not discover(paths):
        print(f"signpost report: no scenario files in {' '.join(map(str, paths))}", file=sys.stderr)
        return BAD_INPUT
    options = RunOptions(args.draws, args.chains, args.seed, analysis=not args.no_analysis)
    batch = report_batch(
        paths,
        args.out,
        executor=executor_of(args, jobs=os.cpu_count() or 1),
        options=options,
        force=args.force,
        wait=not args.no_wait,
    )
    if batch.interrupted:  # its one line is on stderr already
        return INTERRUPTED
    if batch.error:
        return BAD_INPUT
    counts = {s: sum(e.status == s for e in batch.entries) for s in ("reported", "unchanged")}
    failed = len(batch.entries) - sum(counts.values())
    print(
        f"{counts['reported']} reported, {counts['unchanged']} unchanged, {failed} failed "
        f"in {display.seconds(batch.seconds)}: {args.out / 'index.html'}"
    )
    return batch_exit_code(batch.entries)
