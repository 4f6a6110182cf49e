"""The reliability rule of SPEC §4 and the noise rule of SPEC §5, each stated once.

- every answering method's bar (:func:`diagnose`, modelled on arviz-stats' ``diagnose``: the
  limits are keyword arguments with the SPEC's values as defaults, and the answer is a
  :class:`Reliability` plus what missed the bar, in words a reader understands);
- :class:`Diagnostics`, how one setting's numbers (or a whole run's) were obtained;
- the noise rule: a difference smaller than :data:`NOISE_MCSE` Monte Carlo standard errors is
  within sampling noise (:func:`within_noise`): an expectation is then too close to call, a
  diff's share is flagged.

Nothing here computes a diagnostic; ``engine.inference`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from engine import display
from engine.scenario.methods import ANSWERS

RHAT_MAX = 1.01  # MCMC: every R-hat at most this
ESS_MIN = 400  # MCMC: every bulk and tail ESS; importance sampling: the effective sample size
PARETO_K_MAX = 0.7  # importance sampling: the Pareto k-hat of the weights at most this
NOISE_MCSE = 3.0  # a difference under this many Monte Carlo standard errors is noise (SPEC §5)


def within_noise(difference: float, mcse: float) -> bool:
    """True when ``difference`` is smaller than :data:`NOISE_MCSE` standard errors (and the
    error is not zero: an exact number is never noise)."""
    return mcse > 0 and abs(difference) < NOISE_MCSE * mcse


@dataclass(frozen=True)
class Reliability:
    """Whether a setting's numbers can be trusted, and what missed the bar when not."""

    reliable: bool
    problems: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.reliable


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def diagnose(
    method: str,
    *,
    max_rhat: float | None = None,
    min_ess_bulk: float | None = None,
    min_ess_tail: float | None = None,
    divergences: int = 0,
    ess: float | None = None,
    pareto_k: float | None = None,
    rhat_max: float = RHAT_MAX,
    ess_min: float = ESS_MIN,
    pareto_k_max: float = PARETO_K_MAX,
) -> Reliability:
    """The judgement on one setting's diagnostics.

    Parameters
    ----------
    method : str
        The method that answered the setting, one of ``engine.scenario.methods.ANSWERS``.
        Exact enumeration is always reliable.
    max_rhat, min_ess_bulk, min_ess_tail, divergences : optional
        MCMC diagnostics (worst over the quantities that matter).
    ess, pareto_k : float, optional
        Importance-sampling diagnostics: effective sample size and Pareto k-hat of the weights.
    rhat_max, ess_min, pareto_k_max : float
        The bars (SPEC §4 by default).

    Returns
    -------
    Reliability
        ``reliable`` and, when not, one phrase per miss (``"R-hat 1.03 > 1.01"``).
    """
    if method not in ANSWERS:
        raise ValueError(f"unknown method {method!r}: expected one of {', '.join(ANSWERS)}")
    problems = globals()[f"_misses_{method}"](
        max_rhat=max_rhat,
        min_ess_bulk=min_ess_bulk,
        min_ess_tail=min_ess_tail,
        divergences=divergences,
        ess=ess,
        pareto_k=pareto_k,
        rhat_max=rhat_max,
        ess_min=ess_min,
        pareto_k_max=pareto_k_max,
    )
    return Reliability(not problems, tuple(problems))


def _misses_exact(**_) -> list[str]:
    return []


def _misses_importance(*, ess, pareto_k, ess_min, pareto_k_max, **_) -> list[str]:
    problems = []
    if _missing(pareto_k) or pareto_k > pareto_k_max:
        problems.append(f"Pareto k {display.pareto_k(pareto_k)} > {display.number(pareto_k_max)}")
    if _missing(ess) or ess < ess_min:
        problems.append(f"ESS {display.ess(ess)} < {display.number(ess_min)}")
    return problems


def _misses_adaptive(**kwargs) -> list[str]:
    """The adaptive step is importance sampling too (from a posterior-shaped proposal): the
    same bar, SPEC §4's for importance sampling."""
    return _misses_importance(**kwargs)


def _misses_nuts(
    *, max_rhat, min_ess_bulk, min_ess_tail, divergences, rhat_max, ess_min, **_
) -> list[str]:
    problems = []
    if _missing(max_rhat) or max_rhat > rhat_max:
        problems.append(f"R-hat {display.rhat(max_rhat)} > {display.number(rhat_max)}")
    for name, value in (("bulk", min_ess_bulk), ("tail", min_ess_tail)):
        if _missing(value) or value < ess_min:
            problems.append(f"{name} ESS {display.ess(value)} < {display.number(ess_min)}")
    if divergences:
        problems.append(f"{divergences} divergences")
    return problems


