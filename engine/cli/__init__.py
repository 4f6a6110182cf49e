"""The ``signpost`` command: the parser, the exit policy, one module per command.

Each command is a module of this package (:data:`COMMANDS`) with ``add(subparsers)``, which adds
its parser and sets ``run`` to a function ``run(args) -> int``. Each imports heavy modules (the
runner, PyMC, reports) *inside* its ``run``: ``signpost --help``, ``signpost validate`` and
``signpost schema`` start without PyMC.

Exit codes are :class:`engine.cli.exit.ExitCode`, one table for every command. No traceback
reaches the user unless they ask with ``--debug``: an unexpected exception is a bug, reported in
one line that says so (exit 3); an exception that marks itself ``bad_input`` (a valid scenario
that cannot be run as written) is one line and exit 2. Third-party warnings (a library
announcing its own refactor) are silenced, again unless ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import warnings
from collections.abc import Sequence

from engine import __version__
from engine.cli.exit import BAD_INPUT, INTERNAL, INTERRUPTED, OK

COMMANDS = (
    "validate",
    "schema",
    "run",
    "check",
    "diff",
    "report",
    "score",
    "sweep",
    "serve",
    "import_network",
    "export_network",
)  # the modules of this package, one per command, in the order --help lists them


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="signpost",
        description="Scenario and risk assessment: plain YAML scenarios as Bayesian models.",
    )
    parser.add_argument("--version", action="version", version=f"signpost {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"engine.cli.{name}").add(subparsers)
    for sub in subparsers.choices.values():
        sub.add_argument(
            "--debug",
            action="store_true",
            help="show third-party warnings, and a traceback if Signpost fails",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``signpost`` with ``argv`` (default: the command line) and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        An :class:`engine.cli.exit.ExitCode`: 0 fine, 1 a check failed, 2 bad input, 3 an
        internal error, 130 interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else BAD_INPUT
    debug = args.debug or bool(os.environ.get("SIGNPOST_DEBUG"))
    if not debug:  # an error a library meets while tearing itself down (Dask's client at
        sys.unraisablehook = _quiet  # exit after Ctrl-C) is not the user's business either
    with warnings.catch_warnings():
        if not debug:  # a library's notices (deprecations, refactors) are not the user's business
            warnings.simplefilter("ignore")
        try:
            return int(args.run(args))
        except KeyboardInterrupt:
            print("signpost: interrupted", file=sys.stderr)
            return INTERRUPTED
        except BrokenPipeError:
            return OK
        except Exception as exc:  # noqa: BLE001 - the user never sees a traceback (SPEC §7)
            if debug:
                traceback.print_exc()
            if getattr(exc, "bad_input", False):  # a valid scenario the engine cannot run
                print(f"signpost: {exc}", file=sys.stderr)
                return BAD_INPUT
            print(internal_error(exc), file=sys.stderr)
            return INTERNAL


def _quiet(unraisable) -> None:
    """Python's hook for exceptions nothing can catch (raised in ``__del__``, at exit)."""


def internal_error(exc: BaseException) -> str:
    """The one line an unexpected exception becomes: a bug, and how to report it."""
    message = " ".join(str(exc).split())[:200]
    return (
        f"signpost: internal error ({type(exc).__name__}: {message}). This is a bug in "
        "Signpost, not a problem with your scenario: please report it with the command you "
        "ran and this line (run it again with --debug for the traceback). Exit code 3."
    )
