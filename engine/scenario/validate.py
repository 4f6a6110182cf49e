"""Validating scenario files: the format (``engine.scenario.schema``) and cross-references.

Reading problems (``engine.scenario.reader``), format problems (pydantic's errors, put in the
analyst's words by ``engine.scenario.translate``) and cross-reference problems
(``engine.scenario.rules``) of a file are all reported together, sorted by place.

When two stages find a problem at the same place (a key YAML reads as a boolean that is then
also an unknown key), only the earlier stage's is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from engine.scenario.discover import discover
from engine.scenario.issues import Code, ScenarioError, ScenarioIssue, sort_issues
from engine.scenario.merge import MergedDocument, read_document
from engine.scenario.rules import rule_issues
from engine.scenario.schema import Scenario
from engine.scenario.translate import translate

DUPLICATE_ID = Code(
    "duplicate-id",
    "two scenarios of one batch with the same id",
    bad="id: other\n",
    good="id: another\n",
)


@dataclass
class Validated:
    """The outcome of validating one file.

    Attributes
    ----------
    path : Path
        The file as named.
    document : MergedDocument or None
        The merged values (``extends`` merged in), when the file could be read into values.
    scenario : Scenario or None
        The validated scenario, when there is no issue.
    issues : list of ScenarioIssue
        Every problem, sorted by place.
    """

    path: Path
    document: MergedDocument | None
    scenario: Scenario | None
    issues: list[ScenarioIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file is a valid scenario."""
        return self.scenario is not None and not self.issues


def validate_file(path: str | Path) -> Validated:
    """Read one scenario file, merge its ``extends`` and validate it, collecting every problem.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    Validated
        The document, the scenario (None unless there is no issue) and the issues.
    """
    path = Path(path)
    document, issues = read_document(path)
    if document is None:
        return Validated(path, None, None, sort_issues(issues))
    scenario, found = validate_document(document)
    issues = _first_per_place(issues, found)
    return Validated(path, document, scenario if not issues else None, sort_issues(issues))


def validate_files(paths: Iterable[str | Path]) -> list[Validated]:
    """Check several files as one batch: each on its own, then scenario ids across them.

    Parameters
    ----------
    paths : iterable of str or Path
        Scenario files (see :func:`engine.scenario.discover.discover` to expand folders).

    Returns
    -------
    list of Validated
        One per file, in order; a file whose id repeats an earlier file's gets an issue.
    """
    validated = [validate_file(path) for path in paths]
    for issue in unique_id_issues(v.document for v in validated if v.document is not None):
        for entry in validated:
            if entry.document is not None and str(entry.path) == issue.file:
                entry.issues = sort_issues([*entry.issues, issue])
                entry.scenario = None
    return validated


def validate_paths(paths: Iterable[str | Path]) -> list[Validated]:
    """Every scenario file among ``paths`` (files and folders), validated as one batch.

    The one way every command finds its files: :func:`engine.scenario.discover.discover`
    (``_*.yaml`` are parents only), then :func:`validate_files`.
    """
    return validate_files(discover(paths))


def validate_document(document: MergedDocument) -> tuple[Scenario | None, list[ScenarioIssue]]:
    """Validate a merged document against the format and the cross-reference rules.

    Parameters
    ----------
    document : MergedDocument
        From :func:`engine.scenario.merge.read_document`.

    Returns
    -------
    scenario : Scenario or None
        The validated scenario, None if there is any issue.
    issues : list of ScenarioIssue
        Format and cross-reference problems, unsorted.
    """
    scenario, issues = None, []
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as exc:
        issues = [translate(error, document) for error in exc.errors(include_url=False)]
    issues = _first_per_place(issues, rule_issues(document.data, document.where))
    return (scenario if not issues else None), issues


def unique_id_issues(documents: Iterable[MergedDocument]) -> list[ScenarioIssue]:
    """Scenario ids are unique within a batch (SPEC §1): they name the report folders.

    Parameters
    ----------
    documents : iterable of MergedDocument
        The batch, in order.

    Returns
    -------
    list of ScenarioIssue
        One issue, at the ``id``, for every document whose id an earlier one already has.
    """
    first: dict[str, Path] = {}
    issues = []
    for document in documents:
        scenario_id = document.data.get("id")
        if not isinstance(scenario_id, str):
            continue
        if scenario_id not in first:
            first[scenario_id] = document.path
            continue
        here = document.where.locate(("id",))
        message = f"scenario id `{scenario_id}` is also the id of {first[scenario_id]}"
        hint = "give each scenario its own id (it names the scenario's report)"
        issues.append(
            ScenarioIssue(
                DUPLICATE_ID.name,
                message,
                hint,
                str(document.path),
                here.line,
                here.column,
                ("id",),
            )
        )
    return issues


def _first_per_place(
    earlier: list[ScenarioIssue], later: list[ScenarioIssue]
) -> list[ScenarioIssue]:
    """``earlier`` and those of ``later`` not at a place an earlier issue already points at."""
    taken = {(i.file, i.line, i.column) for i in earlier if i.line}
    return [*earlier, *(i for i in later if (i.file, i.line, i.column) not in taken)]


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, merge its ``extends`` and validate it: the scenario of
    :func:`validate_file`, or :class:`ScenarioError` with every problem in the file at once
    (reading, format and cross-references)."""
    validated = validate_file(path)
    if validated.scenario is None:
        raise ScenarioError(validated.issues)
    return validated.scenario
