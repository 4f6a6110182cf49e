"""signpost diff --git REV FILE: FILE at REV (and the parents it extends, at REV) against now."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest
import yaml

from engine.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PARENT = {
    "signpost": 1,
    "title": "Parent",
    "drivers": {"a": {"label": "A", "p": 0.2}},
    "outcomes": {"x": {"label": "X", "drivers": {"a": 1.0}}, "rest": {"label": "Rest"}},
}


def git(repo, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def dump(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q")
    dump(tmp_path / "scenarios" / "_parent.yaml", PARENT)
    dump(tmp_path / "scenarios" / "child.yaml", {"extends": "_parent.yaml", "id": "child"})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def diff_json(capsys, *args):
    code = main(["diff", *args, "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else captured.err)


def test_file_at_revision_against_now(repo, capsys):
    child = repo / "scenarios" / "child.yaml"
    dump(child, {"extends": "_parent.yaml", "id": "child", "drivers": {"a": {"p": 0.5}}})
    code, out = diff_json(capsys, "--git", "HEAD", str(child))
    assert code == 0
    assert [(e["path"], e["old"], e["new"]) for e in out["edits"]] == [("drivers.a.p", 0.2, 0.5)]
    # P(x) = p·e/(1 + e) + (1 − p)/2 with one effect of 1.0: p moves from 0.2 to 0.5
    assert out["change"]["x"] == pytest.approx(0.3 * (math.e / (1 + math.e) - 0.5), abs=1e-12)


def test_parents_are_read_at_the_revision(repo, capsys):
    parent = repo / "scenarios" / "_parent.yaml"
    changed = {**PARENT, "outcomes": {**PARENT["outcomes"], "rest": {"label": "Rest", "base": 2}}}
    dump(parent, changed)
    code, out = diff_json(capsys, "--git", "HEAD", str(repo / "scenarios" / "child.yaml"))
    assert code == 0
    assert [(e["path"], e["kind"]) for e in out["edits"]] == [("outcomes.rest.base", "changed")]
    # committed, the parent's change is in both versions: no edit left
    git(repo, "commit", "-q", "-am", "second")
    code, out = diff_json(capsys, "--git", "HEAD", str(repo / "scenarios" / "child.yaml"))
    assert code == 0 and out["edits"] == []
    code, out = diff_json(capsys, "--git", "HEAD~1", str(repo / "scenarios" / "child.yaml"))
    assert [e["path"] for e in out["edits"]] == ["outcomes.rest.base"]


def test_missing_revision_file_or_repository_is_bad_input(repo, tmp_path_factory, capsys):
    child = str(repo / "scenarios" / "child.yaml")
    code, err = diff_json(capsys, "--git", "no-such-rev", child)
    assert code == 2 and "not a revision" in err
    new = repo / "scenarios" / "new.yaml"
    dump(new, {"extends": "_parent.yaml", "id": "new"})
    code, err = diff_json(capsys, "--git", "HEAD", str(new))
    assert code == 2 and "does not exist at revision HEAD" in err
    outside = tmp_path_factory.mktemp("plain") / "s.yaml"
    dump(outside, {**PARENT, "id": "s"})
    code, err = diff_json(capsys, "--git", "HEAD", str(outside))
    assert code == 2 and "not inside a git repository" in err


def test_an_invalid_old_version_is_named_by_revision(repo, capsys):
    child = repo / "scenarios" / "child.yaml"
    dump(child, {"extends": "_parent.yaml", "id": "child", "drivers": {"a": {"p": 2}}})
    git(repo, "commit", "-q", "-am", "broken")
    dump(child, {"extends": "_parent.yaml", "id": "child"})
    code, err = diff_json(capsys, "--git", "HEAD", str(child))
    assert code == 2
    assert err.splitlines() == [
        "HEAD:scenarios/child.yaml:5:8: drivers.a.p: a probability must lie strictly between 0 "
        "and 1, got 2 — a probability is not a percentage: write 0.02"
    ]
