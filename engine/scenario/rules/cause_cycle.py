"""The causes among drivers form no cycle (SPEC §4): the drivers are a directed acyclic graph.

**Anti-pattern**: ``a`` raises ``b`` and ``b`` raises ``a``; no order of the drivers puts every
cause before its effect. **Best practice**: keep the arrow that matters and remove the other.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import conditions, ids, issue
from engine.scenario.source import SourceMap

CODE = Code(
    "cause-cycle",
    "causes that loop, shown as `a -> b -> a`",
    bad="drivers:\n  a: {causes: {b: raises}}\n  b: {causes: {a: raises}}\n",
    good="drivers:\n  b: {causes: {a: raises}}\n",
)


def cause_graph(data: dict[str, Any]) -> dict[str, list[str]]:
    """Arrows cause → driver among existing drivers, from every condition in a driver's own
    probabilities (causes, states' causes, noisy-OR, table rows); self-causes and unknown ids
    left out."""
    known = set(ids(data, "drivers"))
    arrows: dict[str, list[str]] = {driver: [] for driver in ids(data, "drivers")}
    for ref in conditions(data):
        cause, driver = ref.driver, ref.owner
        if driver is not None and cause in known and cause != driver:
            if driver not in arrows[cause]:
                arrows[cause].append(driver)
    return arrows


def arrow_path(data: dict[str, Any], cause: str, driver: str) -> tuple:
    """Where the arrow cause → driver is written (the first condition that makes it)."""
    for ref in conditions(data):
        if ref.owner == driver and ref.driver == cause:
            return ref.path
    return ("drivers", driver)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Each cycle among the causes, shown as ``a -> b -> a``.

    One issue per group of drivers that reach each other (a strongly connected component),
    placed at the arrow that closes the shortest cycle through its first driver.
    """
    arrows = cause_graph(data)
    for group in strongly_connected(arrows):
        if len(group) < 2:
            continue
        cycle = _shortest_cycle(arrows, group)
        loop = " -> ".join(cycle)
        cause, driver = cycle[-2], cycle[-1]
        hint = "drivers cannot cause each other in a loop: remove one of these causes"
        path = arrow_path(data, cause, driver)
        yield issue(CODE, f"causes form a cycle: {loop}", hint, where, path, key=True)


def strongly_connected(arrows: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit), in file order.

    Parameters
    ----------
    arrows : dict
        Each node's successors; every successor is a node.

    Returns
    -------
    list of list of str
        The components, each in the nodes' order in ``arrows``.
    """
    order = {node: i for i, node in enumerate(arrows)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in arrows:
        if root in index:
            continue
        work = [(root, iter(arrows[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(arrows[succ])))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group, key=order.__getitem__))
    return sorted(groups, key=lambda group: order[group[0]])


def _shortest_cycle(arrows: dict[str, list[str]], group: list[str]) -> list[str]:
    """The shortest cycle from the group's first node back to it, first node repeated last."""
    start, members = group[0], set(group)
    before: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in arrows[node]:
            if succ == start:
                path = [node]
                while path[-1] != start:
                    path.append(before[path[-1]])
                return [*reversed(path), start]
            if succ in members and succ not in before:
                before[succ] = node
                queue.append(succ)
    raise AssertionError("a strongly connected group of two or more always holds a cycle")
