"""The reliability rule of SPEC §4, stated once: every method's bar and the verdict on a run.

Modelled on arviz-stats' ``diagnose``: the limits are keyword arguments with the SPEC's values
as defaults, and the answer is a verdict plus the details of what missed the bar, in words
a reader understands. Nothing here computes a diagnostic; ``engine.inference`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RHAT_MAX = 1.01  # MCMC: every R-hat at most this
ESS_MIN = 400  # MCMC: every bulk and tail ESS; importance sampling: the effective sample size
PARETO_K_MAX = 0.7  # importance sampling: the Pareto k-hat of the weights at most this


@dataclass(frozen=True)
class Verdict:
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
) -> Verdict:
    """The verdict on one setting's diagnostics.

    Parameters
    ----------
    method : {"exact", "importance", "nuts"}
        How the numbers were obtained. Exact enumeration is always reliable.
    max_rhat, min_ess_bulk, min_ess_tail, divergences : optional
        MCMC diagnostics (worst over the quantities that matter).
    ess, pareto_k : float, optional
        Importance-sampling diagnostics: effective sample size and Pareto k-hat of the weights.
    rhat_max, ess_min, pareto_k_max : float
        The bars (SPEC §4 by default).

    Returns
    -------
    Verdict
        ``reliable`` and, when not, one phrase per miss (``"R-hat 1.03 > 1.01"``).
    """
    if method == "exact":
        return Verdict(True)
    problems: list[str] = []
    if method == "importance":
        if _missing(pareto_k) or pareto_k > pareto_k_max:
            problems.append(f"Pareto k {_show(pareto_k)} > {pareto_k_max:g}")
        if _missing(ess) or ess < ess_min:
            problems.append(f"ESS {_show(ess, 0)} < {ess_min:g}")
    elif method == "nuts":
        if _missing(max_rhat) or max_rhat > rhat_max:
            problems.append(f"R-hat {_show(max_rhat, 3)} > {rhat_max:g}")
        for name, value in (("bulk", min_ess_bulk), ("tail", min_ess_tail)):
            if _missing(value) or value < ess_min:
                problems.append(f"{name} ESS {_show(value, 0)} < {ess_min:g}")
        if divergences:
            problems.append(f"{divergences} divergences")
    else:
        raise ValueError(f"unknown method {method!r}: expected exact, importance or nuts")
    return Verdict(not problems, tuple(problems))


def bar(method: str) -> str:
    """The bar of a method, in words (for warnings in every output)."""
    if method == "importance":
        return f"Pareto k <= {PARETO_K_MAX:g} and effective sample size >= {ESS_MIN}"
    if method == "nuts":
        return f"R-hat <= {RHAT_MAX:g}, bulk and tail ESS >= {ESS_MIN}, no divergences"
    return "exact: always reliable"


def _show(value: float | None, digits: int = 2) -> str:
    return "n/a" if _missing(value) else f"{value:.{digits}f}"
