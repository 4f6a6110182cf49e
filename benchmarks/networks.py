"""The field's networks imported and run, beside a fresh pgmpy process (SPEC §12).

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/networks.py [--repeat N] [--only alarm|scaling]
                                            [--networks asia,alarm,...] [--timeout S]
                                            [--save FILE] [--table-from FILE]

The networks are the bnlearn repository's, as pgmpy ships them
(``pgmpy/utils/example_models/*.bif.gz``). For each, evidence is put on two nodes: the first
root of the file in its most likely state, and the last node of the file in its most likely
state a priori (pgmpy's answer, asked before anything is timed). Then, each command a whole
fresh process run from the repository root and timed from start to exit:

- **import**: ``signpost import NET.bif.gz --out T/NET.yaml``;
- **run**: ``signpost run T/case.yaml --json --no-analysis``, where ``case.yaml`` extends the
  imported scenario with the evidence (the main result: every driver's marginal, the outcome);
- **pgmpy**: ``python benchmarks/pgmpy_network.py NET.bif.gz --evidence E``: pgmpy reads the same
  file and answers the same queries (every node's marginal) by ``VariableElimination``.

Every marginal of the run is compared with pgmpy's: the largest difference is reported, and
must be at most 1e-9.

Rows:

(l) ALARM (37 nodes), ``--repeat`` times (default 5), each run of the three beside
    ``python -c "import pymc"`` run just before it: import + run ≤ 1× ``import pymc``
    (median of the paired ratios) and faster than pgmpy (median of paired import + run / pgmpy);
(m) the scaling table: every network pgmpy ships, by number of nodes, once each (``--repeat``
    applies to (l) only): nodes, the largest table (entries), import s, run s, peak memory,
    pgmpy s, ours / pgmpy, × ``import pymc``, the largest difference. A run that cannot sum the
    network in memory says so (exit 2, "too wide") and shows as **too wide**; a command still
    running after ``--timeout`` seconds (default 300) is stopped and shows as "> T s".

``--save FILE`` keeps every measurement so far (rewritten after each); ``--table-from FILE``
prints the tables of such a file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import PYTHON, REFERENCE, ROOT, SIGNPOST, Child, git_commit, row, say  # noqa: E402

sys.path.insert(0, str(ROOT))
TOLERANCE = 1e-9
TIMEOUT = 300.0
ALARM = "alarm"


def examples() -> Path:
    """The folder of pgmpy's bundled networks."""
    import pgmpy

    return Path(pgmpy.__file__).parent / "utils" / "example_models"


# --- running a command ------------------------------------------------------------------------


# The command runs under a small Python process that times it and reads its peak memory: Linux
# keeps a process's peak across fork and exec, so a child forked from this script (which holds
# the networks it has read) would report this script's memory as its own.
_TIMER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "rss_kib": usage.ru_maxrss,
               "rc": os.waitstatus_to_exitcode(status)}, out)
"""


def run_limited(argv: list[str], timeout: float) -> Child:
    """Run ``argv`` from the repository root, timed from its start to its exit with its peak
    memory; the whole process group is stopped after ``timeout`` seconds (its ``rc`` is then
    None)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json") as figures,
    ):
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, "-c", _TIMER, figures.name, *argv],
            cwd=ROOT, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        measured = json.loads(Path(figures.name).read_text() or "null")
        out.seek(0), err.seek(0)
        stdout, stderr = (f.read().decode(errors="replace") for f in (out, err))
        if measured is None:  # stopped after the timeout
            return Child(time.perf_counter() - started, 0.0, None, stdout, stderr)
        return Child(
            measured["seconds"], measured["rss_kib"] / 1024, measured["rc"], stdout, stderr
        )


# --- one network: files, evidence, answers ----------------------------------------------------


@dataclass
class Network:
    name: str
    file: Path  # the .bif.gz
    nodes: list  # engine.exchange.read.Node, in the file's order
    evidence: dict[str, str]  # {node: state}
    folder: Path

    @property
    def imported(self) -> Path:
        return self.folder / f"{self.name}.yaml"

    @property
    def case(self) -> Path:
        return self.folder / "case.yaml"

    @property
    def largest_table(self) -> int:
        return max(node.table.size for node in self.nodes)

    @cached_property
    def ids(self) -> dict[str, str]:
        """Each node's driver id, as the import names it."""
        from engine.exchange.names import driver_ids

        names = [node.name for node in self.nodes]
        return dict(zip(names, driver_ids(names)))

    def node(self, name: str):
        return next(node for node in self.nodes if node.name == name)


