"""The progress line: only on a terminal, only after two seconds, never under --json."""

from __future__ import annotations

import io
import time

from engine.infra.progress import DelayedStatus
from tests.support.networks import FIXED


def test_a_quick_piece_of_work_shows_nothing(capsys):
    with DelayedStatus("signpost run x", enabled=True, delay=5.0) as say:
        say("main result")
    assert capsys.readouterr().err == ""


def test_a_long_one_shows_its_latest_step_on_a_terminal(monkeypatch):
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(
        "rich.console.Console",
        lambda **kw: Console(file=screen, force_terminal=True, width=100),
    )
    with DelayedStatus("signpost run x", enabled=True, delay=0.05) as say:
        say("main result")
        time.sleep(0.3)
        say("what-if expansion")
        time.sleep(0.3)
    shown = screen.getvalue()
    assert "signpost run x: main result" in shown
    assert "what-if expansion" in shown


def test_json_and_pipes_stay_silent(tmp_path):
    """``signpost run --json`` with stderr not a terminal writes nothing to stderr."""
    import json
    import subprocess
    import sys

    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(FIXED))
    done = subprocess.run(
        [sys.executable, "-m", "engine", "run", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == "" and json.loads(done.stdout)["id"] == "fixed"
