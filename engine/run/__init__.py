"""Running a scenario: the runner, its result, the expectations, the analysis, and the ``run``
command's text (SPEC §4, §5, §8, §9).

``from engine.run import run`` gives the runner; it is loaded on first use, so that importing the
result or its status words (as the pytest plugin does) stays light.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "run":
        from engine.run.runner import run

        return run
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
