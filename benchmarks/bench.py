"""Time the engine against issue 12's targets, every command in a fresh process.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/bench.py [--repeat N] [--scaling-repeat M] [--only main|scaling]
                                         [--rows abcde] [--sizes 4,8,12,16,20,24]
                                         [--save FILE] [--table-from FILE]

Every command is run ``--repeat`` times (default 5), each time as a whole fresh process, and
timed from start to exit (``time.perf_counter``) with its peak memory (the child's maximum
resident set size, from ``os.wait4``). The reference, ``python -c "import pymc"``, is run in
the same session, interleaved: once before every command of rows (a)-(e), once before each
size's group of commands in (f)-(g). Each figure is also given as a ratio to the reference run
just before it ("× import pymc": the median of those paired ratios), so that load on the
machine affects both alike. The Markdown table gives medians and min-max.

Rows (targets of issue 12, as ratios to ``import pymc``):

(a) ``signpost run scenarios/kazakhstan/baseline.yaml --json``: full run (what-ifs, timeline,
    analysis), target ≤ 1×;
(b) the same for ``benchmarks/scenarios/drivers_12.yaml`` (12 drivers, uncertain numbers), ≤ 2×;
(c) ``signpost report scenarios/kazakhstan --force --out TMP``: the five-scenario batch, ≤ 5×;
(d) ``signpost run benchmarks/scenarios/fixed_24.yaml --json`` (24 drivers, every number fixed),
    ≤ 2×, and its outcome and driver probabilities equal to pgmpy's VariableElimination within
    1e-6 (computed in this process by ``tests/support/reference.py``); beside it pgmpy's own fresh
    process on the same network (``benchmarks/pgmpy_run.py``, imports included);
(e) ``signpost run benchmarks/scenarios/drivers_20.yaml --json --seed S`` (20 drivers, uncertain
    numbers) with two seeds per repeat, ≤ 10×, every run ``"reliable": true`` and the two seeds
    of a repeat within 4 combined Monte Carlo standard errors on every outcome;
(f) scaling: ``drivers_NN.yaml`` for 4 to 24 drivers, ``--no-analysis`` and the full run;
(g) ``fixed_NN.yaml`` at the same sizes: Signpost beside a fresh pgmpy process answering the
    same settings as ``--no-analysis`` (main result, what-ifs, timeline), imports included.

Rows of issue 20 (evidence that piles up; ``--only rich``), as ratios to ``import pymc``:

(h) ``signpost run benchmarks/scenarios/rich_24.yaml --json --seed S`` (12 drivers, 24 observed
    indicators with uncertain numbers, hard and soft evidence, 33 settings), two seeds per
    repeat, ≤ 3×, every run reliable, the seeds within 4 combined MCSE, and every run within 4
    combined MCSE of a reference: a large posterior-shaped importance sample (``--method
    adaptive`` with 100 000 draws) whose own two seeds agree;
(i) the same for ``benchmarks/scenarios/strong_04.yaml`` (issue 12's strong evidence);
(k) the curve: ``rich_NN.yaml`` for 0 to 40 observed indicators, ``--no-analysis``, with prior
    draws only (``--method importance``: 4 000 draws, then 16 000 and 64 000) and with the
    adaptive step (``--method adaptive``): the smallest ESS over the settings, the draws it
    took, and the seconds of the whole process.

The NUTS fallback's cold start is measured on its own by ``benchmarks/fallback.py``.

The generated scenarios are written by ``benchmarks/generate.py`` when missing.
``--save FILE`` keeps every measurement so far in a JSON file (rewritten after each one, so an
interrupted session still has a table); ``--table-from FILE`` prints the table of such a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import generate  # noqa: E402  (benchmarks/generate.py)

PYTHON = sys.executable
_CONSOLE = Path(PYTHON).parent / "signpost"
SIGNPOST = [str(_CONSOLE)] if _CONSOLE.exists() else [PYTHON, "-m", "engine"]
KAZAKHSTAN = "scenarios/kazakhstan"
BASELINE = f"{KAZAKHSTAN}/baseline.yaml"
REFERENCE = [PYTHON, "-c", "import pymc"]
RICH = "benchmarks/scenarios/rich_24.yaml"
STRONG = "benchmarks/scenarios/strong_04.yaml"
REFERENCE_DRAWS = ["--draws", "25000", "--chains", "4", "--memory-mib", "12288"]  # (h), (i)
TOLERANCE = 1e-6  # (d), (g): |Signpost - pgmpy|
SEED_Z = 4.0  # (e): |p1 - p2| <= 4 sqrt(mcse1^2 + mcse2^2)


def scenario(n: int, *, fixed: bool) -> str:
    return str(generate.path_of(n, fixed=fixed).relative_to(ROOT))


# --- one fresh process ------------------------------------------------------------------------


@dataclass
class Child:
    seconds: float
    rss_mib: float  # peak resident set size of the child (and of the children it waited for)
    rc: int
    stdout: str
    stderr: str


def run_child(argv: list[str]) -> Child:
    """Run ``argv`` from the repository root; wall seconds, peak memory, exit code, output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            seconds,
            usage.ru_maxrss / 1024,  # KiB on Linux
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


