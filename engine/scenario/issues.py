"""The error record of a rejected scenario, and the exception that carries them.

Every problem found in a scenario file becomes one :class:`ScenarioIssue`: what rule it breaks
(``code``), where it is (file, line, column and the path of keys), what is wrong and what to
write instead. All the problems of a file travel together in one :class:`ScenarioError`, so the
analyst sees them at once (SPEC §7).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Every rule a scenario can break, by code. Codes are stable: tools and tests match on them.
CODES: dict[str, str] = {
    # reading the file
    "not-found": "the file does not exist or cannot be read",
    "too-large": "the file is larger than a scenario can reasonably be",
    "encoding": "the file is not UTF-8 text",
    "control-character": "the file holds a control character",
    "tab-indent": "a tab in the indentation of a line",
    "yaml-syntax": "the text is not valid YAML",
    "documents": "the file holds more than one YAML document",
    "empty": "the file holds no scenario",
    "too-deep": "the YAML nests absurdly deep",
    "anchor": "a YAML anchor (&name) or alias (*name)",
    "tag": "a YAML tag (!!python/..., !name)",
    "duplicate-key": "the same key twice in one mapping",
    "key-type": "a key YAML reads as a boolean, number, date or null, or a key that is not text",
    "extends": "a missing, looping or malformed `extends`",
    # the format (engine.scenario.schema)
    "unknown-key": "a key the format does not have",
    "missing-key": "a required key is missing",
    "wrong-type": "a value of the wrong type",
    "unknown-word": "an unknown probability or effect word",
    "probability-range": "a probability outside (0, 1)",
    "not-finite": "a number that is not finite (.nan, .inf)",
    "range-order": "a range whose low end is not below its high end",
    "bad-id": "an id that does not match the id pattern",
    "bad-url": "a source url whose scheme is not http or https",
    "bad-value": "a value the format does not allow here",
    # cross-references (engine.scenario.rules)
    "unknown-id": "a reference to an id that does not exist",
    "self-cause": "a driver listed among its own causes",
    "cause-cycle": "the causes among drivers form a cycle",
    "contradictory-evidence": "hard evidence that contradicts other hard evidence",
    "resolved-early": "a resolution dated on or before the scenario's as_of",
    # a batch of files
    "duplicate-id": "two scenarios of one batch share an id",
}

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def render_path(path: Iterable[str | int]) -> str:
    """Render a path of keys as an analyst reads it: ``drivers.a.causes.b``, ``authors[0]``.

    Parameters
    ----------
    path : iterable of str or int
        Mapping keys (str) and list indices (int), from the top of the file down.

    Returns
    -------
    str
        Keys joined by dots, list indices in brackets, and any key that is not a plain word
        quoted in brackets (``drivers["a b"]``) so the rendering is never ambiguous.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


@dataclass(frozen=True, order=False)
class ScenarioIssue:
    """One problem in a scenario file.

    Attributes
    ----------
    code : str
        The rule broken, a key of :data:`CODES`.
    message : str
        What is wrong, in one line.
    hint : str
        What to write instead; empty when there is nothing useful to say.
    file : str
        The file the problem is in, as the user named it (a parent's path for inherited keys).
    line, column : int
        1-based position; 0 when the problem concerns the whole file.
    path : tuple of str or int
        The keys leading to the problem, empty for the whole file.
    """

    code: str
    message: str
    hint: str = ""
    file: str = ""
    line: int = 0
    column: int = 0
    path: tuple[str | int, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown error code {self.code!r}")

    @property
    def key_path(self) -> str:
        """The path of keys rendered as ``drivers.a.causes.b``."""
        return render_path(self.path)

    def sort_key(self) -> tuple:
        """Order of report: by file, then line and column, then key path."""
        return (self.file, self.line, self.column, self.key_path, self.code, self.message)

    def format(self) -> str:
        """One line: ``file:line:column: key.path: what is wrong — what to write instead``."""
        where = self.file or "<scenario>"
        if self.line:
            where += f":{self.line}:{self.column}"
        text = f"{where}: "
        if self.path:
            text += f"{self.key_path}: "
        text += self.message
        if self.hint:
            text += f" — {self.hint}"
        return " ".join(text.split())  # one line, whatever the scenario's text held

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``path`` is the rendered key path."""
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.key_path,
            "message": self.message,
            "hint": self.hint,
        }


def sort_issues(issues: Iterable[ScenarioIssue]) -> list[ScenarioIssue]:
    """Sort issues by file, line and column, dropping exact repeats."""
    unique = {(issue.sort_key(), issue.path): issue for issue in issues}
    return [unique[key] for key in sorted(unique, key=lambda key: key[0])]


class ScenarioError(Exception):
    """A scenario was rejected; ``issues`` holds every problem found, sorted by place.

    Parameters
    ----------
    issues : iterable of ScenarioIssue
        At least one issue.
    """

    def __init__(self, issues: Iterable[ScenarioIssue]) -> None:
        self.issues: list[ScenarioIssue] = sort_issues(issues)
        if not self.issues:
            raise ValueError("a ScenarioError needs at least one issue")
        super().__init__(self.format())

    @property
    def errors(self) -> list[ScenarioIssue]:
        """The same list as ``issues``."""
        return self.issues

    def format(self) -> str:
        """Every issue on its own line, in order."""
        return "\n".join(issue.format() for issue in self.issues)

    def to_dict(self) -> dict[str, Any]:
        """``{"errors": [...]}`` with one :meth:`ScenarioIssue.to_dict` per issue."""
        return {"errors": [issue.to_dict() for issue in self.issues]}
