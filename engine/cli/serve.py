"""``signpost serve``."""

from __future__ import annotations

import argparse

from engine.cli.options import scenario_paths

DEFAULT_PORT = 8765


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="a live page for each scenario that follows your edits",
        description="Serve every scenario's report page and the overview on a local web server "
        "that watches the files: on a save it re-runs what changed and the open page shows the "
        "new numbers, what changed and which edit moved them, or the file's errors. Ctrl-C "
        "stops it (exit 130); a port in use is exit 2.",
    )
    scenario_paths(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument("--no-analysis", action="store_true", help="skip influence/signposts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost serve [PATH...]``: runs until Ctrl-C (130); 2 when the port is taken."""
    from engine.serve.main import serve

    return serve(args.paths, host=args.host, port=args.port, analysis=not args.no_analysis)