# --- what is measured -------------------------------------------------------------------------


@dataclass
class Command:
    key: str
    label: str  # the command as a reader would type it
    argv: Callable[[int], list[str]]  # repeat index -> argv (seeds and folders may vary)
    kind: str  # "run" (Signpost JSON on stdout), "fixed" (the same, compared with pgmpy),
    # "report", "pgmpy"
    file: str | None = None  # the scenario, for "fixed"


def main_commands(tmp: Path) -> list[Command]:
    """Rows (a)-(e), in the order one repeat runs them."""
    fixed24, d12, d20 = (
        scenario(24, fixed=True),
        scenario(12, fixed=False),
        scenario(20, fixed=False),
    )
    return [
        Command(
            "a",
            f"`signpost run {BASELINE} --json`",
            lambda r: [*SIGNPOST, "run", BASELINE, "--json"],
            "run",
        ),
        Command(
            "b", f"`signpost run {d12} --json`", lambda r: [*SIGNPOST, "run", d12, "--json"], "run"
        ),
        Command(
            "c",
            f"`signpost report {KAZAKHSTAN} --force --out TMP`",
            lambda r: [*SIGNPOST, "report", KAZAKHSTAN, "--force", "--out", str(tmp / f"r{r}")],
            "report",
        ),
        Command(
            "d",
            f"`signpost run {fixed24} --json`",
            lambda r: [*SIGNPOST, "run", fixed24, "--json"],
            "fixed",
            fixed24,
        ),
        Command(
            "d_pgmpy",
            f"`python benchmarks/pgmpy_run.py {fixed24}` (pgmpy, main result)",
            lambda r: [PYTHON, "benchmarks/pgmpy_run.py", fixed24],
            "pgmpy",
        ),
        Command(
            "e",
            f"`signpost run {d20} --json --seed S` (first seed)",
            lambda r: [*SIGNPOST, "run", d20, "--json", "--seed", str(1001 + 2 * r)],
            "run",
        ),
        Command(
            "e2",
            f"`signpost run {d20} --json --seed S'` (second seed)",
            lambda r: [*SIGNPOST, "run", d20, "--json", "--seed", str(1002 + 2 * r)],
            "run",
        ),
    ]


def issue20_commands() -> list[Command]:
    """Rows (h)-(i), two seeds each, in the order one repeat runs them."""
    out = []
    for key, file in (("h", RICH), ("i", STRONG)):
        for second, offset in (("", 1), ("2", 2)):
            out.append(
                Command(
                    key + second,
                    f"`signpost run {file} --json --seed S{chr(39) if second else ''}`",
                    lambda r, f=file, o=offset: [
                        *SIGNPOST, "run", f, "--json", "--seed", str(2000 + 2 * r + o)
                    ],
                    "run",
                )
            )  # fmt: skip
    return out


