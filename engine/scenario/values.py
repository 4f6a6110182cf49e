"""Probability and effect words, ranges and parameters turned into prior objects (SPEC §2-3).

No PyMC here: the model builder in ``models/`` turns these plain objects into random variables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

# ICD 203 expressions of likelihood: (words, low, high), in band order (SPEC §2).
PROBABILITY_BANDS: tuple[tuple[tuple[str, ...], float, float], ...] = (
    (("almost no chance", "remote"), 0.01, 0.05),
    (("very unlikely", "highly improbable"), 0.05, 0.20),
    (("unlikely", "improbable"), 0.20, 0.45),
    (("roughly even chance", "roughly even odds"), 0.45, 0.55),
    (("likely", "probable"), 0.55, 0.80),
    (("very likely", "highly probable"), 0.80, 0.95),
    (("almost certain", "nearly certain"), 0.95, 0.99),
)

PROBABILITY_WORDS: dict[str, tuple[float, float]] = {
    word: (lo, hi) for words, lo, hi in PROBABILITY_BANDS for word in words
}

# Effect words: mean and standard deviation of a Normal on the log-odds scale (SPEC §3).
EFFECT_WORDS: dict[str, tuple[float, float]] = {
    "strongly raises": (2.0, 0.5),
    "raises": (1.0, 0.5),
    "slightly raises": (0.5, 0.25),
    "strongly lowers": (-2.0, 0.5),
    "lowers": (-1.0, 0.5),
    "slightly lowers": (-0.5, 0.25),
}

Z95 = 1.6448536269514722  # standard normal 95th percentile


@dataclass(frozen=True)
class Fixed:
    """A number known exactly."""

    value: float

    @property
    def uncertain(self) -> bool:
        return False

    def describe(self) -> str:
        return f"{self.value:g}"


class _Distribution:
    """What a prior that is a distribution says of itself: it is uncertain, and it reads as the
    scenario wrote it (``written``), else as its formula."""

    written: str

    @property
    def uncertain(self) -> bool:
        return True

    def describe(self) -> str:
        return self.written or self.formula()

    def formula(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class BetaPrior(_Distribution):
    """Beta(alpha, beta) prior on a probability; ``written`` is what the scenario said."""

    alpha: float
    beta: float
    written: str = ""

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def formula(self) -> str:
        return f"Beta({self.alpha:.3g}, {self.beta:.3g})"


@dataclass(frozen=True)
class NormalPrior(_Distribution):
    """Normal(mu, sigma) prior on an effect on the log-odds scale."""

    mu: float
    sigma: float
    written: str = ""

    @property
    def mean(self) -> float:
        return self.mu

    def formula(self) -> str:
        return f"Normal({self.mu:.3g}, {self.sigma:.3g})"


ProbabilityPrior = Fixed | BetaPrior
EffectPrior = Fixed | NormalPrior
Prior = Fixed | BetaPrior | NormalPrior


def normalise_word(word: str) -> str:
    """Lower-case and collapse inner white space, so ``Very  Likely`` reads as ``very likely``."""
    return " ".join(word.lower().split())


@lru_cache(maxsize=256)
def beta_from_interval(lo: float, hi: float) -> tuple[float, float]:
    """Return (alpha, beta) of the Beta whose 5th and 95th percentiles are ``lo`` and ``hi``.

    Solved with scipy on the log scale of the parameters, to 1e-12 in the percentiles.
    """
    if not 0.0 < lo < hi < 1.0:
        raise ValueError(f"need 0 < lo < hi < 1, got [{lo}, {hi}]")
    from scipy import optimize, special  # imported here: validation never needs scipy

    # Start from a moment match of a Beta with that mean and a normal-ish 90% width.
    mean = (lo + hi) / 2
    sd = (hi - lo) / (2 * Z95)
    common = max(mean * (1 - mean) / sd**2 - 1, 0.5)
    start = [math.log(mean * common), math.log((1 - mean) * common)]

    def gaps(log_ab):
        a, b = math.exp(log_ab[0]), math.exp(log_ab[1])
        # the Beta's quantile function (scipy.stats.beta.ppf, without importing scipy.stats)
        return [special.betaincinv(a, b, 0.05) - lo, special.betaincinv(a, b, 0.95) - hi]

    solution = optimize.root(gaps, start, method="hybr", tol=1e-14)
    a, b = math.exp(solution.x[0]), math.exp(solution.x[1])
    if max(abs(g) for g in gaps(solution.x)) > 1e-9:
        raise ArithmeticError(f"no Beta found with 5th/95th percentiles at [{lo}, {hi}]")
    return a, b


def normal_from_interval(lo: float, hi: float) -> tuple[float, float]:
    """Return (mu, sigma) of the Normal whose 5th and 95th percentiles are ``lo`` and ``hi``."""
    return (lo + hi) / 2, (hi - lo) / (2 * Z95)


def probability_prior(spec: float | str | dict) -> ProbabilityPrior:
    """Turn a validated probability (number, word, ``{range}`` or ``{beta}``) into a prior."""
    if isinstance(spec, bool):
        raise TypeError("a probability is not a boolean")
    if isinstance(spec, int | float):
        return Fixed(float(spec))
    if isinstance(spec, str):
        lo, hi = PROBABILITY_WORDS[normalise_word(spec)]
        return BetaPrior(*beta_from_interval(lo, hi), written=normalise_word(spec))
    if "range" in spec:
        lo, hi = spec["range"]
        return BetaPrior(*beta_from_interval(lo, hi), written=f"range [{lo:g}, {hi:g}]")
    a, b = spec["beta"]
    return BetaPrior(float(a), float(b), written=f"Beta({a:g}, {b:g})")


def effect_prior(spec: float | str | dict) -> EffectPrior:
    """Turn a validated effect (number, word, ``{odds_ratio}``, ``{range}``, ``{normal}``)."""
    if isinstance(spec, bool):
        raise TypeError("an effect is not a boolean")
    if isinstance(spec, int | float):
        return Fixed(float(spec))
    if isinstance(spec, str):
        mu, sigma = EFFECT_WORDS[normalise_word(spec)]
        return NormalPrior(mu, sigma, written=normalise_word(spec))
    if "odds_ratio" in spec:
        return Fixed(math.log(spec["odds_ratio"]))
    if "range" in spec:
        lo, hi = spec["range"]
        return NormalPrior(*normal_from_interval(lo, hi), written=f"range [{lo:g}, {hi:g}]")
    mu, sigma = spec["normal"]
    return NormalPrior(float(mu), float(sigma), written=f"Normal({mu:g}, {sigma:g})")


EVEN_BAND = next(
    i for i, (words, _, _) in enumerate(PROBABILITY_BANDS) if "roughly even chance" in words
)


def word_for(p: float) -> str:
    """The ICD 203 word for a probability: the first word of the band it falls in (SPEC §2).

    The bands are :data:`PROBABILITY_BANDS`; the lowest has no lower edge and the highest no
    upper one. Below the even band a band's upper edge is exclusive (p < 0.05 is almost no
    chance), from the even band on it is inclusive (0.55 is still roughly even chance).
    """
    for index, (words, _, hi) in enumerate(PROBABILITY_BANDS[:-1]):
        if p < hi or (index >= EVEN_BAND and p == hi):
            return words[0]
    return PROBABILITY_BANDS[-1][0][0]
