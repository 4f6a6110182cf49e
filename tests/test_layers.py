"""The import graph of ``engine/`` and ``models/``: one way through, no cycles (STYLE.md).

Every import is read from the source with ``ast`` — at the top of a module or inside a function,
under ``TYPE_CHECKING`` or not — and resolved to the module it names. A module may import only
its own room or a room below it: scenario reading, the model, the machinery and the display
rules at the bottom, then inference, then running, then the features, then the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

# Rooms, lowest first; a room imports only rooms of a lower rank (or itself). The features
# share a rank: one may use another (a report scores, a sweep draws with the report's figure
# plumbing) as long as no two use each other.
RANKS = {
    "engine": 0,  # the package itself: its version only
    "models": 1,
    "engine.scenario": 1,
    "engine.infra": 1,
    "engine.display": 2,
    "engine.inference": 3,
    "engine.run": 4,
    **{f"engine.{feature}": 5 for feature in ("check", "diff", "score", "report", "sweep")},
    "engine.exchange": 5,
    "engine.serve": 6,
    "engine.cli": 7,
    "engine.__main__": 8,
}


def modules() -> dict[str, Path]:
    """Every module of ``engine/`` and ``models/`` by its dotted name."""
    found = {}
    for package in ("engine", "models"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project's modules that ``name`` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {resolve(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out |= {resolve(f"{base}.{alias.name}") for alias in node.names}
    return {m for m in out if m and m != name}


def room(module: str) -> str:
    parts = module.split(".")
    for size in (2, 1):
        if ".".join(parts[:size]) in RANKS:
            return ".".join(parts[:size])
    raise AssertionError(f"{module} is in no room of RANKS: give it one")


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_every_module_is_in_a_room(graph):
    assert {room(m) for m in graph} <= set(RANKS)


def test_nothing_imports_a_higher_room(graph):
    upward = [
        f"{m} -> {t}" for m, ts in graph.items() for t in ts if RANKS[room(t)] > RANKS[room(m)]
    ]
    assert not upward, upward


def test_no_two_rooms_import_each_other(graph):
    rooms: dict[str, set[str]] = {}
    for m, ts in graph.items():
        rooms.setdefault(room(m), set()).update(room(t) for t in ts if room(t) != room(m))
    both = sorted(
        {tuple(sorted((a, b))) for a, bs in rooms.items() for b in bs if a in rooms.get(b, ())}
    )
    assert not both, both


def test_no_module_cycle(graph):
    """Tarjan's strongly connected components: each must be one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_check_sees_an_upward_import(tmp_path):
    """The resolver itself: a lazy import inside a function is an import too."""
    source = tmp_path / "text.py"
    source.write_text("def f():\n    from engine.cli.exit import OK\n    return OK\n")
    known = {"engine.run.text": source, "engine.cli.exit": source, "engine.cli": source}
    assert imports("engine.run.text", source, known) == {"engine.cli.exit"}
    assert RANKS[room("engine.cli.exit")] > RANKS[room("engine.run.text")]
