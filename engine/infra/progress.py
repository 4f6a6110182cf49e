"""A progress line on the terminal for work that takes more than about two seconds.

``signpost run`` and ``signpost diff`` call the runner with a ``progress`` callback; this turns
it into a rich status line on standard error that appears only once the work has taken
:data:`DELAY` seconds (a quick run prints nothing extra) and disappears when it ends. It stays
silent when standard error is not a terminal and under ``--json``, so piped output and JSON are
never mixed with it.
"""

from __future__ import annotations

import sys
import threading
import time

DELAY = 2.0  # seconds before the line appears


class DelayedStatus:
    """A callable ``say(message)`` that shows the latest message after :data:`DELAY` seconds.

    Use as a context manager; disabled, it only remembers the message.
    """

    def __init__(self, title: str, *, enabled: bool | None = None, delay: float = DELAY):
        self.title = title
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.delay = delay
        self.message = "starting"
        self._started = 0.0
        self._status = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> DelayedStatus:
        self._started = time.perf_counter()
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __call__(self, message: str) -> None:
        with self._lock:
            self.message = message
            if self._status is not None:
                self._status.update(self._text())

    def _text(self) -> str:
        return f"{self.title}: {self.message} ({time.perf_counter() - self._started:.0f} s)"

    def _show(self) -> None:
        from rich.console import Console

        with self._lock:
            self._status = Console(stderr=True).status(self._text())
            self._status.start()

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._status is not None:
                self._status.stop()
                self._status = None
