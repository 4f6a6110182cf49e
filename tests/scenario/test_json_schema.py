"""scenarios/signpost.schema.json as an editor reads a file: YAML 1.2 (ruamel.yaml), checked by
a real JSON Schema validator (jsonschema, draft 2020-12).

Every shipped scenario, every valid fixture (parents and variants too: a file with `extends`,
or a parent without an `id`, holds only part of a scenario) passes; a malformed file whose
problem is one of shape (an unknown key, a wrong type, a probability out of range, an unknown
word, a bad id or url, a required key missing from a whole file) fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.support import MALFORMED, SCENARIOS
from tests.support.corpus import expected_errors

FIXTURES = Path(__file__).parents[1] / "support" / "scenarios"
SCHEMA = json.loads((SCENARIOS / "signpost.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
# Codes of problems of shape, which one file shows without the rest of its chain.
SHAPE = {"unknown-key", "wrong-type", "probability-range", "unknown-word", "bad-id", "bad-url"}
# Wrong only as YAML 1.1 reads them (the engine, SPEC §7): `label: yes` is a boolean there, text
# in YAML 1.2; `1e-3` is text there, a number in YAML 1.2; a quoted date is text in both, and
# the schema's dates are text (JSON has no dates). An editor cannot see these; validate does.
YAML_1_1_ONLY = {"boolean_label.yaml", "exponent_as_text.yaml", "quoted_date.yaml"}


def as_an_editor_reads(path: Path):
    """The file's values as YAML 1.2 gives them, dates as text (JSON has no dates)."""
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def errors(path: Path) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(as_an_editor_reads(path))]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


VALID = sorted([*SCENARIOS.rglob("*.yaml"), *FIXTURES.rglob("*.yaml")])


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_every_valid_file_passes_as_an_editor_reads_it(path):
    assert errors(path) == []


def _shape_cases() -> list[Path]:
    cases = []
    for name, places in expected_errors().items():
        own = [place[0] for place in places if len(place) == 3]  # errors in this file itself
        if own and set(own) <= SHAPE and name not in YAML_1_1_ONLY:
            cases.append(MALFORMED / name)
    return sorted(cases)


@pytest.mark.parametrize("path", _shape_cases(), ids=lambda p: p.name)
def test_a_file_with_a_problem_of_shape_fails(path):
    try:
        found = errors(path)
    except Exception as exc:  # noqa: BLE001 - YAML 1.2 refuses it outright: that fails too
        pytest.fail(
            f"{path.name}: not readable as YAML 1.2 ({type(exc).__name__}) though only "
            "its shape is wrong"
        )
    assert found, f"{path.name} passes the schema"


def test_a_whole_file_needs_its_required_keys():
    whole = {"signpost": 1, "id": "x", "title": "t"}
    assert any(
        "'drivers' is a required property" in e.message for e in VALIDATOR.iter_errors(whole)
    )
    variant = {"extends": "_base.yaml", "id": "x", "drivers": {"a": {"p": "likely"}}}
    assert list(VALIDATOR.iter_errors(variant)) == []
    removed = {"extends": "_base.yaml", "id": "x", "resolved": None, "drivers": {"a": None}}
    assert list(VALIDATOR.iter_errors(removed)) == []
