"""`signpost schema`, the stored schema file, and the key reference in scenarios/SCHEMA.md."""

import re

from engine.cli.schema import schema_text
from engine.scenario.issues import CODES
from engine.scenario.schema import ITEM_MODELS, Inference, Scenario, json_schema
from tests.support import SCENARIOS
from tests.support.reference import PROBABILITY_WORDS

STORED = SCENARIOS / "signpost.schema.json"
SCHEMA_MD = SCENARIOS / "SCHEMA.md"


def test_the_stored_schema_is_current():
    assert STORED.read_text(encoding="utf-8") == schema_text(), (
        "scenarios/signpost.schema.json is out of date: run "
        "`signpost schema > scenarios/signpost.schema.json`"
    )


def test_the_schema_refuses_unknown_keys_and_knows_the_words():
    schema = json_schema()
    whole = schema["$defs"]["Scenario"]
    assert whole["additionalProperties"] is False
    assert set(whole["required"]) == {"signpost", "id", "title", "drivers"}  # or outcomes_from
    p = schema["$defs"]["Driver"]["properties"]["p"]["anyOf"]
    (words,) = [f["enum"] for branch in p for f in branch.get("anyOf", [branch]) if "enum" in f]
    assert sorted(words) == sorted(PROBABILITY_WORDS)  # SPEC §2's words, no other


def test_schema_md_names_every_key_and_every_error_code():
    text = SCHEMA_MD.read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_-]+)", text))
    models = [Scenario, Inference, *ITEM_MODELS.values()]
    keys = {key for model in models for key in model.model_fields}
    assert keys <= named, keys - named
    assert set(CODES) <= named, set(CODES) - named
    assert "# yaml-language-server: $schema=../signpost.schema.json" in text


def test_every_section_of_items_is_a_field_of_the_scenario_in_file_order():
    """engine.scenario.sections names the sections once; the schema has one field per section,
    a mapping of ids to the section's item model, in the same order."""
    from engine.scenario.sections import CITING, COMPARED, NOT_EVALUATED, SECTIONS, SINGULAR

    fields = [name for name in Scenario.model_fields if name in SECTIONS]
    assert fields == list(SECTIONS) == list(ITEM_MODELS) == list(SINGULAR)
    for section, model in ITEM_MODELS.items():
        assert model.__name__ in str(Scenario.model_fields[section].annotation), section
    assert set(COMPARED) | set(NOT_EVALUATED) | {"sources"} == set(SECTIONS)
    assert all(section in CITING for section in COMPARED + NOT_EVALUATED)
