"""The error record of a rejected scenario, and the exception that carries them.

Every problem found in a scenario file becomes one :class:`ScenarioIssue`: what rule it breaks
(``code``), where it is (file, line, column and the path of keys), what is wrong and what to
write instead. All the problems of a file travel together in one :class:`ScenarioError`, so the
analyst sees them at once (SPEC §7).

Each code is a :class:`Code` declared in the module whose check raises it (reading, ``extends``,
the format, one rule per file of :mod:`engine.scenario.rules`, a batch), with a one-line
description and a bad and a good example; :func:`codes` (and ``CODES``) gathers them, and a
:class:`ScenarioIssue` refuses a code nobody declared.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# A minimal valid scenario, less its id: every fragment example extends it (see :class:`Code`).
EXAMPLE_BASE = """\
signpost: 1
title: An example
as_of: 2022-01-07
drivers:
  a: {label: A, p: 0.3}
  b: {label: B, p: 0.6}
outcomes:
  up: {label: Up}
  down: {label: Down}
"""

# The modules that declare codes (module-level Code objects), and so raise them.
_DECLARING = (
    "engine.scenario.reader",
    "engine.scenario.merge",
    "engine.scenario.translate",
    "engine.scenario.rules",
    "engine.scenario.validate",
)


@dataclass(frozen=True)
class Code:
    """An error code: declared once, beside the check that raises it (as sqlfluff's rules are).

    Attributes
    ----------
    name : str
        What tools match on (``unknown-id``); stable.
    description : str
        The problem, in one line (``scenarios/SCHEMA.md`` lists the same line).
    bad, good : str or bytes or None
        A file's text that earns exactly this code (or a function that makes it, for a text
        too big to keep), and one that earns none. By default each is
        a *fragment*: the file is ``extends: _base.yaml`` and ``id: example`` (each left out when
        the fragment writes that key itself) then the fragment, beside a ``_base.yaml`` holding
        :data:`EXAMPLE_BASE`, so ``extends`` deep-merges the fragment into a minimal valid
        scenario (SPEC §6); the file is checked in a batch after ``other.yaml``, another child of
        the base with the id ``other``. With ``whole``, the example is the whole file, and None
        means no file at all.
    whole : bool
        Whether the examples are whole files rather than fragments.
    """

    name: str
    description: str
    bad: str | bytes | Callable[[], str | bytes] | None
    good: str | bytes
    whole: bool = False


@functools.cache
def codes() -> dict[str, Code]:
    """Every error code, by name, gathered from the modules that raise them.

    Returns
    -------
    dict of str to Code
        In the order the modules are read (reading, ``extends``, the format, the rules, a
        batch).

    Raises
    ------
    ValueError
        When two different declarations share a name.
    """
    found: dict[str, Code] = {}
    for name in _DECLARING:
        module = importlib.import_module(name)
        for part in (module, *getattr(module, "RULES", ())):
            for value in vars(part).values():
                if isinstance(value, Code) and found.setdefault(value.name, value) != value:
                    raise ValueError(f"error code {value.name!r} is declared twice")
    return found


def __getattr__(name: str) -> Any:
    # CODES is built on first use: the modules that declare codes import this one.
    if name == "CODES":
        return codes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        The rule broken: the name of a declared :class:`Code` (see :func:`codes`).
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
        if self.code not in codes():
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
