"""Reading one scenario file safely into plain values, with the place of every key (SPEC §7).

A file is read in three steps, each reporting every problem it finds:

1. bytes: the file exists, is at most :data:`MAX_BYTES`, and is UTF-8 (a leading BOM is
   dropped);
2. text: no control characters (tab, line feed and carriage return aside; U+2028 and U+2029
   count as control characters because YAML 1.1 reads them as line breaks that editors do not
   show) and no tab in the indentation of any line (a tab after a block scalar's indentation is
   also refused: rare, and never needed);
3. YAML: PyYAML's composer (with :class:`yaml.SafeLoader`'s resolver) gives nodes with their
   marks, and this module builds plain Python values itself. The events the composer reads
   come from libyaml when PyYAML has it and the text holds nothing libyaml reads otherwise
   than PyYAML's Python parser (see :func:`_libyaml_reads_alike`): the same nodes and marks,
   without scanning megabytes in Python. A file whose document is a block mapping (every
   imported network, any scenario in block style) is built straight from libyaml's events,
   without nodes (:class:`_EventBuilder`): the same values, places and problems, a big file in
   less than half the time and memory. A file libyaml finds a problem in is read again by the
   Python parser, so every problem is worded and placed as that parser has it.

   Exactly one document; nesting at most :data:`MAX_DEPTH` deep; **anchors and aliases are
   rejected, never expanded** (an alias is replaced by nothing, so no expansion bomb or
   self-reference can be built); explicit tags (``!!python/object``, ``!x``, even ``!!str``)
   are rejected; duplicate keys are rejected naming both lines; a key must be text: a plain key
   that YAML reads as a boolean, number, date or null (``on``, ``no``, ``yes``, ``1e3``,
   ``2022-01-01``, ``null``; YAML 1.1 as PyYAML reads it, plus YAML 1.2's numbers and the 1.1
   booleans ``y``/``n``) is refused with the hint to quote or rename it. Values are resolved as
   SafeLoader does (YAML 1.1): ``2022-01-07`` is a ``datetime.date``, ``0.3`` a float, ``.nan``
   and ``.inf`` floats that the schema rejects.

``extends`` is :mod:`engine.scenario.merge`; the schema and the cross-reference rules are
:mod:`engine.scenario.validate`.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from engine.scenario.issues import Code, ScenarioIssue
from engine.scenario.source import KeyPath, Location, SourceMap

MAX_BYTES = 16_000_000  # a scenario is a few kilobytes; an imported network (pathfinder) megabytes
MAX_DEPTH = 64  # a scenario nests about five deep
MAX_PER_KIND = 10  # character problems listed per kind before the rest are summarised

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


# The codes a file earns while it is read (SPEC §7), each with a bad and a good example.
NOT_FOUND = Code(
    "not-found",
    "the file does not exist or cannot be read",
    bad=None,
    good="extends: _base.yaml\nid: example\n",
    whole=True,
)
TOO_LARGE = Code(
    "too-large",
    f"the file is over {MAX_BYTES // 1_000_000} MB",
    bad=lambda: "# " + "x" * MAX_BYTES + "\n",  # made when asked for: 16 MB
    good="# a short comment\n",
)
ENCODING = Code(
    "encoding", "the file is not UTF-8", bad=b"title: Caf\xe9 opens\n", good="title: Café opens\n"
)
CONTROL_CHARACTER = Code(
    "control-character",
    "a control character, raw or written as an escape (tab and line breaks aside)",
    bad="title: Alarm \a rings\n",
    good="title: Alarm rings\n",
)
TAB_INDENT = Code(
    "tab-indent",
    "a tab in the indentation of a line",
    bad="drivers:\n\ta: {label: A}\n",
    good="drivers:\n  a: {label: A}\n",
)
YAML_SYNTAX = Code(
    "yaml-syntax",
    "the text is not valid YAML",
    bad="title: [unclosed\n",
    good="title: '[closed]'\n",
)
DOCUMENTS = Code(
    "documents",
    "more than one YAML document (a second `---`)",
    bad="---\ntitle: A second document\n",
    good="title: One document\n",
)
EMPTY = Code(
    "empty",
    "no scenario in the file",
    bad="# only a comment\n",
    good="extends: _base.yaml\nid: example\n",
    whole=True,
)
TOO_DEEP = Code(
    "too-deep",
    f"nesting more than {MAX_DEPTH} levels deep",
    bad="authors: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    good="authors: [Jane Doe]\n",
)
ANCHOR = Code(
    "anchor",
    "an anchor (`&name`) or alias (`*name`): copy the value or use `extends`",
    bad="drivers:\n  a: {label: &same A}\n",
    good="drivers:\n  a: {label: A}\n",
)
TAG = Code(
    "tag",
    "a YAML tag (`!!python/...`, `!!str`, `!name`)",
    bad="title: !!str Tagged\n",
    good="title: Plain\n",
)
DUPLICATE_KEY = Code(
    "duplicate-key",
    "the same key twice in one mapping",
    bad="title: One\ntitle: Two\n",
    good="title: One\n",
)
KEY_TYPE = Code(
    "key-type",
    "a key YAML reads as a boolean, number, date or null (`on:`, `no:`, `y:`, `1e3:`, "
    "`2022-01-01:`, `null:`): quote it or rename it",
    bad="sources:\n  on: {title: Switched on}\n",
    good='sources:\n  "on": {title: Switched on}\n',
)
# Two codes of the format that reading already finds: the file's top is not a mapping, a date
# that does not exist. The format's other cases are engine.scenario.translate's.
WRONG_TYPE = Code(
    "wrong-type",
    "a value of the wrong type (including a quoted number or date)",
    bad="title: [a, list]\n",
    good="title: a title\n",
)
BAD_VALUE = Code(
    "bad-value",
    "any other value the format does not allow there",
    bad="as_of: 2022-02-30\n",
    good="as_of: 2022-02-28\n",
)


class _ReadOtherwise(Exception):
    """The text holds what libyaml reads otherwise than PyYAML's parser."""


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _Bounded:
    """The composer's hook, bounded in depth, marking anchors, aliases and explicit tags.

    An alias becomes an empty node noted ``alias``: it is never expanded.
    """

    depth = 0

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


