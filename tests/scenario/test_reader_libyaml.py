"""libyaml reads a scenario's YAML exactly as PyYAML's Python parser does (engine.scenario.reader).

The reader takes its events from libyaml when it can; the Python parser is the reference. Every
file here is composed both ways and held node for node: kind, tag, value, style, the line and
column where each node starts and ends, and the reader's notes. A file the fast path declines
(a tab, a tag, an anchor, a flow collection, ...) must be declined, not read otherwise; and
whichever way a file is read, the reader's values, places and issues are the ones the Python
parser alone gives.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.scenario import reader
from tests.support import FIXTURES, MALFORMED, ROOT, SCENARIOS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pgmpy

    from engine.exchange.read import scenario_of, scenario_text

EXAMPLES = Path(pgmpy.__file__).parent / "utils" / "example_models"
EXAMPLES_RUN = settings(
    max_examples=int(os.environ.get("SIGNPOST_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def shape(node: yaml.Node | None) -> tuple | None:
    """Everything the reader reads of a node, its children included, as plain data."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        inner, style = node.value, node.style
    elif isinstance(node, yaml.SequenceNode):
        inner, style = tuple(shape(item) for item in node.value), bool(node.flow_style)
    else:
        inner = tuple((shape(key), shape(value)) for key, value in node.value)
        style = bool(node.flow_style)
    start, end = node.start_mark, node.end_mark
    notes = getattr(node, "signpost_notes", ())
    return (type(node).__name__, node.tag, inner, style, (start.line, start.column),
            (end.line, end.column), notes)  # fmt: skip


def composed(loader_class: type, text: str) -> tuple:
    """("nodes", shape) as ``loader_class`` composes the text, or what stopped it."""
    try:
        return "nodes", shape(reader._root(loader_class, text))
    except reader._ReadOtherwise:
        return "declined", None
    except (yaml.YAMLError, reader._TooDeep, reader._SecondDocument, ValueError) as exc:
        return "problem", type(exc).__name__


def by_libyaml(text: str) -> tuple:
    """What the fast path gives: nodes, "declined", or the problem that sends the text on."""
    if not reader._libyaml_reads_alike(text):
        return "declined", None
    return composed(reader._LibyamlLoader, text)


def by_python(text: str) -> tuple:
    return composed(reader._PythonLoader, text)


