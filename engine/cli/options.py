"""Options several commands share, each declared once: the scenario paths, the options that
override a scenario's ``inference`` block (with the schema's limits and the methods registry's
names), and where a batch runs (``-j``, ``--scheduler``, ``--dask``); and what the commands
do alike with them: the settings passed on, the progress line, the JSON printed, the one
scenario ``FILE`` read and the ``--out`` file written."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.scenario.methods import CHOICES, choices_help

INFERENCE = ("method", "draws", "tune", "chains", "seed", "memory_mib")  # inference_options


def _bounded(name: str) -> Callable[[str], int | float]:
    """An argparse type for ``inference.<name>``: the schema's type and limits, the schema's
    description as the message."""
    from engine.scenario.schema import Inference

    field = Inference.model_fields[name]

    def parse(text: str) -> int | float:
        try:
            return Inference.model_validate({name: field.annotation(text)}).__dict__[name]
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(f"takes {field.description}, got {text!r}") from None

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def scenario_paths(parser: argparse.ArgumentParser) -> None:
    """Add the files and folders to work on, ``scenarios/`` when none is given."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("scenarios")],
        metavar="PATH",
        help="files or folders (default: scenarios/)",
    )


def inference_options(parser: argparse.ArgumentParser, *names: str, defaults: str = "") -> None:
    """Add the options that override the scenario's ``inference`` block.

    ``names`` picks among method, draws, tune, chains, seed and memory_mib (all by default);
    ``defaults`` is said in the help when they are not the scenario's own.
    """
    default = defaults or "the scenario's"
    helps = {  # in the order of INFERENCE
        "method": choices_help(),
        "draws": "draws: per chain for NUTS; importance sampling draws chains x draws",
        "tune": "NUTS tuning steps per chain",
        "chains": "NUTS chains (and the multiple of draws importance sampling takes)",
        "seed": "random seed",
        "memory_mib": "the most memory in MiB the run may hold: a method that would need more "
        "is not started (2048 in a scenario without it)",
    }
    for name in names or INFERENCE:
        if name == "method":
            parser.add_argument(
                "--method",
                choices=CHOICES,
                help=f"how to compute uncertain numbers: {helps['method']} (default: {default})",
            )
        else:
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                type=_bounded(name),
                help=f"{helps[name]} (default: {default})",
            )


def inference_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options of :func:`inference_options` that a command declared, by name, to pass on to
    :func:`engine.run.run` (or a diff or sweep): None where not given (the scenario's own)."""
    return {name: getattr(args, name) for name in INFERENCE if hasattr(args, name)}


def status(title: str, args: argparse.Namespace):
    """The progress line of a command (:class:`engine.infra.progress.DelayedStatus`): on a
    terminal after about two seconds, never under ``--json``."""
    from engine.infra.progress import DelayedStatus

    return DelayedStatus(title, enabled=False if getattr(args, "json", False) else None)


def print_json(data: Any) -> None:
    """A command's ``--json`` object on stdout: indented, non-ASCII text as it is."""
    print(json.dumps(data, indent=2, ensure_ascii=False))


def scenario_or_errors(path: Path):
    """The validated scenario of ``path``, or None once every problem in it is on stderr (the
    command then exits 2)."""
    from engine.scenario.issues import ScenarioError
    from engine.scenario.validate import load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as error:
        print(error.format(), file=sys.stderr)
        return None


def write_out(text: str, out: Path | None, *, command: str) -> bool:
    """``text`` printed when ``out`` is None, else written to ``out`` atomically.

    Returns whether that worked: False once ``signpost COMMAND: why`` is on stderr (the file
    cannot be written; nothing was), and the command then exits 2.
    """
    if out is None:
        sys.stdout.write(text)
        return True
    from engine.infra.files import OutputError, write_text

    try:
        write_text(out, text)
    except OutputError as error:
        print(f"signpost {command}: {error}", file=sys.stderr)
        return False
    return True


def _positive(what: str) -> Callable[[str], int]:
    """An argparse type for a count of 1 or more."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"takes a number of {what}, 1 or more, got {text!r}")
        return value

    parse.__name__ = what
    return parse


def executor_options(parser: argparse.ArgumentParser, *, jobs: str) -> None:
    """Add where a batch's scenarios run: ``-j N`` local worker processes (``jobs`` says the
    default), ``--scheduler ADDRESS`` (a running Dask scheduler) or ``--dask N`` (a local Dask
    cluster started for the batch); at most one of them."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "-j", "--jobs", type=_positive("workers"), help=f"local worker processes (default: {jobs})"
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the scenarios on the Dask scheduler at ADDRESS (tcp://host:8786); its "
        "workers need this version of signpost installed, not these files",
    )
    where.add_argument(
        "--dask",
        type=_positive("workers"),
        metavar="N",
        help="run the scenarios on a local Dask cluster of N worker processes, started and "
        "stopped by this command",
    )


def executor_of(args: argparse.Namespace, *, jobs: int):
    """The :class:`engine.infra.workers.Executor` the options of :func:`executor_options` ask
    for; ``jobs`` local processes when none is given."""
    from engine.infra.executor import Executor

    return Executor(
        jobs=args.jobs or jobs,
        scheduler=args.scheduler or "",
        dask=args.dask or 0,
        quiet=not (getattr(args, "debug", False) or os.environ.get("SIGNPOST_DEBUG")),
    )
