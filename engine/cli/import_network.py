"""``signpost import NETWORK``: a network file (BIF, XMLBIF, Hugin NET) as a scenario."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.exit import BAD_INPUT, OK
from engine.cli.options import write_out


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        help="read a Bayesian network file (BIF, XMLBIF, Hugin NET) as a scenario",
        description="Read a Bayesian network in BIF (.bif), XMLBIF (.xml, .xmlbif) or Hugin NET "
        "(.net), optionally gzipped, and write a scenario that computes exactly what the file "
        "means (SPEC §12): every node a driver with the file's numbers, the outcomes the states "
        "of --outcome (default: the last node). Prints the scenario unless --out names a file. "
        "Exit 0, or 2 when the file cannot be read or is not a valid network (nothing is "
        "written).",
    )
    parser.add_argument("network", type=Path, metavar="NETWORK", help="a network file")
    parser.add_argument("--outcome", metavar="NODE", help="the node whose states are the outcomes")
    parser.add_argument("--out", type=Path, metavar="FILE.yaml", help="write the scenario here")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost import NETWORK [--outcome NODE] [--out FILE.yaml]``."""
    from engine.exchange.read import NetworkFileError, scenario_of, scenario_text

    try:
        data = scenario_of(args.network, outcome=args.outcome)
        text = scenario_text(data, args.network)
    except NetworkFileError as error:
        print(f"signpost import: {error}", file=sys.stderr)
        return BAD_INPUT
    if not write_out(text, args.out, command="import"):
        return BAD_INPUT
    if args.out is not None:
        print(f"{args.network} -> {args.out}: {len(data['drivers'])} drivers", file=sys.stderr)
    return OK
