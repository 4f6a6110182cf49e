"""Sweeps on the served page (SPEC §13): every uncertain number in a page's uncertainty table
links to ``/<id>/sweep?path=PATH``, computed on demand from the scenario's last good version.

The query may also give ``from``, ``to`` and ``steps`` (the sweep page's form does); anything
else is ignored. A request is checked as ``signpost sweep`` checks its arguments, with at most
:data:`MAX_STEPS` values, and its problems are shown on the page (status 400). A sweep runs under
the workspace's engine lock (one computation at a time) and is kept for as long as the
version it came from is the scenario's.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from urllib.parse import parse_qs

from engine.serve.workspace import Workspace

MAX_STEPS = 101  # a request computes at most this many values
KEEP = 32  # sweeps kept


class SweepCache:
    """The sweeps already drawn, by (file, version, path, values), newest last."""

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple, str] = OrderedDict()

    def get(self, key: tuple) -> str | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, page: str) -> None:
        self._pages[key] = page
        while len(self._pages) > KEEP:
            self._pages.popitem(last=False)


def sweep_response(
    workspace: Workspace, scenario_id: str, query: str, cache: SweepCache
) -> tuple[int, str] | None:
    """(status, page) of a sweep of scenario ``scenario_id``; None when no scenario has it."""
    from engine.inference.network import network_of
    from engine.serve.pages import sweep_page
    from engine.sweep.compute import sweep
    from engine.sweep.request import SweepError, check_request

    state = workspace.state_of(scenario_id)
    if state is None:
        return None
    fields = parse_qs(query, keep_blank_values=True, max_num_fields=16)
    path = _one(fields, "path")
    form = {name: _one(fields, key) for name, key in (("start", "from"), ("stop", "to"),
                                                      ("steps", "steps"))}  # fmt: skip
    problems, numbers = _numbers(form)
    with workspace.lock:
        good = state.good
    network = network_of(good.scenario)
    request = None
    try:
        request = check_request(
            network, path, *numbers, document=good.document, max_steps=MAX_STEPS
        )
    except SweepError as error:
        problems = error.problems + problems
    if problems or request is None:
        with workspace.lock:
            page = sweep_page(state, workspace.server, path=path, problems=problems, form=form)
        return 400, page
    form = {"start": f"{request.values[0]:g}", "stop": f"{request.values[-1]:g}",
            "steps": str(len(request.values))}  # fmt: skip
    key = (state.file, good.version, request.path, request.values)
    found = cache.get(key)
    if found is not None:
        return 200, found
    with workspace.engine:
        result = sweep(good.scenario, request, network=network)
        with workspace.lock:
            page = sweep_page(state, workspace.server, path=path, sweep=result, form=form)
    cache.put(key, page)
    return 200, page


def _one(fields: dict[str, list[str]], key: str) -> str:
    values = fields.get(key) or [""]
    return values[-1].strip()


def _numbers(form: dict[str, str]) -> tuple[list[str], tuple]:
    """(problems, (start, stop, steps)) read from the form's text; a blank field is None."""
    problems, out = [], []
    for name, key, kind in (("start", "from", float), ("stop", "to", float),
                            ("steps", "steps", int)):  # fmt: skip
        text = form[name]
        if not text:
            out.append(None)
            continue
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or (kind is float and not math.isfinite(value)):
            what = "a whole number" if kind is int else "a number"
            problems.append(f"{key} {text[:40]!r}: not {what}")
            out.append(None)
        else:
            out.append(value)
    return problems, tuple(out)
