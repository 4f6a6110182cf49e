"""engine/display.py: each display rule once, and the placeholder of a number that is not there."""

import math

import pytest

from engine import display
from engine.inference.answer import Summary


def test_a_missing_number_is_one_placeholder_in_every_rule():
    assert display.MISSING == "—"
    for rule in (display.brier, display.log_score, display.decimal, display.points):
        assert rule(None) == display.MISSING, rule
    for rule in (display.ess, display.pareto_k, display.rhat, display.acceptance):
        assert rule(None) == rule(math.nan) == rule(math.inf) == display.MISSING, rule
    assert display.share(None) == display.fine(None) == display.WITHHELD


def test_an_infinite_log_score_is_shown_one_way():
    assert display.log_score(math.inf) == display.INFINITE == "∞"
    assert display.log_score(-math.log(0.25)) == "1.386"
    assert display.brier(0.0) == "0.000" and display.brier(2.0) == "2.000"


@pytest.mark.parametrize(
    ("p", "shown"),
    [(0.0, "0%"), (0.004, "0.4%"), (0.01, "1%"), (0.5, "50%"), (0.994, "99.4%"), (1.0, "100%")],
)
def test_share_keeps_a_decimal_only_near_0_and_1(p, shown):
    assert display.share(p) == shown


def test_an_interval_is_its_span_and_an_exact_number_has_none():
    uncertain, exact = Summary(0.57, 0.43, 0.69, 0.01), Summary(0.004, 0.004, 0.004, 0.0)
    assert display.percent(uncertain) == "57% (43%–69%)"
    assert display.interval(uncertain) == f"({display.span(0.43, 0.69)})"
    assert display.percent(exact) == display.point(exact) == "0.4%"
    assert display.decimal_interval(uncertain) == "0.570 (90% 0.430–0.690)"
    assert display.decimal_interval(exact) == "0.004 (exact)"


def test_changes_are_signed_percentage_points_with_a_true_minus():
    assert display.points(0.052) == "+5.2" and display.points(-0.003) == "−0.3"
    assert display.points(0.0004) == display.points(-0.0004) == "0.0"
    assert display.points_error(0.004) == "± 0.4"
    assert display.swing(0.19) == "19 pp" and display.swing(0.004) == "0.4 pp"
