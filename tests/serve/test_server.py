"""The server of ``signpost serve``, over real sockets: what it answers, and to whom.

A real :class:`engine.serve.server.LiveServer` on a free port of 127.0.0.1, with its workspace
computed first. Every path escape and every foreign ``Host`` is refused; only ``GET`` and
``HEAD`` are answered and no request writes anything; every page carries a policy that allows
the server's own script and nothing else; and the event stream follows a real save, seen by
the real watcher.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time

import pytest

from engine.serve.server import LiveServer
from engine.serve.watcher import watch
from engine.serve.workspace import Workspace
from tests.support.serve import settle, write_child, write_folder

SECRET = "the-secret-outside-the-scenarios"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    folder = write_folder(root / "scenarios")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.yaml").write_text(f"note: {SECRET}\n", encoding="utf-8")
    os.symlink(outside, folder / "link")  # a symlink out of the folder
    workspace = Workspace([folder])
    settle(workspace)
    server = LiveServer(workspace, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server, folder
    server.stopping = True
    server.shutdown()
    server.server_close()
    thread.join(10)


def request(server, target: str, *, method: str = "GET", host: str | None = "default",
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    """One raw request: ``target`` is sent exactly as given (no normalising of dots or %)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    if host is not None:
        connection.putheader("Host", f"127.0.0.1:{server.port}" if host == "default" else host)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def test_the_pages_it_made_are_served_with_their_policy(served):
    server, _ = served
    for target in ("/", "/index.html", "/one/", "/one/index.html", "/calm/"):
        status, headers, body = request(server, target)
        assert status == 200, target
        assert headers["content-type"] == "text/html; charset=utf-8"
        policy = headers["content-security-policy"]
        own = f"script-src http://127.0.0.1:{server.port}/_signpost/live.js;"
        assert (
            own in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        )
        assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
        assert headers["x-content-type-options"] == "nosniff"
        assert body.count(b"<script") == 1 and b'<script src="/_signpost/live.js"' in body
    status, headers, body = request(server, "/_signpost/live.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body


@pytest.mark.parametrize(
    "target",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/one/../../../etc/passwd",
        "/one/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd/",
        "/..%2F..%2F/index.html",
        "//etc/passwd",
        "/etc/passwd",
        "http://127.0.0.1/etc/passwd",
        "/link/secret.txt",
        "/link/",
        "/link/secret.yaml",
        "/scenarios/calm.yaml",
        "/calm.yaml",
        "/one/scenario.yaml",
        "/_signpost/../one/",
        "/_signpost/live.js/../../etc/passwd",
        "/_signpost/%2e%2e/%2e%2e/etc/passwd",
        "/parent-only/",
        "/One/",
        "/one%2f..%2f..%2fetc/",
        "/one/sweep/../../etc/passwd",
        "*",
    ],
)
def test_every_path_escape_is_refused(served, target):
    server, _ = served
    status, _, body = request(server, target)
    assert status == 404, target
    assert SECRET.encode() not in body and b"root:" not in body


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",
        "127.0.0.1:1",
        "127.0.0.1.evil.example:{port}",
        "localhost.evil:{port}",
        "[::2]:{port}",
        "",
        None,
    ],
)
def test_a_foreign_or_missing_host_is_refused(served, host):
    server, _ = served
    value = None if host is None else host.format(port=server.port)
    for target in ("/", "/one/", "/_signpost/live.js", "/_signpost/events"):
        status, _, body = request(server, target, host=value)
        assert status in (400, 421), (host, target)
        assert b"<html" not in body and b"EventSource" not in body


def test_localhost_is_the_same_address(served):
    server, _ = served
    assert request(server, "/one/", host=f"localhost:{server.port}")[0] == 200


def test_no_request_writes_or_runs_anything(served):
    server, folder = served
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = request(server, "/one/", method=method, body=b"p: 0.9")
        assert status == 405 and headers["allow"] == "GET, HEAD", method
    status, _, body = request(server, "/one/", method="HEAD")
    assert status == 200 and body == b""
    after = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    assert after == before and not server.workspace.busy


def test_a_sweep_is_computed_on_demand_and_its_bad_input_shown(served):
    server, _ = served
    status, _, body = request(server, "/one/sweep?path=drivers.rain.p&from=0.1&to=0.9&steps=5")
    assert status == 200 and b'id="sweep-table"' in body and b"<svg" in body
    assert body.count(b'<tr><td class="num">') == 5
    status, _, body = request(server, "/one/sweep?path=drivers.rain.label&from=x&steps=9999")
    assert status == 400 and b'id="sweep-problems"' in body
    assert b"drivers.rain.label" in body and b"from &#39;x&#39;: not a number" in body
    assert b"from 2 to 101 values" in body
    assert request(server, "/nope/sweep?path=drivers.rain.p")[0] == 404


def read_events(server, stop: threading.Event, into: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", "/_signpost/events", headers={"Host": f"127.0.0.1:{server.port}"})
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    while not stop.is_set():
        line = response.fp.readline()
        if not line:
            break
        if line.startswith(b"data: "):
            into.append((time.perf_counter(), json.loads(line[6:])))
    connection.close()


def wait_for(received: list, state: str, after: int, *, seconds: float) -> bool:
    """Whether an event of page ``/two/`` in ``state`` came after the first ``after`` events
    (waiting up to ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(e["page"] == "/two/" and e["state"] == state for _, e in received[after:]):
            return True
        time.sleep(0.05)
    return False


def test_the_event_stream_follows_a_real_save(served):
    server, folder = served
    workspace = server.workspace
    stop, received = threading.Event(), []
    threads = [
        threading.Thread(target=watch, args=(workspace, stop), daemon=True),
        threading.Thread(target=workspace.run, args=(stop,), daemon=True),
        threading.Thread(target=read_events, args=(server, stop, received), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while not any(e["page"] == "/two/" for _, e in received) and time.monotonic() < deadline:
            time.sleep(0.05)
        first = max(e["version"] for _, e in received if e["page"] == "/two/")
        start = len(received)
        for _ in range(12):  # saved again until the watcher, just started, has seen it
            write_child(folder, "two", 0.05)
            if wait_for(received, "recomputing", start, seconds=5):
                break
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = [e for _, e in received if e["page"] == "/two/" and e.get("version", 0) > 0]
            if any(e["state"] == "ready" and e["version"] > first for e in states):
                break
            time.sleep(0.05)
        states = [e["state"] for _, e in received if e["page"] == "/two/"]
        assert "recomputing" in states and states[-1] == "ready", states
        state = server.workspace.state_of("two")
        assert state.good.scenario.drivers["rain"].p == 0.05 and state.version > first
        assert f"Version {state.good.version}, computed at" in request(server, "/two/")[2].decode()
    finally:
        stop.set()
