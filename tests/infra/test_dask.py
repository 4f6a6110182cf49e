"""Batches on Dask: ``--scheduler ADDRESS`` and ``--dask N`` beside the local pool.

- a report made on Dask is the report made locally, byte for byte apart from times and host
  names (fixed numbers, and one sampled scenario with the same seed);
- a worker needs no file of the batch: it gets the merged scenario and returns the files;
- outcomes come as they finish, or (``in_order``, as ``score`` and a sweep want) in task order;
- a worker killed mid-task: Dask gives its task to another worker and the batch completes, with
  the numbers a local run gives;
- a scenario that fails on a worker is listed as it is locally; the rest are reported;
- Ctrl-C: the futures are cancelled, one line, exit 130, no worker left, the dashboard was real;
- a scheduler that cannot be reached: exit 2 naming the address, nothing written;
- ``check`` and ``score`` on Dask print what they print locally (score against a closed form);
- without ``--scheduler`` / ``--dask``, Dask is not even imported.

The LocalCluster of most tests (two workers, on 127.0.0.1) is started once for the module and
reached through ``--scheduler``, as a real cluster would be; ``--dask`` starts its own.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.exit import batch_exit_code
from engine.infra.executor import Executor, ExecutorError
from engine.infra.workers import run_tasks
from engine.report.batch import Rendered, RunOptions, plan, render_one, report_batch
from tests.support import ROOT
from tests.support.faults import (
    alive,
    assert_whole,
    descendants,
    ignores_sigint,
    needs_proc,
    session,
    snapshot,
    start_report,
    temporaries,
    uncertain_batch,
    wait_for,
    workers,
)
from tests.support.reports import write_batch

distributed = pytest.importorskip("distributed")  # the test extra installs it


SAMPLED = RunOptions(draws=200, chains=2, seed=11)
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
SECONDS = re.compile(r'(<th>(?:seconds|time)</th><td class="num">|- (?:seconds|time): )[0-9.]+')


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two worker processes for this module; yields a client of it."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        yield client


def address(client) -> str:
    return client.scheduler.address


def without_times(out: Path) -> dict[str, bytes]:
    """Every file under ``out``, with what differs from run to run taken out: the time a report
    was generated, the seconds it and its sampling took, the host that made it."""
    files = {}
    for name, data in snapshot(out).items():
        if name.endswith("manifest.json"):
            manifest = json.loads(data)
            for key in ("generated", "seconds", "host"):
                manifest.pop(key)
            data = json.dumps(manifest, sort_keys=True).encode()
        elif name.endswith((".html", ".md")):
            text = TIME.sub("TIME", data.decode())
            data = SECONDS.sub(r"\g<1>SECONDS", text).encode()
        files[name] = data
    return files


def too_wide(folder: Path, drivers: int = 26) -> Path:
    """A valid scenario that cannot be run: every driver pushes one outcome (2^26 states)."""
    lines = ["signpost: 1", "id: too-wide", "title: Every driver pushes one outcome", "drivers:"]
    for i in range(drivers):
        lines += [f"  d{i:02d}:", f"    label: Factor {i}", "    p: 0.5"]
    lines += ["outcomes:", "  a:", "    label: A", "    drivers:"]
    lines += [f"      d{i:02d}: 1.0" for i in range(drivers)]
    lines += ["  b:", "    label: B"]
    path = folder / "too_wide.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mixed_batch(folder: Path) -> Path:
    """Two fixed-number scenarios (one with hostile text), one sampled, one too wide to run."""
    write_batch(folder, other=True)
    uncertain_batch(folder, 1)
    too_wide(folder)
    return folder


# --- the same report --------------------------------------------------------------------------


def test_a_report_made_on_dask_is_the_report_made_locally(tmp_path, capsys):
    source = mixed_batch(tmp_path / "scenarios")
    here, there = tmp_path / "here", tmp_path / "there"
    options = ["--draws", "200", "--chains", "2", "--seed", "11"]
    assert main(["report", str(source), "--out", str(here), "-j", "1", *options]) == 2
    local = capsys.readouterr()
    assert main(["report", str(source), "--out", str(there), "--dask", "2", *options]) == 2
    dask = capsys.readouterr()

    assert "on a local Dask cluster at tcp://127.0.0.1:" in dask.out
    assert re.search(r"dashboard http://127\.0\.0\.1:\d+/status", dask.out)
    assert "Traceback" not in dask.err
    for out in (local.out, dask.out):  # the failure on a worker is listed as the local one
        assert "FAILED     " in out and "too_wide.yaml" in out and "too wide to sum out" in out
        assert "3 reported, 0 unchanged, 1 failed" in out
    mine, theirs = without_times(here), without_times(there)
    assert sorted(mine) == sorted(theirs)
    assert {"m1/posterior.nc", "calm/index.html", "hostile/outcomes.csv"} <= set(mine)
    assert not (there / "too-wide").exists()
    different = [name for name in mine if mine[name] != theirs[name]]
    assert different == []
    host = json.loads((there / "m1" / "manifest.json").read_text())["host"]
    assert host == socket.gethostname()  # the worker's, which here is this machine


def test_a_worker_needs_no_file_of_the_batch(tmp_path, cluster):
    source = write_batch(tmp_path / "scenarios", other=True)
    out = tmp_path / "reports"
    tasks, _ = plan([source], out, RunOptions(), force=True)
    shutil.rmtree(source)  # the workers get the merged scenario, not a path to read
    executor = Executor(scheduler=address(cluster))
    outcomes = {
        task.scenario.id: outcome
        for task, outcome in run_tasks(render_one, tasks, executor=executor)
    }
    assert set(outcomes) == {"calm", "hostile"}
    for rendered in outcomes.values():
        assert isinstance(rendered, Rendered) and not rendered.error
        assert list(rendered.files)[-2:] == ["report.md", "index.html"]
        assert rendered.files["index.html"].rstrip().endswith(b"</html>")
    assert "wet" in outcomes["hostile"].files["outcomes.csv"].decode()
    assert not out.exists()  # nothing was written by a worker


def test_outcomes_come_as_they_finish_or_in_the_order_of_the_tasks(cluster):
    from tests.infra.jobs import nap

    executor = Executor(scheduler=address(cluster))
    tasks = [1.0, 0.0]  # two workers: the second task finishes first
    finished = [outcome for _, outcome in run_tasks(nap, tasks, executor=executor)]
    assert finished == [0.0, 1.0]
    ordered = [outcome for _, outcome in run_tasks(nap, tasks, executor=executor, in_order=True)]
    assert ordered == [1.0, 0.0]


# --- faults -----------------------------------------------------------------------------------


def test_a_worker_killed_mid_task_is_retried_and_the_batch_completes(tmp_path, cluster):
    source = uncertain_batch(tmp_path / "scenarios", 3)
    cluster.wait_for_workers(2, timeout=60)
    pids = cluster.run(os.getpid)
    killed: dict[str, tuple[int, list]] = {}

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for worker, keys in cluster.processing().items():
                if keys and worker in pids:
                    os.kill(pids[worker], signal.SIGKILL)
                    killed[worker] = (pids[worker], list(keys))
                    return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    executor = Executor(scheduler=address(cluster))
    result = report_batch([source], tmp_path / "there", executor=executor, options=SAMPLED)
    killer.join()
    assert killed, "no worker was seen busy"
    ((pid, keys),) = killed.values()
    assert keys and not alive(pid)
    assert batch_exit_code(result.entries) == 0
    assert sorted(e.status for e in result.entries) == ["reported"] * 3
    assert temporaries(tmp_path / "there") == [] and assert_whole(tmp_path / "there") is None
    here = report_batch([source], tmp_path / "here", jobs=1, options=SAMPLED)
    assert batch_exit_code(here.entries) == 0
    assert without_times(tmp_path / "here") == without_times(tmp_path / "there")
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarted it, for the next tests


@needs_proc
def test_ctrl_c_cancels_the_dask_batch_without_a_traceback_and_exits_130(tmp_path):
    source = uncertain_batch(tmp_path / "scenarios", 4)
    out = tmp_path / "reports"
    with session(start_report(source, out, "--dask", "2")) as batch:
        line = batch.stdout.readline()
        assert "on a local Dask cluster at tcp://127.0.0.1:" in line, line
        dashboard = re.search(r"dashboard (http://127\.0\.0\.1:\d+/status)", line)
        assert dashboard, line
        with urllib.request.urlopen(dashboard.group(1), timeout=30) as page:  # a real server
            assert page.status == 200 and b"Dask" in page.read()
        running = wait_for(
            lambda: len(workers(batch.pid)) >= 2 and workers(batch.pid), 60, "workers"
        )
        assert all(ignores_sigint(pid) for pid in running)  # Ctrl-C reaches the parent only
        family = descendants(batch.pid)
        assert not (out / "index.html").exists()
        os.killpg(batch.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        stdout, stderr = batch.communicate(timeout=60)
        wait_for(lambda: not any(alive(pid) for pid in family), 10, "the workers to end")
    assert batch.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if "interrupted" in line]
    assert len(lines) == 1 and "not finished" in lines[0], stderr
    assert temporaries(out) == []
    assert_whole(out)
    assert not (out / "index.html").exists()  # the overview is left as it was: none yet


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("command", ["report", "check", "score"])
def test_an_unreachable_scheduler_is_exit_2_naming_it(tmp_path, capsys, command):
    import dask

    source = write_batch(tmp_path / "scenarios", other=True)
    unreachable = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    out = ["--out", str(tmp_path / "reports")] if command == "report" else []
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main([command, str(source), *out, "--scheduler", unreachable])
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at {unreachable}" in err, err
    assert "Traceback" not in err
    if command == "report":
        assert not (tmp_path / "reports" / "calm").exists()
        assert not (tmp_path / "reports" / "index.html").exists()


def test_workers_with_another_signpost_are_refused():
    from engine.infra.cluster import _same_engine_on_workers

    class Workers:  # what a cluster whose workers run another engine answers
        def run(self, function):
            return {"tcp://10.1.2.3:4567": "0.0.1+0123456789abcdef"}

    with pytest.raises(ExecutorError, match=r"tcp://10\.1\.2\.3:4567: 0\.0\.1\+0123456789abcdef"):
        _same_engine_on_workers(Workers(), Executor(scheduler="tcp://10.1.2.3:8786"))


def test_the_executor_options_are_one_at_a_time_and_counts(tmp_path, capsys):
    source = write_batch(tmp_path / "scenarios", other=True)
    assert main(["report", str(source), "-j", "2", "--dask", "2"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    for command in ("report", "check", "score"):
        assert main([command, str(source), "--dask", "0"]) == 2
        assert "takes a number of workers, 1 or more, got '0'" in capsys.readouterr().err


# --- check and score --------------------------------------------------------------------------


def test_check_on_dask_prints_the_lines_it_prints_locally(tmp_path, capsys, cluster):
    source = write_batch(tmp_path / "scenarios", other=True)
    assert main(["check", str(source)]) == 0
    local = capsys.readouterr().out.splitlines()
    assert main(["check", str(source), "--scheduler", address(cluster)]) == 0
    printed = capsys.readouterr()
    dask = printed.out.splitlines()
    assert f"signpost check: on Dask at {address(cluster)}: 2 workers" in printed.err
    assert sorted(local[:-1]) == sorted(dask[:-1])  # the files finish in any order there
    assert any(line.startswith("PASS") and "wet_likely" in line for line in dask)


def resolved_rain(folder: Path, id: str) -> Path:
    """One driver (rain, p 0.3) raising wet by 2.0 log-odds; wet happened."""
    path = folder / f"{id}.yaml"
    path.write_text(
        f"""\
