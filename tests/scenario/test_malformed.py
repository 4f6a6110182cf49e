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


# What the other corpus files' messages must say, by key path (`` for the whole file): a part of
# `message — hint`, case aside; `{dir}` stands for the corpus folder.
WORDING = {
    "alias.yaml": [
        ("drivers.a.p", "an anchor (&name)"),
        ("drivers.b.p", "an alias (*name)"),
    ],
    "boolean_label.yaml": [
        ("drivers.a.label", "expected text, got true/false — YAML reads yes, no, on, off"),
    ],
    "cause_cycle.yaml": [
        ("drivers.a.causes.c", "causes form a cycle: a -> b -> c -> a"),
    ],
    "contradictory_evidence.yaml": [
        (
            "evidence.second.observed",
            "evidence `second` observes driver `a` as false, but evidence `first` (line 20)",
        ),
    ],
    "contradictory_indicator.yaml": [
        ("evidence.later.observed", "evidence `later` observes indicator `i` as true"),
    ],
    "control_char.yaml": [
        ("", "U+0007"),
        ("", "U+001B"),
    ],
    "date_with_time.yaml": [
        ("horizon", "without a time"),
    ],
    "deep_nesting.yaml": [
        ("", "nests more than 64 levels"),
    ],
    "duplicate_key.yaml": [
        ("drivers.a", "duplicate key `a` (first written at line 6)"),
    ],
    "empty.yaml": [
        ("", "the file holds no scenario"),
    ],
    "evidence_form.yaml": [
        ("evidence.both", "takes exactly one of `observed"),
        ("evidence.two", "evidence names exactly one of `driver` or `indicator`"),
    ],
    "expect_form.yaml": [
        ("expect.nothing", "takes exactly one of between, at_least"),
        ("expect.both", "an expectation names exactly one of `outcome` or `driver`"),
    ],
    "extends_absolute.yaml": [
        ("extends", "`extends` takes a relative path"),
    ],
    "extends_loop.yaml": [
        (
            "extends",
            "`extends` loops: {dir}/extends_loop.yaml -> {dir}/_loop_parent.yaml -> "
            "{dir}/extends_loop.yaml",
        ),
    ],
    "extends_not_text.yaml": [
        ("extends", "`extends` takes a file path"),
    ],
    "extends_self.yaml": [
        ("extends", "`extends` loops"),
    ],
    "format_version.yaml": [
        ("signpost", "expected `1`, got the number 2"),
    ],
    "invalid_date.yaml": [
        ("as_of", "`2022-02-30` looks like a date but is not a valid one"),
    ],
    "key_date.yaml": [
        ("evidence.2022-01-01", "YAML reads the key `2022-01-01` as a date"),
    ],
    "key_no.yaml": [
        ("outcomes.no", "YAML reads the key `no` as a boolean"),
    ],
    "key_null.yaml": [
        ("drivers.null", "YAML reads the key `null` as null"),
    ],
    "key_number.yaml": [
        ("drivers.1e3", "YAML reads the key `1e3` as a number"),
    ],
    "missing_key.yaml": [
        ("drivers.a.p", "missing required key `p`"),
        ("outcomes.down.label", "missing required key `label`"),
    ],
    "not_a_mapping.yaml": [
        ("", "a scenario file is a mapping of keys"),
    ],
    "not_finite_inf.yaml": [
        ("outcomes.up.base", "`.inf` is not a finite number"),
        ("evidence.e.likelihood_ratio", "`-.inf` is not a finite number"),
    ],
    "not_finite_nan.yaml": [
        ("drivers.a.p", "`.nan` is not a finite number"),
    ],
    "not_utf8.yaml": [
        ("", "not UTF-8"),
    ],
    "parent_error.yaml": [
        ("drivers.a.p", "unknown probability word 'probabley'"),
        ("drivers.b.p", "unknown probability word 'unlikley'"),
    ],
    "probability_outside.yaml": [
        ("drivers.a.p", "must lie strictly between 0 and 1"),
        ("drivers.b.p", "a probability is not a percentage: write 0.3"),
        ("indicators.i.if_true", "must lie strictly between 0 and 1"),
    ],
    "python_tag.yaml": [
        (
            "drivers.a.description",
            "the YAML tag `tag:yaml.org,2002:python/object/apply:os.system` is not allowed",
        ),
    ],
    "quoted_date.yaml": [
        ("as_of", "write the date unquoted as YYYY-MM-DD"),
    ],
    "quoted_number.yaml": [
        ("drivers.a.p", "write 0.3 without quotes"),
        ("evidence.e.likelihood_ratio", "write 2 without quotes"),
    ],
    "range_order.yaml": [
        ("drivers.a.p", "a range needs low < high"),
        ("outcomes.up.drivers.a", "a range needs low < high"),
        ("expect.e.between", "`between` needs low < high"),
    ],
    "resolved_unknown_source.yaml": [
        ("resolved.sources[0]", "`xi_visit` is not a source of this scenario"),
    ],
    "self_cause.yaml": [
        ("drivers.a.causes.a", "`a` lists itself as a cause"),
    ],
    "several_errors.yaml": [
        ("drivers.a.p", "unknown probability word 'likley'"),
        ("drivers.on", "YAML reads the key `on` as a boolean"),
        ("drivers.on.causes.ghost", "unknown driver `ghost`"),
        ("drivers.on.colour", "unknown key `colour`"),
        ("outcomes.up.base", "'2' is quoted, so it is text"),
        ("outcomes.down.label", "missing required key `label`"),
    ],
    "tab_indent.yaml": [
        ("", "tab in the indentation"),
    ],
    "too_few_outcomes.yaml": [
        ("outcomes", "a scenario needs at least two outcomes"),
    ],
    "two_documents.yaml": [
        ("", "second YAML document"),
    ],
    "unknown_effect_word.yaml": [
        (
            "drivers.b.causes.a",
            "unknown effect word 'strongly rises' — write one of: strongly raises",
        ),
    ],
    "unknown_key.yaml": [
        ("drivers.b.cuases", "unknown key `cuases` — did you mean `causes`"),
    ],
    "unknown_top_key.yaml": [
        ("what-if", "unknown key `what-if` — did you mean `what_if`"),
    ],
    "unknown_word.yaml": [
        ("drivers.a.p", "unknown probability word 'likley' — write one of: likely"),
    ],
    "url_file.yaml": [
        ("sources.s.url", "the url `file:///etc/passwd` does not start with http:// or https://"),
    ],
    "url_javascript.yaml": [
        ("sources.s.url", "the url `javascript:alert(1)` does not start with http:// or https://"),
    ],
    "wrong_type.yaml": [
        ("drivers.a.label", "expected text, got a list"),
        ("outcomes.up.base", "expected a number, got the text 'high'"),
        ("evidence.e.observed", "expected true or false, got the text 'seen'"),
    ],
    "yaml_indentation.yaml": [
        ("", "not valid YAML"),
    ],
    "yaml_syntax.yaml": [
        ("", "not valid YAML"),
    ],
}


@pytest.mark.parametrize("name", sorted(WORDING))
def test_each_message_says_what_it_must(name):
    issues = validate_file(MALFORMED / name).issues
    said = [(issue.key_path, f"{issue.message} — {issue.hint}".lower()) for issue in issues]
    for path, part in WORDING[name]:
        part = part.replace("{dir}", str(MALFORMED)).lower()
        assert any(p == path and part in text for p, text in said), (path, part, said)
