"""CSV cells from scenario text cannot become spreadsheet formulas (SPEC §7)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from engine.report.tables import csv_text, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tx", "\rx"],
)
def test_formula_starts_get_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-0.5, 0.25, 3, "-0.5", "+1e-3", "-12"])
def test_numbers_are_left_alone(value):
    assert safe_cell(value) == value


def test_other_values():
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"
    assert safe_cell(float("nan")) == ""
    assert safe_cell(dt.date(2022, 1, 7)) == "2022-01-07"
    assert safe_cell("plain <b>text</b>") == "plain <b>text</b>"


def test_csv_text_round_trips_with_quotes_and_commas():
    text = csv_text(["a", "b"], [['=1+1, "x"', -1.5], ["ok", None]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], ['\'=1+1, "x"', "-1.5"], ["ok", ""]]
