"""Writing a scenario's values as YAML text, the reader's counterpart (:mod:`.reader`).

:func:`yaml_text` gives the text ``yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
width=100)`` gives, for the values a scenario holds (mappings, lists, text, numbers, booleans,
null, dates), in a fraction of the time: the events go straight to libyaml's emitter, without
PyYAML's representer making a node of every value first (an imported network is a million
values: 3.6 s with the representer, 1.0 s without). Two differences, both on purpose: a value
held twice (the same list object in two places) is written twice, never as an anchor and an
alias, which the reader refuses; and without libyaml, or for a value of any other type,
``yaml.safe_dump`` itself writes the text.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import yaml

WIDTH = 100  # the longest line the emitter aims for

_TAG = "tag:yaml.org,2002:"
_INF = float("inf")


class _Unwritten(TypeError):
    """A value of a type :func:`yaml_text` does not write itself."""


def yaml_text(data: Any, *, width: int = WIDTH) -> str:
    """``data`` as YAML, keys in their order, text as it is (no escapes for non-ASCII)."""
    if getattr(yaml, "CSafeDumper", None) is not None:
        try:
            return _emitted(data, width)
        except _Unwritten:
            pass
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=width)


def _emitted(data: Any, width: int) -> str:
    """The text of libyaml's emitter fed the events of ``data`` (as PyYAML's serializer would
    feed it the nodes of ``SafeRepresenter``: the same tags, implicit flags and styles)."""
    stream = io.StringIO()
    dumper = yaml.CSafeDumper(
        stream, default_flow_style=False, allow_unicode=True, width=width, sort_keys=False
    )
    emit, resolve = dumper.emit, dumper.resolve
    implicit_of: dict[tuple[str, str], tuple[bool, bool]] = {}
    scalar_event = yaml.ScalarEvent

    def scalar(tag: str, text: str) -> None:
        known = (tag, text)
        implicit = implicit_of.get(known)
        if implicit is None:  # whether a reader would give the tag back, plain and quoted
            implicit = implicit_of[known] = (
                tag == resolve(yaml.ScalarNode, text, (True, False)),
                tag == resolve(yaml.ScalarNode, text, (False, True)),
            )
        emit(scalar_event(None, tag, implicit, text, style=None))

    def node(value: Any) -> None:
        kind = type(value)
        if kind is str:
            scalar(_TAG + "str", value)
        elif kind is dict:
            emit(yaml.MappingStartEvent(None, _TAG + "map", True, flow_style=False))
            for key, item in value.items():
                node(key)
                node(item)
            emit(yaml.MappingEndEvent())
        elif kind is float:
            scalar(_TAG + "float", _float_text(value))
        elif kind is list:
            emit(yaml.SequenceStartEvent(None, _TAG + "seq", True, flow_style=False))
            for item in value:
                node(item)
            emit(yaml.SequenceEndEvent())
        elif kind is bool:
            scalar(_TAG + "bool", "true" if value else "false")
        elif kind is int:
            scalar(_TAG + "int", str(value))
        elif value is None:
            scalar(_TAG + "null", "null")
        elif kind is dt.date:
            scalar(_TAG + "timestamp", value.isoformat())
        elif kind is dt.datetime:
            scalar(_TAG + "timestamp", value.isoformat(" "))
        else:
            raise _Unwritten(kind.__name__)

    try:
        emit(yaml.StreamStartEvent())
        emit(yaml.DocumentStartEvent(explicit=False))
        node(data)
        emit(yaml.DocumentEndEvent(explicit=False))
        emit(yaml.StreamEndEvent())
    finally:
        dumper.dispose()
    return stream.getvalue()


def _float_text(value: float) -> str:
    """A float as ``SafeRepresenter.represent_float`` writes it."""
    if value != value:
        return ".nan"
    if value == _INF:
        return ".inf"
    if value == -_INF:
        return "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:  # 1e17 is not a YAML 1.1 float; 1.0e17 is
        text = text.replace("e", ".0e", 1)
    return text