signpost: 1
id: {id}
title: Did the street get wet
as_of: 2024-01-01
sources:
  later: {{title: What happened}}
drivers:
  rain: {{label: It rains, p: 0.3}}
outcomes:
  wet: {{label: The street is wet, drivers: {{rain: 2.0}}}}
  dry: {{label: The street is dry}}
resolved: {{outcome: wet, on: 2024-06-01, sources: [later]}}
""",
        encoding="utf-8",
    )
    return path


def test_score_on_dask_is_the_closed_form_and_the_local_json(tmp_path, capsys, cluster):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for id in ("rain-one", "rain-two", "rain-three"):
        resolved_rain(folder, id)
    assert main(["score", str(folder), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(["score", str(folder), "--json", "--scheduler", address(cluster)]) == 0
    dask = json.loads(capsys.readouterr().out)
    assert dask == local
    wet = 0.3 / (1 + math.exp(-2.0)) + 0.7 * 0.5  # P(wet) by hand
    assert [s["p"] for s in dask["scenarios"]] == pytest.approx([wet] * 3, abs=1e-12)
    assert dask["mean"]["brier"] == pytest.approx(2 * (1 - wet) ** 2, abs=1e-12)


# --- Dask only when asked for -----------------------------------------------------------------


def test_the_local_pool_does_not_import_dask(tmp_path):
    source = write_batch(tmp_path / "scenarios", other=True)
    code = (
        "import sys\n"
        "from engine.cli import main\n"
        f"code = main(['report', {str(source)!r}, '--out', {str(tmp_path / 'r')!r}, '-j', '1'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print(code, loaded)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines()[-1] == "0 []"


def test_a_local_cluster_s_workers_keep_their_freed_memory_but_not_their_threads(monkeypatch):
    """Dask's MALLOC_TRIM_THRESHOLD_ is left out of a LocalCluster's workers (it cost a batch
    64 %); its limit of one BLAS thread is kept."""
    import os

    # a Nanny sets its spawn environment in this process's own, and this module's clusters
    # have started several: the command starts one cluster in a process of its own
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)

    from engine.infra.cluster import _client
    from engine.infra.executor import Executor

    with _client(Executor(dask=1, quiet=True), distributed) as client:
        seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                   os.environ.get("OMP_NUM_THREADS")))  # fmt: skip
    assert list(seen.values()) == [(None, "1")]
