"""One condition is written once in a mapping (SPEC §11.2).

**Anti-pattern**: ``causes: {a: raises, a=true: lowers}``: ``a`` alone means ``a=true``, so
the same condition has two effects. **Best practice**: keep one of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.rules._view import conditions, issue
from engine.scenario.source import SourceMap

CODE = Code(
    "duplicate-condition",
    "one condition written twice in a mapping (X and X=true)",
    bad="drivers:\n  b: {causes: {a: raises, a=true: lowers}}\n",
    good="drivers:\n  b: {causes: {a: raises, a=false: lowers}}\n",
)


def find(data: dict[str, Any], where: SourceMap) -> Iterator[ScenarioIssue]:
    """Each key that repeats an earlier key's condition, at the later key."""
    first: dict[tuple, str] = {}
    for ref in conditions(data):
        if ref.mapping is None:
            continue
        same = (ref.mapping, ref.driver, ref.state or "true")
        if same in first:
            message = f"`{ref.text}` is the same condition as `{first[same]}`"
            hint = f"keep one of them (`{ref.driver}` alone means `{ref.driver}=true`)"
            yield issue(CODE, message, hint, where, ref.path, key=True)
        else:
            first[same] = ref.text
