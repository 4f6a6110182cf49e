"""A batch of generated scenarios reported on the local pool and on Dask (issue 22).

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/batch.py [--count 200] [--repeat 3] [--workers 2]
                                         [--sizes 4,8,12] [--sample 10] [--save FILE]

1. **The batch**: ``--count`` scenarios written by ``benchmarks/generate.py`` (its networks of
   ``--sizes`` drivers in turn, every number uncertain, each with its own id) into a temporary
   folder.
2. **Wall time**: each repeat runs ``python -c "import pymc"`` (the reference), then
   ``signpost report DIR --out TMP --force -j W`` (the local pool) and ``signpost report DIR
   --out TMP --force --dask W`` (a LocalCluster of W workers, started and stopped by the
   command), each a fresh process timed from start to exit, in alternating order (local first
   in odd repeats, Dask first in even ones) so that a drift in the machine's load weighs on both.
   Every run must exit 0 and write ``--count`` reports. Dask's overhead is the median over the
   repeats of (Dask - local) / local, each repeat's pair taken together; the target is ≤ 15 %.
   The CPU seconds of each run (the command and the workers it reaped, user + system) are
   given too: on a loaded machine they move less than the wall time.
3. **The serial part**: one batch run in this process on the local pool gives what the client
   does alone (:attr:`engine.report.batch.BatchResult.timings`: planning — validating, hashing,
   skipping; writing every report's files; the overview), what the workers do (the sum of the
   reports' ``seconds``) and the wall time. Tasks are independent, so on k machines of W
   workers the batch takes about ``rest + max(work / (k W), write)``, where ``rest`` is the
   wall time less ``work / W`` (starting, planning, the overview, the last tasks) and ``write``
   the client's writing on a machine of its own (step 4's time per report × the count): the
   client writes each report as it arrives, while the others are computed, so its writing is a
   floor that no number of machines lowers. The table gives that estimate for k = 1 to 32.
4. **What a task ships back**: for ``--sample`` scenarios, the rendered files a worker returns
   (their pickled size, and the client's time to write them, alone) beside the alternative of
   shipping the result and rendering on the client (the result's pickled size, the client's
   time to render it).

The machine's load is recorded at every repeat: on a shared 2-core machine the seconds move;
the paired ratios much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import generate  # noqa: E402  (benchmarks/generate.py)
from bench import REFERENCE, SIGNPOST, git_commit, run_child, say  # noqa: E402

TARGET = 0.15  # Dask's overhead, as a fraction of the local pool's wall time
MACHINES = (1, 2, 4, 8, 16, 32)


def write_batch(folder: Path, count: int, sizes: tuple[int, ...]) -> list[Path]:
    """``count`` generated scenarios (uncertain numbers) ``batch-000.yaml`` ... into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        n = sizes[i % len(sizes)]
        text = generate.scenario_text(n).replace(f"id: bench-drivers-{n:02d}", f"id: batch-{i:03d}")
        path = folder / f"batch-{i:03d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def report_command(source: Path, out: Path, where: list[str]) -> list[str]:
    return [*SIGNPOST, "report", str(source), "--out", str(out), "--force", *where]


def timed_report(source: Path, out: Path, where: list[str], count: int) -> dict:
    """One fresh ``signpost report`` process: wall seconds, CPU seconds (the process and the
    workers it reaped: user + system), exit code, reports written."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            report_command(source, out, where), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        rc = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    reports = sum(1 for p in out.glob("*/manifest.json"))
    cpu = usage.ru_utime + usage.ru_stime
    record = {"seconds": seconds, "cpu": cpu, "rc": rc, "reports": reports}
    if rc != 0 or reports != count:
        record["failed"] = stderr.strip().splitlines()[-6:] or [f"exit {rc}"]
    return record


def wall_times(source: Path, count: int, workers: int, repeat: int, data: dict) -> None:
    """Step 2: the local pool and Dask, alternately, each repeat with its reference."""
    commands = {"local": ["-j", str(workers)], "dask": ["--dask", str(workers)]}
    with tempfile.TemporaryDirectory(prefix="signpost-batch-out-") as scratch:
        for r in range(repeat):
            data["load"].append([f"repeat {r + 1}", *[round(x, 2) for x in os.getloadavg()]])
            reference = run_child(REFERENCE)
            data["runs"]["ref"].append(reference.seconds)
            say(f"repeat {r + 1} of {repeat}: import pymc {reference.seconds:.2f} s")
            order = ["local", "dask"] if r % 2 == 0 else ["dask", "local"]
            pair = {}
            for name in order:
                record = timed_report(source, Path(scratch) / name, commands[name], count)
                record["ratio"] = record["seconds"] / reference.seconds
                pair[name] = record
                failed = " FAILED " + " | ".join(record["failed"]) if "failed" in record else ""
                say(
                    f"  {name}: {record['seconds']:.1f} s ({record['ratio']:.1f}× import), "
                    f"CPU {record.get('cpu', 0):.0f} s{failed}"
                )
            data["runs"]["pairs"].append(pair)
            keep(data)


def serial_part(source: Path, count: int, workers: int, data: dict) -> None:
    """Step 3: what the client does alone, and the workers' total, from one batch here."""
    from rich.console import Console

    from engine.infra.workers import Executor
    from engine.report.batch import report_batch

    with tempfile.TemporaryDirectory(prefix="signpost-batch-serial-") as out:
        quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
        started = time.perf_counter()
        batch = report_batch([source], out, executor=Executor(jobs=workers), console=quiet)
        wall = time.perf_counter() - started
        reported = [e for e in batch.entries if e.status == "reported"]
        if len(reported) != count:
            raise RuntimeError(f"the serial-part batch reported {len(reported)} of {count}")
        work = sum(e.seconds for e in reported)
    data["serial"] = {"wall": wall, "work": work, **batch.timings, "workers": workers}
    say(
        f"serial part: plan {batch.timings['plan']:.1f} s, write {batch.timings['write']:.1f} s, "
        f"overview {batch.timings['overview']:.1f} s; workers' total {work:.0f} s"
    )
    keep(data)


