"""The warm process of ``signpost serve``: what it re-runs on a save, and what each page shows.

Driven step by step (no threads, no server): a change is told to the workspace as the watcher
would, and the test looks at the states, the pages and the events. Every number shown is
checked against a run of the same file by the engine's own front door (``engine.run.run``) or
against ``signpost report``'s page for the same file.
"""

from __future__ import annotations

import re
import time

import pytest

import engine.serve.workspace as workspace_module
from engine.diff.compare import compare
from engine.report.batch import report_batch
from engine.run import run
from engine.scenario.validate import validate_file
from engine.serve.workspace import Workspace
from tests.support.checks import write as write_scenario
from tests.support.networks import small_scenario
from tests.support.serve import CALM, settle, write_child, write_folder


@pytest.fixture
def folder(tmp_path):
    return write_folder(tmp_path / "scenarios")


@pytest.fixture
def computed(monkeypatch):
    """Every file the workspace computes, in order."""
    calls = []
    compute = workspace_module.compute

    def counting(file, *args, **kwargs):
        calls.append(file.name)
        return compute(file, *args, **kwargs)

    monkeypatch.setattr(workspace_module, "compute", counting)
    return calls


def events_of(workspace):
    listener = workspace.events.subscribe()

    def taken():
        out = []
        while not listener.empty():
            out.append(listener.get_nowait())
        return out

    return taken


def headline(html: str) -> str:
    return re.search(r'<table class="headline" id="headline-table">.*?</table>', html, re.S)[0]


def test_first_every_scenario_is_computed_and_parents_are_no_page(folder, computed):
    workspace = Workspace([folder])
    settle(workspace)
    assert sorted(computed) == ["calm.yaml", "one.yaml", "two.yaml"]
    for name in ("one", "two", "calm"):
        assert workspace.page(name) is not None
    assert workspace.page("parent-only") is None and not workspace.busy


def test_an_edit_reruns_only_its_file_and_a_comment_reruns_nothing(folder, computed):
    workspace = Workspace([folder])
    settle(workspace)
    versions = {s.id: s.version for s in workspace.files.values()}
    computed.clear()
    one = folder / "one.yaml"
    one.write_text(one.read_text() + "# a comment changes no value\n", encoding="utf-8")
    settle(workspace, [one])
    assert computed == []
    write_child(folder, "one", 0.5)
    settle(workspace, [one])
    assert computed == ["one.yaml"]
    now = {s.id: s.version for s in workspace.files.values()}
    assert now["one"] > versions["one"] and now["two"] == versions["two"]
    assert now["calm"] == versions["calm"]


def test_a_parent_edit_reruns_every_child(folder, computed):
    workspace = Workspace([folder])
    settle(workspace)
    computed.clear()
    parent = folder / "_parent.yaml"
    parent.write_text(parent.read_text().replace("p: 0.4", "p: 0.45"), encoding="utf-8")
    settle(workspace, [parent])
    assert sorted(computed) == ["one.yaml", "two.yaml"]


def test_the_page_shows_the_numbers_of_a_run_of_the_file_as_saved(folder):
    workspace = Workspace([folder])
    settle(workspace)
    write_child(folder, "one", 0.7)
    settle(workspace, [folder / "one.yaml"])
    report_batch([folder], folder.parent / "reports", jobs=1)  # signpost report's own page
    written = (folder.parent / "reports" / "one" / "index.html").read_text(encoding="utf-8")
    assert headline(workspace.page("one")) == headline(written)
    expected = run(validate_file(folder / "one.yaml").scenario).main.outcomes
    state = workspace.state_of("one")
    assert state.good.result.main.outcomes == expected


def test_an_invalid_save_shows_its_errors_above_the_last_good_numbers(folder, computed):
    workspace = Workspace([folder])
    settle(workspace)
    good = workspace.page("one")
    events = events_of(workspace)
    computed.clear()
    one = folder / "one.yaml"
    text = one.read_text()
    one.write_text(text.replace("p: 0.3", "p: quite probable\n    colour: red"), "utf-8")
    settle(workspace, [one])
    page = workspace.page("one")
    assert computed == [] and 'id="live-errors"' in page and "OUT OF DATE" in page
    lines = re.findall(r"<li>(.*?)</li>", page.split('id="live-errors"')[1].split("</ul>")[0])
    assert len(lines) == 2  # every error at once, each file:line:column: key: what — instead
    assert all(re.match(rf"{re.escape(str(one))}:\d+:\d+: drivers\.rain\.", line) for line in lines)
    assert "quite probable" in lines[0] and "write one of" in lines[0]
    assert headline(page) == headline(good)  # the last good numbers, marked out of date
    assert [e["state"] for e in events() if e["page"] == "/one/"] == ["ready"]
    one.write_text(text, "utf-8")  # put back as it was: the last good version, without a run
    settle(workspace, [one])
    assert computed == [] and 'id="live-errors"' not in workspace.page("one")
    assert headline(workspace.page("one")) == headline(good)