def typed(value):
    """A value as data that tells 1 from 1.0 from True, and one order of keys from another."""
    if isinstance(value, dict):
        return ("dict", tuple((key, typed(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", tuple(typed(item) for item in value))
    return (type(value).__name__, repr(value))


def reading(data, where, issues, broken) -> tuple:
    """A reading as comparable data: typed values, places in the order they were found."""
    return typed(data), list(where.values.items()), list(where.keys.items()), issues, broken


def from_events(text: str) -> tuple | None:
    """What reading straight from libyaml's events gives (values, places, issues, broken), or
    None when it declines the text."""
    try:
        return reading(*reader._built_from_events(text, "s.yaml"))
    except reader._ReadOtherwise:
        return None


def parsed_by_python(text: str, monkeypatch) -> tuple:
    """The reader's values, places, issues and brokenness with the Python parser alone."""
    with monkeypatch.context() as patched:
        patched.setattr(reader, "_LibyamlLoader", None)
        return reading(*reader._parse(text, "s.yaml"))


def read_both_ways(text: str, monkeypatch) -> tuple[tuple, tuple]:
    """The reader's own answer (nodes and issues) with libyaml, and with the Python parser only."""
    root, issues = reader._compose(text, "s.yaml")
    with monkeypatch.context() as patched:
        patched.setattr(reader, "_LibyamlLoader", None)
        python_root, python_issues = reader._compose(text, "s.yaml")
    return (shape(root), issues), (shape(python_root), python_issues)


# --- the files ---------------------------------------------------------------------------------


def _block_style(text: str) -> str:
    """The same scenario written as ``signpost import`` writes one: block style only."""
    data = yaml.safe_load(text)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


SHIPPED = sorted(SCENARIOS.rglob("*.yaml")) + sorted(FIXTURES.rglob("*.yaml"))
WRITTEN = {path.relative_to(ROOT).as_posix(): path for path in SHIPPED}
CORPUS = {path.name: path for path in sorted(MALFORMED.glob("*.yaml"))}

# Texts the fast path reads (True) or must decline (False), each a case libyaml could get wrong.
NESTED = "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(reader.MAX_DEPTH - 1)) + (
    "  " * (reader.MAX_DEPTH - 1) + "leaf: 1\n"
)
TOO_DEEP = "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(reader.MAX_DEPTH + 2)) + (
    "  " * (reader.MAX_DEPTH + 2) + "leaf: 1\n"
)
GENERATED = {
    "non-ascii": (
        "title: Café à l'œuvre — 中文 😀 naïve\ndrivers:\n  naive:\n    label: Ünïcödé 😀 é\n"
        "    p: 0.3\n  b:\n    label: 'ça ''va'' 😀'\n    p: 0.4\n"
        '  c:\n    label: "π ≈ 3.14 😀"\n',
        True,
    ),
    "crlf": ("a: 1\r\nb:\r\n  c: 'two\r\n    lines'\r\n  d: |\r\n    x\r\n    y\r\n", True),
    "cr only": ("a: 1\rb:\r  c: two\r  d: >\r    x\r    y\r", True),
    "block scalars": (
        "a: |\n  one\n   two é\n\n  three\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  kept\n\n"
        "d: |2\n   indented\ne: >\n  x\n\n\nf: last\n",
        True,
    ),
    "multi-line plain and quoted": (
        "a: plain text\n  that goes on\n\n  and on\nb: 'single\n\n  quoted'\n"
        'c: "double \\u00e9 \\x41 \\t \\\\ \\"\n  folded\\\n  joined"\n'
        'd: "\\U0001F600 \\N \\_ \\/"\n',
        True,
    ),
    "values of YAML 1.1": (
        "a: 2022-01-07\nb: 2022-01-07 10:30:00\nc: yes\nd: Off\ne: 0x1F\nf: 1:30\ng: .inf\n"
        "h: -.5e3\ni: ~\nj: null\nk:\nl: 010\nm: 1_000\nn: 2022-02-30\no: <<\n",
        True,
    ),
    "sequences": ("a:\n- x\n- - y\n  - z\n-\n- k: v\n  l: w\nb:\n  - 1\n  -   2\n", True),
    "explicit keys": ("? a\n: 1\n? |\n  block key\n: 2\n", True),
    "comments and markers": (
        "%YAML 1.1\n# a comment\n--- # the document\na: 1 # after\n# between\nb:   # empty\n...\n",
        True,
    ),
    "empty values and documents": ("a:\nb:\n  c:\n  d:\n", True),
    "only a comment": ("# nothing here\n", True),
    "a scalar root": ("just text\n", True),
    "nested to the bound": (NESTED, True),
    "nested past the bound": (TOO_DEEP, True),  # both parsers stop at the same node
    "a second document": ("a: 1\n---\nb: 2\n", True),
    "broken indentation": ("a:\n  b: 1\n c: 2\n", True),
    "an unclosed quote": ("a: 'open\n", True),
    "tabs in quoted strings": ("a: 'x\ty'\nb: \"\tz\"\n", False),
    "a tab in plain text": ("a: b\tc\n", False),
    "a tab before a comment": ("a: b\t# c\n", False),
    "a byte order mark inside": ("a: x\n\ufeffb: 2\n", False),
    "a comment right after |": ("a: |#\n  x\n", False),
    "no final line break": ("a: 1\nb:\n  - x", False),
    "anchors and aliases": ("a: &x 1\nb: *x\nc: &y\n  d: 2\n", False),
    "an alias alone": ("a: *x\n", False),
    "explicit tags": ("a: !!str 1\nb: !x\n  c: 1\nc: ! ''\n", False),
    "an empty node tagged !": ("a: !\nb: 1\n", False),  # null to PyYAML, '' to libyaml
    "a tag PyYAML refuses": ("a: !:!x x\n", False),
    "flow collections": ("a: {b: 1, c: [x, y]}\nd: [1, 2,\n  3]\n", False),
    "an empty value in a flow mapping": ("e: {f: }\n", False),  # a column apart
    "a question mark in flow text": ("g: [a? b]\n", False),  # PyYAML refuses it
    "empty flow collections": ("a: {}\nb: []\n", True),
}


def _texts() -> dict[str, tuple[str, bool | None]]:
    """Every text to compare, by name, with whether the fast path must read it (None: either)."""
    texts: dict[str, tuple[str, bool | None]] = dict(GENERATED)
    for name, path in WRITTEN.items():
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        texts[name] = (text, None)  # hand-written: flow mappings, read by the Python parser
        texts[f"{name} in block style"] = (_block_style(text), True)
    for name, path in CORPUS.items():
        raw = path.read_bytes()
        text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
        if not reader._scan_text(text, name):  # the texts the YAML step sees
            texts[f"malformed/{name}"] = (text, None)
    for network in ("alarm", "insurance", "hailfinder"):
        path = EXAMPLES / f"{network}.bif.gz"
        texts[f"imported {network}"] = (scenario_text(scenario_of(path), path), True)
    return texts


TEXTS = _texts()


# --- the tests ---------------------------------------------------------------------------------


def test_pyyaml_here_is_built_with_libyaml():
    """The fast path needs PyYAML's C extension (its wheels have it); without it big files
    are read, correctly, by the Python parser alone: ten seconds and more for megabytes."""
    assert yaml.__with_libyaml__ and reader._LibyamlLoader is not None


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_libyaml_composes_every_text_as_the_python_parser_does(name, monkeypatch):
    text, fast = TEXTS[name]
    python, libyaml = by_python(text), by_libyaml(text)
    if fast is True:
        assert libyaml[0] != "declined"
    if fast is False:
        assert libyaml[0] == "declined"
    if libyaml[0] == "nodes":
        assert libyaml == python
    if libyaml[0] == "problem":
        assert python[0] == "problem"
    reading, python_reading = read_both_ways(text, monkeypatch)
    assert reading == python_reading
    assert reading[0] == (python[1] if python[0] == "nodes" else None)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_values_built_from_events_are_the_python_parsers(name, monkeypatch):
    """Building values and places straight from libyaml's events, without nodes: the same
    values, places (line, column, style of every key and value), issues and brokenness as the
    Python parser; a text it declines is one the composing way reads."""
    text, fast = TEXTS[name]
    built = from_events(text)
    python = parsed_by_python(text, monkeypatch)
    if built is not None:
        assert built == python
    if fast is False:
        assert built is None


def test_most_block_style_texts_are_built_from_events():
    """The comparison above is not between the Python parser and itself: every scenario in
    block style and every imported network is built from events."""
    built = [name for name, (text, _) in TEXTS.items() if from_events(text) is not None]
    assert all(f"{name} in block style" in built for name in WRITTEN)
    assert all(f"imported {network}" in built for network in ("alarm", "insurance", "hailfinder"))
    duplicate = "a: 1\nb:\n  c: x\na:\n  - deep:\n      d: 2\nk: {}\n"
    assert from_events(duplicate) is not None  # a duplicate key's value read past, not built
    assert [issue.code for issue in from_events(duplicate)[3]] == ["duplicate-key"]


def test_the_fast_path_reads_most_texts():
    """The comparison above is between two parsers, not the Python parser and itself."""
    read = [name for name, (text, _) in TEXTS.items() if by_libyaml(text)[0] == "nodes"]
    assert len(read) >= len(TEXTS) // 2
    assert all(f"{name} in block style" in read for name in WRITTEN)


def _watch_python_parser(monkeypatch) -> list[str]:
    """The texts the Python parser is built for from now on."""
    made: list[str] = []

    class Watched(reader._PythonLoader):
        def __init__(self, text: str) -> None:
            made.append(text)
            super().__init__(text)

    monkeypatch.setattr(reader, "_PythonLoader", Watched)
    return made


def test_the_fast_path_is_taken_when_libyaml_is_there(tmp_path, monkeypatch):
    made = _watch_python_parser(monkeypatch)
    path = tmp_path / "big.yaml"
    path.write_text(TEXTS["imported alarm"][0], encoding="utf-8")
    data, where, issues = reader.read_one(path, "big.yaml")
    assert made == [] and issues == [] and data["drivers"]
    broken = "a:\n  b: 1\n c: 2\n"  # libyaml finds the problem, the Python parser words it
    path.write_text(broken, encoding="utf-8")
    _, _, issues = reader.read_one(path, "big.yaml")
    assert made == [broken]
    monkeypatch.setattr(reader, "_LibyamlLoader", None)
    assert reader.read_one(path, "big.yaml")[2] == issues
    assert [issue.code for issue in issues] == ["yaml-syntax"]


def test_without_libyaml_the_python_parser_reads_every_file(monkeypatch):
    paths = [*SHIPPED, *CORPUS.values()]
    with_libyaml = [_read(path) for path in paths]
    monkeypatch.setattr(reader, "_LibyamlLoader", None)
    made = _watch_python_parser(monkeypatch)
    assert [_read(path) for path in paths] == with_libyaml
    assert len(made) >= len(SHIPPED)


def _read(path: Path) -> tuple:
    data, where, issues = reader.read_one(path, str(path))
    return data, where.values, where.keys, issues


# --- random text: the fast path never reads anything otherwise -------------------------------

FRAGMENTS = (
    "a", "key", "x y", "é", "ü😀", "中文", "1", "0.3", "-1e3", "2022-01-07", "on", "~",
    ":", ": ", " ", "  ", "\n", "\r\n", "- ", "-", "? ", "?", "[", "]", "{", "}", ",", "'", '"',
    "\\", "\\n", "\\x41", "\\U0001F600", "\\U00110000", "#", " #", "# c", "|", "|-", ">", "|2",
    "&a ", "*a", "!", "!!str ", "%YAML 1.1\n", "---", "...", "\n  ", "\n    ", "\n- ", "\n  - ",
    "@", "`", "%", "\u00a0", "<<: ",
)  # fmt: skip
WORDS = ["a", "key é", "😀 x", "it's", 'say "hi"', "on", "0.3", "", "#c", "- d", "x: y"]
words = st.sampled_from([*WORDS, "multi\nline", "a\n\nb", "long " * 30, "[x]", "&a", "!t"])
scalars = st.one_of(
    words,
    st.floats(allow_nan=False),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1)),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner, max_size=4),
    max_leaves=16,
)


@st.composite
def block_texts(draw) -> str:
    """A document written in block style, perhaps with CRLF, then cut and spliced at random."""
    text = yaml.safe_dump(
        {"k": draw(documents)},
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([12, 40, 100])),
        indent=draw(st.sampled_from([2, 4])),
        default_flow_style=draw(st.sampled_from([False, None])),  # None: innermost in flow
    )
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at + cut :]
    return text


fragment_texts = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=25).map(
    lambda parts: "".join(parts) + "\n"
)


@EXAMPLES_RUN
@given(st.one_of(block_texts(), fragment_texts))
def test_random_text_is_read_by_libyaml_as_by_the_python_parser(text):
    if reader._scan_text(text, "s.yaml"):
        return  # refused before YAML
    libyaml = by_libyaml(text)
    if libyaml[0] == "nodes":
        assert libyaml == by_python(text)
    root, issues = reader._compose(text, "s.yaml")
    python = by_python(text)
    assert shape(root) == (python[1] if python[0] == "nodes" else None)
    assert bool(issues) == (python[0] == "problem")
    built = from_events(text)
    if built is not None:
        with pytest.MonkeyPatch.context() as patched:
            assert built == parsed_by_python(text, patched)