def shipping(source: Path, sample: int, data: dict) -> None:
    """Step 4: rendered files vs the result, for the first ``sample`` scenarios, here."""
    from engine.report.batch import RunOptions, plan, render_one, write_one
    from engine.report.page import Provenance, render_report
    from engine.run import run

    rows = []
    with tempfile.TemporaryDirectory(prefix="signpost-batch-ship-") as out:
        tasks, _ = plan([source], Path(out), RunOptions(), force=True)
        for task in tasks[:sample]:
            rendered = render_one(task)
            files = pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL)
            started = time.perf_counter()
            write_one(task, rendered)
            write = time.perf_counter() - started
            result = run(task.scenario)
            shipped = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            started = time.perf_counter()
            provenance = Provenance(task.file, task.chain[0][1], task.chain, task.merged_sha256)
            render_report(task.scenario, result, task.merged_yaml, provenance)
            render = time.perf_counter() - started
            rows.append(
                {
                    "files_bytes": len(files),
                    "result_bytes": len(shipped),
                    "write": write,
                    "render": render,
                }
            )
    data["shipping"] = rows
    keep(data)


def keep(data: dict) -> None:
    if data.get("save"):
        Path(data["save"]).write_text(json.dumps(data, indent=1))


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def table(data: dict) -> list[str]:
    """The Markdown tables of a measurement."""
    meta = data["meta"]
    load = "; ".join(" ".join(map(str, x[1:])) for x in data["load"])
    lines = [
        f"`benchmarks/batch.py`: {meta['count']} generated scenarios ({meta['sizes']} drivers in "
        f"turn, uncertain numbers, full reports), {meta['workers']} workers, {meta['repeat']} "
        f"repeats; {meta['cpus']} CPUs, commit {meta['commit']}, {meta['started']}; load "
        f"(1, 5, 15 min) at each repeat: {load}",
    ]
    pairs = [p for p in data["runs"]["pairs"] if not any("failed" in r for r in p.values())]
    if data["runs"]["pairs"]:
        reference = median(data["runs"]["ref"])
        lines += [
            "",
            "| what | median wall | × import pymc | min – max | median CPU |",
            "| --- | ---: | ---: | ---: | ---: |",
            f'| `python -c "import pymc"` | {reference:.1f} s | 1× | | |',
        ]
    for name, label in (("local", "`-j`: the local pool"), ("dask", "`--dask`: a LocalCluster")):
        seconds = [p[name]["seconds"] for p in pairs]
        ratios = [p[name]["ratio"] for p in pairs]
        cpu = [p[name]["cpu"] for p in pairs if "cpu" in p[name]]
        if seconds:
            lines.append(
                f"| {label} | {median(seconds):.1f} s | {median(ratios):.1f}× | "
                f"{min(seconds):.1f} – {max(seconds):.1f} s | "
                + (f"{median(cpu):.0f} s |" if cpu else "– |")
            )
    failed = len(data["runs"]["pairs"]) - len(pairs)
    if pairs:
        overheads = [
            (p["dask"]["seconds"] - p["local"]["seconds"]) / p["local"]["seconds"] for p in pairs
        ]
        overhead = median(overheads)
        verdict = "met" if overhead <= TARGET and not failed else "NOT met"
        lines += [
            "",
            f"Dask's overhead: {overhead:+.1%} of the local pool's wall time (median of "
            f"{len(pairs)} paired repeats, {min(overheads):+.1%} to {max(overheads):+.1%}); "
            f"target ≤ {TARGET:.0%}: {verdict}" + (f" ({failed} repeats failed)" if failed else ""),
        ]
        if all("cpu" in p[name] for p in pairs for name in p):
            cpu = [(p["dask"]["cpu"] - p["local"]["cpu"]) / p["local"]["cpu"] for p in pairs]
            lines.append(
                f"In CPU seconds: {median(cpu):+.1%} ({min(cpu):+.1%} to {max(cpu):+.1%})."
            )
    lines += serial_lines(data)
    rows = data.get("shipping")
    if rows:
        lines += [
            "",
            f"What a task ships back ({len(rows)} scenarios, medians): the rendered files "
            f"{median(r['files_bytes'] for r in rows) / 1024:.0f} KiB pickled, the client then "
            f"writes them in {median(r['write'] for r in rows) * 1000:.0f} ms; the result instead "
            f"{median(r['result_bytes'] for r in rows) / 1024:.0f} KiB pickled, and the client "
            f"would render it in {median(r['render'] for r in rows) * 1000:.0f} ms before writing.",
        ]
    return lines


