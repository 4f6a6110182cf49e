"""Test-suite wiring: every test that samples with NUTS runs in one worker process.

Compiling a graph's PyMC model for nutpie takes about a minute and is cached per process, so
``make test`` (pytest-xdist, ``--dist loadgroup``) sends the tests marked ``nuts`` to one
worker, which compiles the shared small network once, while the other worker runs the rest.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("nuts"):
            item.add_marker(pytest.mark.xdist_group("nuts"))