def reference_commands() -> list[Command]:
    """The references of (h)-(i): 100 000 draws of the adaptive step, two seeds (not timed
    against a target)."""
    return [
        Command(
            f"{key}_ref{seed}",
            f"`signpost run {file} --method adaptive {' '.join(REFERENCE_DRAWS)} --seed {seed}`",
            lambda r, f=file, s=seed: [
                *SIGNPOST, "run", f, "--json", "--no-analysis", "--method", "adaptive",
                *REFERENCE_DRAWS, "--seed", str(s),
            ],
            "run",
        )
        for key, file in (("h", RICH), ("i", STRONG))
        for seed in (1, 2)
    ]  # fmt: skip


def curve_commands(observed: int) -> list[Command]:
    """Row (k) for one number of observed indicators."""
    file = str(generate.rich_path(observed).relative_to(ROOT))
    return [
        Command(
            f"k{observed}_{method}",
            f"`signpost run {file} --json --no-analysis --method {method}`",
            lambda r, m=method: [*SIGNPOST, "run", file, "--json", "--no-analysis", "--method", m],
            "run",
        )
        for method in ("importance", "adaptive")
    ]


def scaling_commands(n: int) -> list[Command]:
    """Rows (f)-(g) for one size."""
    uncertain, fixed = scenario(n, fixed=False), scenario(n, fixed=True)
    run = [*SIGNPOST, "run"]
    return [
        Command(
            f"f{n}_quick",
            f"`signpost run {uncertain} --json --no-analysis`",
            lambda r: [*run, uncertain, "--json", "--no-analysis"],
            "run",
        ),
        Command(
            f"f{n}_full",
            f"`signpost run {uncertain} --json`",
            lambda r: [*run, uncertain, "--json"],
            "run",
        ),
        Command(
            f"g{n}_quick",
            f"`signpost run {fixed} --json --no-analysis`",
            lambda r: [*run, fixed, "--json", "--no-analysis"],
            "fixed",
            fixed,
        ),
        Command(
            f"g{n}_full",
            f"`signpost run {fixed} --json`",
            lambda r: [*run, fixed, "--json"],
            "fixed",
            fixed,
        ),
        Command(
            f"g{n}_pgmpy",
            f"`python benchmarks/pgmpy_run.py {fixed} --settings results`",
            lambda r: [PYTHON, "benchmarks/pgmpy_run.py", fixed, "--settings", "results"],
            "pgmpy",
        ),
    ]


# --- checking what a run printed --------------------------------------------------------------

_pgmpy_answers: dict[str, dict] = {}


def pgmpy_answer(file: str) -> dict:
    """pgmpy's answers for a generated fixed scenario, computed once in this process."""
    if file not in _pgmpy_answers:
        import yaml
        from pgmpy_run import solve  # benchmarks/pgmpy_run.py: tests/support/reference.py's builder

        _pgmpy_answers[file] = solve(yaml.safe_load((ROOT / file).read_text()), "results")
    return _pgmpy_answers[file]


def largest_difference(mine: dict, theirs: dict) -> float:
    """max |p - p'| over the outcomes and drivers of one setting."""
    return max(
        abs(mine[part][name] - value)
        for part in ("outcomes", "drivers")
        for name, value in theirs[part].items()
    )


def settings_of(answer: dict) -> dict:
    """The outcome and driver probabilities of one setting of a Signpost JSON result."""
    return {part: {k: v["p"] for k, v in answer[part].items()} for part in ("outcomes", "drivers")}


def compare_with_pgmpy(answers: dict, file: str) -> dict[str, float]:
    """max |Signpost - pgmpy| for the main result, and over every setting (what-ifs, timeline)."""
    theirs = pgmpy_answer(file)
    main = largest_difference(answers["main"], theirs["main"])
    others = [largest_difference(answers["what_if"][w], a) for w, a in theirs["what_if"].items()]
    others += [largest_difference(answers["timeline"][t["date"]], t) for t in theirs["timeline"]]
    return {"max_diff_main": main, "max_diff_all": max([main, *others])}


