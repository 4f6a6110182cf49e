"""What a sweep asks for: the number at a key path and the values to fix it at (SPEC §13).

The numbers are the network's slots (``network.layout.slots``, named as in the ``uncertainty``
analysis, SPEC §9 and §11.6): the path is looked up there, never parsed out of the scenario, so a
sweep works for every kind of number the network has. Everything is checked before any work, and
every problem is reported at once (SPEC §7): the path, then the values.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np

from engine.inference.network import Network
from engine.scenario.merge import MergedDocument
from engine.scenario.values import Z95, Fixed, NormalPrior, Prior

STEPS = 21  # SPEC §13's default number of values
MAX_STEPS = 1001
PROBABILITY_RANGE = (0.01, 0.99)  # the default sweep of a probability: nearly all of (0, 1)
EFFECT_RANGE = (-4.0, 4.0)  # of an effect (log-odds): strongly lowers to strongly raises, and more


class SweepError(ValueError):
    """A sweep that cannot be done as asked: bad input (exit 2), with every problem, one a line."""

    bad_input = True

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class SweepRequest:
    """A checked sweep: the number (its slot's key path, its prior, whether it is a probability
    or an effect) and the values to fix it at, in increasing order."""

    path: str
    prior: Prior
    probability: bool
    values: tuple[float, ...]


def slot_prior(network: Network, path: str) -> tuple[Prior, bool]:
    """(the prior of the number at ``path``, whether it is a probability)."""
    index = network.layout.slots.index(path)
    n = len(network.prob_priors)
    if index < n:
        return network.prob_priors[index], True
    return network.effect_priors[index - n], False


def default_range(prior: Prior, probability: bool) -> tuple[float, float]:
    """The values a sweep covers when none are given: a probability from 0.01 to 0.99; an effect
    from -4 to +4 on the log-odds scale, widened to its prior's mean ± 3 standard deviations."""
    if probability:
        return PROBABILITY_RANGE
    lo, hi = EFFECT_RANGE
    if isinstance(prior, NormalPrior):
        lo, hi = min(lo, prior.mu - 3 * prior.sigma), max(hi, prior.mu + 3 * prior.sigma)
    elif isinstance(prior, Fixed):
        lo, hi = min(lo, prior.value - 1), max(hi, prior.value + 1)
    return float(lo), float(hi)


def check_request(
    network: Network,
    path: str,
    start: float | None = None,
    stop: float | None = None,
    steps: int | None = None,
    *,
    document: MergedDocument | None = None,
    max_steps: int = MAX_STEPS,
) -> SweepRequest:
    """Check a sweep of the number at ``path`` from ``start`` to ``stop`` in ``steps`` values.

    Parameters
    ----------
    network : Network
        The scenario's network; its slots are the numbers a sweep can fix.
    path : str
        A key path as in the ``uncertainty`` analysis (``drivers.mission_expansion.p``).
    start, stop : float, optional
        The first and last values (default: :func:`default_range`).
    steps : int, optional
        How many evenly spaced values (default :data:`STEPS`), at least 2.
    document : MergedDocument, optional
        The scenario as read, to say where a path that is no number was written.

    Returns
    -------
    SweepRequest

    Raises
    ------
    SweepError
        Every problem: a path that names no number (with the nearest numbers' paths), values
        that are not finite, not increasing, or (for a probability) not inside (0, 1).
    """
    problems = [] if path in network.layout.slots else [_no_number(network, path, document)]
    prior, probability = slot_prior(network, path) if not problems else (None, False)
    default = default_range(prior, probability) if prior is not None else (0.0, 1.0)
    start = default[0] if start is None else float(start)
    stop = default[1] if stop is None else float(stop)
    steps = STEPS if steps is None else int(steps)
    for name, value in (("--from", start), ("--to", stop)):
        if not math.isfinite(value):
            problems.append(f"{name} {value}: a sweep's values are finite numbers")
        elif probability and not 0 < value < 1:
            problems.append(
                f"{name} {value:g}: {path} is a probability, whose values lie strictly between "
                f"0 and 1 — write a value such as {_inside(value)}"
            )
    if all(map(math.isfinite, (start, stop))) and not start < stop:
        problems.append(
            f"--from {start:g} --to {stop:g}: the sweep goes from a smaller value to a larger one "
            f"— write --from {min(start, stop):g} --to {max(start, stop):g}"
            if start != stop
            else f"--from {start:g} --to {stop:g}: a sweep needs two different ends"
        )
    if not 2 <= steps <= max_steps:
        problems.append(f"--steps {steps}: a sweep takes from 2 to {max_steps} values")
    if problems:
        raise SweepError(problems)
    values = tuple(float(v) for v in np.linspace(start, stop, steps))
    return SweepRequest(path, prior, probability, values)


def _inside(value: float) -> float:
    """The default end of a probability's sweep nearest ``value``."""
    return PROBABILITY_RANGE[0] if value <= 0 else PROBABILITY_RANGE[1]


def _no_number(network: Network, path: str, document: MergedDocument | None) -> str:
    """Why ``path`` is not a number a sweep can fix, where it was written, and what to write."""
    slots = network.layout.slots
    where = ""
    written = False
    if document is not None:
        keys = tuple(path.split("."))
        written = _exists(document.data, keys)
        place = document.where.locate(keys)
        where = f"{place.file}:{place.line}:{place.column}: " if place.line else f"{place.file}: "
    near = difflib.get_close_matches(path, slots, n=3, cutoff=0.6)
    if not near:
        prefix = path.rsplit(".", 1)[0]
        near = [s for s in slots if s.startswith(prefix + ".")][:3]
    what = (
        "is not a number: it names a documentation field, a word or an item, not a probability "
        "or an effect"
        if written
        else "names no number of this scenario"
    )
    hint = f"did you mean {', '.join(near)}?" if near else f"the numbers are {', '.join(slots)}"
    return f"{where}{path}: {what} — {hint} (a sweep takes a path as in the uncertainty analysis)"


def _exists(data: object, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def written_range(prior: Prior) -> tuple[float, float]:
    """Where the scenario puts the number: its value when fixed, else its prior's 5th to 95th
    percentile (what a word or a range says, SPEC §2-3)."""
    if isinstance(prior, Fixed):
        return prior.value, prior.value
    if isinstance(prior, NormalPrior):
        return prior.mu - Z95 * prior.sigma, prior.mu + Z95 * prior.sigma
    from scipy.special import betaincinv  # the Beta's quantiles, as engine.scenario.values does

    return (
        float(betaincinv(prior.alpha, prior.beta, 0.05)),
        float(betaincinv(prior.alpha, prior.beta, 0.95)),
    )