def serial_lines(data: dict) -> list[str]:
    """The client's serial part, and the batch spread over k machines (step 3)."""
    serial, count = data.get("serial"), data["meta"]["count"]
    if not serial:
        return []
    workers, work, wall = serial["workers"], serial["work"], serial["wall"]
    rows = data.get("shipping")
    # the client's writing when it has its machine to itself, as beside remote workers; in the
    # batch here it shared two cores with the workers
    alone = median(r["write"] for r in rows) * count if rows else serial["write"]
    fixed = max(0.0, wall - work / workers)  # start, plan, overview, the pool's start, the tail
    lines = [
        "",
        f"The client's own part (one batch in this process on {workers} local workers, wall "
        f"{wall:.0f} s): plan {serial['plan']:.1f} s, write {serial['write']:.1f} s "
        f"({serial['write'] / count * 1000:.0f} ms a report while the workers share the cores; "
        f"{alone / count * 1000:.0f} ms alone), overview {serial['overview']:.1f} s; the "
        f"workers' total {work:.0f} s ({work / count:.2f} s a report); the rest of the wall time "
        f"(starting, the last tasks) {fixed:.0f} s.",
        "",
        f"| machines of {workers} workers | estimated wall | speed-up |",
        "| ---: | ---: | ---: |",
    ]
    for k in MACHINES:
        estimate = fixed + max(work / (k * workers), alone)
        lines.append(f"| {k} | {estimate:.0f} s | {wall / estimate:.1f}× |")
    crossing = work / workers / max(alone, 1e-9)
    lines += [
        "",
        f"Estimate: the measured wall minus the workers' share, plus max(work / (k · {workers}), "
        f"writing alone). The client writes each report as it arrives while the others are "
        f"computed, so its writing is a floor: past about {crossing:.0f} machines the workers "
        f"wait for it, and no cluster brings the batch under {fixed + alone:.0f} s.",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200, help="scenarios (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="paired repeats (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="-j and --dask (default 2)")
    parser.add_argument("--sizes", default="4,8,12", help="drivers, in turn (default 4,8,12)")
    parser.add_argument("--sample", type=int, default=10, help="scenarios for step 4 (10)")
    parser.add_argument("--skip", default="", help="steps to skip: wall, serial, shipping")
    parser.add_argument("--save", help="keep every measurement so far in this JSON file")
    parser.add_argument("--table-from", help="only print the tables of a --save file")
    options = parser.parse_args()
    if options.table_from:
        print("\n".join(table(json.loads(Path(options.table_from).read_text()))))
        return
    sizes = tuple(int(s) for s in options.sizes.split(","))
    data = {
        "save": options.save,
        "meta": {
            "count": options.count,
            "sizes": ",".join(map(str, sizes)),
            "workers": options.workers,
            "repeat": options.repeat,
            "cpus": os.cpu_count(),
            "commit": git_commit(),
            "started": dt.datetime.now().isoformat(timespec="seconds"),
        },
        "load": [],
        "runs": {"ref": [], "pairs": []},
    }
    with tempfile.TemporaryDirectory(prefix="signpost-batch-") as folder:
        source = Path(folder) / "scenarios"
        write_batch(source, options.count, sizes)
        if "wall" not in options.skip:
            wall_times(source, options.count, options.workers, options.repeat, data)
        if "serial" not in options.skip:
            serial_part(source, options.count, options.workers, data)
        if "shipping" not in options.skip:
            shipping(source, options.sample, data)
    print("\n".join(table(data)))


if __name__ == "__main__":
    main()