def check_fixed_runs(data: dict) -> None:
    """Compare every fixed-number run with pgmpy, in this process, once all timings are done.

    Not earlier: a child process forked from this one counts this process's memory in its peak
    RSS until it execs, and pgmpy makes this process large.
    """
    import warnings

    warnings.simplefilter("ignore", FutureWarning)  # pgmpy's own deprecation notices
    for records in data["runs"].values():
        for record in records:
            if "answers" in record:
                record.update(compare_with_pgmpy(record.pop("answers"), record.pop("file")))


def record_of(command: Command, child: Child, reference: float) -> dict:
    """What is kept of one run: time, memory, exit code and what its output says."""
    record = {
        "seconds": child.seconds,
        "reference": reference,
        "ratio": child.seconds / reference,
        "rss_mib": child.rss_mib,
        "rc": child.rc,
    }
    # `run` exits 1 when an expectation fails (the run itself is complete); `report` exits 1
    # when a scenario failed.
    ok = child.rc == 0 or (child.rc == 1 and command.kind in ("run", "fixed"))
    if ok and command.kind in ("run", "fixed"):
        try:
            result = json.loads(child.stdout)
        except json.JSONDecodeError:
            ok = False
        else:
            record["reliable"] = bool(result.get("reliable"))
            diagnostics = result.get("diagnostics", {})
            record["method"] = diagnostics.get("method")
            record["ess"] = diagnostics.get("ess")
            record["pareto_k"] = diagnostics.get("pareto_k")
            record["draws"] = diagnostics.get("draws")
            record["expect_failed"] = child.rc == 1
            record["outcomes"] = {
                k: {"p": v["p"], "mcse": v.get("mcse", 0.0)} for k, v in result["outcomes"].items()
            }
            if command.kind == "fixed":  # compared with pgmpy after the timings (see Session)
                record["file"] = command.file
                record["answers"] = {
                    "main": settings_of(result),
                    "what_if": {w: settings_of(a) for w, a in result["what_if"].items()},
                    "timeline": {t["date"]: settings_of(t) for t in result["timeline"]},
                }
    if not ok:
        record["failed"] = child.stderr.strip().splitlines()[-6:] or [f"exit {child.rc}"]
    return record


# --- the session ------------------------------------------------------------------------------


class Session:
    """Runs commands, keeps every measurement (and saves it after each one with ``--save``)."""

    def __init__(self, save: str | None):
        self.save = save
        self.data: dict = {
            "meta": {
                "started": dt.datetime.now().isoformat(timespec="seconds"),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "machine": platform.machine(),
                "commit": git_commit(),
                "load": [],
            },
            "labels": {},
            "runs": {},
        }
        self.reference = math.nan

    def keep(self) -> None:
        if self.save:
            Path(self.save).write_text(json.dumps(self.data, indent=1))

    def measure_reference(self) -> None:
        child = run_child(REFERENCE)
        if child.rc != 0:
            raise RuntimeError(f"`import pymc` failed:\n{child.stderr[-2000:]}")
        self.reference = child.seconds
        self.data["runs"].setdefault("ref", []).append(
            {"seconds": child.seconds, "rss_mib": child.rss_mib, "rc": 0}
        )
        say(f"  import pymc: {child.seconds:.2f} s")
        self.keep()

    def measure(self, command: Command, repeat: int) -> dict:
        child = run_child(command.argv(repeat))
        record = record_of(command, child, self.reference)
        if command.kind == "report" and child.rc == 0:
            written = [p for p in Path(command.argv(repeat)[-1]).iterdir() if p.is_dir()]
            record["reports"] = len(written)
        self.data["labels"][command.key] = command.label
        self.data["runs"].setdefault(command.key, []).append(record)
        status = "FAILED " + " | ".join(record["failed"]) if "failed" in record else ""
        if record.get("reliable") is False:
            status += " (unreliable)"
        say(
            f"  {command.key}: {child.seconds:.2f} s ({record['ratio']:.2f}×), "
            f"{child.rss_mib:.0f} MiB {status}"
        )
        self.keep()
        return record

    def note_load(self, when: str) -> None:
        self.data["meta"]["load"].append([when, *[round(x, 2) for x in os.getloadavg()]])


