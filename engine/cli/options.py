"""Options several commands share, each declared once: the scenario paths, and the options
that override a scenario's ``inference`` block (with the schema's limits and the methods
registry's names)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from engine.scenario.methods import CHOICES, choices_help


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
    helps = {
        "method": choices_help(),
        "draws": "draws: per chain for NUTS; importance sampling draws chains x draws",
        "tune": "NUTS tuning steps per chain",
        "chains": "NUTS chains (and the multiple of draws importance sampling takes)",
        "seed": "random seed",
        "memory_mib": "the most memory in MiB the run may hold: a method that would need more "
        "is not started (2048 in a scenario without it)",
    }
    for name in names or tuple(helps):
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
