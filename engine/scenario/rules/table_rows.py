"""A table has exactly one row for every combination of its parents' states (SPEC §11.3).

**Anti-pattern**: a row missing; the same row written twice in two orders
(``a=true b=false`` and ``b=false a=true``); a row that leaves out a parent the other rows
name, or names one driver twice. **Best practice**: one row per combination, each naming every
parent once as ``X=s``; the message lists the rows concerned.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import driver_states, ids, issue, items, mapping
from engine.scenario.source import SourceMap

CODE = Code(
    "table-rows",
    "a table whose rows are not one per combination of its parents' states",
    bad="drivers:\n  b: {p: null, table: {a=true: 0.9}}\n",
    good="drivers:\n  b: {p: null, table: {a=true: 0.9, a=false: 0.2}}\n",
)
LISTED = 8  # rows listed in one message before "and N more"


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Per table: rows naming a driver twice, rows written twice, rows missing a parent, and
    the combinations no row gives."""
    order = {d: i for i, d in enumerate(ids(data, "drivers"))}
    states = driver_states(data)
    for driver, item in items(data, "drivers"):
        table = mapping(item, "table")
        here = ("drivers", driver, "table")
        rows: dict[tuple, str] = {}
        parents: set[str] = set()
        good = True
        for row in [r for r in table if isinstance(r, str)]:
            parts = [p.partition("=") for p in row.split()]
            named = [d for d, _, _ in parts]
            if any(d not in states or s not in states[d] for d, _, s in parts):
                good = False  # unknown-id or unknown-state says so: no combination to count
            parents |= set(named)
            if len(set(named)) < len(named):
                twice = sorted({d for d in named if named.count(d) > 1})
                message = f"row `{row}` names {', '.join(f'`{d}`' for d in twice)} twice"
                yield issue(CODE, message, "name each parent once", where, (*here, row), key=True)
                good = False
                continue
            key = tuple(sorted((d, s) for d, _, s in parts))
            if key in rows:
                message = f"row `{row}` is row `{rows[key]}` again, in another order"
                yield issue(CODE, message, "keep one of them", where, (*here, row), key=True)
                good = False
            rows.setdefault(key, row)
        parents &= set(states)  # an unknown driver is reported as such (unknown-id)
        for key, row in rows.items():
            missing = parents - {d for d, _ in key}
            if missing:
                names = ", ".join(f"`{d}`" for d in sorted(missing, key=lambda d: order.get(d, 0)))
                message = f"row `{row}` does not name {names}, which other rows name"
                hint = "every row names every parent once, as X=s"
                yield issue(CODE, message, hint, where, (*here, row), key=True)
                good = False
        if good and table and all(p in states for p in parents):
            yield from _missing_rows(parents, rows, states, order, where, here)


def _missing_rows(parents, rows, states, order, where, here) -> Iterator[ScenarioIssue]:
    ordered = sorted(parents, key=lambda d: order.get(d, 0))
    given = set(rows)
    missing = []
    for combination in itertools.product(*(states[d] for d in ordered)):
        key = tuple(sorted(zip(ordered, combination)))
        if key not in given:
            missing.append(" ".join(f"{d}={s}" for d, s in zip(ordered, combination)))
    if missing:
        shown = ", ".join(f"`{m}`" for m in missing[:LISTED])
        more = f" and {len(missing) - LISTED} more" if len(missing) > LISTED else ""
        count = f"{len(missing)} row" + ("s" if len(missing) > 1 else "")
        message = f"the table lacks {count}: {shown}{more}"
        hint = "add one row for every combination of the parents' states"
        yield issue(CODE, message, hint, where, here, key=True)
