"""``signpost validate``."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.exit import BAD_INPUT, OK
from engine.cli.options import print_json


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Check scenario files (and the parents they extend) and report every "
        "problem with its file, line, column and key path. Nothing is run or written. "
        "Folders are searched for *.yaml and *.yml; files starting with _ are parents only.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost validate PATH...``: 0 when every file is valid, 2 otherwise."""
    from engine.scenario.discover import why_skipped
    from engine.scenario.validate import validate_paths

    validated = validate_paths(args.paths)
    found = {entry.path for entry in validated}
    skipped = [p for p in args.paths if p.is_file() and p not in found]
    bad = [c for c in validated if not c.ok]
    if args.json:
        print_json(_validate_json(validated, skipped))
    else:
        for path in skipped:
            print(f"skip  {path} ({why_skipped(path)})")
        for entry in validated:
            if entry.ok:
                print(f"ok  {entry.path}")
            for issue in entry.issues:
                print(issue.format())
        print(_summary(validated, bad))
    return BAD_INPUT if bad or not validated else OK


def _summary(validated, bad) -> str:
    if not validated:
        return "no scenario files found"
    issues = sum(len(c.issues) for c in bad)
    files = "1 file" if len(validated) == 1 else f"{len(validated)} files"
    if not bad:
        return f"{files}: all valid"
    errors = "1 error" if issues == 1 else f"{issues} errors"
    return f"{files}: {len(validated) - len(bad)} valid, {len(bad)} with {errors}"


def _validate_json(validated, skipped) -> dict:
    return {
        "ok": bool(validated) and all(c.ok for c in validated),
        "files": [
            {
                "path": str(c.path),
                "id": c.scenario.id if c.scenario else None,
                "ok": c.ok,
                "errors": [issue.to_dict() for issue in c.issues],
            }
            for c in validated
        ],
        "skipped": [str(p) for p in skipped],
    }
