"""The scenario writer (engine.scenario.writer) against PyYAML's own dump.

``yaml_text`` feeds libyaml's emitter events instead of PyYAML's representer nodes; the text
must be the one ``yaml.dump`` gives through the same emitter (byte for byte), and, on every
scenario the project has, the one ``yaml.safe_dump`` (PyYAML's Python emitter) gives; whatever
it writes reads back as the same values. A value held twice is written twice, never as an
alias the reader would refuse; anything else falls back to ``yaml.safe_dump``.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.scenario.merge import read_document
from engine.scenario.writer import yaml_text
from tests.support import ROOT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pgmpy

    from engine.exchange.read import scenario_of

EXAMPLES = Path(pgmpy.__file__).parent / "utils" / "example_models"
FILES = sorted(
    path
    for folder in ("scenarios", "tests", "benchmarks")
    for path in (ROOT / folder).rglob("*.yaml")
)


def dumped(data, dumper=None) -> str:
    """PyYAML's own text: through libyaml's emitter, or its Python one (``safe_dump``)."""
    if dumper is None:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def merged(path: Path):
    document, _ = read_document(path)
    return None if document is None else document.data


def test_every_scenario_is_written_as_pyyaml_writes_it():
    written = 0
    for path in FILES:
        data = merged(path)
        if data is None:
            continue
        text = yaml_text(data)
        assert text == dumped(data, yaml.CSafeDumper) == dumped(data), path
        written += 1
    assert written >= 80  # the packs, fixtures, benchmarks, and the malformed ones YAML reads


@pytest.mark.parametrize("network", ["alarm", "water", "hailfinder", "munin1"])
def test_an_imported_network_is_written_as_pyyaml_writes_it(network):
    data = scenario_of(EXAMPLES / f"{network}.bif.gz")
    assert yaml_text(data) == dumped(data, yaml.CSafeDumper)


def test_a_value_held_twice_is_written_twice_not_as_an_alias():
    shared = ["x", "y"]
    day = dt.date(2022, 1, 7)
    data = {"a": shared, "b": shared, "c": {"on": day}, "d": {"on": day}}
    assert "&" in dumped(data)  # what PyYAML does, and the reader refuses
    text = yaml_text(data)
    assert "&" not in text and "*" not in text
    assert yaml.safe_load(text) == data


def test_other_types_and_no_libyaml_fall_back_to_safe_dump(monkeypatch):
    odd = {"a": {1, 2}, "b": (3, 4)}  # a set and a tuple: safe_dump's own business
    assert yaml_text(odd) == dumped(odd)
    data = merged(ROOT / "scenarios" / "kazakhstan" / "baseline.yaml")
    monkeypatch.setattr(yaml, "CSafeDumper", None)
    assert yaml_text(data) == dumped(data)


words = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
) | st.sampled_from(["on", "yes", "null", "~", "1e3", "0.3", "2022-01-07", "a: b", "- x", ""])
scalars = st.one_of(
    words,
    st.floats(allow_nan=True),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner, max_size=4),
    max_leaves=20,
)


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_random_values_are_written_as_libyaml_writes_them_and_read_back(data):
    text = yaml_text(data)
    assert text == dumped(data, yaml.CSafeDumper)
    assert _same(yaml.safe_load(text), data)
