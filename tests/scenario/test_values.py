"""Words, ranges and effects turned into priors (SPEC §2-3), checked against scipy."""

import math

import pytest
from scipy import stats

from engine.scenario.values import (
    EFFECT_WORDS,
    PROBABILITY_BANDS,
    PROBABILITY_WORDS,
    BetaPrior,
    Fixed,
    NormalPrior,
    beta_from_interval,
    effect_prior,
    normal_from_interval,
    probability_prior,
    word_for,
)

TOLERANCE = 1e-6


def assert_beta_percentiles(alpha: float, beta: float, lo: float, hi: float) -> None:
    assert stats.beta.ppf(0.05, alpha, beta) == pytest.approx(lo, abs=TOLERANCE)
    assert stats.beta.ppf(0.95, alpha, beta) == pytest.approx(hi, abs=TOLERANCE)


def test_the_table_of_spec_section_2():
    assert [(words, lo, hi) for words, lo, hi in PROBABILITY_BANDS] == [
        (("almost no chance", "remote"), 0.01, 0.05),
        (("very unlikely", "highly improbable"), 0.05, 0.20),
        (("unlikely", "improbable"), 0.20, 0.45),
        (("roughly even chance", "roughly even odds"), 0.45, 0.55),
        (("likely", "probable"), 0.55, 0.80),
        (("very likely", "highly probable"), 0.80, 0.95),
        (("almost certain", "nearly certain"), 0.95, 0.99),
    ]


@pytest.mark.parametrize("word", sorted(PROBABILITY_WORDS))
def test_each_word_is_a_beta_with_its_range_at_the_5th_and_95th_percentiles(word):
    lo, hi = PROBABILITY_WORDS[word]
    prior = probability_prior(word)
    assert isinstance(prior, BetaPrior)
    assert prior.written == word
    assert_beta_percentiles(prior.alpha, prior.beta, lo, hi)


def test_words_are_case_and_space_insensitive():
    assert probability_prior("Very   Likely") == probability_prior("very likely")


@pytest.mark.parametrize(
    ("lo", "hi"), [(0.15, 0.40), (0.01, 0.02), (0.9, 0.999), (0.3, 0.31), (0.001, 0.6)]
)
def test_a_range_is_a_beta_with_those_percentiles(lo, hi):
    prior = probability_prior({"range": [lo, hi]})
    assert_beta_percentiles(prior.alpha, prior.beta, lo, hi)
    assert_beta_percentiles(*beta_from_interval(lo, hi), lo, hi)


@pytest.mark.parametrize(("lo", "hi"), [(0.4, 0.2), (0.0, 0.5), (0.5, 1.0), (0.3, 0.3)])
def test_a_range_outside_the_unit_interval_or_reversed_is_refused(lo, hi):
    with pytest.raises(ValueError):
        beta_from_interval(lo, hi)


def test_fixed_and_beta_forms():
    assert probability_prior(0.3) == Fixed(0.3)
    assert probability_prior({"beta": [2, 8]}) == BetaPrior(2.0, 8.0, written="Beta(2, 8)")
    with pytest.raises(TypeError):
        probability_prior(True)


@pytest.mark.parametrize(("lo", "hi"), [(-1.5, -0.5), (0.0, 2.0), (-3.0, 3.0), (1.0, 1.1)])
def test_an_effect_range_is_a_normal_with_those_percentiles(lo, hi):
    mu, sigma = normal_from_interval(lo, hi)
    assert stats.norm.ppf(0.05, mu, sigma) == pytest.approx(lo, abs=TOLERANCE)
    assert stats.norm.ppf(0.95, mu, sigma) == pytest.approx(hi, abs=TOLERANCE)
    prior = effect_prior({"range": [lo, hi]})
    assert isinstance(prior, NormalPrior)
    assert (prior.mu, prior.sigma) == pytest.approx((mu, sigma))


def test_the_effect_words_of_spec_section_3():
    assert EFFECT_WORDS == {
        "strongly raises": (2.0, 0.5),
        "raises": (1.0, 0.5),
        "slightly raises": (0.5, 0.25),
        "strongly lowers": (-2.0, 0.5),
        "lowers": (-1.0, 0.5),
        "slightly lowers": (-0.5, 0.25),
    }
    assert effect_prior("Strongly Raises") == NormalPrior(2.0, 0.5, written="strongly raises")


def test_effect_numbers_and_odds_ratios():
    assert effect_prior(1) == Fixed(1.0)
    assert effect_prior({"odds_ratio": 3}) == Fixed(math.log(3))
    assert effect_prior({"normal": [0.5, 0.3]}) == NormalPrior(0.5, 0.3, written="Normal(0.5, 0.3)")
    with pytest.raises(TypeError):
        effect_prior(False)


@pytest.mark.parametrize(
    ("p", "word"),
    [
        (0.0, "almost no chance"),
        (0.049999, "almost no chance"),
        (0.05, "very unlikely"),
        (0.199999, "very unlikely"),
        (0.20, "unlikely"),
        (0.449999, "unlikely"),
        (0.45, "roughly even chance"),
        (0.5, "roughly even chance"),
        (0.55, "roughly even chance"),
        (0.550001, "likely"),
        (0.80, "likely"),
        (0.800001, "very likely"),
        (0.95, "very likely"),
        (0.950001, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_word_for_bands_at_the_exact_edges(p, word):
    assert word_for(p) == word


def test_word_for_equals_the_references_bands_everywhere():
    """``word_for`` reads the table; the reference writes SPEC §2's edges out by hand."""
    from tests.support import reference

    edges = [hi for _, _, hi in PROBABILITY_BANDS]
    grid = [i / 2000 for i in range(2001)] + [e + d for e in edges for d in (-1e-12, 0, 1e-12)]
    assert [word_for(p) for p in grid] == [reference.word_for(p) for p in grid]
