"""Cross-reference rules: checks across the items of a scenario that the schema cannot make.

Each rule is a function ``rule(data, where)`` that yields :class:`~engine.scenario.issues.ScenarioIssue`
records, documented by its docstring (like sqlfluff's one-rule-per-file habit, one module per
family here). Rules read the *raw* resolved values, not the validated model, so that their
findings are reported together with the schema's: they skip whatever is malformed (the schema
reports that) and must never raise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from engine.scenario.issues import ScenarioIssue
from engine.scenario.rules import causes, evidence, references, resolution
from engine.scenario.source import SourceMap

Rule = Callable[[dict[str, Any], SourceMap], Iterator[ScenarioIssue]]

RULES: tuple[Rule, ...] = (
    references.unknown_ids,
    references.compared_with_itself,
    causes.self_causes,
    causes.cause_cycles,
    evidence.contradictory_evidence,
    resolution.resolution,
)


def rule_issues(data: dict[str, Any], where: SourceMap) -> list[ScenarioIssue]:
    """Run every rule of :data:`RULES` on a resolved document's values.

    Parameters
    ----------
    data : dict
        The resolved values (possibly malformed).
    where : SourceMap
        Their locations.

    Returns
    -------
    list of ScenarioIssue
        Everything every rule found.
    """
    return [issue for rule in RULES for issue in rule(data, where)]
