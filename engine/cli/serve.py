"""``signpost serve``: the workspace, its watcher and computing threads, and the server.

The watcher starts before the first files are read, so no save is missed; the computing
thread then computes every scenario in turn (its page shows as soon as it is ready) and follows
the changes; the server answers in the main thread until Ctrl-C, which stops everything with one
line and exit 130. A port in use is exit 2, naming it. The live server itself is
:mod:`engine.serve`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from engine.cli.exit import BAD_INPUT, INTERRUPTED, OK
from engine.cli.options import scenario_paths

DEFAULT_PORT = 8765
JOIN_SECONDS = 1.0  # how long Ctrl-C waits for the watcher and the computing thread


def add(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="a live page for each scenario that follows your edits",
        description="Serve every scenario's report page and the overview on a local web server "
        "that watches the files: on a save it re-runs what changed and the open page shows the "
        "new numbers, what changed and which edit moved them, or the file's errors. Ctrl-C "
        "stops it (exit 130); a port in use is exit 2.",
    )
    scenario_paths(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument("--no-analysis", action="store_true", help="skip influence/signposts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``signpost serve [PATH...]``: runs until Ctrl-C (130); 2 when the port is taken."""
    return serve(args.paths, host=args.host, port=args.port, analysis=not args.no_analysis)


def serve(
    paths: Iterable[str | Path],
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    analysis: bool = True,
    ready: threading.Event | None = None,
) -> int:
    """Serve the scenarios under ``paths`` until interrupted; return the exit code.

    Parameters
    ----------
    paths : iterable of str or Path
        Scenario files and folders.
    host, port : the address to listen on (port 0: any free port).
    analysis : bool
        Run the analysis for every page.
    ready : threading.Event, optional
        Set once the server listens (for callers that run it in a thread).
    """
    from engine.serve.server import LiveServer, PortInUse  # the server's libraries, only now
    from engine.serve.workspace import Workspace

    paths = [Path(p) for p in paths]
    workspace = Workspace(paths, analysis=analysis, say=_say)
    try:
        server = LiveServer(workspace, host, port)
    except PortInUse as error:
        print(f"signpost serve: {error.strerror} — stop whatever holds it, or choose "
              "another with --port", file=sys.stderr)  # fmt: skip
        return BAD_INPUT
    except OSError as error:
        print(f"signpost serve: cannot listen on {host} port {port}: {error.strerror or error}",
              file=sys.stderr)  # fmt: skip
        return BAD_INPUT
    warning = exposure_warning(host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    stop = threading.Event()
    threads = [
        threading.Thread(target=_watch, args=(workspace, stop), name="watch", daemon=True),
        threading.Thread(target=workspace.run, args=(stop,), name="compute", daemon=True),
    ]
    shown = ", ".join(str(p) for p in paths)  # the address first, before any progress line
    print(f"signpost serve: {shown} at {server.url} — open it, edit and save a scenario; "
          "Ctrl-C to stop", flush=True)  # fmt: skip
    for thread in threads:
        thread.start()
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("signpost serve: stopped (Ctrl-C)", file=sys.stderr, flush=True)
        return _stop(server, stop, threads, INTERRUPTED)
    return _stop(server, stop, threads, OK)


def _stop(server, stop: threading.Event, threads: list[threading.Thread], code: int):
    """Stop the watcher and the computing thread before the interpreter ends; return ``code``.

    The watcher stops within its timeout. A computation still running is not waited for: the
    process ends at once (``os._exit``, after flushing), since finalising the interpreter
    under a thread inside NumPy or the watcher's native code can abort it (SIGABRT).
    """
    stop.set()
    server.stopping = True
    server.server_close()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    if any(thread.is_alive() for thread in threads):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def exposure_warning(host: str) -> str | None:
    """The loud line for an address other machines can reach; None for this machine only."""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        local = False
    if local:
        return None
    return (
        f"signpost serve: WARNING: listening on {host}, which other machines can reach: anyone "
        "who can reach it can read every scenario served (and make this machine compute "
        "sweeps). Leave out --host to serve this machine only (127.0.0.1)."
    )


def _watch(workspace, stop: threading.Event) -> None:
    from engine.serve.watcher import watch

    watch(workspace, stop)


def _say(line: str) -> None:
    print(line, flush=True)
