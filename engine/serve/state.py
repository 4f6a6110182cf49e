"""What the warm process knows of each scenario file: its last good result and its state now.

Plain data, owned by the workspace's one computing thread (:mod:`engine.serve.workspace`) and
read by the server's threads under the workspace's lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.scenario.issues import ScenarioIssue
from engine.scenario.merge import MergedDocument
from engine.scenario.schema import Scenario

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # SPEC §1: a scenario id, which names its page
# A file's state: waiting (never computed yet), recomputing, ready (its page is up to date).
WAITING, RECOMPUTING, READY = "waiting", "recomputing", "ready"


@dataclass
class Good:
    """A valid version of a scenario and everything computed from it.

    Attributes
    ----------
    scenario, document : the validated scenario and the document it was read from.
    result : engine.run.result.Result
    context : dict
        The report page's context, figures included (:func:`engine.report.page.page_context`),
        rendered again with each live banner.
    summary : dict
        What the overview shows of it (as a report's manifest summary).
    diff : engine.diff.compare.DiffResult or None
        Against the previous good version: None for the first, or when no number changed.
    diff_error : str
        Why the change could not be attributed, when it could not.
    first : bool
        The first good version this process computed (nothing to compare with).
    version : int
        The file's version this came from.
    seconds : float
        From the save being seen to this result.
    finished : str
        When it was ready (local time, HH:MM:SS).
    """

    scenario: Scenario
    document: MergedDocument
    result: Any
    context: dict[str, Any]
    summary: dict[str, Any]
    diff: Any = None
    diff_error: str = ""
    first: bool = True
    version: int = 0
    seconds: float = 0.0
    finished: str = ""

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data


@dataclass
class FileState:
    """One scenario file of the workspace.

    ``issues`` are the file's validation errors now (the page shows them above the last good
    result); ``error`` is the one-line failure of the engine on a valid version (``bad_input``:
    the scenario's fault, such as a network too wide to sum; else a bug in Signpost).
    """

    file: Path
    chain: frozenset[Path] = frozenset()  # the file and its parents, resolved (last read)
    document: MergedDocument | None = None  # the last one read (valid or not)
    issues: list[ScenarioIssue] = field(default_factory=list)
    error: str = ""
    bad_input: bool = False
    failed_data: dict[str, Any] | None = None  # the values the engine last failed on
    good: Good | None = None
    state: str = WAITING
    version: int = 0  # bumped at every new state a page shows
    seen: float = 0.0  # when the change being computed was seen (time.perf_counter)
    saved: str = ""  # when, as HH:MM:SS

    @property
    def id(self) -> str | None:
        """The scenario id its page is served under (its last good version's)."""
        return self.good.scenario.id if self.good is not None else None

    @property
    def page(self) -> str | None:
        """The path of its page, ``/<id>/``, or None while it has none."""
        return f"/{self.id}/" if self.id else None

    @property
    def planned(self) -> str | None:
        """The id the file names, for the page it will have once computed (None when it has a
        page already, or names no id)."""
        if self.good is not None or self.document is None:
            return None
        named = self.document.data.get("id")
        return named if isinstance(named, str) and ID.match(named) else None

    @property
    def address(self) -> str | None:
        """Where its page is or will be: ``/<id>/``."""
        return self.page or (f"/{self.planned}/" if self.planned else None)

    @property
    def stale(self) -> bool:
        """The page shows an older version than the file's: the file is invalid or failed."""
        return bool(self.issues or self.error)
