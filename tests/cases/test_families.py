"""The case families (Kazakhstan, Belarus 2020, Armenia 2022): their shape, as described in
scenarios/README.md.

No sampling here: the numbers are checked by each scenario's own expectations
(``signpost check scenarios/``). This file checks the families' shape: a parent and at least two
runnable scenarios each, one outcome vocabulary so that scores pool, sourced and quoted drivers
with a rationale for every number, evidence known by the as-of date, at least four
expectations per runnable scenario, and a ``resolved`` block on the as-of views only, citing
sources from after the as-of date.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.scenario.discover import discover
from engine.scenario.merge import load_document
from engine.scenario.validate import load_scenario, validate_files
from tests.support import SCENARIOS

FAMILIES = ("kazakhstan", "belarus_2020", "armenia_2022")
NEW_FAMILIES = ("belarus_2020", "armenia_2022")
OUTCOMES = {"tethered", "alienation", "balancing", "vacuum"}
SCHEMA_LINE = "# yaml-language-server: $schema=../signpost.schema.json"

# The scenarios whose premise is the world as it was, and what happened by their horizon.
RESOLVED = {
    ("kazakhstan", "baseline"): "balancing",
    ("kazakhstan", "swift_withdrawal"): "balancing",
    ("belarus_2020", "baseline"): "tethered",
    ("armenia_2022", "baseline"): "alienation",
}


def runnable(family: str) -> list[Path]:
    return discover([SCENARIOS / family])


@pytest.fixture(scope="module")
def scenarios():
    return {
        (family, path.stem): load_scenario(path) for family in FAMILIES for path in runnable(family)
    }


def cited_outside_resolution(scenario) -> set[str]:
    """Source ids cited by the model's items (everything but ``resolved``)."""
    cited: set[str] = set()
    for kind in ("drivers", "outcomes", "indicators", "evidence", "what_if", "expect"):
        for item in getattr(scenario, kind).values():
            cited.update(item.sources)
    return cited


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_a_base_and_at_least_two_runnable_scenarios(family):
    base = SCENARIOS / family / "_base.yaml"
    assert base.is_file()
    files = runnable(family)
    assert len(files) >= 2, f"{family}: fewer than two runnable scenarios"
    for path in files:
        chain = [p.resolve() for p in load_document(path).chain]
        assert base.resolve() in chain, f"{path.name} does not extend {family}/_base.yaml"


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_new_family_files_start_with_the_schema_line(family):
    for path in sorted((SCENARIOS / family).glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == SCHEMA_LINE, path.name


def test_every_family_shares_one_outcome_vocabulary(scenarios):
    for name, scenario in scenarios.items():
        assert set(scenario.outcomes) == OUTCOMES, name
        for outcome_id, outcome in scenario.outcomes.items():
            assert outcome.label, f"{name}: outcomes.{outcome_id} has no label"


def test_scenario_ids_are_distinct_across_families(scenarios):
    ids = [s.id for s in scenarios.values()]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_new_families_keep_to_a_dozen_drivers(family, scenarios):
    for (fam, name), scenario in scenarios.items():
        if fam == family:
            assert 6 <= len(scenario.drivers) <= 12, f"{family}/{name}: {len(scenario.drivers)}"


def test_every_driver_cites_a_source_with_a_one_sentence_quote_and_a_rationale(scenarios):
    for name, scenario in scenarios.items():
        for driver_id, driver in scenario.drivers.items():
            where = f"{name}: drivers.{driver_id}"
            assert driver.sources, f"{where} has no source"
            assert set(driver.sources) <= set(scenario.sources), where
            assert driver.quote, f"{where} has no quote"
            sentences = re.findall(r"[.!?](?:\s|$)", driver.quote.strip())
            assert len(sentences) <= 1, f"{where}: quote longer than one sentence"
            assert driver.rationale, f"{where} has no rationale"


def test_the_model_cites_only_sources_published_by_the_as_of_date(scenarios):
    for (family, name), scenario in scenarios.items():
        for source_id in cited_outside_resolution(scenario):
            source = scenario.sources[source_id]
            where = f"{family}/{name}: sources.{source_id}"
            if family in NEW_FAMILIES:
                assert source.published, f"{where} has no published date"
            if source.published:
                assert source.published <= scenario.as_of, f"{where} is dated after as_of"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_number_has_a_rationale(family):
    for path in runnable(family):
        data = load_document(path).data
        for kind in ("drivers", "outcomes", "indicators"):
            for item_id, item in data[kind].items():
                assert item.get("rationale"), f"{path.name}: {kind}.{item_id} has no rationale"
        for item_id, item in data.get("evidence", {}).items():
            if "likelihood_ratio" in item:
                assert item.get("rationale"), f"{path.name}: evidence.{item_id} has no rationale"


def test_evidence_is_dated_on_or_before_as_of(scenarios):
    for (family, name), scenario in scenarios.items():
        assert scenario.as_of, f"{family}/{name} has no as_of"
        for item_id, item in scenario.evidence.items():
            where = f"{family}/{name}: evidence.{item_id}"
            if family in NEW_FAMILIES:
                assert item.date, f"{where} has no date"
                assert item.sources, f"{where} has no source"
            if item.date:
                assert item.date <= scenario.as_of, f"{where} is dated after as_of"


def test_every_runnable_scenario_has_at_least_four_expectations_with_a_rationale(scenarios):
    for name, scenario in scenarios.items():
        assert len(scenario.expect) >= 4, f"{name}: fewer than four expectations"
        for check_id, check in scenario.expect.items():
            assert check.rationale, f"{name}: expect.{check_id} has no rationale"


def test_the_as_of_views_are_resolved_with_what_happened(scenarios):
    for key, outcome in RESOLVED.items():
        scenario = scenarios[key]
        resolved = scenario.resolved
        assert resolved is not None, f"{key} is not resolved"
        assert resolved.outcome == outcome, key
        assert resolved.on > scenario.as_of, key
        assert resolved.note, key
        assert resolved.sources and set(resolved.sources) <= set(scenario.sources), key
        # What happened later is never evidence: the resolution's sources are later sources,
        # and the model itself does not cite them.
        assert not set(resolved.sources) & cited_outside_resolution(scenario), key
        for source_id in resolved.sources:
            source = scenario.sources[source_id]
            assert source.url, f"{key}: sources.{source_id} has no url"
            if source.published:
                assert source.published > scenario.as_of, f"{key}: sources.{source_id}"


def test_the_counterfactual_variants_stay_unresolved(scenarios):
    for key, scenario in scenarios.items():
        if key not in RESOLVED:
            assert scenario.resolved is None, f"{key} is a variant and must stay unresolved"


def test_every_scenario_folder_validates():
    checked = validate_files(discover([SCENARIOS]))
    assert {c.path.parent.name for c in checked} >= set(FAMILIES)
    for entry in checked:
        assert entry.ok, f"{entry.path}: {[str(i) for i in entry.issues]}"