def network(name: str, folder: Path, timeout: float) -> Network:
    """The network's nodes (pgmpy's reader, through ``engine.exchange``) and its evidence."""
    from engine.exchange.read import read_nodes

    file = examples() / f"{name}.bif.gz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nodes = read_nodes(file)
    root = next(n for n in nodes if not n.parents)
    evidence = {root.name: root.states[int(root.table.argmax())]}
    last = nodes[-1]
    if last.name not in evidence:
        prior = pgmpy_marginals(file, {}, [last.name], timeout)
        if prior is not None:
            evidence[last.name] = max(prior[last.name], key=prior[last.name].get)
    folder.mkdir(parents=True, exist_ok=True)
    return Network(name, file, nodes, evidence, folder)


def pgmpy_marginals(file: Path, evidence: dict, only: list[str], timeout: float) -> dict | None:
    """pgmpy's prior or posterior marginals of ``only`` (a child process, not timed)."""
    code = (
        "import json, sys, warnings; warnings.simplefilter('ignore');"
        "from pathlib import Path; sys.path.insert(0, 'benchmarks');"
        "from pgmpy_network import read_model; from pgmpy.inference import VariableElimination;"
        f"ve = VariableElimination(read_model(Path({str(file)!r})));"
        f"qs = {{n: ve.query([n], evidence={evidence!r}, show_progress=False) for n in {only!r}}};"
        "print(json.dumps({n: dict(zip(q.state_names[n], map(float, q.values)))"
        " for n, q in qs.items()}))"
    )
    child = run_limited([PYTHON, "-c", code], timeout)
    return json.loads(child.stdout) if child.rc == 0 else None


def write_case(net: Network) -> None:
    """``case.yaml``: the imported scenario (``extends``) with the evidence."""
    from engine.exchange.names import scenario_id

    items = {
        f"seen_{k}": {"driver": net.ids[name], "observed": _state_key(net, name, state)}
        for k, (name, state) in enumerate(net.evidence.items())
    }
    case = {"signpost": 1, "id": f"{scenario_id(net.name)}-seen", "extends": net.imported.name,
            "evidence": items}  # fmt: skip
    net.case.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")


def _state_key(net: Network, name: str, state: str) -> bool | str:
    """How the imported scenario names ``state`` of node ``name`` (by the import's own naming
    rule, engine/exchange/names.py): true/false for a node of two states written as one that
    holds, else the state's id."""
    from engine.exchange.names import state_ids
    from engine.exchange.read import holding_state

    node = net.node(name)
    holding = holding_state(node.states)
    if holding is not None:
        return state == node.states[holding]
    return state_ids(node.states)[node.states.index(state)]


def largest_difference(net: Network, result: dict, theirs: dict) -> float:
    """max |p - p'| over every state of every node pgmpy answered."""
    worst = 0.0
    for name, answers in theirs.items():
        driver = net.ids[name]
        for state, p in answers.items():
            key = _state_key(net, name, state)
            if isinstance(key, bool):
                mine = result["drivers"][driver]["p"]
                mine = mine if key else 1 - mine
            else:
                mine = result["drivers"][f"{driver}={key}"]["p"]
            worst = max(worst, abs(mine - p))
    return worst


# --- the session ------------------------------------------------------------------------------


