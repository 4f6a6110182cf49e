"""What ``signpost report`` guarantees when things go wrong (README: *What Signpost guarantees*).

- every file and folder it writes honours the umask (0644 / 0755 under umask 022);
- ``kill -9`` of the parent leaves no worker behind and no torn file; the next run clears the
  temporaries and resumes, skipping the reports that were finished;
- Ctrl-C stops the workers without a traceback, prints one line of what finished, exits 130;
- two batches on one ``--out`` never interleave: the second waits (or, ``wait=False``, refuses);
- a disk that is full, a folder that cannot be written, an ``--out`` that is a file: exit 2, one
  line naming the path, nothing half written.

The subprocess tests run ``python -m engine report`` on copies of
``tests/support/scenarios/minimal.yaml`` (uncertain numbers: a worker takes seconds, long enough
to be killed mid-batch); the others run in this process on the fixed-number scenarios of
``tests.support.reports``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pickle
import signal
import stat
import time
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.exit import batch_exit_code
from engine.infra.files import OutputError, atomic_open, atomic_path, write_text
from engine.infra.lock import LOCK
from engine.report.batch import RunOptions, report_batch
from tests.support.faults import (
    alive,
    assert_whole,
    calm_batch,
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

pytestmark = pytest.mark.skipif(os.name != "posix", reason="umask, flock and signals are POSIX")


# --- helpers -----------------------------------------------------------------------------------


@contextlib.contextmanager
def umask(mask: int):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def hold_lock(out: Path):
    """Hold ``out``'s lock as another batch would: this pid in the lock file, which is removed
    before the lock is let go (a waiter must then lock a new file)."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)
        stream.truncate(0)
        stream.write(f"{os.getpid()}\n")
        stream.flush()
        yield
        (out / LOCK).unlink()


# --- 1. permissions ----------------------------------------------------------------------------


