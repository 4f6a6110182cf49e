"""``signpost serve`` as a person starts it: a real process, stopped with Ctrl-C.

It says where it serves in one line, answers on 127.0.0.1 only, stops on Ctrl-C with one line
and exit 130, refuses a port in use with exit 2 naming it, and says loudly when ``--host``
makes it reachable from other machines.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import time

from engine.cli.serve import exposure_warning
from tests.support.serve import write_folder


def start(*args: str, cwd) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def get(port: int, target: str = "/") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", target)
    response = connection.getresponse()
    return response.status, response.read()


def test_it_serves_on_this_machine_and_ctrl_c_stops_it_in_one_line(tmp_path):
    folder = write_folder(tmp_path / "scenarios")
    process = start(str(folder), "--port", "0", cwd=tmp_path)
    try:
        line = process.stdout.readline()
        match = re.search(r"at http://127\.0\.0\.1:(\d+)/ ", line)
        assert match, line
        port = int(match[1])
        deadline = time.monotonic() + 60
        while b'id="headline-table"' not in get(port, "/calm/")[1] and time.monotonic() < deadline:
            time.sleep(0.2)  # until then the page says it is computing
        status, body = get(port, "/calm/")
        assert status == 200 and b"It is warm" in body
        listening = [c for c in _listeners(port)]
        assert listening == ["127.0.0.1"], listening
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["signpost serve: stopped (Ctrl-C)"], err
    assert "Traceback" not in out + err


def _listeners(port: int) -> list[str]:
    """The addresses listening on ``port`` (from /proc/net/tcp and tcp6: state 0A)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                if width == 8:
                    found.append(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                else:
                    found.append(address)
    return found


def test_a_port_in_use_is_exit_2_naming_it(tmp_path):
    folder = write_folder(tmp_path / "scenarios")
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "engine", "serve", str(folder), "--port", str(port)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip
    finally:
        holder.close()
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert f"port {port} on 127.0.0.1 is in use" in line and "--port" in line


def test_a_host_other_machines_reach_is_said_loudly():
    assert exposure_warning("127.0.0.1") is None and exposure_warning("::1") is None
    assert exposure_warning("localhost") is None and exposure_warning("127.0.0.2") is None
    for host in ("0.0.0.0", "::", "192.168.1.20", "my-laptop.example"):
        warning = exposure_warning(host)
        assert warning.startswith("signpost serve: WARNING:") and host in warning
