"""Reading scenario files safely, with the place of every key, and resolving ``extends``.

A scenario file is read in four steps, each reporting every problem it finds (SPEC §7):

1. bytes: the file exists, is at most :data:`MAX_BYTES`, and is UTF-8 (a leading BOM is
   dropped);
2. text: no control characters (tab, line feed and carriage return aside; U+2028 and U+2029
   count as control characters because YAML 1.1 reads them as line breaks that editors do not
   show) and no tab in the indentation of any line (a tab after a block scalar's indentation is
   also refused: rare, and never needed);
3. YAML: PyYAML's composer (with :class:`yaml.SafeLoader`'s resolver) gives nodes with their
   marks, and this module builds plain Python values itself. Exactly one document; nesting at
   most :data:`MAX_DEPTH` deep; **anchors and aliases are rejected, never expanded** (an alias
   is replaced by nothing, so no expansion bomb or self-reference can be built); explicit tags
   (``!!python/object``, ``!x``, even ``!!str``) are rejected; duplicate keys are rejected
   naming both lines; a key must be text: a plain key that YAML reads as a boolean, number,
   date or null (``on``, ``no``, ``yes``, ``1e3``, ``2022-01-01``, ``null``; YAML 1.1 as PyYAML
   reads it, plus YAML 1.2's numbers and the 1.1 booleans ``y``/``n``) is refused with the hint
   to quote or rename it. Values are resolved as SafeLoader does (YAML 1.1): ``2022-01-07`` is a
   ``datetime.date``, ``0.3`` a float, ``.nan`` and ``.inf`` floats that the schema rejects;
4. ``extends``: the named parent (a path relative to the file) is read the same way and the
   child deep-merged into it (SPEC §6): mappings merge key by key, any other value replaces,
   ``null`` removes the key (and never appears in the result), and ``id`` is never inherited.
   Chains work; a loop or a missing parent is an error at the ``extends`` line.

Every value and key keeps its :class:`Location`, including the file it came from, so an error
in an inherited key points into the parent file.

Semantic checks (the schema, cross-references) live in :mod:`engine.validate`;
:func:`engine.validate.load_scenario` runs both.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from engine.errors import ScenarioError, ScenarioIssue

if TYPE_CHECKING:
    pass

MAX_BYTES = 1_000_000  # a real scenario is a few kilobytes
MAX_DEPTH = 64  # a scenario nests about five deep
MAX_CHAIN = 32  # files in one chain of `extends`
MAX_PER_KIND = 10  # character problems listed per kind before the rest are summarised
SUFFIXES = (".yaml", ".yml")

KeyPath = tuple[str | int, ...]

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x1B: "ESC",
    0x7F: "DEL",
    0x85: "next line",
    0x2028: "line separator",
    0x2029: "paragraph separator",
    0xFFFE: "not a character",
    0xFFFF: "not a character",
}
# Plain keys other YAML readers take for non-text: YAML 1.2 core schema, and YAML 1.1's y/n.
_YAML12_NON_TEXT = re.compile(
    r"""^(?:
        ~|null|Null|NULL
      | true|True|TRUE|false|False|FALSE|y|Y|n|N
      | [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
      | [-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)
_READS_AS = {
    "bool": "a boolean (true/false)",
    "int": "a number",
    "float": "a number",
    "timestamp": "a date",
    "null": "null (no value)",
    "merge": "a merge key (`<<`)",
    "value": "a value key (`=`)",
}


# Keys of the format itself that YAML 1.1 would read as a boolean: read as text where the format
# puts them (SPEC §10's `resolved: {on: 2023-12-31}`). YAML 1.2 readers, such as editors' YAML
# language server, read `on` as text anyway.
FORMAT_KEYS = {("resolved", "on")}


@dataclass(frozen=True)
class Location:
    """Where a key or value was written.

    Attributes
    ----------
    file : str
        The file, as the user named it (parents: relative to the child's path).
    line, column : int
        1-based; 0 when unknown (the whole file).
    style : str or None
        For scalars, YAML's style: ``None`` plain, ``'`` or ``"`` quoted, ``|`` or ``>`` block.
        For collections, ``"flow"`` or ``"block"``.
    """

    file: str
    line: int
    column: int
    style: str | None = None


class SourceMap:
    """The :class:`Location` of every value and every key of a document, by key path.

    Parameters
    ----------
    file : str
        The file a path with no known location falls back to.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[KeyPath, Location] = {}
        self.keys: dict[KeyPath, Location] = {}

    def locate(self, path: Iterable[str | int], *, key: bool = False) -> Location:
        """The best place to point at for ``path``.

        Parameters
        ----------
        path : iterable of str or int
            A key path; it may name a key that is missing (then its parent is used).
        key : bool
            Prefer the key's own place (``drivers.a`` → the ``a:`` line) to its value's.

        Returns
        -------
        Location
            The key if asked for or if the value is a block collection (which starts on the
            next line), else the value; for an unknown path, the nearest known parent's key.
        """
        path = tuple(path)
        while True:
            value, where_key = self.values.get(path), self.keys.get(path)
            if where_key is not None and (key or value is None or value.style == "block"):
                return where_key
            if value is not None:
                return value
            if not path:
                return Location(self.file, 0, 0)
            path, key = path[:-1], True

    def drop(self, prefix: KeyPath) -> None:
        """Forget ``prefix`` and everything under it."""
        for table in (self.values, self.keys):
            for path in [p for p in table if p[: len(prefix)] == prefix]:
                del table[path]

    def take(self, other: SourceMap, prefix: KeyPath) -> None:
        """Copy from ``other`` the locations of ``prefix`` and everything under it."""
        for mine, theirs in ((self.values, other.values), (self.keys, other.keys)):
            mine.update({p: loc for p, loc in theirs.items() if p[: len(prefix)] == prefix})


@dataclass
class ResolvedDocument:
    """A scenario file with ``extends`` resolved, before validation.

    Attributes
    ----------
    path : Path
        The file as named.
    data : dict
        The merged values (plain dicts, lists, str, int, float, bool, date, None), without
        ``extends``; ``yaml.safe_dump(data, sort_keys=False)`` writes a standalone equivalent.
    where : SourceMap
        The location of every key and value, in whichever file of the chain it came from.
    chain : tuple of Path
        The file, then its parent, grandparent, ...
    """

    path: Path
    data: dict[str, Any]
    where: SourceMap
    chain: tuple[Path, ...]


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader's composer, bounded in depth, marking anchors, aliases and explicit tags.

    An alias becomes an empty node noted ``alias``: it is never expanded.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            node = yaml.ScalarNode(_YAML + "null", "", event.start_mark, event.end_mark)
            node.signpost_notes = ("alias",)
            return node
        event = self.peek_event()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        notes = ("anchor",) * (event.anchor is not None)
        notes += ("tag",) * (getattr(event, "tag", None) not in (None, "!"))
        if notes:
            node.signpost_notes = notes
        return node


def _issue(
    code: str, message: str, hint: str, where: Location, path: KeyPath = ()
) -> ScenarioIssue:
    return ScenarioIssue(code, message, hint, where.file, where.line, where.column, path)


def _at_mark(file: str, mark: yaml.Mark | None, style: str | None = None) -> Location:
    if mark is None:
        return Location(file, 0, 0)
    return Location(file, mark.line + 1, mark.column + 1, style)


def _at_offset(file: str, text: str, offset: int) -> Location:
    breaks = list(_BREAK.finditer(text, 0, offset))
    start = breaks[-1].end() if breaks else 0
    return Location(file, len(breaks) + 1, offset - start + 1)


# --- step 1 and 2: bytes and text -------------------------------------------------------------


def _read_text(path: Path, file: str) -> tuple[str | None, list[ScenarioIssue]]:
    """The file's text, or None and the reason it cannot be read."""
    whole = Location(file, 0, 0)
    try:
        if path.is_dir():
            return None, [_issue("not-found", "is a folder, not a file", "", whole)]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [_issue("not-found", "no such file", "check the path", whole)]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, [_issue("not-found", f"cannot read the file: {reason}", "", whole)]
    if len(raw) > MAX_BYTES:
        message = f"the file has {len(raw):,} bytes, more than the {MAX_BYTES:,} allowed"
        return None, [_issue("too-large", message, "split it, or use `extends`", whole)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be read"
        hint = "save the file with the UTF-8 encoding"
        return None, [_issue("encoding", message, hint, Location(file, line, column))]
    return text.removeprefix("\ufeff"), []


def _scan_text(text: str, file: str) -> list[ScenarioIssue]:
    """Control characters anywhere and tabs in indentation, each listed with its place."""
    issues = []
    for count, match in enumerate(_CONTROL.finditer(text)):
        if count == MAX_PER_KIND:
            issues[-1] = _more(issues[-1], "control characters")
            break
        code = ord(match.group())
        name = _CONTROL_NAMES.get(code, "a control character")
        message = f"character U+{code:04X} ({name}) is not allowed"
        hint = (
            "use an ordinary line break"
            if code in (0x85, 0x2028, 0x2029)
            else "delete it (it is invisible in most editors; retype that part of the line)"
        )
        where = _at_offset(file, text, match.start())
        issues.append(_issue("control-character", message, hint, where))
    tabs = 0
    for number, line in enumerate(_BREAK.split(text), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            tabs += 1
            if tabs > MAX_PER_KIND:
                issues[-1] = _more(issues[-1], "lines indented with tabs")
                break
            where = Location(file, number, indent.index("\t") + 1)
            hint = "indent with spaces only: YAML does not allow tabs there"
            issues.append(_issue("tab-indent", "a tab in the indentation", hint, where))
    return issues


def _more(issue: ScenarioIssue, what: str) -> ScenarioIssue:
    hint = f"{issue.hint} (more {what} follow; only the first {MAX_PER_KIND} are listed)"
    return ScenarioIssue(issue.code, issue.message, hint, issue.file, issue.line, issue.column)


# --- step 3: YAML ------------------------------------------------------------------------------

_SYNTAX_HINTS = (
    ("mapping values are not allowed", "quote a value that holds ': ', or check the indentation"),
    ("could not find expected ':'", "check the indentation, and that every key ends with ':'"),
    ("expected <block end>", "check the indentation of this line against the lines above"),
    ("found unexpected end of stream", "close the quote or bracket opened before"),
    ("did not find expected", "close the bracket or quote, or check the indentation"),
    ("found character '\\t'", "replace the tab with a space: YAML does not allow a tab there"),
    ("found character", "quote the value: this character cannot start plain YAML text"),
    ("duplicate anchor", "anchors and aliases are not allowed: copy the value or use `extends`"),
)


def _syntax_issue(exc: yaml.YAMLError, text: str, file: str) -> ScenarioIssue:
    if isinstance(exc, yaml.reader.ReaderError):
        where = _at_offset(file, text, min(max(exc.position, 0), len(text)))
        message = f"character U+{exc.character:04X} is not allowed"
        return _issue("control-character", message, "delete it", where)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    message = f"not valid YAML: {problem}"
    if context and context != problem:
        message += f" ({context}"
        message += f" at line {context_mark.line + 1})" if context_mark else ")"
    hint = next((h for key, h in _SYNTAX_HINTS if key in message), "")
    hint = hint or "check the indentation, colons, quotes and brackets here"
    return _issue("yaml-syntax", " ".join(message.split()), hint, _at_mark(file, mark))


def _compose(text: str, file: str) -> tuple[yaml.Node | None, list[ScenarioIssue]]:
    """The single document's root node (None if the file holds none) and any YAML problem."""
    loader = _Loader(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None, []
        root = loader.compose_document()
        if not loader.check_event(yaml.StreamEndEvent):
            where = _at_mark(file, loader.peek_event().start_mark)
            message = "a second YAML document starts here; a scenario file holds one"
            hint = "remove the `---` line and what follows, or move it to its own file"
            return None, [_issue("documents", message, hint, where)]
        return root, []
    except _TooDeep as exc:
        message = f"the YAML nests more than {MAX_DEPTH} levels deep"
        return None, [_issue("too-deep", message, "flatten it", _at_mark(file, exc.mark))]
    except yaml.YAMLError as exc:
        return None, [_syntax_issue(exc, text, file)]
    finally:
        loader.dispose()


def _reads_as(node: yaml.ScalarNode) -> str | None:
    """What a plain key reads as when it is not text, else None."""
    if node.style is not None:
        return None
    kind = node.tag.removeprefix(_YAML)
    if kind in _READS_AS:
        return _READS_AS[kind]
    match = _YAML12_NON_TEXT.match(node.value)
    if match is None:
        return None
    lowered = node.value.lower()
    if lowered in ("~", "null"):
        return _READS_AS["null"]
    return _READS_AS["bool"] if lowered in ("true", "false", "y", "n") else _READS_AS["int"]


class _Builder:
    """Plain Python values from composed nodes, with the location of every key and value."""

    def __init__(self, constructor: yaml.constructor.SafeConstructor, file: str) -> None:
        self.constructor = constructor
        self.file = file
        self.where = SourceMap(file)
        self.issues: list[ScenarioIssue] = []
        self.broken = False  # True when the values built do not reflect the file

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        if isinstance(node, yaml.ScalarNode):
            style = node.style
        else:
            style = "flow" if node.flow_style else "block"
        here = _at_mark(self.file, node.start_mark, style)
        self.where.values[path] = here
        notes = getattr(node, "signpost_notes", ())
        self._flag(notes, node, here, path)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, here, path, tagged="tag" in notes)

    def _flag(self, notes: tuple[str, ...], node: yaml.Node, here: Location, path: KeyPath):
        hint = "anchors and aliases are not allowed: copy the value or use `extends`"
        if "alias" in notes:
            self.broken = True
            self.issues.append(_issue("anchor", "an alias (*name)", hint, here, path))
        if "anchor" in notes:
            self.issues.append(_issue("anchor", "an anchor (&name)", hint, here, path))
        if "tag" in notes:
            message = f"the YAML tag `{node.tag}` is not allowed"
            hint = "remove it: write plain text, numbers, dates, true/false, lists and mappings"
            self.issues.append(_issue("tag", message, hint, here, path))

    def _scalar(self, node: yaml.ScalarNode, here: Location, path: KeyPath, tagged: bool) -> Any:
        if tagged or node.tag not in _SCALAR_TAGS or node.tag == _YAML + "str":
            self._escaped_control(node.value, here, path)
            return node.value
        try:
            return self.constructor.yaml_constructors[node.tag](self.constructor, node)
        except (ValueError, OverflowError, TypeError, ArithmeticError, yaml.YAMLError):
            what = "date" if node.tag.endswith("timestamp") else "number"
            message = f"`{node.value}` looks like a {what} but is not a valid one"
            hint = "write a real date as YYYY-MM-DD" if what == "date" else "write a number"
            self.issues.append(_issue("bad-value", message, hint, here, path))
            return node.value

    def _escaped_control(self, text: str, here: Location, path: KeyPath) -> None:
        """A control character written as an escape (``"\\e"``) is as unwelcome as a raw one."""
        match = _CONTROL.search(text)
        if match is not None:
            code = ord(match.group())
            message = f"the text holds character U+{code:04X} (written as an escape)"
            hint = "remove the escape; text may hold line breaks and tabs, no other control"
            self.issues.append(_issue("control-character", message, hint, here, path))

    def _key(self, node: yaml.Node, path: KeyPath) -> str:
        here = _at_mark(self.file, node.start_mark)
        notes = getattr(node, "signpost_notes", ())
        if notes:
            self._flag(notes, node, here, path)
        if not isinstance(node, yaml.ScalarNode):
            message = "a key must be plain text, not a list or mapping"
            self.issues.append(_issue("key-type", message, "write a name", here, path))
            return f"<key at line {here.line}>"
        self._escaped_control(node.value, here, path + (node.value,))
        reads_as = None if notes else _reads_as(node)
        if (*path, node.value) in FORMAT_KEYS:
            reads_as = None
        if reads_as is not None:
            shown = node.value or "(empty)"
            message = f"YAML reads the key `{shown}` as {reads_as}, not as text"
            hint = f'quote it ("{node.value}") or rename it' if node.value else "name the key"
            self.issues.append(_issue("key-type", message, hint, here, path + (node.value,)))
        return node.value

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            key_path = path + (key,)
            if key in result:
                first = self.where.keys[key_path].line
                here = _at_mark(self.file, key_node.start_mark)
                message = f"duplicate key `{key}` (first written at line {first})"
                hint = "keep one: YAML would silently use only one of them"
                self.issues.append(_issue("duplicate-key", message, hint, here, key_path))
                continue
            self.where.keys[key_path] = _at_mark(self.file, key_node.start_mark)
            result[key] = self.build(value_node, key_path)
        return result


def _parse(text: str, file: str) -> tuple[dict | None, SourceMap, list[ScenarioIssue], bool]:
    """Values, locations, problems, and whether the values are too broken to validate."""
    root, issues = _compose(text, file)
    where = SourceMap(file)
    if issues:
        return None, where, issues, True
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _YAML + "null"):
        hint = "write a scenario: `signpost: 1`, `id:`, `title:`, `drivers:`, `outcomes:`"
        issue = _issue("empty", "the file holds no scenario", hint, where.locate(()))
        return None, where, [issue], True
    if not isinstance(root, yaml.MappingNode):
        message = "a scenario file is a mapping of keys (`signpost: 1`, `id: ...`, ...)"
        here = _at_mark(file, root.start_mark)
        return None, where, [_issue("wrong-type", message, "write `key: value` lines", here)], True
    builder = _Builder(yaml.constructor.SafeConstructor(), file)
    data = builder.build(root, ())
    return data, builder.where, builder.issues, builder.broken


def _read_one(path: Path, file: str) -> tuple[dict | None, SourceMap, list[ScenarioIssue]]:
    """One file's values and locations (None when unusable) and its problems."""
    text, issues = _read_text(path, file)
    if text is None:
        return None, SourceMap(file), issues
    issues = _scan_text(text, file)
    if issues:
        return None, SourceMap(file), issues
    data, where, issues, broken = _parse(text, file)
    return (None if broken else data), where, issues


# --- step 4: extends ---------------------------------------------------------------------------


def _merge(base: dict, base_where: SourceMap, over: dict, over_where: SourceMap, prefix: KeyPath):
    """Deep-merge ``over`` into ``base`` in place (SPEC §6), moving locations along."""
    for key, value in over.items():
        path = prefix + (key,)
        if value is None:
            base.pop(key, None)
            base_where.drop(path)
        elif isinstance(value, dict):
            if not isinstance(base.get(key), dict):
                base[key] = {}
                base_where.drop(path)
            # the merged mapping is now written in the child: point there
            for mine, theirs in _tables(base_where, over_where):
                if path in theirs:
                    mine[path] = theirs[path]
            _merge(base[key], base_where, value, over_where, path)
        else:
            base[key] = value
            base_where.drop(path)
            base_where.take(over_where, path)


def _tables(mine: SourceMap, theirs: SourceMap):
    return ((mine.values, theirs.values), (mine.keys, theirs.keys))


def _find_parent(data: dict, where: SourceMap, child: Path, chain: list[tuple[Path, str]]):
    """``((parent path, parent as shown), None)``, or ``(None, the problem with extends)``."""
    here = where.locate(("extends",))
    value = data["extends"]
    path = ("extends",)
    if not isinstance(value, str) or not value.strip():
        hint = "write the parent's file name relative to this file, like `_base.yaml`"
        return None, _issue("extends", "`extends` takes a file path", hint, here, path)
    if os.path.isabs(value):
        hint = "write the path relative to this file, like `_base.yaml` or `../_base.yaml`"
        return None, _issue("extends", "`extends` takes a relative path", hint, here, path)
    parent = child.parent / value
    shown = os.path.normpath(os.path.join(os.path.dirname(chain[-1][1]), value))
    real = parent.resolve()
    if any(real == seen for seen, _ in chain):
        loop = " -> ".join([name for _, name in chain] + [shown])
        hint = "one of these files must stop extending the others"
        return None, _issue("extends", f"`extends` loops: {loop}", hint, here, path)
    if len(chain) >= MAX_CHAIN:
        message = f"`extends` chains more than {MAX_CHAIN} files"
        return None, _issue("extends", message, "shorten the chain", here, path)
    if not parent.is_file():
        message = f"`extends` names {shown}, which does not exist"
        near = _near_files(parent)
        hint = f"did you mean {', '.join(near)}?" if near else "check the file name"
        return None, _issue("extends", message, hint, here, path)
    return (parent, shown), None


def _near_files(missing: Path) -> list[str]:
    try:
        names = [p.name for p in missing.parent.iterdir() if p.suffix in SUFFIXES]
    except OSError:
        return []
    return difflib.get_close_matches(missing.name, names, n=2, cutoff=0.8)


def _resolve(path: Path, file: str, chain: list[tuple[Path, str]], issues: list[ScenarioIssue]):
    """Values, locations and chain of ``path`` with its ``extends`` merged in; None if broken."""
    data, where, found = _read_one(path, file)
    issues.extend(found)
    if data is None:
        return None
    chain = chain + [(path.resolve(), file)]
    if data.get("extends") is None:
        data.pop("extends", None)
        where.drop(("extends",))
        return data, where, [Path(file)]
    parent, problem = _find_parent(data, where, path, chain)
    if problem is not None:
        issues.append(problem)
        return None
    resolved = _resolve(parent[0], parent[1], chain, issues)
    if resolved is None:
        return None
    base, base_where, files = resolved
    base.pop("id", None)  # the id is never inherited (SPEC §6)
    base_where.drop(("id",))
    del data["extends"]
    where.drop(("extends",))
    base_where.file = file
    if () in where.values:
        base_where.values[()] = where.values[()]
    _merge(base, base_where, data, where, ())
    return base, base_where, [Path(file)] + files


# --- the public API ----------------------------------------------------------------------------


def read_document(path: str | Path) -> tuple[ResolvedDocument | None, list[ScenarioIssue]]:
    """Read a scenario file and resolve its ``extends``, reporting every reading problem.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    document : ResolvedDocument or None
        None when the file (or a parent) cannot be read into values that reflect it (bad YAML,
        encoding, a missing parent, ...). A document is still returned when the problems leave
        the values intact (a duplicate key, a key YAML reads as a boolean, an anchor, a tag),
        so that validation can report its own problems alongside.
    issues : list of ScenarioIssue
        Every problem found while reading, in no particular order.
    """
    path = Path(path)
    issues: list[ScenarioIssue] = []
    resolved = _resolve(path, str(path), [], issues)
    if resolved is None:
        return None, issues
    data, where, files = resolved
    return ResolvedDocument(path, data, where, tuple(files)), issues


def load_document(path: str | Path) -> ResolvedDocument:
    """Read a scenario file and resolve its ``extends``, without validating it.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    ResolvedDocument
        The merged values, their locations and the chain of files.

    Raises
    ------
    ScenarioError
        With every reading problem, if there is any.
    """
    document, issues = read_document(path)
    if issues or document is None:
        raise ScenarioError(issues)
    return document


def is_scenario_name(path: Path) -> bool:
    """True for ``*.yaml`` / ``*.yml`` files not starting with ``_`` (those are parents only)."""
    return path.suffix in SUFFIXES and not path.name.startswith("_")


def why_skipped(path: Path) -> str:
    """Why a file named on the command line is not run on its own."""
    if path.name.startswith("_"):
        return "a parent only: it is checked through the files that extend it"
    return "not a .yaml or .yml file"


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """The scenario files to run among ``paths``, in order, each once.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders. A folder is searched recursively for ``*.yaml`` and ``*.yml``,
        skipping hidden folders.

    Returns
    -------
    list of Path
        Scenario files. Files whose name starts with ``_`` are parents only (SPEC §6): they are
        skipped, even when named explicitly, and checked through the files that extend them.
        Other files that are not YAML (``signpost.schema.json``, ``README.md``) are skipped
        too. A path that does not exist is kept, so that reading it reports the problem.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_scenarios_under(path))
        elif not path.exists() or is_scenario_name(path):
            found.append(path)
    return list(dict.fromkeys(found))


def _scenarios_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts[:-1])
        if not hidden and path.is_file() and is_scenario_name(path):
            yield path
