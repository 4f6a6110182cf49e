"""A diff as tables: rich for a terminal, Markdown for a pull-request comment.

Numbers are rounded here only. Changes are in percentage points. Scenario text (labels, words,
values) is data: rich prints it as ``Text`` (never markup) and Markdown escapes it.
"""

from __future__ import annotations

from typing import Any

import yaml
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from engine import display
from engine.diff.compare import DiffResult, EditShare
from engine.diff.edits import ABSENT, shown
from engine.scenario.methods import title

ATTRIBUTIONS = {
    "shapley": "Shapley: each edit's change is its average over every order of applying the edits",
    "sequential": "sequential: the edits applied one after another in the order listed",
    None: "not attributed",
}
_MD_SPECIAL = set("\\`*_{}[]<>|~&")  # what could start markup inside a table cell


def brief(value: Any, limit: int = 60) -> str:
    """A value as the analyst wrote it, on one line: a word, a number, ``{range: [0.2, 0.4]}``;
    an item added or removed whole without its documentation fields."""
    if value is ABSENT or value is None:
        return display.MISSING
    value = shown(value)
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = display.number(value)
    else:
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "label"}
        text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(share: EditShare, k: str) -> str:
    text = display.points(share.change[k] if share.change is not None else None)
    return text + " ~" if k in share.within_noise else text


def _rows(result: DiffResult) -> list[tuple[str, str, str, str, str]]:
    """(label, id, old, new, change) of every outcome of either version; a sampled change
    shows its Monte Carlo standard error."""
    rows = []
    errors = result.change_mcse
    for k, delta in result.change.items():
        label = result.labels.get(k, k)
        old, new = result.old.outcomes.get(k), result.new.outcomes.get(k)
        change = display.points(delta)
        if delta is not None and not result.exact:
            change += f" {display.points_error(errors[k])}"
        rows.append((label, k, display.fine(old), display.fine(new), change))
    return rows


def _outcomes(result: DiffResult) -> list[str]:
    return list(result.old.outcomes) if result.attribution else []


def _listed(result: DiffResult) -> list[EditShare]:
    """The edits in the order they were applied (sequential), else in file order."""
    if result.attribution == "sequential" and result.order is not None:
        return [result.edits[i] for i in result.order]
    return result.edits


def cells(result: DiffResult) -> dict[str, Any]:
    """The diff's two tables as text cells, for a front end that lays them out itself (the
    live page of ``signpost serve``).

    Returns
    -------
    dict
        ``outcomes``: (label, id, old, new, change) per outcome; ``columns``: the outcome ids
        of the edit table; ``edits``: per edit, in the order applied, ``path``, ``includes``
        (the references that travel with it), ``kind``, ``change`` (old → new as written) and
        ``cells`` (its change per column, ``~`` within sampling noise); ``total`` (per column);
        ``attribution`` (how the change was shared out), ``notes`` and ``how`` (the evaluations).
    """
    columns = _outcomes(result)
    edits = [
        {
            "path": share.edit.path,
            "includes": share.edit.to_dict()["includes"],
            "kind": share.edit.kind,
            "change": f"{brief(share.edit.change.old)} → {brief(share.edit.change.new)}",
            "cells": [_cell(share, k) for k in columns],
        }
        for share in _listed(result)
    ]
    return {
        "outcomes": _rows(result),
        "columns": columns,
        "edits": edits,
        "total": [display.points(result.change[k]) for k in columns] if edits else [],
        "attribution": ATTRIBUTIONS[result.attribution],
        "notes": list(result.notes),
        "how": _how_line(result),
    }


def _heading(result: DiffResult) -> str:
    return f"Scenario diff: {result.old_id} → {result.new_id}"


def render(result: DiffResult, console: Console | None = None) -> None:
    """Print the diff as two tables (outcomes, then edits) and the notes."""
    console = console or Console()
    outcomes = Table(title=_heading(result), title_justify="left")
    for column in ("outcome", "old", "new", "change (pp)"):
        outcomes.add_column(column, justify="left" if column == "outcome" else "right")
    for label, k, old, new, delta in _rows(result):
        outcomes.add_row(Text(label).append(f" ({k})", style="dim"), old, new, delta)
    edits = Table(title=f"Edits — {ATTRIBUTIONS[result.attribution]}", title_justify="left")
    edits.add_column("edit", no_wrap=True)  # a key path is only useful whole
    edits.add_column("kind")
    edits.add_column("old → new")
    columns = _outcomes(result)
    for k in columns:
        edits.add_column(k, justify="right")
    for share in _listed(result):
        change = f"{brief(share.edit.change.old)} → {brief(share.edit.change.new)}"
        path = Text(share.edit.path)
        if share.edit.includes:
            path.append(f" (+{len(share.edit.includes)} references)", style="dim")
        edits.add_row(path, share.edit.kind, Text(change), *(_cell(share, k) for k in columns))
    if columns and result.edits:
        edits.add_row(
            "total", "", "", *(display.points(result.change[k]) for k in columns), style="bold"
        )
    parts: list[Any] = [outcomes, edits if result.edits else Text("No edits.")]
    parts += [Text(f"Note: {note}", style="yellow") for note in result.notes]
    parts.append(Text(_how_line(result), style="dim"))
    console.print(Group(*parts))


def _how_line(result: DiffResult) -> str:
    how = (
        "exact enumeration"
        if result.exact
        else f"{title(result.method)}, the same seed for every run"
    )
    return f"{result.evaluations} evaluations ({how}), {display.seconds(result.seconds)}"


def md_escape(text: str) -> str:
    """Scenario text for a Markdown table cell: punctuation backslash-escaped, one line."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in " ".join(str(text).split()))


def markdown(result: DiffResult) -> str:
    """The diff as Markdown tables, fit to paste as a pull-request comment."""
    lines = [f"### {md_escape(_heading(result))}", ""]
    lines += ["| outcome | old | new | change (pp) |", "| --- | ---: | ---: | ---: |"]
    for label, k, old, new, delta in _rows(result):
        lines.append(f"| {md_escape(label)} (`{k}`) | {old} | {new} | {delta} |")
    shared = ATTRIBUTIONS[result.attribution]
    lines += ["", f"**Edits** — {shared}; changes in percentage points.", ""]
    if not result.edits:
        lines.append("No edits.")
    else:
        columns = _outcomes(result)
        lines.append("| edit | kind | old → new |" + "".join(f" `{k}` |" for k in columns))
        lines.append("| --- | --- | --- |" + " ---: |" * len(columns))
        for share in _listed(result):
            edit = share.edit
            path = f"`{edit.path}`"
            if edit.includes:
                path += " (with " + ", ".join(f"`{p}`" for p in edit.to_dict()["includes"]) + ")"
            change = md_escape(f"{brief(edit.change.old)} → {brief(edit.change.new)}")
            cells = "".join(f" {_cell(share, k)} |" for k in columns)
            lines.append(f"| {path} | {edit.kind} | {change} |{cells}")
        if columns:
            total = "".join(f" **{display.points(result.change[k])}** |" for k in columns)
            lines.append(f"| **total** | | |{total}")
    lines.append("")
    lines += [f"- {md_escape(note)}" for note in result.notes]
    if any(share.within_noise for share in result.edits):
        lines.append("- `~` marks a change within sampling noise (under three standard errors)")
    lines.append(f"- {md_escape(_how_line(result))}")
    return "\n".join(lines) + "\n"