class Session:
    def __init__(self, save: str | None, timeout: float):
        self.save, self.timeout = save, timeout
        self.data: dict = {
            "meta": {
                "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "cpus": os.cpu_count(),
                "commit": git_commit(),
                "timeout": timeout,
                "load": [],
            },
            "alarm": [],
            "scaling": {},
        }

    def keep(self) -> None:
        if self.save:
            Path(self.save).write_text(json.dumps(self.data, indent=1))

    def once(self, net: Network, reference: bool) -> dict:
        """Import, run and pgmpy once each (and the reference before them): one record."""
        record: dict = {"load": os.getloadavg()[0]}
        if reference:
            record["reference"] = run_limited(REFERENCE, self.timeout).seconds
        imported = run_limited(
            [*SIGNPOST, "import", str(net.file), "--out", str(net.imported)], self.timeout
        )
        record["import"] = _figures(imported)
        if imported.rc != 0:
            record["failed"] = "import: " + _last_line(imported)
            return record
        write_case(net)
        ran = run_limited(
            [*SIGNPOST, "run", str(net.case), "--json", "--no-analysis"], self.timeout
        )
        record["run"] = _figures(ran)
        theirs = run_limited(
            [PYTHON, "benchmarks/pgmpy_network.py", str(net.file), "--evidence",
             json.dumps(net.evidence)],
            self.timeout,
        )  # fmt: skip
        record["pgmpy"] = _figures(theirs)
        if theirs.rc not in (0, None):
            record["pgmpy_failed"] = _last_line(theirs)
        if ran.rc == 2 and "too wide" in ran.stderr:
            record["too_wide"] = _last_line(ran)
        elif ran.rc not in (0, 1):
            record["failed"] = "run: " + _last_line(ran)
        elif theirs.rc == 0:
            mine = json.loads(ran.stdout)
            record["reliable"] = mine["reliable"]
            record["method"] = mine["diagnostics"]["method"]
            worst = largest_difference(net, mine, json.loads(theirs.stdout)["marginals"])
            record["difference"] = worst
        return record


def _figures(child: Child) -> dict:
    return {"seconds": child.seconds, "rss_mib": child.rss_mib, "rc": child.rc}


def _last_line(child: Child) -> str:
    if child.rc is None:
        return "stopped after the timeout"
    lines = child.stderr.strip().splitlines()
    return lines[-1][:300] if lines else f"exit {child.rc}"


def names_by_size() -> list[str]:
    """Every network pgmpy ships as .bif.gz, the smallest first (nodes counted in the file)."""
    sizes = {}
    for path in examples().glob("*.bif.gz"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        sizes[path.name.removesuffix(".bif.gz")] = text.count("\nvariable ")
    return sorted(sizes, key=lambda name: (sizes[name], name))


def measure(options: argparse.Namespace) -> dict:
    session = Session(options.save, options.timeout)
    with tempfile.TemporaryDirectory() as tmp:
        if options.only in (None, "alarm"):
            say("(l) ALARM")
            net = network(ALARM, Path(tmp) / ALARM, options.timeout)
            session.data["evidence"] = {ALARM: net.evidence}
            for _ in range(options.repeat):
                record = session.once(net, reference=True)
                session.data["alarm"].append(record)
                say(f"  {_said(record)}")
                session.keep()
        if options.only in (None, "scaling"):
            names = options.networks or names_by_size()
            for name in names:
                say(f"(m) {name}")
                net = network(name, Path(tmp) / name, options.timeout)
                record = session.once(net, reference=True)
                record["nodes"], record["largest_table"] = len(net.nodes), net.largest_table
                record["evidence"] = net.evidence
                session.data["scaling"][name] = record
                say(f"  {_said(record)}")
                session.keep()
    return session.data


def _said(record: dict) -> str:
    parts = [f"{part} {record[part]['seconds']:.2f} s" for part in ("import", "run", "pgmpy")
             if part in record]  # fmt: skip
    for key in ("difference", "too_wide", "failed"):
        if key in record:
            parts.append(f"{key}: {record[key]}")
    return ", ".join(parts)


# --- the tables -------------------------------------------------------------------------------


def _done(figures: dict | None) -> bool:
    return figures is not None and figures["rc"] in (0, 1)


def _seconds(figures: dict | None, timeout: float) -> str:
    if figures is None:
        return "–"
    if figures["rc"] is None:
        return f"> {timeout:.0f} s"
    if figures["rc"] not in (0, 1):
        return f"failed (exit {figures['rc']})"
    return f"{figures['seconds']:.2f}"


def alarm_table(data: dict) -> list[str]:
    runs = [r for r in data["alarm"] if _done(r.get("run")) and _done(r.get("pgmpy"))]
    if not runs:
        return ["(l) ALARM: no complete run"]
    both = [r["import"]["seconds"] + r["run"]["seconds"] for r in runs]
    ratio = [b / r["reference"] for b, r in zip(both, runs)]
    versus = [b / r["pgmpy"]["seconds"] for b, r in zip(both, runs)]
    worst = max(r.get("difference", float("inf")) for r in runs)

    def med(values, digits=2):
        return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f} – " \
               f"{max(values):.{digits}f})"  # fmt: skip

    lines = [
        f"(l) ALARM with evidence {data.get('evidence', {}).get(ALARM)}, {len(runs)} runs; "
        "median (min – max):",
        "",
        row("what", "seconds", "× import pymc"),
        row("---", "---:", "---:"),
        row('`python -c "import pymc"`', med([r["reference"] for r in runs]), "1"),
        row("`signpost import alarm.bif.gz`", med([r["import"]["seconds"] for r in runs]),
            med([r["import"]["seconds"] / r["reference"] for r in runs])),
        row("`signpost run case.yaml --json --no-analysis`",
            med([r["run"]["seconds"] for r in runs]),
            med([r["run"]["seconds"] / r["reference"] for r in runs])),
        row("**import + run**", med(both), med(ratio)),
        row("pgmpy: read + a VE query per node", med([r["pgmpy"]["seconds"] for r in runs]),
            med([r["pgmpy"]["seconds"] / r["reference"] for r in runs])),
    ]  # fmt: skip
    met_speed = statistics.median(ratio) <= 1.0
    met_pgmpy = statistics.median(versus) < 1.0
    lines += [
        "",
        f"- import + run ≤ 1× import pymc: {'met' if met_speed else 'NOT met'} "
        f"(median {statistics.median(ratio):.2f}×)",
        f"- faster than pgmpy: {'met' if met_pgmpy else 'NOT met'} "
        f"(import + run / pgmpy, median {statistics.median(versus):.2f})",
        f"- every marginal equal to pgmpy's within {TOLERANCE:g}: "
        f"{'met' if worst <= TOLERANCE else 'NOT met'} (largest difference {worst:.1e})",
    ]
    return lines


