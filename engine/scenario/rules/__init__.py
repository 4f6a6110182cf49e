"""The validation rules: what the schema cannot see, across the items of a scenario.

One rule per module, as sqlfluff's are: each declares its :class:`~engine.scenario.issues.Code`
(``CODE``: the code, a one-line description, a bad and a good example), documents itself in
its docstring, and yields :class:`~engine.scenario.issues.ScenarioIssue` records from
``find(data, where)``. Rules read the *raw* merged values, not the validated model, so that
their findings are reported together with the schema's: they skip whatever is malformed (the
schema reports that) and must never raise.
"""

from __future__ import annotations

from typing import Any

from engine.scenario.issues import ScenarioIssue
from engine.scenario.rules import (
    cause_cycle,
    compared_with_itself,
    contradictory_evidence,
    driver_form,
    duplicate_condition,
    outcomes_form,
    resolved_early,
    row_states,
    self_cause,
    state_id,
    state_needed,
    state_sum,
    table_rows,
    unknown_id,
    unknown_state,
)
from engine.scenario.source import SourceMap

RULES = (
    unknown_id,
    unknown_state,
    state_needed,
    duplicate_condition,
    compared_with_itself,
    driver_form,
    outcomes_form,
    state_id,
    state_sum,
    table_rows,
    row_states,
    self_cause,
    cause_cycle,
    contradictory_evidence,
    resolved_early,
)


def rule_issues(data: dict[str, Any], where: SourceMap) -> list[ScenarioIssue]:
    """Run every rule of :data:`RULES` on a merged document's values.

    Parameters
    ----------
    data : dict
        The merged values (possibly malformed).
    where : SourceMap
        Their locations.

    Returns
    -------
    list of ScenarioIssue
        Everything every rule found.
    """
    return [issue for rule in RULES for issue in rule.find(data, where)]
