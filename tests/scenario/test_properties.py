"""Whatever a scenario file holds, loading it gives a Scenario or a ScenarioError, nothing else.

Random edits of valid scenarios (deleted keys, values replaced by random YAML, junk keys,
random bytes and text, truncation) must never raise anything but ``ScenarioError``; a file
that loads must still load, to the same scenario, once written back out as plain YAML.
"""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.scenario.issues import CODES, ScenarioError
from engine.scenario.merge import load_document
from engine.scenario.schema import Scenario
from engine.scenario.validate import load_scenario
from tests.support import FIXTURES

SOURCES = {
    "minimal": (FIXTURES / "minimal.yaml").read_text(encoding="utf-8"),
    "full": (FIXTURES / "full.yaml").read_text(encoding="utf-8"),
    "variant": (FIXTURES / "variant" / "child.yaml").read_text(encoding="utf-8"),
}
# SIGNPOST_EXAMPLES=5000 searches harder; the default keeps the suite fast.
FAST = settings(
    max_examples=int(os.environ.get("SIGNPOST_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["likely", "raises", "0.3", "on", "no", "1e3", "2022-01-07", "", "a", "up"]),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of the variant chain, so a mutated child still has its parents beside it."""
    here = tmp_path_factory.mktemp("properties")
    shutil.copytree(FIXTURES / "variant", here, dirs_exist_ok=True)
    return here


def paths_in(value, prefix=()):
    """Every key path of nested dicts and lists."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_in(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths_in(item, prefix + (i,))


def load_checked(path: Path) -> Scenario | None:
    """Load, allowing only ScenarioError; check the issues are well formed."""
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        for issue in error.issues:
            assert issue.code in CODES
            assert issue.file and issue.line >= 0 and issue.column >= 0
            assert "\n" not in issue.format()
        return None
    assert isinstance(scenario, Scenario)
    return scenario


def assert_round_trip(path: Path, scenario: Scenario) -> None:
    """A loaded scenario, written back as plain YAML, loads to the same scenario."""
    again = path.with_name("round_trip.yaml")
    again.write_text(yaml.safe_dump(load_document(path).data, allow_unicode=True), "utf-8")
    assert load_scenario(again) == scenario


@FAST
@given(
    source=st.sampled_from(sorted(SOURCES)),
    edit=st.sampled_from(["delete", "replace", "insert"]),
    pick=st.integers(min_value=0),
    key=st.text(max_size=10),
    value=values,
)
def test_edited_values_give_a_scenario_or_a_scenario_error(folder, source, edit, pick, key, value):
    data = yaml.safe_load(SOURCES[source])
    paths = [p for p in paths_in(data) if p]
    target = paths[pick % len(paths)]
    parent = data
    for part in target[:-1]:
        parent = parent[part]
    if edit == "delete":
        del parent[target[-1]]
    elif edit == "replace":
        parent[target[-1]] = value
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        parent.insert(target[-1], value)
    path = folder / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    scenario = load_checked(path)
    if scenario is not None:
        assert_round_trip(path, scenario)


@FAST
@given(
    source=st.sampled_from(sorted(SOURCES)),
    edit=st.sampled_from(["truncate", "insert text", "insert bytes", "replace line", "indent"]),
    where=st.floats(min_value=0, max_value=1),
    text=st.text(max_size=30),
    junk=st.binary(max_size=30),
)
def test_edited_text_gives_a_scenario_or_a_scenario_error(folder, source, edit, where, text, junk):
    raw = SOURCES[source].encode("utf-8")
    at = int(where * len(raw))
    lines = raw.splitlines(keepends=True)
    line = min(int(where * len(lines)), len(lines) - 1)
    if edit == "truncate":
        raw = raw[:at]
    elif edit == "insert text":
        raw = raw[:at] + text.encode("utf-8", errors="surrogatepass") + raw[at:]
    elif edit == "insert bytes":
        raw = raw[:at] + junk + raw[at:]
    elif edit == "replace line":
        lines[line] = text.encode("utf-8", errors="surrogatepass") + b"\n"
        raw = b"".join(lines)
    else:
        lines[line] = b" " * (len(text) % 5) + lines[line].lstrip(b" ")
        raw = b"".join(lines)
    path = folder / "text.yaml"
    path.write_bytes(raw)
    scenario = load_checked(path)
    if scenario is not None:
        assert_round_trip(path, scenario)


@FAST
@given(
    st.binary(max_size=200)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_any_bytes_give_a_scenario_or_a_scenario_error(folder, raw):
    path = folder / "bytes.yaml"
    path.write_bytes(raw)
    assert load_checked(path) is None
