"""The local web server of ``signpost serve``: the standard library's ``ThreadingHTTPServer``.

Why the standard library: the server has one user on one machine, a handful of routes and one
stream of events per open page; ``http.server`` does that with no dependency, one thread per
connection (an event stream holds its thread), and nothing to configure. Starlette and uvicorn
would bring an event loop and two packages for no gain here.

Safe by default:

- it answers only requests whose ``Host`` is the address it serves (no DNS rebinding: a page
  from elsewhere that renames its host to 127.0.0.1 is refused), and only ``GET`` and ``HEAD``
  (no request writes a file or runs anything but a sweep of a saved scenario);
- it serves nothing from disk: only the pages it rendered (matched by exact route and a scenario
  id of the id pattern, never a path joined to a folder) and its own script, so ``..``, encoded
  dots, absolute paths and symlinks have nothing to reach;
- every page carries a Content-Security-Policy that allows its own script at its exact address
  and nothing else, with ``nosniff``, no referrer and no framing.
"""

from __future__ import annotations

import contextlib
import errno
import queue
import re
import socket
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files

from engine.serve.events import encode
from engine.serve.pages import EVENTS, SCRIPT, policy
from engine.serve.state import ID
from engine.serve.sweeps import SweepCache, sweep_response
from engine.serve.workspace import Workspace

PAGE = re.compile(r"^/([^/]+)/(index\.html)?$")
SWEEP = re.compile(r"^/([^/]+)/sweep$")
HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@cache
def script() -> bytes:
    """The page script, shipped inside the package."""
    return files("engine.serve").joinpath("static/live.js").read_bytes()


class PortInUse(OSError):
    """The port is taken: bad input (exit 2), naming it."""

    bad_input = True


class LiveServer(ThreadingHTTPServer):
    """The server, its workspace, and the hosts it answers to."""

    daemon_threads = True  # event streams never hold up the end of the process
    allow_reuse_address = True  # past connections in TIME_WAIT do not block a restart; on Linux
    # and macOS a port another server listens on is still refused (EADDRINUSE)

    def __init__(self, workspace: Workspace, host: str = "127.0.0.1", port: int = 0):
        self.workspace = workspace
        self.sweeps = SweepCache()
        self.stopping = False
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            super().__init__((host, port), Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(error.errno, f"port {port} on {host} is in use") from error
            raise
        self.host = host
        self.port = self.server_address[1]
        self.hosts = allowed_hosts(host, self.port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` headers the server answers: its own address and port; for a loopback
    address, also ``localhost``; for a wildcard address, this machine's names and addresses."""
    names = {host}
    if host in LOOPBACK:
        names |= LOOPBACK
    if host in ("0.0.0.0", "::", ""):
        names |= LOOPBACK | {socket.gethostname(), socket.getfqdn()}
        with contextlib.suppress(OSError):
            names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    shown = {f"[{n}]" if ":" in n else n for n in names}
    return frozenset(f"{n}:{port}".lower() for n in shown)


class Handler(BaseHTTPRequestHandler):
    """One request: the Host checked, then an exact route."""

    server: LiveServer
    server_version = "signpost-serve"
    sys_version = ""  # no Python version in the Server header

    def log_message(self, format, *args) -> None:  # noqa: A002 - the standard signature
        pass  # the terminal shows what was recomputed, not every request

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _refuse_method(self) -> None:
        self._send(405, b"signpost serve only reads: GET and HEAD\n", "text/plain",
                   extra={"Allow": "GET, HEAD"})  # fmt: skip

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    # --- routing -----------------------------------------------------------------------------

    def _answer(self, body: bool) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            text = f"signpost serve answers only requests for {self.server.url}\n"
            self._send(421 if host else 400, text.encode(), "text/plain", body=body)
            return
        if not self.path.startswith("/"):  # an absolute URL or '*' as the request target
            self._not_found(body)
            return
        path, _, query = self.path.partition("#")[0].partition("?")
        workspace = self.server.workspace
        if path in ("/", "/index.html"):
            self._page(workspace.overview(), body)
        elif path == SCRIPT:
            self._send(200, script(), "text/javascript; charset=utf-8", body=body)
        elif path == EVENTS:
            self._events()
        elif (match := PAGE.match(path)) and ID.match(match.group(1)):
            page = workspace.page(match.group(1))
            self._page(page, body) if page is not None else self._not_found(body)
        elif (match := SWEEP.match(path)) and ID.match(match.group(1)):
            found = sweep_response(workspace, match.group(1), query, self.server.sweeps)
            if found is None:
                self._not_found(body)
            else:
                self._page(found[1], body, status=found[0])
        else:
            self._not_found(body)

    # --- answers -----------------------------------------------------------------------------

    def _page(self, html: str, body: bool, status: int = 200) -> None:
        self._send(status, html.encode("utf-8"), "text/html; charset=utf-8", body=body)

    def _not_found(self, body: bool) -> None:
        self._send(404, b"not found: signpost serve shows only the pages it made\n",
                   "text/plain", body=body)  # fmt: skip

    def _headers(self, status: int, kind: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        host = (self.headers.get("Host") or "").strip().lower()
        origin = f"http://{host}" if host in self.server.hosts else self.server.url.rstrip("/")
        self.send_header("Content-Security-Policy", policy(origin + SCRIPT, header=True))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)

    def _send(self, status: int, data: bytes, kind: str, *, body: bool = True,
              extra: dict[str, str] | None = None) -> None:  # fmt: skip
        self._headers(status, kind, extra)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        """The event stream: every page's state now, then each event as it is published."""
        workspace = self.server.workspace
        listener = workspace.events.subscribe()
        try:
            self._headers(200, "text/event-stream; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            for event in workspace.snapshot():
                self.wfile.write(encode(event))
            self.wfile.flush()
            while not self.server.stopping:
                try:
                    event = listener.get(timeout=HEARTBEAT)
                except queue.Empty:
                    self.wfile.write(b": still here\n\n")
                else:
                    self.wfile.write(encode(event))
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            pass
        finally:
            workspace.events.unsubscribe(listener)
