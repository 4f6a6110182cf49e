"""``signpost import``: a network file (BIF, XMLBIF, Hugin NET) as a scenario (SPEC §12).

A BIF file is read by :mod:`engine.exchange.bif` (as pgmpy reads it, without importing pgmpy),
XMLBIF and NET files by pgmpy's readers. The nodes are checked (every table of numbers in [0, 1]
whose rows add up to 1, no unknown parent, no cycle) and turned into a scenario mapping: every
node a driver in the file's order, a root node with ``p`` (or its states' ``p``), any other node
with a ``table`` of the file's numbers as fixed numbers, names turned into ids by
:mod:`engine.exchange.names`. The mapping is validated as any scenario file is before anything
is written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.exchange.bif import Table
from engine.exchange.names import driver_ids, scenario_id, state_ids

FORMATS = {".bif": "bif", ".xml": "xmlbif", ".xmlbif": "xmlbif", ".net": "net"}
ROW_TOLERANCE = 1e-6  # a row of a table adds up to 1 within this (SPEC §11.1's rule)
BINARY = ({"true", "false"}, {"yes", "no"})


class NetworkFileError(ValueError):
    """A network file that cannot be read or is not a valid Bayesian network: bad input."""

    bad_input = True

    def __init__(self, file: str | Path, problem: str, line: int | None = None):
        self.file, self.problem, self.line = str(file), problem, line
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Node:
    """One node of a network file: its name, its states, its parents, its table.

    ``table`` has the node's states on the last axis and one axis per parent before it, in
    ``parents`` order, each over that parent's states in the file's order.
    """

    name: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: np.ndarray


def format_of(path: str | Path) -> str:
    """``bif``, ``xmlbif`` or ``net`` from the file's name (a ``.gz`` is read through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise NetworkFileError(path, f"unknown kind of network file: name it with one of {known}")
    return FORMATS[suffixes[-1]]


def read_nodes(path: str | Path) -> list[Node]:
    """The nodes of a network file, in the file's order, checked."""
    path = Path(path)
    kind = format_of(path)
    try:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.suffix.lower() == ".gz" else raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as error:
        raise NetworkFileError(path, f"cannot read the file: {error}") from None
    tables = _bif_tables(path, text) if kind == "bif" else _pgmpy_tables(path, kind, text)
    if not tables:
        raise NetworkFileError(path, f"no node found: not a {kind.upper()} network file")
    return _checked(path, tables)


def _bif_tables(path: Path, text: str) -> list[Table]:
    """A BIF file's nodes, read by :mod:`engine.exchange.bif` (as pgmpy reads them)."""
    from engine.exchange.bif import BIFError, parse_bif

    try:
        return parse_bif(text)
    except BIFError as error:
        raise NetworkFileError(
            path, f"not a readable BIF file: {error.problem}", error.line
        ) from None


def _pgmpy_tables(path: Path, kind: str, text: str) -> list[Table]:
    """An XMLBIF or NET file's nodes, read by pgmpy, in the file's order."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgmpy announces its own deprecations
        from pgmpy.readwrite import NETReader, XMLBIFReader

        try:
            if kind == "xmlbif":
                reader = XMLBIFReader(string=text)
                order = list(reader.variables)
            else:
                reader = NETReader(string=text)
                order = list(reader.get_variables()) if hasattr(reader, "get_variables") else None
            model = reader.get_model()
        except Exception as error:  # noqa: BLE001 - a reader's failure is the file's problem
            raise NetworkFileError(path, _reader_problem(error), _line_of(error)) from None
    tables = []
    for name in order or list(model.nodes()):
        cpd = model.get_cpds(name)
        if cpd is None:
            tables.append(Table(name, (), (), None, 0))
            continue
        states = tuple(str(s) for s in cpd.state_names[name])
        # pgmpy holds (node states, parents...): the node's states go last
        table = np.moveaxis(np.asarray(cpd.values, dtype=float), 0, -1)
        tables.append(Table(name, states, tuple(cpd.variables[1:]), table, 0))
    return tables


def _reader_problem(error: Exception) -> str:
    if isinstance(error, KeyError) and error.args:
        return (
            f"not a Bayesian network: a table names a node that is not declared, {error.args[0]!r}"
        )
    message = " ".join(str(error).split())[:300] or type(error).__name__
    if "loop" in message.lower() or "cycle" in message.lower():
        return f"not a Bayesian network: the arrows form a cycle ({message})"
    return f"not a readable network file: {message}"


def _line_of(error: Exception) -> int | None:
    """The line a reader's error names, when it names one."""
    line = getattr(error, "lineno", None) or getattr(error, "line", None)
    if isinstance(line, int) and line > 0:
        return line
    found = re.search(r"\bline:? (\d+)", str(error))
    return int(found.group(1)) if found else None


