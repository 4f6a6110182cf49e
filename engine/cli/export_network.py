"""``signpost export FILE.yaml``: a scenario's network as a BIF, XMLBIF or Hugin NET file."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.exit import BAD_INPUT, OK
from engine.cli.options import scenario_or_errors, write_out

KINDS = ("bif", "xmlbif", "net")


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a scenario's network as a BIF, XMLBIF or Hugin NET file",
        description="Write the scenario's network (after extends, without evidence) for other "
        "tools (SPEC §12): every driver a node with its full table, the outcomes a node "
        "`outcome` (unless outcomes_from). Uncertain numbers are written as their prior mean "
        "tables, and the file says so. Prints the file unless --out names one; the kind comes "
        "from --to, else from --out's name, else BIF. Exit 0, or 2 on bad input.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="a scenario file")
    parser.add_argument("--to", choices=KINDS, help="bif, xmlbif or net (default: from --out)")
    parser.add_argument("--out", type=Path, metavar="NETWORK", help="write the network here")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost export FILE.yaml [--to bif|xmlbif|net] [--out NETWORK]``."""
    scenario = scenario_or_errors(args.path)
    if scenario is None:
        return BAD_INPUT
    from engine.exchange.write import export_text, kind_of
    from engine.inference.network import network_of

    text = export_text(network_of(scenario), kind_of(args.out, args.to))
    return OK if write_out(text, args.out, command="export") else BAD_INPUT
