"""Tasks for the executor tests: top-level functions the workers import by name."""

from __future__ import annotations

import time


def nap(seconds: float, progress=None) -> float:
    """Sleep ``seconds`` and return them."""
    time.sleep(seconds)
    return seconds
