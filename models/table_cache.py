"""A small cache of read-only arrays under exact keys, shared by threads (models/elimination.py
keeps the setting-independent tables of recent chunks of draws in one).

A key holds the inputs themselves (structure, and the draws' bytes), never a digest of them, so
an array comes back only for inputs equal to the last bit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

CACHE_BYTES = 256 * 2**20  # what one cache keeps at most


class TableCache:
    """Arrays, each under a key of everything it is computed from.

    Arrays are read-only and shared: a hit costs no memory. The least recently used go first
    once they exceed ``max_bytes``. Threads (a sweep's values) may ask at once: an array being
    computed for one of them is waited for, not computed twice.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self._tables: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
        """The table under ``key``, made by ``make()`` (and kept) when there is none."""
        with self._lock:
            found = self._found(key)
            if found is not None:
                return found
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            with self._lock:
                found = self._found(key)
                if found is not None:
                    return found
            try:
                table = make()
                table.flags.writeable = False
                with self._lock:
                    self.misses += 1
                    self._keep(key, table)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
        return table

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            self._bytes = 0

    def _found(self, key: Hashable) -> np.ndarray | None:
        table = self._tables.get(key)
        if table is not None:
            self._tables.move_to_end(key)
            self.hits += 1
        return table

    def _keep(self, key: Hashable, table: np.ndarray) -> None:
        if table.nbytes > self.max_bytes:
            return
        self._tables[key] = table
        self._bytes += table.nbytes
        while self._bytes > self.max_bytes:
            _, dropped = self._tables.popitem(last=False)
            self._bytes -= dropped.nbytes
