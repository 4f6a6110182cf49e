"""Writing a scenario's values as YAML text, the reader's counterpart (:mod:`.reader`).

:func:`yaml_text` gives the text ``yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
width=100)`` gives, for the values a scenario holds (mappings, lists, text, numbers, booleans,
null, dates), in a fraction of the time: the events go straight to libyaml's emitter, without
PyYAML building the whole tree of nodes and serializing it (each scalar's text and tag still
come from ``SafeRepresenter``; an imported network is a million values: 3.6 s through the
tree, 1.4 s without). Two differences, both on purpose: a value
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
_SCALARS = (str, float, bool, int, type(None), dt.date, dt.datetime)  # what scenarios hold


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
    represent = dumper.yaml_representers  # SafeRepresenter's, by exact type
    implicit_of: dict[tuple[str, str], tuple[bool, bool]] = {}
    scalar_event = yaml.ScalarEvent

    def node(value: Any) -> None:
        kind = type(value)
        if kind is dict:
            emit(yaml.MappingStartEvent(None, _TAG + "map", True, flow_style=False))
            for key, item in value.items():
                node(key)
                node(item)
            emit(yaml.MappingEndEvent())
        elif kind is list:
            emit(yaml.SequenceStartEvent(None, _TAG + "seq", True, flow_style=False))
            for item in value:
                node(item)
            emit(yaml.SequenceEndEvent())
        elif kind in _SCALARS:
            scalar = represent[kind](dumper, value)  # PyYAML's own text and tag of the value
            known = (scalar.tag, scalar.value)
            implicit = implicit_of.get(known)
            if implicit is None:  # whether a reader gives the tag back, plain and quoted
                implicit = implicit_of[known] = (
                    scalar.tag == resolve(yaml.ScalarNode, scalar.value, (True, False)),
                    scalar.tag == resolve(yaml.ScalarNode, scalar.value, (False, True)),
                )
            emit(scalar_event(None, scalar.tag, implicit, scalar.value, style=None))
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
