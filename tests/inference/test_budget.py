"""The memory budget (``inference.memory_mib``, ``--memory-mib``; ``engine.inference.budget``).

A method asked for that would not fit is refused before it starts: bad input, exit 2, one line
that says how to raise the budget, no traceback. A step of ``auto`` that would not fit is left
out, and the setting's unreliable result says which and why. And a run that fits its budget
stays within it: the peak resident memory of a real ``signpost run`` process is measured.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.inference import InferenceOptions
from engine.inference.auto import AutoEvaluator
from engine.inference.network import network_of
from engine.scenario.schema import Scenario
from tests.support.networks import strong_scenario

ROOT = Path(__file__).resolve().parents[2]
SIGNPOST = [sys.executable, "-m", "engine"]
RICH = ROOT / "benchmarks" / "scenarios" / "rich_24.yaml"


# The child reports its own peak from /proc/self/status (VmHWM, reset when it execs): the
# peak that wait4 reports would count the pages of the forking test worker too.
_PEAK = """
import sys
from engine.cli import main
code = main(sys.argv[1:])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
sys.stderr.write(f"\\nPEAK_KIB {peak}\\n")
sys.exit(code)
"""


def _signpost(*args: str, cwd: Path = ROOT) -> tuple[subprocess.CompletedProcess, float]:
    """Run signpost in a fresh process: its result and its own peak resident memory in MiB."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    *rest, last = done.stderr.rstrip().splitlines() or [""]
    assert last.startswith("PEAK_KIB "), done.stderr[-2000:]
    done.stderr = "\n".join(rest)
    return done, int(last.split()[1]) / 1024


@pytest.fixture()
def strong_file() -> Path:
    """The strong-evidence case as a file (``tests/support/networks.py::strong_scenario``)."""
    return ROOT / "benchmarks" / "scenarios" / "strong_04.yaml"


def test_prior_draws_beyond_the_budget_are_refused_as_bad_input(strong_file):
    done, _ = _signpost(
        "run", str(strong_file), "--draws", "100000", "--chains", "16", "--memory-mib", "512"
    )
    assert done.returncode == 2, done.stderr
    assert "memory budget of 512 MiB" in done.stderr and "--memory-mib" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_nuts_asked_for_beyond_the_budget_is_refused_before_it_compiles(strong_file):
    done, peak = _signpost("run", str(strong_file), "--method", "nuts", "--memory-mib", "1024")
    assert done.returncode == 2, done.stderr
    assert "NUTS not run" in done.stderr and "memory budget of 1.0 GiB" in done.stderr
    assert peak < 1024  # nothing was compiled


def test_a_budget_below_the_limit_is_bad_input_naming_the_option(strong_file):
    done, _ = _signpost("run", str(strong_file), "--memory-mib", "100")
    assert done.returncode == 2 and "--memory-mib" in done.stderr and "512" in done.stderr


def test_auto_leaves_out_the_steps_that_do_not_fit_and_says_so():
    """160 000 prior draws fit 512 MiB; the adaptive step (two more such sets) and NUTS do not:
    the strong-evidence setting stays with its unreliable prior draws, naming both steps."""
    spec = strong_scenario("auto")
    spec["inference"] |= {"draws": 40_000, "chains": 4, "memory_mib": 512}
    network = network_of(Scenario.model_validate(spec))
    evaluator = AutoEvaluator(network, InferenceOptions.of(network.scenario))
    condition = evaluator(network.setting())
    d = condition.diagnostics
    assert d.method == "importance" and not condition.reliable
    problems = " | ".join(d.reliability.problems)
    assert "the adaptive step not run" in problems and "NUTS not run" in problems, problems
    assert "memory budget of 512 MiB" in problems
    assert evaluator._nuts is None  # PyMC never imported for it


def test_auto_leaves_out_nuts_when_its_model_would_be_too_wide_and_says_so(monkeypatch):
    """A graph whose sums run over what they need but whose whole graph is too wide to sum
    at once (the munin networks): the PyMC model sums every driver, so the fallback is left
    out with a sentence saying why, and the run keeps the answer it has instead of failing."""
    from models.elimination import Eliminator, TooWide

    whole = Eliminator.check_width

    def check_width(self, pruned=True):
        if not pruned:
            raise TooWide(("a", "b"), (2, 2), 2**30, 2**28)
        return whole(self, pruned)

    monkeypatch.setattr(Eliminator, "check_width", check_width)
    network = network_of(Scenario.model_validate(strong_scenario("auto")))
    evaluator = AutoEvaluator(network, InferenceOptions.of(network.scenario), adaptive=False)
    condition = evaluator(network.setting())
    assert condition.diagnostics.method == "importance" and not condition.reliable
    problems = " | ".join(condition.diagnostics.reliability.problems)
    assert "NUTS not run: its model sums every driver at once" in problems, problems
    assert "too wide to sum out" in problems
    assert evaluator._nuts is None


@pytest.mark.parametrize("budget", [None, "1024"])
def test_a_run_stays_within_its_memory_budget(budget):
    """The evidence-rich benchmark (prior draws, then the adaptive step; 33 settings): the
    whole process's peak resident memory stays under the budget (2 GiB by default)."""
    extra = [] if budget is None else ["--memory-mib", budget]
    done, peak = _signpost("run", str(RICH), "--json", "--no-analysis", *extra)
    assert done.returncode in (0, 1), done.stderr
    assert peak < int(budget or 2048), f"peak {peak:.0f} MiB"
