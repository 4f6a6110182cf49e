"""The inference methods, stated once (after bambi's ``inference_methods``).

Two kinds of name share one registry:

- what a scenario's ``inference.method`` (or ``--method``) may ask for: :data:`CHOICES`;
- what can answer one setting, and so appears in a result's diagnostics: :data:`ANSWERS`,
  each with the reliability bar it is judged by (``engine.inference.diagnostics``).

The schema's ``inference.method``, the CLI's ``--method`` choices and help, the evaluators'
dispatch (``engine.inference.evaluator_for``), the diagnostics and every page that names a method
read this module; nothing else spells a method's name. Pure data: no NumPy, no PyMC.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One inference method.

    Attributes
    ----------
    name : str
        The name a scenario, the CLI and the JSON result use.
    title : str
        How a reader calls it (``importance sampling``).
    summary : str
        One line for ``--help`` and the docs.
    choice : bool
        A scenario may ask for it in ``inference.method``.
    answers : bool
        It answers settings (it appears in ``diagnostics.method`` and ``settings``).
    """

    name: str
    title: str
    summary: str
    choice: bool = False
    answers: bool = False


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "auto",
            "automatic",
            "importance sampling from the prior, then a posterior-shaped proposal, then NUTS, "
            "each only where the one before missed the bar",
            choice=True,
        ),
        Method(
            "importance",
            "importance sampling",
            "prior draws weighted by P(e | θ), Pareto-smoothed; never NUTS",
            choice=True,
            answers=True,
        ),
        Method(
            "adaptive",
            "adaptive importance sampling",
            "a Student-t proposal fitted to the posterior (in the coordinates where every "
            "prior is a standard normal), its draws weighted by p(θ)·P(e | θ) / q(θ), "
            "Pareto-smoothed and shared by the settings it suits; never NUTS",
            choice=True,
            answers=True,
        ),
        Method(
            "nuts",
            "NUTS",
            "MCMC (NUTS) for every setting",
            choice=True,
            answers=True,
        ),
        Method("exact", "exact", "every number fixed: exact variable elimination", answers=True),
    )
}

CHOICES: tuple[str, ...] = tuple(name for name, m in METHODS.items() if m.choice)
ANSWERS: tuple[str, ...] = tuple(name for name, m in METHODS.items() if m.answers)
DEFAULT = "auto"


def choices_help() -> str:
    """``auto (…), importance (…), adaptive (…) or nuts (…)``: the choices in words, for
    ``--help``."""
    parts = [f"{name} ({METHODS[name].summary})" for name in CHOICES]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def title(name: str) -> str:
    """How a reader calls the method (or a run's ``importance+adaptive+nuts``)."""
    return " + ".join(METHODS[part].title if part in METHODS else part for part in name.split("+"))