BARS = {
    "exact": "exact: always reliable",
    "importance": f"Pareto k <= {PARETO_K_MAX:g} and effective sample size >= {ESS_MIN}",
    "adaptive": f"Pareto k <= {PARETO_K_MAX:g} and effective sample size >= {ESS_MIN}",
    "nuts": f"R-hat <= {RHAT_MAX:g}, bulk and tail ESS >= {ESS_MIN}, no divergences",
}


@dataclass
class Diagnostics:
    """How one setting's numbers (or a whole run's) were obtained, and whether to trust them.

    ``method`` is ``exact`` (every number fixed), ``importance`` (prior draws weighted by
    P(e | θ), Pareto-smoothed), ``adaptive`` (draws of a posterior-shaped proposal, weighted
    the same way) or ``nuts`` (MCMC); a run whose settings used several says so
    (``importance+adaptive``). Fields that do not apply to the method are None. ``refused``
    names a step the run left out because it would not fit the memory budget; it counts as a
    miss.
    """

    method: str
    draws: int = 0  # importance: prior draws; nuts: draws per chain
    seconds: float = 0.0
    # importance sampling (from the prior, or the adaptive step's proposal)
    ess: float | None = None
    pareto_k: float | None = None
    # MCMC
    chains: int = 0
    tune: int = 0
    target_accept: float | None = None
    max_rhat: float | None = None
    min_ess_bulk: float | None = None
    min_ess_tail: float | None = None
    divergences: int = 0
    retried: bool = False  # nuts: sampled again with more draws; importance: more prior draws
    settings: dict[str, int] = field(default_factory=dict)  # a run: settings per method
    refused: tuple[str, ...] = ()  # steps left out for memory, in words

    @property
    def reliability(self) -> Reliability:
        """The SPEC §4 judgement (a run: every setting's, combined)."""
        if self.method == "exact":
            return Reliability(True)
        problems: list[str] = []
        for method in self.method.split("+"):
            problems += diagnose(
                method,
                max_rhat=self.max_rhat,
                min_ess_bulk=self.min_ess_bulk,
                min_ess_tail=self.min_ess_tail,
                divergences=self.divergences,
                ess=self.ess,
                pareto_k=self.pareto_k,
            ).problems
        problems += [r for r in self.refused if r not in problems]
        return Reliability(not problems, tuple(problems))

    @property
    def reliable(self) -> bool:
        return self.reliability.reliable

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "draws": self.draws,
            "ess": _finite_or_none(self.ess),
            "pareto_k": _finite_or_none(self.pareto_k),
            "chains": self.chains,
            "tune": self.tune,
            "target_accept": self.target_accept,
            "max_rhat": _finite_or_none(self.max_rhat),
            "min_ess_bulk": _finite_or_none(self.min_ess_bulk),
            "min_ess_tail": _finite_or_none(self.min_ess_tail),
            "divergences": self.divergences,
            "seconds": round(self.seconds, 3),
            "retried": self.retried,
            "reliable": self.reliable,
            "problems": list(self.reliability.problems),
            "settings": dict(self.settings),
            "refused": list(self.refused),
        }

    @classmethod
    def combine(cls, parts: list[Diagnostics], seconds: float | None = None) -> Diagnostics:
        """One record for a run of several settings: the worst of each diagnostic."""
        sampled = [d for d in parts if d.method != "exact"]
        total = sum(d.seconds for d in parts) if seconds is None else seconds
        if not sampled:
            return cls("exact", seconds=total, settings={"exact": len(parts)})
        by_method = {m: [d for d in sampled if d.method == m] for m in ANSWERS if m != "exact"}
        used = [m for m, ds in by_method.items() if ds]
        weighted = by_method["importance"] + by_method["adaptive"]  # the same bar
        chained = by_method["nuts"]

        def worst(values, pick):
            values = [v for v in values if v is not None and math.isfinite(v)]
            return pick(values) if values else None

        first = (weighted or chained)[0]
        return cls(
            method="+".join(used),
            draws=first.draws,
            seconds=total,
            ess=worst([d.ess for d in weighted], min),
            pareto_k=worst([d.pareto_k for d in weighted], max),
            chains=chained[0].chains if chained else 0,
            tune=max((d.tune for d in chained), default=0),
            target_accept=max((d.target_accept or 0 for d in chained), default=None),
            max_rhat=worst([d.max_rhat for d in chained], max),
            min_ess_bulk=worst([d.min_ess_bulk for d in chained], min),
            min_ess_tail=worst([d.min_ess_tail for d in chained], min),
            divergences=sum(d.divergences for d in chained),
            retried=any(d.retried for d in sampled),
            settings={m: len(ds) for m, ds in by_method.items() if ds}
            | ({"exact": len(parts) - len(sampled)} if len(parts) > len(sampled) else {}),
            refused=tuple(dict.fromkeys(r for d in parts for r in d.refused)),
        )


def _finite_or_none(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)