class _PythonLoader(_Bounded, yaml.SafeLoader):
    """SafeLoader's own scanner and parser, in Python: the reference, and every error's wording."""


if getattr(yaml, "__with_libyaml__", False):

    class _LibyamlLoader(
        _Bounded, yaml.composer.Composer, yaml.resolver.Resolver, yaml.cyaml.CParser
    ):
        """libyaml's events, composed by PyYAML's Python composer and SafeLoader's resolver.

        The composer and the resolver come before ``CParser`` in the order of lookup, so
        ``check_node``, ``get_node`` and ``get_single_node`` (which ``CParser`` also defines,
        in C), ``compose_node`` (bounded, above) and the resolution of every tag are PyYAML's
        Python ones; only scanning and parsing, the slow part, are libyaml's.
        """

        def __init__(self, text: str) -> None:
            yaml.cyaml.CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
            event = self.peek_event()
            # libyaml scans tags and anchors otherwise than PyYAML (`!:!x`, an empty `!` node),
            # and the inside of flow collections: `[a? b]` is text to it, an error to PyYAML;
            # `{a: }` has its empty value one column later. Imported files have none of them.
            if (
                event.anchor is not None
                or getattr(event, "tag", None) is not None
                or (parent is not None and parent.flow_style)
            ):
                raise _ReadOtherwise
            return super().compose_node(parent, index)

        def compose_scalar_node(self, anchor):  # noqa: D102 - PyYAML's hook, with no tag
            event = self.get_event()
            tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
            style = event.style or None  # libyaml's plain style is "", PyYAML's None
            return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style)

else:  # PyYAML built without libyaml: every file is read by the Python parser
    _LibyamlLoader = None


