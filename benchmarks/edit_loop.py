"""Time the edit loop of issue 21: a save answered by ``signpost serve``, and ``signpost sweep``.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/edit_loop.py [--edits 10] [--repeat 5] [--only serve|sweep]
                                             [--save FILE]

(h) **save → new result**: ``signpost serve`` runs as its own process on a copy of the
    Kazakhstan baseline (``scenarios/kazakhstan/baseline.yaml`` and its ``_base.yaml``) with its
    full analysis; once the first result is in, ``--edits`` edits (default 10) are saved one
    after another, each a different number of the scenario written as a different word, each
    after the previous one's result arrived. Each is timed from the moment the file is written
    and closed to the moment this script receives the page's new ``ready`` event on the
    server's event stream (``/_signpost/events``) — watcher, validation, run, attribution of
    the change, the page rendered and the event sent, all included. The server's own figure
    for the same span, from the change seen to the event sent, is given beside it. Target:
    median ≤ 1 s.
(i) **a 21-value sweep**: ``signpost sweep scenarios/kazakhstan/baseline.yaml
    drivers.posture.states.expanded.p --from 0.05 --to 0.95 --json`` in a fresh process,
    ``--repeat`` times, each beside ``python -c "import pymc"`` run just before it (as
    ``bench.py`` does); the figure is the median of the paired ratios. Target: ≤ 1×.

Figures measured on a machine shared with other work are approximate; the load average is
printed with them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE)]

from bench import REFERENCE, SIGNPOST, run_child  # noqa: E402  (benchmarks/bench.py)

KAZAKHSTAN = ROOT / "scenarios" / "kazakhstan"
PAGE = "/kz-2022-baseline/"
SWEEP = [
    *SIGNPOST,
    "sweep",
    "scenarios/kazakhstan/baseline.yaml",
    "drivers.posture.states.expanded.p",
    "--from",
    "0.05",
    "--to",
    "0.95",
    "--steps",
    "21",
    "--json",
]
# Edits an analyst makes: one driver's probability written as another word, each time another
# driver (so no save puts the file back as it was, which the server answers without a run).
DRIVERS = ("price_demanded", "elite_infighting", "security_defections", "regime_secured",
           "ukraine_crisis")  # fmt: skip
WORDS = ("unlikely", "likely", "roughly even chance", "very unlikely", "very likely")
TIMEOUT = 120.0


def edit(number: int) -> str:
    """The ``drivers`` block the ``number``-th edit appends to the baseline."""
    driver = DRIVERS[number % len(DRIVERS)]
    word = WORDS[(number // len(DRIVERS) + number) % len(WORDS)]
    return f"\ndrivers:\n  {driver}:\n    p: {word}\n"


class Events:
    """The server's event stream, read on a thread: every event with the time it arrived."""

    def __init__(self, port: int):
        self.received: list[tuple[float, dict]] = []
        self.port = port
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        connection.request("GET", "/_signpost/events")
        response = connection.getresponse()
        for line in response:
            if line.startswith(b"data: "):
                event = json.loads(line[6:])
                with self.lock:
                    self.received.append((time.perf_counter(), event))

    def ready_after(self, version: int, since: float) -> tuple[float, dict]:
        """The first ``ready`` event of the baseline's page with a newer version, after
        ``since``; waits for it."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with self.lock:
                for at, event in self.received:
                    newer = event.get("version", 0) > version and event.get("state") == "ready"
                    if at >= since and event.get("page") == PAGE and newer:
                        return at, event
            time.sleep(0.002)
        raise TimeoutError(f"no new result for {PAGE} within {TIMEOUT:.0f} s")


def measure_serve(edits: int) -> dict:
    """(h): the seconds from each save to its new result."""
    with tempfile.TemporaryDirectory(prefix="signpost-edit-loop-") as folder:
        folder = Path(folder)
        for name in ("_base.yaml", "baseline.yaml"):
            shutil.copy(KAZAKHSTAN / name, folder / name)
        file = folder / "baseline.yaml"
        original = file.read_text(encoding="utf-8")
        process = subprocess.Popen(
            [*SIGNPOST, "serve", str(folder), "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            match = re.search(r"127\.0\.0\.1:(\d+)/", process.stdout.readline())
            if not match:
                raise RuntimeError(process.stderr.read())
            events = Events(int(match[1]))
            _, event = events.ready_after(0, 0.0)  # the first result
            version = event["version"]
            time.sleep(1.0)  # the watcher is watching
            client, server = [], []
            for number in range(edits):
                with open(file, "w", encoding="utf-8") as stream:
                    stream.write(original + edit(number))
                written = time.perf_counter()
                at, event = events.ready_after(version, written)
                version = event["version"]
                client.append(at - written)
                server.append(event.get("seconds", float("nan")))
                say(f"  edit {number + 1}: {client[-1]:.3f} s (server {server[-1]:.3f} s)")
        finally:
            process.terminate()
            process.communicate(timeout=30)
    return {"client": client, "server": server, "load": os.getloadavg()[0]}


def measure_sweep(repeat: int) -> dict:
    """(i): a 21-value sweep in a fresh process, beside ``import pymc``."""
    seconds, ratios = [], []
    for r in range(repeat):
        reference = run_child(REFERENCE)
        child = run_child(SWEEP)
        if child.rc != 0:
            raise RuntimeError(child.stderr[-2000:])
        values = json.loads(child.stdout)["values"]
        assert len(values) == 21
        seconds.append(child.seconds)
        ratios.append(child.seconds / reference.seconds)
        say(f"  repeat {r + 1}: sweep {child.seconds:.2f} s, import pymc "
            f"{reference.seconds:.2f} s, {ratios[-1]:.2f}×")  # fmt: skip
    return {"seconds": seconds, "ratios": ratios, "load": os.getloadavg()[0]}


def table(results: dict) -> str:
    lines = [
        "| row | median | min – max | target | met |",
        "| --- | ---: | ---: | ---: | :---: |",
    ]
    if "serve" in results:
        client, server = results["serve"]["client"], results["serve"]["server"]
        median = statistics.median(client)
        met = "yes" if median <= 1 else "**no**"
        lines.append(
            f"| (h) save → new result, Kazakhstan baseline with its full analysis, "
            f"{len(client)} edits (file written → event received) | {median:.2f} s | "
            f"{min(client):.2f} – {max(client):.2f} s | ≤ 1 s | {met} |"
        )
        lines.append(
            f"| (h) the same, the server's own figure (change seen → event sent) | "
            f"{statistics.median(server):.2f} s | {min(server):.2f} – {max(server):.2f} s | | |"
        )
    if "sweep" in results:
        ratios, seconds = results["sweep"]["ratios"], results["sweep"]["seconds"]
        ratio = statistics.median(ratios)
        lines.append(
            f"| (i) `signpost sweep` of 21 values on the baseline, fresh process | "
            f"{statistics.median(seconds):.2f} s, {ratio:.2f}× import pymc | "
            f"{min(ratios):.2f} – {max(ratios):.2f}× | ≤ 1× | {'yes' if ratio <= 1 else '**no**'} |"
        )
    loads = ", ".join(f"{k}: {v['load']:.1f}" for k, v in results.items())
    lines += ["", f"{os.cpu_count()} CPUs; load average (1 min) after each row: {loads}"]
    return "\n".join(lines)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=10, help="saves for (h) (default 10)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of (i) (default 5)")
    parser.add_argument("--only", choices=("serve", "sweep"), help="only (h) or (i)")
    parser.add_argument("--save", help="write the measurements to this JSON file")
    options = parser.parse_args()
    results = {}
    if options.only in (None, "serve"):
        say("(h) save → new result")
        results["serve"] = measure_serve(options.edits)
    if options.only in (None, "sweep"):
        say("(i) sweep of 21 values")
        results["sweep"] = measure_sweep(options.repeat)
    if options.save:
        Path(options.save).write_text(json.dumps(results, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
