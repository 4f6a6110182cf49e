"""BIF, the interchange format of the bnlearn repository, read without pgmpy.

pgmpy's ``BIFReader`` reads ALARM in about 3 s, two thirds of it importing pgmpy (pandas,
scikit-learn, pyparsing) and building its grammar; pathfinder takes 10 s. This reader tokenises
the file once (the format has no nesting beyond blocks) and reads it as pgmpy does, so that
``signpost import`` of a BIF file is fast and means what pgmpy's reading means (the tests hold
the two readings of every bundled network equal, number for number):

- ``//`` and ``/* */`` comments are ignored, quotes only group a name (``"x y"`` is ``x y``);
- ``variable NAME { type discrete [ N ] { s1, s2, ... }; property ...; }``: a name or a state is
  the words up to the next punctuation, joined by one space;
- ``probability ( X | P1, P2 ) { ... }`` (or the old ``probability ( X P1 P2 )``), whose body is
  ``table v ...;`` — the node's states the slower axis, its parents' combinations (the last
  parent fastest) the faster, as pgmpy reads it — or rows ``( s1, s2 ) v ...;`` with a
  ``default v ...;`` for the rows not written; a row not written and no default is all zero
  (and so fails the row check of :mod:`engine.exchange.read`);
- names are matched to declarations ignoring case, as pgmpy does.

:func:`parse_bif` returns the nodes with their parents in the order of their probability
header; :mod:`engine.exchange.read` checks them and orders them as a scenario does.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np

_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"|(?P<punct>[{}()\[\],;|])|(?P<word>[^\s{}()\[\],;|"]+)|(?P<bad>")'
)
_COMMENT = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")|/\*.*?\*/|//[^\n]*', re.DOTALL)


class BIFError(ValueError):
    """A BIF file that does not read: what is wrong, and on which line."""

    def __init__(self, problem: str, line: int):
        self.problem, self.line = problem, line
        super().__init__(f"line {line}: {problem}")


@dataclass(frozen=True)
class Table:
    """One node as the file gives it: parents in header order, ``table`` of shape
    (*parents' states, own states), None when the file has no probability block for it."""

    name: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: np.ndarray | None
    line: int


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "punct"
    text: str
    line: int


def _without_comments(text: str) -> str:
    """The text with its comments blanked out, lines kept (so tokens keep their line)."""

    def blank(match: re.Match) -> str:
        return match.group(1) or re.sub(r"[^\n]", " ", match.group(0))

    return _COMMENT.sub(blank, text) if ("//" in text or "/*" in text) else text


def _tokens(text: str) -> list[_Token]:
    breaks = [m.start() for m in re.finditer("\n", text)]
    out = []
    for match in _TOKEN.finditer(text):
        line = bisect.bisect_left(breaks, match.start()) + 1
        if match.lastgroup == "bad":
            raise BIFError("a quote that is never closed", line)
        kind = "punct" if match.lastgroup == "punct" else "word"
        out.append(_Token(kind, match.group(match.lastgroup).strip(), line))
    return out


class _Reader:
    def __init__(self, tokens: list[_Token]):
        self.tokens, self.at = tokens, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def next(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            last = self.tokens[-1].line if self.tokens else 1
            raise BIFError(f"the file ends where {what} should be", last)
        self.at += 1
        return token

    def expect(self, punct: str, what: str) -> _Token:
        token = self.next(what)
        if token.kind != "punct" or token.text != punct:
            raise BIFError(f"expected `{punct}` ({what}), found `{token.text}`", token.line)
        return token

    def words(self, what: str, stop: str) -> str:
        """The words up to the next punctuation, joined by one space (pgmpy reads a name with
        spaces in it as the words with single spaces)."""
        parts = []
        while (token := self.peek()) is not None and token.kind == "word":
            parts.append(token.text)
            self.at += 1
        if not parts:
            token = self.next(what)
            raise BIFError(f"expected {what} before `{stop}`, found `{token.text}`", token.line)
        return " ".join(p for p in parts if p)

    def skip_block(self) -> None:
        """Everything up to the ``}`` that closes the block just opened."""
        depth = 1
        while depth:
            token = self.next("the `}` closing a block")
            if token.kind == "punct":
                depth += {"{": 1, "}": -1}.get(token.text, 0)

    def until(self, punct: str, what: str) -> list[_Token]:
        """The tokens up to ``punct`` (consumed)."""
        found = []
        while True:
            token = self.next(what)
            if token.kind == "punct" and token.text == punct:
                return found
            found.append(token)


@dataclass
class _Declared:
    states: tuple[str, ...]
    line: int


def parse_bif(text: str) -> list[Table]:
    """The nodes of a BIF text, in the order of their ``variable`` blocks. Raises
    :class:`BIFError` for a text that is not BIF."""
    reader = _Reader(_tokens(_without_comments(text)))
    declared: dict[str, _Declared] = {}
    bodies: list[tuple[str, list[str], int, list]] = []
    while (token := reader.peek()) is not None:
        reader.at += 1
        keyword = token.text.lower()
        if keyword == "network":
            reader.until("{", "the network's `{`")
            reader.skip_block()
        elif keyword == "variable":
            name = reader.words("the variable's name", "{")
            if name in declared:
                raise BIFError(f"the variable `{name}` is declared twice", token.line)
            reader.expect("{", "the variable's block")
            declared[name] = _Declared(_states(reader, name), token.line)
        elif keyword == "probability":
            bodies.append(_probability(reader, token.line))
        else:
            raise BIFError(
                f"expected `network`, `variable` or `probability`, found `{token.text}`",
                token.line,
            )
    return _tables(declared, bodies)


def _states(reader: _Reader, name: str) -> tuple[str, ...]:
    states: tuple[str, ...] | None = None
    while True:
        token = reader.next(f"the end of variable `{name}`")
        if token.kind == "punct" and token.text == "}":
            break
        if token.text.lower() == "type":
            reader.words("the variable's type", "[")
            reader.expect("[", "the number of states")
            count = reader.next("the number of states")
            reader.expect("]", "the number of states")
            reader.expect("{", "the states")
            listed = _listed(reader.until("}", "the `}` after the states"), by_space=True)
            reader.expect(";", "the end of the type")
            if not count.text.isdigit() or int(count.text) != len(listed):
                raise BIFError(
                    f"variable `{name}` says [{count.text}] states but lists {len(listed)}",
                    count.line,
                )
            states = tuple(listed)
        else:  # property ...; and anything else a tool wrote
            reader.until(";", "the `;` ending a property")
    if not states:
        line = reader.tokens[reader.at - 1].line
        raise BIFError(f"variable `{name}` has no `type discrete [ N ] {{ ... }};`", line)
    return states


def _listed(tokens: list[_Token], by_space: bool = False) -> list[str]:
    """Comma-separated entries of words (with ``by_space``, one entry per word when there is
    no comma: a variable's states may be written ``{ yes no }``)."""
    if by_space and not any(t.kind == "punct" and t.text == "," for t in tokens):
        return [t.text for t in tokens if t.text]
    entries, words = [], []
    for token in [*tokens, _Token("punct", ",", 0)]:
        if token.kind == "punct" and token.text == ",":
            if words:
                entries.append(" ".join(words))
            words = []
        elif token.text:
            words.append(token.text)
    return entries


def _probability(reader: _Reader, line: int):
    reader.expect("(", "the node of a probability block")
    inside = reader.until(")", "the `)` closing the node and its parents")
    bars = [i for i, t in enumerate(inside) if t.kind == "punct" and t.text == "|"]
    if bars:
        node = " ".join(t.text for t in inside[: bars[0]] if t.kind == "word")
        parents = _listed(inside[bars[0] + 1 :])
    else:  # the old form: the node, then its parents, by spaces
        words = [t.text for t in inside if t.kind == "word"]
        node, parents = (words[0], words[1:]) if words else ("", [])
    if not node:
        raise BIFError("a probability block names no node", line)
    reader.expect("{", "the probability block")
    entries = []
    while True:
        token = reader.next(f"the end of the probability block of `{node}`")
        if token.kind == "punct" and token.text == "}":
            break
        if token.kind == "punct" and token.text == "(":
            states = _listed(reader.until(")", "the `)` after a row's states"))
            entries.append(("row", states, _numbers(reader, node), token.line))
        elif token.text.lower() in ("table", "default"):
            entries.append((token.text.lower(), None, _numbers(reader, node), token.line))
        elif token.text.lower() == "property":
            reader.until(";", "the `;` ending a property")
        else:
            raise BIFError(
                f"in the table of `{node}`: expected `table`, `default` or `( states )`, "
                f"found `{token.text}`",
                token.line,
            )
    return node, parents, line, entries


def _numbers(reader: _Reader, node: str) -> list[float]:
    values = []
    for token in reader.until(";", f"the `;` ending a row of `{node}`"):
        if token.kind == "punct" and token.text == ",":
            continue
        try:
            values.append(float(token.text))
        except ValueError:
            message = f"in the table of `{node}`: `{token.text}` is not a number"
            raise BIFError(message, token.line) from None
    return values


def _tables(declared: dict[str, _Declared], bodies) -> list[Table]:
    lowered = {name.lower(): name for name in declared}

    def known(name: str, line: int) -> str:
        found = name if name in declared else lowered.get(name.lower())
        if found is None:
            raise BIFError(f"a table names `{name}`, which no variable block declares", line)
        return found

    tables: dict[str, Table] = {}
    for node, parents, line, entries in bodies:
        node = known(node, line)
        parents = [known(p, line) for p in parents]
        if node in tables:
            raise BIFError(f"`{node}` has two probability blocks", line)
        tables[node] = _table(node, parents, line, entries, declared)
    return [
        tables.get(name) or Table(name, d.states, (), None, d.line) for name, d in declared.items()
    ]


def _table(node, parents, line, entries, declared) -> Table:
    states = declared[node].states
    cards = [len(declared[p].states) for p in parents]
    columns = int(np.prod(cards)) if cards else 1
    grid = np.zeros((len(states), columns))
    written = np.zeros(columns, dtype=bool)
    default = None
    for kind, labels, values, where in entries:
        if kind == "table":
            if len(values) != len(states) * columns:
                raise BIFError(
                    f"the table of `{node}` has {len(values)} numbers; "
                    f"{len(states)} states × {columns} combinations of its parents "
                    f"need {len(states) * columns}",
                    where,
                )
            grid[:, :] = np.asarray(values).reshape(len(states), columns)
            written[:] = True
            continue
        if len(values) != len(states):
            what = "the default row" if kind == "default" else f"the row ({', '.join(labels)})"
            raise BIFError(
                f"{what} of `{node}` has {len(values)} numbers for its {len(states)} states",
                where,
            )
        if kind == "default":
            default = values
            continue
        column = _column(node, parents, labels, declared, where)
        grid[:, column] = values
        written[column] = True
    if default is not None:
        grid[:, ~written] = np.asarray(default)[:, None]
    table = np.moveaxis(grid.reshape(len(states), *cards), 0, -1)
    return Table(node, states, tuple(parents), table, line)


def _column(node, parents, labels, declared, where) -> int:
    if len(labels) != len(parents):
        raise BIFError(
            f"a row of `{node}` names {len(labels)} states for its {len(parents)} parents", where
        )
    index = []
    for parent, label in zip(parents, labels):
        states = declared[parent].states
        if label not in states:
            raise BIFError(
                f"a row of `{node}` names `{label}`, not a state of `{parent}` "
                f"({', '.join(states)})",
                where,
            )
        index.append(states.index(label))
    cards = [len(declared[p].states) for p in parents]
    return int(np.ravel_multi_index(index, cards)) if cards else 0
