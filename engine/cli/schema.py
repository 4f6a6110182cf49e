"""``signpost schema``."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli.exit import OK


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of scenario files (for editors)",
        description="Print the JSON Schema of a scenario file. Editors with a YAML language "
        "server read it from a first line `# yaml-language-server: $schema=PATH`.",
    )
    parser.set_defaults(run=run)


def schema_text() -> str:
    """The JSON Schema as ``signpost schema`` prints it (and ``scenarios/`` stores it)."""
    from engine.scenario.schema import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    """``signpost schema``: print the JSON Schema."""
    sys.stdout.write(schema_text())
    return OK