def issue_at(
    code: Code, message: str, hint: str, where: Location, path: KeyPath = ()
) -> ScenarioIssue:
    """An issue of ``code`` placed at ``where``."""
    return ScenarioIssue(code.name, message, hint, where.file, where.line, where.column, path)


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
            return None, [issue_at(NOT_FOUND, "is a folder, not a file", "", whole)]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [issue_at(NOT_FOUND, "no such file", "check the path", whole)]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, [issue_at(NOT_FOUND, f"cannot read the file: {reason}", "", whole)]
    if len(raw) > MAX_BYTES:
        message = f"the file has {len(raw):,} bytes, more than the {MAX_BYTES:,} allowed"
        return None, [issue_at(TOO_LARGE, message, "split it, or use `extends`", whole)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be read"
        hint = "save the file with the UTF-8 encoding"
        return None, [issue_at(ENCODING, message, hint, Location(file, line, column))]
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
        issues.append(issue_at(CONTROL_CHARACTER, message, hint, where))
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
            issues.append(issue_at(TAB_INDENT, "a tab in the indentation", hint, where))
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


def _syntaxissue_at(exc: yaml.YAMLError, text: str, file: str) -> ScenarioIssue:
    if isinstance(exc, yaml.reader.ReaderError):
        where = _at_offset(file, text, min(max(exc.position, 0), len(text)))
        message = f"character U+{exc.character:04X} is not allowed"
        return issue_at(CONTROL_CHARACTER, message, "delete it", where)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    message = f"not valid YAML: {problem}"
    if context and context != problem:
        message += f" ({context}"
        message += f" at line {context_mark.line + 1})" if context_mark else ")"
    hint = next((h for key, h in _SYNTAX_HINTS if key in message), "")
    hint = hint or "check the indentation, colons, quotes and brackets here"
    return issue_at(YAML_SYNTAX, " ".join(message.split()), hint, _at_mark(file, mark))


# Text libyaml reads otherwise than PyYAML's parser, found by reading random text with both:
# libyaml takes a tab for a space where PyYAML refuses one (`a: b\tc`, `[1,\t2]`, `b\t# note`);
# it skips a BOM at the start of any line, where PyYAML reads it as text and leaves it out of
# the columns; it takes `|#` and `>-#` (a comment right after a block scalar's header), which
# PyYAML refuses. Such text is read by PyYAML alone; so is text whose last line has no line
# break, where libyaml places the ends of open collections, and an empty value at the very end,
# on the line after.
_READ_OTHERWISE = re.compile(r"[\t\ufeff]|[|>][-+0-9]{0,2}#")


def _libyaml_reads_alike(text: str) -> bool:
    """Whether libyaml is there and gives the same nodes as PyYAML's parser for ``text``."""
    return (
        _LibyamlLoader is not None
        and text.endswith(("\n", "\r"))
        and _READ_OTHERWISE.search(text) is None
    )


class _SecondDocument(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


def _root(loader_class: type, text: str) -> yaml.Node | None:
    """The root node of the text's one document (None when it holds none), as composed by
    ``loader_class``; raises :class:`yaml.YAMLError`, :class:`_TooDeep` or
    :class:`_SecondDocument`."""
    loader = loader_class(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        root = loader.compose_document()
        if not loader.check_event(yaml.StreamEndEvent):
            raise _SecondDocument(loader.peek_event().start_mark)
        return root
    finally:
        loader.dispose()


def _compose(text: str, file: str) -> tuple[yaml.Node | None, list[ScenarioIssue]]:
    """The single document's root node (None if the file holds none) and any YAML problem.

    libyaml reads the text when it reads it as the Python parser would; whenever it finds a
    problem, or something it reads otherwise, the Python parser reads the text again, so that
    every problem is the one, in the words and at the place, PyYAML's parser gives.
    """
    if _libyaml_reads_alike(text):
        try:
            return _root(_LibyamlLoader, text), []
        except (yaml.YAMLError, _TooDeep, _SecondDocument, _ReadOtherwise):
            pass  # reported below, as the Python parser finds it
    try:
        return _root(_PythonLoader, text), []
    except _SecondDocument as exc:
        message = "a second YAML document starts here; a scenario file holds one"
        hint = "remove the `---` line and what follows, or move it to its own file"
        return None, [issue_at(DOCUMENTS, message, hint, _at_mark(file, exc.mark))]
    except _TooDeep as exc:
        message = f"the YAML nests more than {MAX_DEPTH} levels deep"
        return None, [issue_at(TOO_DEEP, message, "flatten it", _at_mark(file, exc.mark))]
    except yaml.YAMLError as exc:
        return None, [_syntaxissue_at(exc, text, file)]
    except (ValueError, OverflowError):  # PyYAML's scanner: chr() of `"\U00110000"`
        return None, [_escape_issue(text, file)]


_LONG_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})")


def _escape_issue(text: str, file: str) -> ScenarioIssue:
    """The issue of an escape that names no character, placed at the first such escape."""
    beyond = (m for m in _LONG_ESCAPE.finditer(text) if int(m.group(1), 16) > 0x10FFFF)
    match = next(beyond, None)
    where = _at_offset(file, text, match.start() if match else 0)
    shown = f" `{match.group()}`" if match else ""
    message = f"not valid YAML: the escape{shown} names no character (the last is U+10FFFF)"
    hint = "write the character itself, or an escape up to \\U0010FFFF"
    return issue_at(YAML_SYNTAX, message, hint, where)


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
            self.issues.append(issue_at(ANCHOR, "an alias (*name)", hint, here, path))
        if "anchor" in notes:
            self.issues.append(issue_at(ANCHOR, "an anchor (&name)", hint, here, path))
        if "tag" in notes:
            message = f"the YAML tag `{node.tag}` is not allowed"
            hint = "remove it: write plain text, numbers, dates, true/false, lists and mappings"
            self.issues.append(issue_at(TAG, message, hint, here, path))

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
            self.issues.append(issue_at(BAD_VALUE, message, hint, here, path))
            return node.value

    def _escaped_control(self, text: str, here: Location, path: KeyPath) -> None:
        """A control character written as an escape (``"\\e"``) is as unwelcome as a raw one."""
        match = _CONTROL.search(text)
        if match is not None:
            code = ord(match.group())
            message = f"the text holds character U+{code:04X} (written as an escape)"
            hint = "remove the escape; text may hold line breaks and tabs, no other control"
            self.issues.append(issue_at(CONTROL_CHARACTER, message, hint, here, path))

    def _key(self, node: yaml.Node, path: KeyPath) -> str:
        here = _at_mark(self.file, node.start_mark)
        notes = getattr(node, "signpost_notes", ())
        if notes:
            self._flag(notes, node, here, path)
        if not isinstance(node, yaml.ScalarNode):
            message = "a key must be plain text, not a list or mapping"
            self.issues.append(issue_at(KEY_TYPE, message, "write a name", here, path))
            return f"<key at line {here.line}>"
        self._escaped_control(node.value, here, path + (node.value,))
        reads_as = None if notes else _reads_as(node)
        if (*path, node.value) in FORMAT_KEYS:
            reads_as = None
        if reads_as is not None:
            shown = node.value or "(empty)"
            message = f"YAML reads the key `{shown}` as {reads_as}, not as text"
            hint = f'quote it ("{node.value}") or rename it' if node.value else "name the key"
            self.issues.append(issue_at(KEY_TYPE, message, hint, here, path + (node.value,)))
        return node.value

    def _duplicate(self, key_path: KeyPath, mark: yaml.Mark) -> None:
        """A key written a second time in its mapping, at ``mark`` (its value is not built)."""
        first = self.where.keys[key_path].line
        message = f"duplicate key `{key_path[-1]}` (first written at line {first})"
        hint = "keep one: YAML would silently use only one of them"
        self.issues.append(
            issue_at(DUPLICATE_KEY, message, hint, _at_mark(self.file, mark), key_path)
        )

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            key_path = path + (key,)
            if key in result:
                self._duplicate(key_path, key_node.start_mark)
                continue
            self.where.keys[key_path] = _at_mark(self.file, key_node.start_mark)
            result[key] = self.build(value_node, key_path)
        return result


_UNMADE = object()
_SHARED_TAGS = {_YAML + name for name in ("int", "float", "bool", "null")}


def _declined(event, depth: int) -> bool:
    """A node the event path does not read: past :data:`MAX_DEPTH`, or with an anchor or a
    tag (of any text, as the composing way declines them)."""
    return depth > MAX_DEPTH or event.anchor is not None or getattr(event, "tag", None) is not None


class _EventBuilder(_Builder):
    """The values and places built straight from libyaml's events, without composing nodes.

    The same values, places and problems as composing the nodes and building from them (the
    same :class:`_Builder` methods judge every key and scalar); a million nodes are read in
    less than half the time. Anything but block mappings and sequences of plain or quoted
    scalars with text keys (an anchor, an alias, a tag, a flow collection's content, a key that
    is a collection, nesting past :data:`MAX_DEPTH`, a YAML problem) raises
    :class:`_ReadOtherwise`, and the file is read the composing way instead.
    """

    def __init__(self, parser, file: str) -> None:
        super().__init__(yaml.constructor.SafeConstructor(), file)
        self.next = parser.get_event
        self.resolver = yaml.resolver.Resolver()
        self.tags: dict[tuple, str] = {}  # (text, implicit) -> the tag it resolves to
        self.made: dict[tuple[str, str], Any] = {}  # (tag, text) -> its value, once made
        self.clean: dict[tuple, bool] = {}  # (text, style) of a key -> nothing to say of it

    def node(self, event, path: KeyPath, depth: int) -> Any:
        """The value whose first event is ``event``, at ``path``, ``depth`` nodes deep."""
        if _declined(event, depth):
            raise _ReadOtherwise
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return self._value(event, path)
        if kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
            raise _ReadOtherwise  # an alias
        flow = event.flow_style
        self.where.values[path] = _at_mark(self.file, event.start_mark, "flow" if flow else "block")
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            while type(item := self.next()) is not yaml.SequenceEndEvent:
                if flow:
                    raise _ReadOtherwise
                items.append(self.node(item, path + (len(items),), depth + 1))
            return items
        result: dict[str, Any] = {}
        keys = self.where.keys
        while type(key_event := self.next()) is not yaml.MappingEndEvent:
            if flow or type(key_event) is not yaml.ScalarEvent:
                raise _ReadOtherwise
            if _declined(key_event, depth + 1):
                raise _ReadOtherwise
            key = self._plain_key(key_event, path)
            key_path = path + (key,)
            if key in result:
                self._duplicate(key_path, key_event.start_mark)
                self._skip(self.next(), depth + 1)
                continue
            keys[key_path] = _at_mark(self.file, key_event.start_mark)
            value = self.next()
            if type(value) is yaml.ScalarEvent and not _declined(value, depth + 1):
                result[key] = self._value(value, key_path)  # most values: no call of node
            else:
                result[key] = self.node(value, key_path, depth + 1)
        return result

    def _plain_key(self, event, path: KeyPath) -> str:
        """A key's text, judged by :meth:`_Builder._key` unless the same text in the same
        style was found clean before (no control character, read as text): most keys are a
        state's or a parent's name, written thousands of times."""
        known = (event.value, event.style)
        if self.clean.get(known):
            return event.value
        node = self._scalar_node(event)
        self.clean[known] = _CONTROL.search(node.value) is None and _reads_as(node) is None
        return self._key(node, path)

    def _tag(self, event) -> str:
        known = (event.value, event.implicit)
        tag = self.tags.get(known)
        if tag is None:
            tag = self.tags[known] = self.resolver.resolve(yaml.ScalarNode, *known)
        return tag

    def _scalar_node(self, event) -> yaml.ScalarNode:
        style = event.style or None  # libyaml's plain style is "", PyYAML's None
        return yaml.ScalarNode(
            self._tag(event), event.value, event.start_mark, event.end_mark, style
        )

    def _value(self, event, path: KeyPath) -> Any:
        """A scalar's value: a number, boolean or null made once per text (values whose
        sharing nobody can see: a YAML writer gives a date written twice, shared, an anchor;
        a text that cannot be made is judged, and reported, every time)."""
        here = _at_mark(self.file, event.start_mark, event.style or None)
        self.where.values[path] = here
        tag = self._tag(event)
        if tag in _SHARED_TAGS:
            made = self.made.get((tag, event.value), _UNMADE)
            if made is not _UNMADE:
                return made
        node = self._scalar_node(event)
        count = len(self.issues)
        value = self._scalar(node, here, path, tagged=False)
        if tag in _SHARED_TAGS and len(self.issues) == count:
            self.made[(tag, event.value)] = value
        return value

    def _skip(self, event, depth: int) -> None:
        """Read past the value whose first event is ``event`` (a duplicate key's)."""
        if _declined(event, depth):
            raise _ReadOtherwise
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return
        if kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
            raise _ReadOtherwise
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        while type(inner := self.next()) not in ends:
            if event.flow_style:
                raise _ReadOtherwise
            self._skip(inner, depth + 1)


def _built_from_events(text: str, file: str) -> tuple[dict, SourceMap, list[ScenarioIssue], bool]:
    """The reading of a file whose one document is a block mapping, from libyaml's events
    (:class:`_EventBuilder`); raises :class:`_ReadOtherwise` for any other file."""
    if not _libyaml_reads_alike(text):
        raise _ReadOtherwise
    parser = yaml.cyaml.CParser(text)
    try:
        parser.get_event()  # stream start
        if type(parser.get_event()) is not yaml.DocumentStartEvent:
            raise _ReadOtherwise  # no document: the composing way says so
        first = parser.get_event()
        if type(first) is not yaml.MappingStartEvent:
            raise _ReadOtherwise
        builder = _EventBuilder(parser, file)
        data = builder.node(first, (), 1)
        if type(parser.get_event()) is not yaml.DocumentEndEvent:
            raise _ReadOtherwise
        if type(parser.get_event()) is not yaml.StreamEndEvent:
            raise _ReadOtherwise  # a second document
    except yaml.YAMLError as error:  # libyaml's (a bug of the builder is not hidden here)
        raise _ReadOtherwise from error  # worded and placed by the Python parser
    finally:
        parser.dispose()
    return data, builder.where, builder.issues, builder.broken


def _parse(text: str, file: str) -> tuple[dict | None, SourceMap, list[ScenarioIssue], bool]:
    """Values, locations, problems, and whether the values are too broken to validate."""
    with contextlib.suppress(_ReadOtherwise):
        return _built_from_events(text, file)
    root, issues = _compose(text, file)
    where = SourceMap(file)
    if issues:
        return None, where, issues, True
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _YAML + "null"):
        hint = "write a scenario: `signpost: 1`, `id:`, `title:`, `drivers:`, `outcomes:`"
        issue = issue_at(EMPTY, "the file holds no scenario", hint, where.locate(()))
        return None, where, [issue], True
    if not isinstance(root, yaml.MappingNode):
        message = "a scenario file is a mapping of keys (`signpost: 1`, `id: ...`, ...)"
        here = _at_mark(file, root.start_mark)
        return (
            None,
            where,
            [issue_at(WRONG_TYPE, message, "write `key: value` lines", here)],
            True,
        )
    builder = _Builder(yaml.constructor.SafeConstructor(), file)
    data = builder.build(root, ())
    return data, builder.where, builder.issues, builder.broken


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a file's nodes and values are made.

    A big file is a million nodes, marks, values and places, none of them in a reference cycle;
    as they pile up the collector would walk them all again and again, for as long as the
    reading itself takes. It runs again, as it was, once the file is read.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def read_one(path: Path, file: str) -> tuple[dict | None, SourceMap, list[ScenarioIssue]]:
    """One file's values and locations (None when unusable) and its problems."""
    text, issues = _read_text(path, file)
    if text is None:
        return None, SourceMap(file), issues
    issues = _scan_text(text, file)
    if issues:
        return None, SourceMap(file), issues
    with _collector_paused():
        data, where, issues, broken = _parse(text, file)
    return (None if broken else data), where, issues
