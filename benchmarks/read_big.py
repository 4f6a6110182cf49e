"""Time reading a big imported scenario: libyaml's events as values or as nodes; the Python parser.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/read_big.py [--network barley] [--repeat 5]

The network (one of pgmpy's bundled bnlearn files, default ``barley``: 4.4 MB of YAML) is
imported once with ``signpost import`` into a temporary folder. Then, ``--repeat`` times:

- ``python -c "import pymc"``, the reference, then ``signpost validate FILE``, each a fresh
  process timed from start to exit; the figure is the median of the paired ratios;
- in this process, :func:`engine.scenario.reader.read_one` on the file as the reader does it
  (values built straight from libyaml's events when PyYAML has libyaml), with libyaml's events
  composed into nodes first (the way a file the event builder declines is read), and with the
  Python parser alone (the reader's libyaml loader set aside, as on a PyYAML built without
  libyaml): the reading step alone.

Figures measured on a machine shared with other work are approximate; the load average is
printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from bench import REFERENCE, SIGNPOST, run_child  # noqa: E402  (benchmarks/bench.py)

from engine.scenario import reader  # noqa: E402


def example(network: str) -> Path:
    """The path of one of pgmpy's bundled networks (pgmpy is imported only to find it)."""
    import pgmpy

    return Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{network}.bif.gz"


def _declined(text: str, file: str):
    raise reader._ReadOtherwise


def read_seconds(path: Path, *, libyaml: bool, nodes: bool = False) -> float:
    """Seconds of one ``read_one`` of ``path``: with libyaml's events (built from directly, or
    composed into nodes first when ``nodes``), or with the Python parser alone."""
    kept, built = reader._LibyamlLoader, reader._built_from_events
    if not libyaml:
        reader._LibyamlLoader = None
    if nodes:
        reader._built_from_events = _declined
    try:
        started = time.perf_counter()
        data, _, issues = reader.read_one(path, str(path))
        seconds = time.perf_counter() - started
    finally:
        reader._LibyamlLoader, reader._built_from_events = kept, built
    if data is None or issues:
        raise SystemExit(f"{path} did not read cleanly: {issues[:3]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--network", default="barley")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{options.network}.yaml"
        made = run_child([*SIGNPOST, "import", str(example(options.network)), "--out", str(path)])
        if made.rc != 0:
            raise SystemExit(f"signpost import failed: {made.stderr}")
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB; libyaml: {yaml_has_libyaml()}")
        ratios, validate, fast, composed, python = [], [], [], [], []
        for repeat in range(options.repeat):
            print(f"repeat {repeat + 1}: load average {os.getloadavg()[0]:.2f}", flush=True)
            reference = run_child(REFERENCE).seconds
            child = run_child([*SIGNPOST, "validate", str(path)])
            if child.rc != 0:
                raise SystemExit(f"signpost validate failed: {child.stdout}{child.stderr}")
            validate.append(child.seconds)
            ratios.append(child.seconds / reference)
            fast.append(read_seconds(path, libyaml=True))
            composed.append(read_seconds(path, libyaml=True, nodes=True))
            python.append(read_seconds(path, libyaml=False))
    median = statistics.median
    print(f"signpost validate: {median(validate):.2f} s, {median(ratios):.2f}× import pymc")
    print(f"read_one, built from libyaml's events:    {median(fast):.2f} s")
    print(f"read_one, libyaml's events as nodes first: {median(composed):.2f} s")
    print(f"read_one, Python parser:                   {median(python):.2f} s")
    for name, slower in (("nodes first", composed), ("Python parser", python)):
        pairs = [slow / quick for slow, quick in zip(slower, fast, strict=True)]
        print(f"{name} / built from events: {median(pairs):.1f}× (median of paired runs)")


def yaml_has_libyaml() -> bool:
    import yaml

    return bool(getattr(yaml, "__with_libyaml__", False))


if __name__ == "__main__":
    main()