def _checked(path: Path, tables: list[Table]) -> list[Node]:
    """The nodes, each table's parents in the file's order (as a scenario's rows name them,
    SPEC §11.6); every node has a table of numbers in [0, 1] whose rows add up to 1, every parent
    is a node, and the arrows form no cycle."""
    order = {t.name: i for i, t in enumerate(tables)}
    states = {t.name: t.states for t in tables}
    nodes = []
    for t in tables:
        where = t.line or None
        if t.table is None:
            raise NetworkFileError(path, f"node `{t.name}` has no probability table", where)
        unknown = [p for p in t.parents if p not in order]
        if unknown:
            raise NetworkFileError(
                path, f"node `{t.name}` has an unknown parent `{unknown[0]}`", where
            )
        if not np.all(np.isfinite(t.table)) or t.table.min(initial=0) < 0:
            raise NetworkFileError(
                path, f"the table of `{t.name}` holds a number that is not a probability", where
            )
        place = sorted(range(len(t.parents)), key=lambda a: order[t.parents[a]])
        table = np.transpose(t.table, (*place, len(t.parents)))
        parents = tuple(t.parents[a] for a in place)
        sums = table.sum(axis=-1)
        bad = np.argwhere(np.abs(sums - 1) > ROW_TOLERANCE)
        if len(bad):
            row = " ".join(f"{p}={states[p][i]}" for p, i in zip(parents, bad[0])) or "its only row"
            total = float(sums[tuple(bad[0])])
            raise NetworkFileError(
                path, f"the row of `{t.name}` for {row} adds up to {total:g}, not 1", where
            )
        nodes.append(Node(t.name, t.states, parents, table))
    _acyclic(path, nodes)
    return nodes


def _acyclic(path: Path, nodes: list[Node]) -> None:
    from graphlib import CycleError, TopologicalSorter

    try:
        TopologicalSorter({n.name: n.parents for n in nodes}).prepare()
    except CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise NetworkFileError(
            path, f"not a Bayesian network: the arrows form a cycle ({cycle})"
        ) from None


def holding_state(states: tuple[str, ...]) -> int | None:
    """For a node with two states named true/false or yes/no (any case), the index of its
    ``true``/``yes`` state: it becomes a binary driver. None for any other node."""
    lowered = [s.lower() for s in states]
    if len(states) == 2 and set(lowered) in BINARY:
        return lowered.index("true") if "true" in lowered else lowered.index("yes")
    return None


def scenario_of(path: str | Path, *, outcome: str | None = None, today: dt.date | None = None):
    """The scenario mapping of a network file (SPEC §12), ready to dump as YAML.

    ``outcome`` is the file's name of the node whose states are the outcomes (default: the last
    node in the file).
    """
    path = Path(path)
    nodes = read_nodes(path)
    names = [node.name for node in nodes]
    if outcome is not None and outcome not in names:
        raise NetworkFileError(path, f"there is no node `{outcome}` (nodes: {', '.join(names)})")
    ids = dict(zip(names, driver_ids(names)))
    states = {node.name: state_ids(node.states) for node in nodes}
    holds = {node.name: holding_state(node.states) for node in nodes}
    drivers = {}
    for node in nodes:
        drivers[ids[node.name]] = _driver(node, ids, states, holds)
    today = today or dt.date.today()
    stem = path.name.split(".")[0]
    chosen = outcome or names[-1]
    return {
        "signpost": 1,
        "id": scenario_id(stem),
        "title": f"The network of {path.name}",
        "question": f"Which state of {chosen} holds?",
        "description": f"Imported from {path.name} ({format_of(path)}) by signpost import on "
        f"{today.isoformat()}: every node a driver with the file's own numbers.",
        "as_of": today,
        "horizon": _a_year_after(today),
        "drivers": drivers,
        "outcomes_from": ids[chosen],
    }


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _driver(node: Node, ids, states, holds) -> dict[str, Any]:
    item: dict[str, Any] = {"label": node.name}
    own = holds[node.name]
    if own is None:
        item["states"] = {s: {"label": label} for s, label in zip(states[node.name], node.states)}
    if not node.parents:
        row = node.table.reshape(-1)
        if own is not None:
            item["p"] = _holds(row, own)
        else:
            for s, value in zip(states[node.name], row):
                item["states"][s]["p"] = float(value)
        return item
    table = {}
    grids = itertools.product(*(range(len(states[p])) for p in node.parents))
    for combination in grids:
        key = " ".join(
            f"{ids[p]}={_state_word(states[p], holds[p], i)}"
            for p, i in zip(node.parents, combination)
        )
        row = node.table[combination]
        if own is not None:
            table[key] = _holds(row, own)
        else:
            table[key] = {s: float(v) for s, v in zip(states[node.name], row)}
    item["table"] = table
    return item


def _holds(row: np.ndarray, own: int) -> float:
    """A binary node's P(holds) from its row of two numbers, divided by their sum as SPEC
    §11.1 divides a multi-state row (a file's 0.3, 0.7000001 keeps its meaning)."""
    total = float(row.sum())
    return float(row[own]) if total == 1.0 else float(row[own]) / total


def _state_word(ids: list[str], holding: int | None, index: int) -> str:
    """A parent's state as a condition names it: ``true``/``false`` for a binary driver."""
    if holding is not None:
        return "true" if index == holding else "false"
    return ids[index]


def scenario_text(data: dict[str, Any], source: str | Path) -> str:
    """The scenario as a YAML file, validated as any scenario file is (a file the engine could
    not read is never written: that would be a bug, raised as one)."""
    from engine.scenario.merge import MergedDocument
    from engine.scenario.source import SourceMap
    from engine.scenario.validate import validate_document
    from engine.scenario.writer import yaml_text

    name = f"<import of {Path(source).name}>"
    scenario, issues = validate_document(MergedDocument(Path(name), data, SourceMap(name), ()))
    if scenario is None:
        raise AssertionError("the imported scenario is not valid: " + issues[0].format())
    header = f"# Imported from {Path(source).name} by signpost import (SPEC §12).\n"
    return header + yaml_text(data)
