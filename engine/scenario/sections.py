"""The sections of a scenario file that hold items by id (SPEC §1), named once.

Everything that walks a scenario's items — the validation rules, the error translation, the
diff, the report's provenance — reads these tuples; the schema (:class:`Scenario`) has one
field per section, and a test holds the two to each other.
"""

from __future__ import annotations

# Every section of items, in the order a file lists them (SPEC §1).
SECTIONS = ("sources", "drivers", "outcomes", "indicators", "evidence", "what_if", "expect")
# One item of each section, as the analyst calls it (in error messages).
SINGULAR = {
    "sources": "source",
    "drivers": "driver",
    "outcomes": "outcome",
    "indicators": "indicator",
    "evidence": "evidence item",
    "what_if": "what-if",
    "expect": "expectation",
}
# The sections whose items may cite sources and quote them (every one but the sources).
CITING = SECTIONS[1:]
# The sections that make the main result: a diff's edits are under these (SPEC §9).
COMPARED = ("drivers", "outcomes", "indicators", "evidence")
# The sections that do not change the main result (a diff drops them before evaluating).
NOT_EVALUATED = ("what_if", "expect")
