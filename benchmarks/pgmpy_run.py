"""pgmpy's side of the side-by-side: one scenario with fixed numbers, in a fresh process.

    .venv/bin/python benchmarks/pgmpy_run.py FILE [--settings main|results]

Reads the scenario (no ``extends``: the generated scenarios have none), builds the network with
``tests/support/reference.py`` (``network_from``, ``evidence_from``, ``timeline_from``,
``pgmpy_posterior``: a pgmpy ``DiscreteBayesianNetwork`` queried by ``VariableElimination``)
and prints one JSON object: the outcome and driver probabilities of the main result and, with
``--settings results``, of every what-if and timeline point — the settings that
``signpost run --json --no-analysis`` answers. Imports are part of what the caller times.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def answer_dict(answer) -> dict:
    return {"outcomes": answer.outcomes, "drivers": answer.drivers}


def solve(spec: dict, settings: str = "main") -> dict:
    """pgmpy's answers for a scenario dict with every number fixed."""
    from tests.support.reference import evidence_from, network_from, pgmpy_posterior, timeline_from

    net = network_from(spec)
    out = {"main": answer_dict(pgmpy_posterior(net, evidence_from(spec)))}
    if settings == "results":
        out["what_if"] = {
            name: answer_dict(pgmpy_posterior(net, evidence_from(spec), do=item["set"]))
            for name, item in (spec.get("what_if") or {}).items()
        }
        out["timeline"] = [
            {"date": str(when), **answer_dict(pgmpy_posterior(net, evidence_from(spec, names)))}
            for when, names in timeline_from(spec)
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--settings", choices=("main", "results"), default="main")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import yaml

    spec = yaml.safe_load(Path(options.file).read_text())
    print(json.dumps(solve(spec, options.settings)))


if __name__ == "__main__":
    main()
