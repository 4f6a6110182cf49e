"""pgmpy's side of the networks benchmark: one network file, in a fresh process.

    .venv/bin/python benchmarks/pgmpy_network.py FILE [--evidence JSON]

Reads the file (BIF, optionally gzipped) with pgmpy's ``BIFReader``, divides every row of every
table by its sum (as SPEC §11.1 does), and answers what ``signpost run IMPORTED --no-analysis``
answers for an imported network with evidence: the marginal of every node not observed, every
state. ``--evidence`` is a JSON object ``{"node": "state"}``. ``VariableElimination`` is asked
once per node, as pgmpy's documentation asks for a marginal (it prunes the network to what the
node and the evidence need, each time). pgmpy's ``BeliefPropagation`` is not used: its query for
every node at once (``joint=False``) ran out of 24 GiB on ALARM. Prints one JSON object
``{"marginals": {node: {state: p}}}``. Imports are part of what the caller times.
"""

from __future__ import annotations

import argparse
import gzip
import json
import warnings
from pathlib import Path


def read_model(path: Path):
    """pgmpy's model of a BIF file, its rows normalised."""
    from pgmpy.readwrite import BIFReader

    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    model = BIFReader(string=text).get_model()
    for cpd in model.get_cpds():
        cpd.normalize()
    return model


def marginals(model, evidence: dict[str, str]) -> dict[str, dict[str, float]]:
    """{node: {state: P(node = state | evidence)}} for every node not in ``evidence``."""
    from pgmpy.inference import VariableElimination

    inference = VariableElimination(model)
    nodes = [n for n in model.nodes() if n not in evidence]
    found = {n: inference.query([n], evidence=evidence, show_progress=False) for n in nodes}
    return {n: dict(zip(q.state_names[n], (float(v) for v in q.values))) for n, q in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--evidence", default="{}", help='{"node": "state"}')
    options = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgmpy's notes on state names and dtypes
        model = read_model(options.file)
        answer = marginals(model, json.loads(options.evidence))
    print(json.dumps({"marginals": answer}))


if __name__ == "__main__":
    main()