def modes(out: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(out.stat().st_mode)}
    for path in out.rglob("*"):
        found[str(path.relative_to(out))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_every_file_and_folder_written_honours_the_umask(tmp_path):
    source = uncertain_batch(tmp_path / "scenarios", 1)
    calm_batch(source)
    out = tmp_path / "reports"
    with umask(0o022):
        result = report_batch([source], out, jobs=1, options=RunOptions(draws=200, chains=2))
    assert batch_exit_code(result.entries) == 0
    found = modes(out)
    kinds = {Path(name).suffix for name in found}
    assert {".html", ".md", ".csv", ".nc", ".yaml", ".json"} <= kinds
    for name in ("index.html", "summary.csv", "m1/posterior.nc", "m1/manifest.json"):
        assert name in found
    for name, mode in found.items():
        expected = 0o755 if (out / name).is_dir() else 0o644
        assert mode == expected, f"{name}: {oct(mode)}, not {oct(expected)}"

    strict = tmp_path / "private"  # another umask, other modes: the umask is honoured, not 0644
    with umask(0o077):
        assert (
            batch_exit_code(
                report_batch([tmp_path / "scenarios" / "calm.yaml"], strict, jobs=1).entries
            )
            == 0
        )
    for name, mode in modes(strict).items():
        expected = 0o700 if (strict / name).is_dir() else 0o600
        assert mode == expected, f"{name}: {oct(mode)}, not {oct(expected)}"


def test_a_rewritten_file_takes_the_umask_not_the_temporary_mode(tmp_path):
    target = tmp_path / "a.txt"
    with umask(0o022):
        write_text(target, "one")
        with atomic_path(tmp_path / "b.nc") as temporary:
            temporary.write_bytes(b"data")  # a writer that wants a file name
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.nc").stat().st_mode) == 0o644


# --- 2. kill -9 --------------------------------------------------------------------------------


@needs_proc
def test_kill_9_leaves_no_worker_and_no_torn_file_and_the_next_run_resumes(tmp_path):
    source = uncertain_batch(tmp_path / "scenarios", 6)
    out = tmp_path / "reports"
    with session(start_report(source, out, "-j", "2")) as parent:
        wait_for(lambda: list(out.glob("*/manifest.json")), 90, "a first finished report")
        running = workers(parent.pid)
        family = descendants(parent.pid)  # the workers and multiprocessing's resource tracker
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        assert len(running) == 2, "the batch should have been killed while its workers ran"
        wait_for(lambda: not any(alive(pid) for pid in family), 5, "the workers to end with it")

    assert_whole(out)
    assert (out / LOCK).exists()  # the killed batch's lock file: no lock, as the rerun shows
    finished = {p.parent.name for p in out.glob("*/manifest.json")}
    assert finished
    (out / ".index.html.deadbeef.tmp").write_text("<html>half")  # as a killed write leaves
    done = out / sorted(finished)[0]  # a finished report: only the sweep at the start clears it
    (done / ".outcomes.csv.0badcafe.tmp").write_text("outcome,p\nwet,")

    with session(start_report(source, out, "-j", "2")) as again:
        stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr
    assert "Traceback" not in stderr and "waiting" not in stderr
    for name in sorted(finished):
        assert f"unchanged  {name}" in stdout  # finished reports are not redone
    for name in {f"m{i}" for i in range(1, 7)} - finished:
        assert f"reported   {name}" in stdout
    assert temporaries(out) == []
    assert_whole(out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="m{i}/index.html"' in index for i in range(1, 7))


# --- 3. Ctrl-C ---------------------------------------------------------------------------------


@needs_proc
def test_ctrl_c_stops_the_workers_without_a_traceback_and_exits_130(tmp_path):
    source = uncertain_batch(tmp_path / "scenarios", 1)  # m1: seconds of sampling
    calm_batch(source)  # calm: fixed numbers, done first; its worker then waits idle
    out = tmp_path / "reports"
    with session(start_report(source, out, "-j", "2")) as batch:
        running = wait_for(
            lambda: len(workers(batch.pid)) == 2 and workers(batch.pid), 60, "workers"
        )
        family = descendants(batch.pid)
        wait_for(lambda: (out / "calm" / "manifest.json").exists(), 60, "calm's report")
        assert not (out / "m1" / "manifest.json").exists(), "m1 should still be running"
        assert all(ignores_sigint(pid) for pid in running)  # the parent stops them, not Ctrl-C
        os.killpg(batch.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        stdout, stderr = batch.communicate(timeout=30)
        wait_for(lambda: not any(alive(pid) for pid in family), 5, "the workers to end")
    assert batch.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if "interrupted" in line]
    assert len(lines) == 1, stderr
    # calm's manifest is written while Ctrl-C is held, so calm is counted and its line printed
    assert "reported   calm" in stdout, stdout
    assert "interrupted: 1 reported, 1 not finished" in lines[0], (lines[0], stdout)
    assert set(running) <= set(family)
    assert temporaries(out) == []
    assert_whole(out)
    assert not (out / "index.html").exists()  # the overview is left as it was: none yet


HOLD = """
import os, signal, sys
from engine.infra.workers import sigint_deferred

def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)  # delivered before kill returns

try:
    with sigint_deferred():
        ctrl_c()
        print("finished the step", flush=True)
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted after it")
with sigint_deferred():
    print("calm step")
print("no interrupt left over")
try:
    with sigint_deferred():
        ctrl_c()
        print("held one", flush=True)
        ctrl_c()
        print("not reached")
except KeyboardInterrupt:
    print("the second acts at once")
try:
    with sigint_deferred():
        ctrl_c()
        raise OSError("disk full")
except OSError as error:
    print(f"the step's own error: {error}")
except KeyboardInterrupt:
    print("the error was hidden")
signal.signal(signal.SIGINT, signal.SIG_IGN)
with sigint_deferred():
    ctrl_c()
print("ignored stays ignored", flush=True)
signal.signal(signal.SIGINT, signal.SIG_DFL)
with sigint_deferred():
    ctrl_c()
    print("the default waits too", flush=True)
print("not reached: the default ends the process")
"""


def test_a_held_ctrl_c_lets_the_step_finish_then_interrupts():
    """After the step, a held Ctrl-C does what it would have done (raise, be ignored, end the
    process); a second one acts at once; the step's own exception is not replaced."""
    import subprocess
    import sys

    from tests.support import ROOT

    done = subprocess.run(
        [sys.executable, "-c", HOLD], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGINT, (done.returncode, done.stderr)
    assert done.stdout.splitlines() == [
        "finished the step",
        "interrupted after it",
        "calm step",
        "no interrupt left over",
        "held one",
        "the second acts at once",
        "the step's own error: disk full",
        "ignored stays ignored",
        "the default waits too",
    ], done.stdout


# --- 4. two batches on one --out ---------------------------------------------------------------


def test_a_second_batch_waits_for_the_first_and_says_so(tmp_path):
    source = calm_batch(tmp_path / "scenarios")
    out = tmp_path / "reports"
    with contextlib.ExitStack() as stack:
        lock = stack.enter_context(contextlib.ExitStack())
        lock.enter_context(hold_lock(out))  # taken before the batch starts
        batch = stack.enter_context(session(start_report(source, out, "-j", "1")))
        line = batch.stderr.readline()
        waiting = f"waiting for another signpost report writing to {out}/ (pid {os.getpid()})"
        assert waiting in line
        time.sleep(0.2)
        assert not (out / "calm").exists()  # nothing written while the other one holds it
        lock.close()  # the first batch ends
        stdout, stderr = batch.communicate(timeout=60)
    assert batch.returncode == 0, stderr
    assert "reported   calm" in stdout
    assert_whole(out)


def test_two_batches_at_once_report_each_scenario_once(tmp_path):
    source = write_batch(tmp_path / "scenarios", other=True)
    out = tmp_path / "reports"
    with contextlib.ExitStack() as stack:
        batches = [
            stack.enter_context(session(start_report(source, out, "-j", "1"))) for _ in range(2)
        ]
        outputs = [b.communicate(timeout=90) for b in batches]
    assert [b.returncode for b in batches] == [0, 0], outputs
    stdout = "".join(out for out, _ in outputs)
    for name in ("calm", "hostile"):  # one reported it, the other waited and found it done
        assert stdout.count(f"reported   {name}") == 1, stdout
        assert stdout.count(f"unchanged  {name}") == 1, stdout
    assert temporaries(out) == []
    assert not (out / LOCK).exists()  # removed by the batch that held it last
    assert_whole(out)


def test_without_waiting_a_busy_folder_is_refused_with_exit_2(tmp_path, capsys):
    source = calm_batch(tmp_path / "scenarios")
    out = tmp_path / "reports"
    with hold_lock(out):
        result = report_batch([source], out, jobs=1, wait=False)
    assert result.error and not result.interrupted
    err = capsys.readouterr().err
    assert f"another signpost report is writing to {out}/ (pid {os.getpid()})" in err
    assert not (out / "calm").exists()
    with hold_lock(out):  # the same from the command line, with --no-wait
        assert main(["report", str(source), "--out", str(out), "--no-wait"]) == 2
    assert "another signpost report is writing" in capsys.readouterr().err
    assert not (out / "calm").exists()


def test_a_junit_file_that_cannot_be_written_is_exit_2_naming_it(tmp_path, capsys):
    """The JUnit writer goes through the same atomic writer: a path under a file is refused."""
    source = calm_batch(tmp_path / "scenarios")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["check", str(source), "--junit", str(blocker / "junit.xml")]) == 2
    assert str(blocker) in capsys.readouterr().err


# --- 5. disk full, permission denied, --out a file ---------------------------------------------


def enospc(*args):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["move", "write"])
def test_a_full_disk_stops_the_batch_with_exit_2_naming_the_file(
    tmp_path, monkeypatch, capsys, where
):
    source = write_batch(tmp_path / "scenarios", other=True)  # calm.yaml, then hostile.yaml
    out = tmp_path / "reports"
    assert main(["report", str(source), "--out", str(out), "-j", "1"]) == 0
    overview = (out / "index.html").read_bytes()
    calm = (out / "calm" / "outcomes.csv").read_bytes()
    capsys.readouterr()
    if where == "move":  # the rename into place fails on the second scenario's page
        real_replace = os.replace

        def replace(src, dst, *args, **kwargs):
            if Path(dst) == out / "hostile" / "index.html":
                enospc()
            return real_replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "replace", replace)
        failed = out / "hostile" / "index.html"
    else:  # flushing the very first file to disk fails
        monkeypatch.setattr(os, "fsync", enospc)
        failed = out / "calm" / "outcomes.csv"
    code = main(["report", str(source), "--out", str(out), "-j", "1", "--force"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot write {failed}: no space left on device" in err
    assert "Traceback" not in err
    assert temporaries(out) == []
    assert_whole(out)
    assert (out / "index.html").read_bytes() == overview  # the overview is left as it was
    assert (out / "calm" / "outcomes.csv").read_bytes() == calm
    assert not (failed.parent / "manifest.json").exists()  # the next run redoes it
    monkeypatch.undo()
    assert main(["report", str(source), "--out", str(out), "-j", "1"]) == 0
    assert_whole(out)


def make_unwritable(monkeypatch, folder: Path) -> None:
    """``chmod 0o555`` the folder; where that does not stop writes (root), refuse here what the
    system would refuse: a new file in it, and removing one from it."""
    folder.chmod(0o555)
    probe = folder / ".probe"
    try:
        probe.touch()
    except PermissionError:
        return
    probe.unlink()
    real_open, real_unlink = os.open, os.unlink

    def refuse(path) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & os.O_CREAT and not os.path.exists(path):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def refusing_unlink(path, *args, **kwargs):
        if Path(path).parent == folder:
            refuse(path)
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "unlink", refusing_unlink)


@pytest.mark.parametrize("folder", ["calm", "."])
def test_an_unwritable_folder_is_exit_2_naming_it(tmp_path, monkeypatch, capsys, folder):
    source = calm_batch(tmp_path / "scenarios")
    out = tmp_path / "reports"
    assert main(["report", str(source), "--out", str(out), "-j", "1"]) == 0
    unwritable = (out / folder).resolve()
    before = {k: v for k, v in snapshot(unwritable).items() if "/" not in k}
    capsys.readouterr()
    try:
        make_unwritable(monkeypatch, unwritable)
        code = main(["report", str(source), "--out", str(out), "-j", "1", "--force"])
    finally:
        unwritable.chmod(0o755)
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot write {unwritable}/" in err and "permission denied" in err, err
    assert "Traceback" not in err
    assert temporaries(out) == []
    assert_whole(out)
    after = {k: v for k, v in snapshot(unwritable).items() if "/" not in k}
    assert after == before  # the folder's files are as they were


def test_out_that_is_a_file_is_exit_2_and_the_file_is_untouched(tmp_path, capsys):
    source = calm_batch(tmp_path / "scenarios")
    out = tmp_path / "reports"
    out.write_text("not a folder")
    assert main(["report", str(source), "--out", str(out), "-j", "1"]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}: it is a file, not a folder" in err
    assert out.read_text() == "not a folder"
    assert list(tmp_path.glob(".*.tmp")) == []


def test_an_output_error_in_a_worker_stops_the_batch_with_exit_2(tmp_path, capsys):
    source = write_batch(tmp_path / "scenarios", other=True)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "calm").write_text("a file where calm's report folder goes")
    assert main(["report", str(source), "--out", str(out), "-j", "2"]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out / 'calm'}: it is a file, not a folder" in err
    assert "Traceback" not in err
    assert temporaries(out) == []
    assert not (out / "index.html").exists()
    assert_whole(out)


def test_an_output_error_names_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "kz" / "index.html"
    with pytest.raises(OutputError) as caught, atomic_open(target) as stream:
        stream.write("<html>half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(caught.value) == f"cannot write {target}: no space left on device"
    assert list((tmp_path / "kz").iterdir()) == []
    copy = pickle.loads(pickle.dumps(caught.value))  # it travels back from a worker
    assert str(copy) == str(caught.value) and copy.path == target