def test_a_crash_shows_one_line_and_the_other_scenarios_are_served(folder, monkeypatch):
    workspace = Workspace([folder])
    settle(workspace)
    compute = workspace_module.compute

    def failing(file, *args, **kwargs):
        if file.name == "two.yaml":
            raise RuntimeError("boom\nsecond line")
        return compute(file, *args, **kwargs)

    monkeypatch.setattr(workspace_module, "compute", failing)
    write_child(folder, "two", 0.1)
    write_child(folder, "one", 0.2)
    settle(workspace, [folder / "two.yaml", folder / "one.yaml"])
    page = workspace.page("two")
    assert 'id="live-failure"' in page and "internal error: RuntimeError: boom second line" in page
    assert "a bug in Signpost" in page and "OUT OF DATE" in page
    one = workspace.state_of("one")
    assert not one.stale and one.good.scenario.drivers["rain"].p == 0.2


def test_what_changed_is_signpost_diffs_attribution_on_the_pages_numbers(tmp_path):
    """Uncertain numbers: the change shown is the new page's main result minus the old one's,
    to the last digit (the diff runs with the scenario's own settings and seed)."""
    spec = small_scenario(inference={"seed": 7, "draws": 250})
    path = write_scenario(tmp_path / "small.yaml", spec)
    workspace = Workspace([path])
    settle(workspace)
    before = workspace.state_of("small").good.result.main.outcomes
    before_data = workspace.state_of("small").good.data
    spec["drivers"]["a"]["p"] = "likely"
    spec["outcomes"]["x"]["drivers"]["a"] = "strongly raises"
    write_scenario(tmp_path / "small.yaml", spec)
    settle(workspace, [path])
    good = workspace.state_of("small").good
    after = good.result.main.outcomes
    assert after == run(validate_file(path).scenario).main.outcomes
    diff = good.diff
    assert [e.edit.path for e in diff.edits] == ["drivers.a.p", "outcomes.x.drivers.a"]
    for k in after:
        assert diff.old.outcomes[k] == before[k].p and diff.new.outcomes[k] == after[k].p
        assert sum(e.change[k] for e in diff.edits) == pytest.approx(after[k].p - before[k].p)
    own = validate_file(path).scenario.inference  # `signpost diff` on its own, same settings
    alone = compare(before_data, good.data, draws=own.draws, tune=own.tune, chains=own.chains)
    assert alone.evaluations == 4 and diff.evaluations == 4  # 2^2 subsets, 2 of them known
    for mine, theirs in zip(diff.edits, alone.edits):
        assert mine.change == theirs.change and mine.mcse == theirs.mcse
    page = workspace.page("small")
    assert 'id="live-edit-table"' in page and "unlikely → likely" in page
    assert "raises → strongly raises" in page


def test_two_files_with_one_id_the_second_is_invalid(folder):
    workspace = Workspace([folder])
    settle(workspace)
    copy = folder / "zz_copy.yaml"
    copy.write_text((folder / "calm.yaml").read_text(), "utf-8")
    settle(workspace, [copy])
    state = workspace.files[copy]
    assert state.issues and state.issues[0].code == "duplicate-id" and state.good is None
    assert "zz_copy.yaml" in workspace.overview() and "also the id of" in workspace.overview()


def test_a_new_id_moves_the_page_and_a_removed_file_is_gone(folder):
    workspace = Workspace([folder])
    settle(workspace)
    events = events_of(workspace)
    one = folder / "one.yaml"
    one.write_text(one.read_text().replace("id: one", "id: one-renamed"), "utf-8")
    settle(workspace, [one])
    assert {"page": "/one/", "moved": "/one-renamed/"} in [
        {k: e[k] for k in ("page", "moved")} for e in events() if "moved" in e
    ]
    assert workspace.page("one") is None and workspace.page("one-renamed") is not None
    (folder / "two.yaml").unlink()
    settle(workspace, [folder / "two.yaml"])
    assert [e["state"] for e in events() if e["page"] == "/two/"] == ["gone"]
    assert workspace.page("two") is None


def test_scenario_text_stays_text_on_every_page(folder):
    workspace = Workspace([folder])
    settle(workspace)
    one = folder / "one.yaml"
    one.write_text(one.read_text() + "bogus<script>x</script>: 1\n", "utf-8")
    settle(workspace, [one])
    page, overview = workspace.page("one"), workspace.overview()
    for html in (page, overview):
        assert "<script>alert" not in html and "<script>x" not in html
        assert html.count("<script") == 1  # the server's own script, nothing else
        assert '<script src="/_signpost/live.js" defer></script>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; rain" in page and "{{ 7*7 }} dry" in page
    assert "&lt;b&gt;Child&lt;/b&gt; one" in page
    assert "bogus&lt;script&gt;x&lt;/script&gt;" in page


def test_a_page_asked_for_before_its_numbers_says_why_and_follows_the_file(folder):
    workspace = Workspace([folder])
    workspace.refresh(None, time.perf_counter())  # read, nothing computed yet
    waiting = workspace.page("one")
    assert "computing" in waiting and 'name="signpost-page" content="/one/"' in waiting
    events = events_of(workspace)
    while workspace.step():
        pass
    assert any(e["page"] == "/one/" and e["state"] == "ready" for e in events())
    assert 'id="headline-table"' in workspace.page("one")
    bad = folder / "bad.yaml"  # a file that never validated: its errors on its page
    bad.write_text(CALM.replace("id: calm", "id: bad").replace("p: 0.8", "p: lots"), "utf-8")
    settle(workspace, [bad])
    page = workspace.page("bad")
    assert 'id="live-errors"' in page and "unknown probability word &#39;lots&#39;" in page
    assert workspace.page("nobody") is None