def scaling_table(data: dict) -> list[str]:
    timeout = data["meta"]["timeout"]
    lines = [
        row("network", "nodes", "largest table", "import s", "run s", "peak MiB", "pgmpy s",
            "ours / pgmpy", "× import pymc", "largest difference"),
        row("---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"),
    ]  # fmt: skip
    for name, r in data["scaling"].items():
        imp, ran, theirs = r.get("import"), r.get("run"), r.get("pgmpy")
        peak = max((f["rss_mib"] for f in (imp, ran) if f), default=0)
        ours = (imp["seconds"] + ran["seconds"]) if _done(imp) and _done(ran) else None
        if "too_wide" in r:
            run_cell, versus, times, diff = "**too wide**", "–", "–", "–"
        elif "failed" in r:
            run_cell, versus, times, diff = f"failed: {r['failed'][:60]}", "–", "–", "–"
        else:
            run_cell = _seconds(ran, timeout)
            versus = f"{ours / theirs['seconds']:.2f}" if ours and _done(theirs) else "–"
            times = f"{ours / r['reference']:.2f}×" if ours else "–"
            diff = f"{r['difference']:.1e}" if "difference" in r else "–"
        lines.append(row(name, r["nodes"], f"{r['largest_table']:,}", _seconds(imp, timeout),
                         run_cell, f"{peak:.0f}", _seconds(theirs, timeout), versus, times,
                         diff))  # fmt: skip
    return lines


def table(data: dict) -> str:
    meta = data["meta"]
    lines = [
        f"Commit {meta['commit']}, {meta['cpus']} CPUs, started {meta['started']}, "
        f"timeout {meta['timeout']:.0f} s per command.",
        "",
    ]
    if data["alarm"]:
        lines += alarm_table(data) + [""]
    if data["scaling"]:
        lines += [
            "(m) every network pgmpy ships, once each; import + run beside pgmpy's process "
            "(ours / pgmpy < 1: Signpost is faster); × import pymc for import + run:",
            "",
            *scaling_table(data),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repeats of (l) (default 5)")
    parser.add_argument("--only", choices=("alarm", "scaling"))
    parser.add_argument(
        "--networks", type=lambda text: text.split(","), help="the networks of (m), by name"
    )
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per command")
    parser.add_argument("--save", help="keep every measurement so far in this JSON file")
    parser.add_argument("--table-from", help="only print the tables of a --save file")
    options = parser.parse_args()
    if options.table_from:
        print(table(json.loads(Path(options.table_from).read_text())))
        return
    print(table(measure(options)))


if __name__ == "__main__":
    main()
