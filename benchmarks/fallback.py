"""The NUTS fallback's cold start, measured on its own (issue 20): fresh processes, 2 cores.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/fallback.py [--repeat N] [--backends numpyro,jax,numba] [FILE ...]

For each scenario FILE (default: the strong-evidence case, the Kazakhstan baseline and the
evidence-rich benchmark) and backend, a fresh child process (``--child``) loads the scenario,
then times, from the moment the engine would decide to fall back:

- ``imports``: importing PyMC (``models.sampler``);
- ``compile``: building the PyMC model and preparing the backend (``compiled_network``, the
  engine's own options: only ``prob`` and ``effect`` kept, data swappable): for nutpie, its
  compilation; for ``numpyro``, importing JAX and NumPyro and turning the model's graph into JAX;
- ``sample``: NUTS on the main setting with the engine's defaults (4 chains × 1000 draws after
  1000 tuning steps, on at most 2 cores); for ``numpyro`` this first run includes tracing and
  compiling the XLA program of a chain;
- ``cold start``: all three, what the first setting that needs NUTS waits; and the child's
  peak resident memory;
- ``again``: the same setting sampled once more in the same process (another seed), what each
  later setting waits.

Each repeat runs, per file and backend, a child on an empty cache of compiled programs and then
a second child on the cache the first one left (what a batch's other workers and later runs
find).

``python -c "import pymc"`` is timed before each child (the same session, interleaved) and every
figure is also given as the median of its paired ratios to it. Medians and min–max over
``--repeat`` (default 3). ``--save FILE`` keeps the measurements as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

DEFAULT_FILES = (
    "benchmarks/scenarios/strong_04.yaml",
    "scenarios/kazakhstan/baseline.yaml",
    "benchmarks/scenarios/rich_24.yaml",
)
PARTS = ("imports", "compile", "sample", "cold_start", "again")


def child(path: str, backend: str) -> dict:
    """Run in the child: load, then time imports, compilation and the first NUTS setting."""
    from engine.inference import InferenceOptions
    from engine.inference.network import network_of
    from engine.scenario.validate import load_scenario

    network = network_of(load_scenario(path))
    options = InferenceOptions.of(network.scenario)
    started = time.perf_counter()
    from models.sampler import KEPT, compiled_network

    imported = time.perf_counter()
    compiled = compiled_network(network.graph, backend, keep=KEPT)
    built = time.perf_counter()
    data = {**network.prior_data(), **network.setting().arrays(network.graph)}
    trace = compiled.sample(
        data,
        draws=options.draws,
        tune=options.tune,
        chains=options.chains,
        seed=options.seed,
        target_accept=options.target_accept,
    )
    done = time.perf_counter()
    compiled.sample(
        data,
        draws=options.draws,
        tune=options.tune,
        chains=options.chains,
        seed=options.seed + 1,
        target_accept=options.target_accept,
    )
    return {
        "imports": imported - started,
        "compile": built - imported,
        "sample": done - built,
        "cold_start": done - started,
        "again": time.perf_counter() - done,
        "divergences": trace.divergences,
    }


def fresh(argv: list[str], env: dict | None = None) -> tuple[float, int, str, str, float]:
    """Seconds, exit code, stdout, stderr and peak RSS (MiB) of a fresh process."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return (
            seconds,
            os.waitstatus_to_exitcode(status),
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            usage.ru_maxrss / 1024,
        )


def measure(files: list[str], backends: list[str], repeat: int) -> dict:
    """Each repeat, per file and backend: a child with an empty cache of compiled programs
    (``XDG_CACHE_HOME`` a new directory: the first process of a batch), then a second child on
    the cache the first one left (its other workers, later runs)."""
    import tempfile

    runs: dict[str, list[dict]] = {}
    for r in range(repeat):
        for path in files:
            for backend in backends:
                with tempfile.TemporaryDirectory() as cache:
                    env = {**os.environ, "XDG_CACHE_HOME": cache}
                    for cached in ("empty cache", "warm cache"):
                        reference, *_ = fresh([sys.executable, "-c", "import pymc"])
                        _, rc, out, err, rss = fresh(
                            [sys.executable, __file__, "--child", path, backend], env
                        )  # fmt: skip
                        key = f"{path} [{backend}, {cached}]"
                        record = {"reference": reference, "rss_mib": rss, "rc": rc}
                        if rc == 0:
                            record |= json.loads(out.strip().splitlines()[-1])
                        else:
                            record["failed"] = err.strip().splitlines()[-3:]
                        runs.setdefault(key, []).append(record)
                        shown = f"{record['cold_start']:.1f} s" if rc == 0 else "FAILED"
                        print(f"  {key} repeat {r + 1}: {shown}, {rss:.0f} MiB", file=sys.stderr)
    return {"cpus": os.cpu_count(), "load": os.getloadavg(), "repeat": repeat, "runs": runs}


def table(data: dict) -> str:
    head = ["scenario [backend, cache]", *[f"{p} s" for p in PARTS], "cold start × import pymc",
            "peak MiB"]  # fmt: skip
    lines = [
        f"{data['cpus']} CPUs; {data['repeat']} repeats; load average at the end "
        f"{data['load'][0]:.1f}. Medians (min – max).",
        "",
        "| " + " | ".join(head) + " |",
        "| --- | " + " | ".join("---:" for _ in head[1:]) + " |",
    ]
    for key, records in data["runs"].items():
        ok = [r for r in records if "failed" not in r]
        if not ok:
            lines.append(f"| {key} | failed | " + " | ".join("" for _ in head[2:]) + " |")
            continue
        cells = []
        for part in PARTS:
            values = [r[part] for r in ok]
            cells.append(f"{statistics.median(values):.1f} ({min(values):.1f} – {max(values):.1f})")
        ratio = statistics.median(r["cold_start"] / r["reference"] for r in ok)
        rss = max(r["rss_mib"] for r in ok)
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {ratio:.2f}× | {rss:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", default=list(DEFAULT_FILES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--backends", default="numpyro", help="comma-separated: numpyro, jax, numba"
    )
    parser.add_argument("--save", help="keep the measurements in this JSON file")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "BACKEND"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(*options.child)))
        return
    import generate

    generate.ensure()
    data = measure(options.files, options.backends.split(","), options.repeat)
    if options.save:
        Path(options.save).write_text(json.dumps(data, indent=1))
    print(table(data))


if __name__ == "__main__":
    main()