def git_commit() -> str:
    """The checkout measured: HEAD, and "+ local changes" when the working tree differs."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'unknown'}{' + local changes' if changed else ''}"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(options: argparse.Namespace) -> dict:
    generate.ensure(options.sizes)
    session = Session(options.save)
    meta = session.data["meta"]
    meta.update(
        repeat=options.repeat if options.only != "scaling" else 0,
        scaling_repeat=options.scaling_repeat if options.only != "main" else 0,
        sizes=options.sizes,
    )
    started = time.perf_counter()
    if options.only in (None, "main") and options.rows:
        generate.ensure((12, 20, 24))
        with tempfile.TemporaryDirectory(prefix="signpost-bench-") as folder:
            commands = [c for c in main_commands(Path(folder)) if c.key[0] in options.rows]
            for repeat in range(options.repeat):
                say(f"rows (a)-(e), repeat {repeat + 1} of {options.repeat}")
                session.note_load(f"(a)-(e) repeat {repeat + 1}")
                for command in commands:
                    session.measure_reference()
                    session.measure(command, repeat)
    if options.only in (None, "rich"):
        generate.ensure()
        for repeat in range(options.repeat):
            say(f"rows (h)-(i), repeat {repeat + 1} of {options.repeat}")
            session.note_load(f"(h)-(i) repeat {repeat + 1}")
            for command in issue20_commands():
                session.measure_reference()
                session.measure(command, repeat)
        say("references of (h)-(i)")
        for command in reference_commands():
            session.measure(command, 0)
        for repeat in range(options.scaling_repeat):
            say(f"row (k), repeat {repeat + 1} of {options.scaling_repeat}")
            for observed in generate.CURVE:
                session.measure_reference()
                for command in curve_commands(observed):
                    session.measure(command, repeat)
    if options.only in (None, "scaling"):
        for repeat in range(options.scaling_repeat):
            say(f"rows (f)-(g), repeat {repeat + 1} of {options.scaling_repeat}")
            session.note_load(f"(f)-(g) repeat {repeat + 1}")
            for n in options.sizes:
                session.measure_reference()
                for command in scaling_commands(n):
                    session.measure(command, repeat)
    session.note_load("end")
    say("comparing the fixed-number runs with pgmpy")
    check_fixed_runs(session.data)
    meta["wall_seconds"] = time.perf_counter() - started
    session.keep()
    return session.data


# --- the tables -------------------------------------------------------------------------------

TARGETS = {"a": 1.0, "b": 2.0, "c": 5.0, "d": 2.0, "e": 10.0, "h": 3.0, "i": 3.0}
MAIN_ROWS = [
    ("a", "(a) Kazakhstan baseline, full run"),
    ("b", "(b) 12 drivers, uncertain numbers, full run"),
    ("c", "(c) Kazakhstan batch of five, `report --force`"),
    ("d", "(d) 24 drivers, every number fixed, full run"),
    ("d_pgmpy", "(d) pgmpy on the same network (main result)"),
    ("e", "(e) 20 drivers, uncertain numbers, full run (both seeds)"),
    ("h", "(h) evidence-rich: 12 drivers, 24 observed indicators, full run (both seeds)"),
    ("i", "(i) strong evidence (issue 12), full run (both seeds)"),
]


def good(records: list[dict]) -> list[dict]:
    return [r for r in records if "failed" not in r]


def spread(values: list[float], unit: str = "", digits: int = 2) -> tuple[str, str]:
    """(median, 'min – max') as text."""
    if not values:
        return "–", "–"
    f = f"{{:.{digits}f}}{unit}"
    return f.format(statistics.median(values)), f"{f.format(min(values))} – {f.format(max(values))}"


def runs_of(data: dict, key: str) -> list[dict]:
    if key in ("e", "h", "i"):
        return data["runs"].get(key, []) + data["runs"].get(key + "2", [])
    return data["runs"].get(key, [])


def _z(one: dict, two: dict) -> float:
    """The worst |p1 - p2| / sqrt(mcse1² + mcse2²) over the outcomes of two runs."""
    worst = 0.0
    for k, a in one["outcomes"].items():
        b = two["outcomes"][k]
        scale = math.hypot(a["mcse"], b["mcse"])
        z = abs(a["p"] - b["p"]) / scale if scale > 0 else (0 if a["p"] == b["p"] else math.inf)
        worst = max(worst, z)
    return worst


def seed_agreement(data: dict, key: str = "e") -> tuple[float, int]:
    """(worst |p1 - p2| / sqrt(mcse1² + mcse2²) over outcomes and repeats, pairs compared)."""
    worst, pairs = 0.0, 0
    for one, two in zip(data["runs"].get(key, []), data["runs"].get(key + "2", [])):
        if "outcomes" not in one or "outcomes" not in two:
            continue
        pairs += 1
        worst = max(worst, _z(one, two))
    return worst, pairs


def reference_agreement(data: dict, key: str) -> tuple[float, float] | None:
    """(the reference's own two seeds, the worst run against the reference seed 1), in
    combined MCSE; None without a reference."""
    refs = [data["runs"].get(f"{key}_ref{s}", [{}])[0] for s in (1, 2)]
    if not all("outcomes" in r for r in refs):
        return None
    runs = [r for r in runs_of(data, key) if "outcomes" in r]
    return _z(*refs), max((_z(r, refs[0]) for r in runs), default=math.nan)


def verdicts(data: dict) -> dict[str, tuple[bool | None, str]]:
    """For each target: met (True/False, None when not measured) and the figures behind it."""
    out: dict[str, tuple[bool | None, str]] = {}
    for key, target in TARGETS.items():
        records = runs_of(data, key)
        if not records:
            continue
        failed = len(records) - len(good(records))
        ratios = [r["ratio"] for r in good(records)]
        ratio = statistics.median(ratios) if ratios else math.inf
        notes = [f"{ratio:.2f}× (target ≤ {target:g}×)"]
        met = ratio <= target and failed == 0
        if failed:
            notes.append(f"{failed} of {len(records)} runs failed")
        if key == "c":
            short = [r for r in good(records) if r.get("reports") != 5]
            if short:
                met = False
                notes.append(f"{len(short)} runs wrote fewer than 5 reports")
        if key == "d":
            diffs = [r["max_diff_main"] for r in good(records) if "max_diff_main" in r]
            every = [r["max_diff_all"] for r in good(records) if "max_diff_all" in r]
            if diffs:
                agree = max(diffs) <= TOLERANCE
                met = met and agree
                notes.append(
                    f"max |Δ| vs pgmpy {max(diffs):.1e} (main), {max(every):.1e} (what-ifs and "
                    f"timeline too): {'≤' if agree else '>'} 1e-6"
                )
        if key in ("h", "i"):
            agreement = reference_agreement(data, key)
            if agreement is None:
                met = False
                notes.append("no reference")
            else:
                own, worst_run = agreement
                met = met and own <= SEED_Z and worst_run <= SEED_Z
                notes.append(
                    f"reference (100 000 adaptive draws): its two seeds {own:.2f} combined MCSE "
                    f"apart; worst run {worst_run:.2f} from it (≤ 4)"
                )
        if key in ("e", "h", "i"):
            reliable = sum(bool(r.get("reliable")) for r in good(records))
            worst, pairs = seed_agreement(data, key)
            met = met and reliable == len(records) and worst <= SEED_Z
            notes.append(f"reliable in {reliable} of {len(records)} runs")
            notes.append(
                f"seeds agree: worst |p1 − p2| = {worst:.2f} combined MCSE over {pairs} pairs (≤ 4)"
            )
        out[key] = (met, "; ".join(notes))
    return out


def row(*cells: object) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main_table(data: dict) -> list[str]:
    lines = [
        row("row", "median s", "min – max s", "× import pymc", "min – max ×", "peak RSS MiB",
            "target", "met"),
        row("---", "---:", "---:", "---:", "---:", "---:", "---:", ":---:"),
    ]  # fmt: skip
    ref = data["runs"].get("ref", [])
    median, span = spread([r["seconds"] for r in ref])
    rss = max((r["rss_mib"] for r in ref), default=0)
    lines.append(row('reference: `python -c "import pymc"`', median, span, "1", "", f"{rss:.0f}",
                     "", ""))  # fmt: skip
    verdict = verdicts(data)
    for key, label in MAIN_ROWS:
        records = runs_of(data, key)
        ok = good(records)
        if not records:
            continue
        if not ok:
            lines.append(row(label, "failed", *[""] * 6))
            continue
        median, span = spread([r["seconds"] for r in ok])
        ratio, ratio_span = spread([r["ratio"] for r in ok])
        rss = max(r["rss_mib"] for r in ok)
        target = f"≤ {TARGETS[key]:g}×" if key in TARGETS else ""
        met = {True: "yes", False: "**no**", None: ""}[verdict[key][0]] if key in TARGETS else ""
        lines.append(row(label, median, span, f"{ratio}×", ratio_span, f"{rss:.0f}", target, met))
    lines += ["", "Targets:", ""]
    for key, (met, notes) in verdict.items():
        word = {True: "met", False: "NOT met", None: "not measured"}[met]
        lines.append(f"- ({key}) {word}" + (f": {notes}" if notes else ""))
    return lines


def scaling_tables(data: dict) -> list[str]:
    sizes = sorted(
        {int(k[1:].split("_")[0]) for k in data["runs"] if k[0] in "fg" and k[1].isdigit()}
    )
    if not sizes:
        return []

    def cell(key: str) -> tuple[str, str, str, list[dict]]:
        ok = good(data["runs"].get(key, []))
        if not ok:
            return ("failed" if data["runs"].get(key) else "–"), "", "", ok
        median, span = spread([r["seconds"] for r in ok])
        ratio, _ = spread([r["ratio"] for r in ok])
        return f"{median} ({span})", f"{ratio}×", f"{max(r['rss_mib'] for r in ok):.0f}", ok

    lines = [
        "(f) Uncertain numbers (`drivers_NN.yaml`): seconds, median (min – max), and peak RSS",
        "",
        row("drivers", "`--no-analysis` s", "× import pymc", "peak MiB", "full run s",
            "× import pymc", "peak MiB", "reliable runs"),
        row(*["---:"] * 8),
    ]  # fmt: skip
    for n in sizes:
        quick, quick_ratio, quick_rss, a = cell(f"f{n}_quick")
        full, full_ratio, full_rss, b = cell(f"f{n}_full")
        reliable = f"{sum(bool(r.get('reliable')) for r in a + b)} / {len(a + b)}"
        lines.append(row(n, quick, quick_ratio, quick_rss, full, full_ratio, full_rss, reliable))
    lines += [
        "",
        "(g) Every number fixed (`fixed_NN.yaml`): Signpost beside pgmpy, fresh processes, "
        "imports included; pgmpy answers the same settings as `--no-analysis` (main result, "
        "what-ifs, timeline)",
        "",
        row("drivers", "Signpost `--no-analysis` s", "× import pymc", "Signpost full run s",
            "× import pymc", "pgmpy s", "× import pymc", "Signpost `--no-analysis` / pgmpy",
            "max \\|Δ\\| vs pgmpy"),
        row(*["---:"] * 9),
    ]  # fmt: skip
    for n in sizes:
        quick, quick_ratio, _, a = cell(f"g{n}_quick")
        full, full_ratio, _, b = cell(f"g{n}_full")
        theirs, their_ratio, _, c = cell(f"g{n}_pgmpy")
        relative = "–"
        if a and c:
            mine = statistics.median(r["seconds"] for r in a)
            relative = f"{mine / statistics.median(r['seconds'] for r in c):.2f}"
        diffs = [r["max_diff_all"] for r in a + b if "max_diff_all" in r]
        diff = f"{max(diffs):.1e}" if diffs else "–"
        lines.append(row(n, quick, quick_ratio, full, full_ratio, theirs, their_ratio, relative,
                         diff))  # fmt: skip
    return lines


def curve_table(data: dict) -> list[str]:
    """Row (k): ESS and seconds against observed indicators, prior draws and adaptive step."""
    counts = sorted({int(k[1:].split("_")[0]) for k in data["runs"] if k[0] == "k"})
    if not counts:
        return []
    lines = [
        "(k) ESS and seconds against observed indicators (`rich_NN.yaml`, `--no-analysis`: "
        "the smallest ESS over 9 settings, the draws it took, Pareto k, seconds of the process)",
        "",
        row("observed", "prior draws: ESS (draws)", "k", "s", "reliable", "adaptive: ESS (draws)",
            "k", "s", "reliable"),
        row(*["---:"] * 9),
    ]  # fmt: skip
    for n in counts:
        cells = [n]
        for method in ("importance", "adaptive"):
            ok = good(data["runs"].get(f"k{n}_{method}", []))
            if not ok:
                cells += ["failed", "", "", ""]
                continue
            ess = statistics.median(r["ess"] or 0 for r in ok)
            draws = statistics.median(r["draws"] or 0 for r in ok)
            khat = statistics.median(r["pareto_k"] if r["pareto_k"] is not None else math.inf
                                     for r in ok)  # fmt: skip
            seconds = statistics.median(r["seconds"] for r in ok)
            reliable = f"{sum(bool(r.get('reliable')) for r in ok)} / {len(ok)}"
            cells += [f"{ess:.0f} ({draws:.0f})", f"{khat:.2f}", f"{seconds:.1f}", reliable]
        lines.append(row(*cells))
    return lines


def table(data: dict) -> str:
    meta = data["meta"]
    loads = ", ".join(f"{when}: {one}" for when, one, _, _ in meta.get("load", []))
    lines = [
        f"{meta['cpus']} CPUs ({meta['machine']}), Python {meta['python']}, "
        f"commit {meta.get('commit', 'unknown')}, started "
        f"{meta['started']}; repeats: {meta.get('repeat')} for (a)-(e), "
        f"{meta.get('scaling_repeat')} for (f)-(g)"
        + (f"; wall time {meta['wall_seconds'] / 60:.1f} min" if "wall_seconds" in meta else ""),
        "",
        f"Load average (1 min) at the start of each repeat: {loads or '–'}",
        "",
    ]
    if any(k in data["runs"] for k in ("a", "b", "c", "d", "d_pgmpy", "e", "h", "i")):
        lines += main_table(data) + [""]
    lines += curve_table(data) + [""]
    lines += scaling_tables(data)
    failures = [
        f"- {key} (run {i + 1}): " + " | ".join(r["failed"])
        for key, records in data["runs"].items()
        for i, r in enumerate(records)
        if "failed" in r
    ]
    if failures:
        lines += ["", "Failed runs:", "", *failures]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repeats of (a)-(e) (default 5)")
    parser.add_argument("--scaling-repeat", type=int, help="repeats of (f)-(g) (default: --repeat)")
    parser.add_argument(
        "--only", choices=("main", "scaling", "rich"), help="only (a)-(e), (f)-(g) or (h)-(k)"
    )
    parser.add_argument(
        "--rows", default="abcde", help="which of rows (a)-(e) to run, e.g. --rows ac (default all)"
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(x) for x in text.split(",")],
        default=list(generate.SIZES),
        help="driver counts of (f)-(g), comma-separated (default 4,8,12,16,20,24)",
    )
    parser.add_argument("--save", help="keep every measurement so far in this JSON file")
    parser.add_argument("--table-from", help="only print the table of a --save file")
    options = parser.parse_args()
    if options.table_from:
        data = json.loads(Path(options.table_from).read_text())
        check_fixed_runs(data)  # a session interrupted before its pgmpy comparison
        print(table(data))
        return
    if options.scaling_repeat is None:
        options.scaling_repeat = options.repeat
    data = measure(options)
    print(table(data))


if __name__ == "__main__":
    main()
