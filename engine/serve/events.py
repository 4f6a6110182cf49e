"""Server-sent events: every open page hears when its scenario is recomputing or ready.

One :class:`Broadcaster` per server; each ``/_signpost/events`` connection subscribes a queue
and the workspace publishes an event (a small dict, sent as JSON) to every queue. A page whose
connection is too slow to keep up loses events, never stalls the others: it catches up from the
version each event carries.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

BACKLOG = 256  # events a connection may fall behind by before it loses some


class Broadcaster:
    """Fan-out of events to the connections that listen."""

    def __init__(self) -> None:
        self._queues: set[queue.Queue] = set()
        self._lock = threading.Lock()

    def subscribe(self) -> queue.Queue:
        """A new queue that receives every event published from now on."""
        listener: queue.Queue = queue.Queue(BACKLOG)
        with self._lock:
            self._queues.add(listener)
        return listener

    def unsubscribe(self, listener: queue.Queue) -> None:
        with self._lock:
            self._queues.discard(listener)

    def publish(self, event: dict[str, Any]) -> None:
        """Send ``event`` to every listener (dropped for one whose backlog is full)."""
        with self._lock:
            listeners = list(self._queues)
        for listener in listeners:
            try:
                listener.put_nowait(event)
            except queue.Full:
                pass

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._queues)


def encode(event: dict[str, Any]) -> bytes:
    """One event in the text/event-stream format: a ``data:`` line of JSON, then a blank line."""
    return b"data: " + json.dumps(event, ensure_ascii=True).encode("ascii") + b"\n\n"
