"""``signpost diff``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.exit import BAD_INPUT, OK
from engine.cli.options import inference_options, inference_settings, print_json, status


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two versions of a scenario, edit by edit",
        description="Compare two versions of a scenario (OLD NEW, or --git REV FILE for FILE "
        "at REV against FILE now): the outcome probabilities of each, their change, and each "
        "edit's share of it (Shapley values for up to six edits, else sequential). Exit 0, or "
        "2 on bad input.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE", help="OLD NEW, or FILE")
    parser.add_argument("--git", metavar="REV", help="compare FILE at git revision REV with now")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print the SPEC §9 diff object")
    shape.add_argument("--markdown", action="store_true", help="print Markdown tables")
    inference_options(
        parser,
        "method",
        "draws",
        "tune",
        "chains",
        "seed",
        defaults="the new version's; draws and tune 500",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost diff OLD NEW`` / ``signpost diff --git REV FILE``: 0, or 2 on bad input."""
    from engine.diff.versions import GitError, load_versions
    from engine.scenario.issues import ScenarioError

    wanted = 1 if args.git else 2
    if len(args.paths) != wanted:
        usage = "--git REV FILE" if args.git else "OLD NEW, or --git REV FILE"
        print(f"signpost diff: expected {usage}", file=sys.stderr)
        return BAD_INPUT
    try:
        old, new = load_versions(args.paths, args.git)
    except (ScenarioError, GitError) as error:
        text = error.format() if isinstance(error, ScenarioError) else f"signpost diff: {error}"
        print(text, file=sys.stderr)
        return BAD_INPUT
    from engine.diff.compare import compare

    with status("signpost diff", args) as say:
        result = compare(old, new, progress=say, **inference_settings(args))
    if args.json:
        print_json(result.to_dict())
    elif args.markdown:
        from engine.diff.text import markdown

        sys.stdout.write(markdown(result))
    else:
        from engine.diff.text import render

        render(result)
    return OK
