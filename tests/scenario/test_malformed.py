"""The corpus of malformed scenarios: every file earns exactly the errors
``tests/scenario/malformed_errors.yaml`` lists for it, as (code, line, column); the wording of
the messages is held where it matters, below and beside each rule."""

from __future__ import annotations

import pytest

from engine.scenario.issues import CODES
from engine.scenario.validate import validate_file
from tests.support import MALFORMED
from tests.support.corpus import cases, expected_errors, place_of

CASES = cases()
EXPECTED = expected_errors()


def test_the_corpus_is_large_and_every_file_has_its_expectations():
    assert len(CASES) >= 30
    assert sorted(EXPECTED) == sorted(path.name for path in CASES)
    assert all(EXPECTED.values())  # every file of the corpus is bad


def test_the_corpus_breaks_every_rule():
    seen = {place[0] for places in EXPECTED.values() for place in places}
    tested_elsewhere = {"not-found", "too-large", "duplicate-id"}  # no file, 1 MB, a batch
    assert seen <= set(CODES), seen - set(CODES)
    assert set(CODES) - tested_elsewhere == seen, set(CODES) - tested_elsewhere - seen


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_a_malformed_file_earns_exactly_its_errors(path):
    checked = validate_file(path)
    assert checked.scenario is None and not checked.ok
    assert [place_of(issue, path) for issue in checked.issues] == EXPECTED[path.name]


# The wording of messages an analyst acts on: key path, what is wrong — what to write instead.
MESSAGES = {
    "key_on.yaml": [
        "drivers.on: YAML reads the key `on` as a boolean (true/false), not as text — quote it "
        '("on") or rename it',
    ],
    "bad_ids.yaml": [
        "id: `KZ 2022` is not a valid scenario id — a scenario id is lower-case letters, digits "
        "and -, like `kz-2022-baseline`",
        "drivers.Mission: `Mission` is not a valid id — an id is lower-case letters, digits and "
        "_, starting with a letter, like `mission`",
    ],
    "exponent_as_text.yaml": [
        "evidence.e.likelihood_ratio: YAML reads `1e3` as text, not as a number — write it with "
        "a decimal point, as 1000.0",
    ],
    "missing_extends.yaml": [
        f"extends: `extends` names {MALFORMED}/_bsae.yaml, which does not exist — did you mean "
        "_base.yaml?",
    ],
    "id_not_inherited.yaml": [
        "id: missing required key `id` — `id` is never inherited through `extends`: give this "
        "file its own id",
    ],
    "missing_signpost.yaml": [
        "signpost: missing required key `signpost` — add `signpost:` with `1`, the format version",
    ],
    "compared_with_itself.yaml": [
        "expect.same_outcome.more_likely_than: compares `up` with itself — name another item "
        "under `more_likely_than`",
        "expect.same_driver.more_likely_than: compares `a` with itself — name another item "
        "under `more_likely_than`",
    ],
    "resolved_bad.yaml": [
        "resolved.outcome: `collapse` is not an outcome of this scenario — write one of the "
        "outcomes: up, down",
        "resolved.on: the resolution is dated 2021-12-31, not after as_of (2022-01-07) — a "
        "scenario is resolved after the date it was written for: date it when it was judged",
        "resolved.sources: has 0, fewer than the 1 needed — cite at least one source that shows "
        "what happened, like [xi_visit_2022]",
    ],
    "unknown_ids.yaml": [
        "drivers.b.causes.mision: unknown driver `mision` — did you mean `mission`? (drivers: "
        "mission, b)",
        "drivers.b.sources[0]: unknown source `trenn` — did you mean `trenin`? (sources: trenin)",
        "outcomes.up.drivers.ghost: unknown driver `ghost` — write one of the drivers: mission, b",
        "indicators.i.signals: unknown driver `bb` — did you mean `b`? (drivers: mission, b)",
        "evidence.e1.driver: unknown driver `i` — `i` is an indicator, not a driver; write one "
        "of the drivers: mission, b",
        "evidence.e2.indicator: unknown indicator `j` — write one of the indicators: i",
        "what_if.w.set.missing: unknown driver `missing` — did you mean `mission`? (drivers: "
        "mission, b)",
        "expect.x1.outcome: unknown outcome `upp` — did you mean `up`? (outcomes: up, down)",
        "expect.x2.more_likely_than: unknown outcome `b` — `b` is a driver, not an outcome; "
        "write one of the outcomes: up, down",
        "expect.x3.what_if: unknown what-if `ww` — did you mean `w`? (what_if: w)",
    ],
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_messages_say_what_is_wrong_and_what_to_write(name):
    issues = validate_file(MALFORMED / name).issues
    assert [f"{i.key_path}: {i.message} — {i.hint}" for i in issues] == MESSAGES[name]
