"""``signpost sweep``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.exit import BAD_INPUT, OK
from engine.cli.options import (
    inference_options,
    inference_settings,
    print_json,
    status,
    write_out,
)


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="fix one number at a series of values and show the main result at each",
        description="Fix the number at key path PATH (a probability or an effect, named as in "
        "the uncertainty analysis, e.g. drivers.mission_expansion.p) at evenly spaced values "
        "and show each outcome's probability at each, every other number keeping its prior "
        "(SPEC §13): the most likely outcome and where an outcome changes its ICD 203 word. "
        "Exit 0, or 2 on bad input.",
    )
    parser.add_argument("path", type=Path, metavar="FILE", help="a scenario file")
    parser.add_argument("number", metavar="PATH", help="the key path of the number to sweep")
    parser.add_argument(
        "--from",
        dest="start",
        type=float,
        metavar="A",
        help="the first value (default: 0.01 for a probability, -4 for an effect)",
    )
    parser.add_argument(
        "--to",
        dest="stop",
        type=float,
        metavar="B",
        help="the last value (default: 0.99 for a probability, +4 for an effect)",
    )
    parser.add_argument("--steps", type=int, metavar="N", help="how many values (default 21)")
    parser.add_argument("--json", action="store_true", help="print the SPEC §13 JSON object")
    parser.add_argument("--plot", type=Path, metavar="FILE.svg", help="also draw it as SVG")
    inference_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost sweep FILE PATH``: 0, or 2 on bad input (every problem at once, nothing
    written)."""
    from engine.scenario.validate import validate_file

    problems = [] if args.plot is None else _plot_problems(args.plot)
    validated = validate_file(args.path)
    if not validated.ok:
        print("\n".join(issue.format() for issue in validated.issues), file=sys.stderr)
        _say(problems)
        return BAD_INPUT
    from engine.inference.network import network_of
    from engine.sweep.request import SweepError, check_request
    from models.elimination import TooWide

    try:
        network = network_of(validated.scenario)
        request = check_request(
            network, args.number, args.start, args.stop, args.steps, document=validated.document
        )
    except SweepError as error:
        problems = error.problems + problems
    except TooWide as error:
        problems.insert(0, f"{args.path}: {error}")
    if problems:
        _say(problems)
        return BAD_INPUT
    return _sweep(args, validated.scenario, network, request)


def _plot_problems(plot: Path) -> list[str]:
    if plot.suffix != ".svg":
        return [f"--plot {plot}: not a .svg file — name a file such as sweep.svg"]
    if not plot.parent.is_dir():
        return [f"--plot {plot}: the folder {plot.parent} does not exist — create it first"]
    return []


def _say(problems: list[str]) -> None:
    for problem in problems:
        print(f"signpost sweep: {problem}", file=sys.stderr)


def _sweep(args: argparse.Namespace, scenario, network, request) -> int:
    """Compute the sweep, write its plot, print it."""
    from engine.sweep.compute import sweep

    settings = inference_settings(args)
    settings.pop("memory_mib", None)  # a sweep answers under the scenario's own budget
    with status(f"signpost sweep {args.number}", args) as say:
        result = sweep(scenario, request, network=network, **settings, progress=say)
    if args.plot is not None:
        from engine.sweep.plot import sweep_plot

        if not write_out(sweep_plot(result) + "\n", args.plot, command="sweep"):
            return BAD_INPUT
    if args.json:
        print_json(result.to_dict())
    else:
        from engine.sweep.text import render

        render(result)
    return OK
