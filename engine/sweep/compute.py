"""A sweep (SPEC §13): the main result with one number fixed at each of a series of values.

Every other number keeps its prior. Each value's network is the scenario's with that one slot
fixed (:meth:`engine.inference.network.Network.with_fixed`), answered by the run's own evaluator
(exact when nothing else is uncertain, else importance sampling with its retries and NUTS
fallback). The prior draws are seeded per number (:mod:`engine.inference.draws`), so every value
shares the same draws of every other number — common random numbers: the curve moves only
because the swept number does, and it is smooth.

A value's answer is what ``signpost run`` gives for the scenario with that number written as the
fixed value, to the last digit (the same seed, the same draws).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from engine.inference import InferenceOptions, evaluator_for
from engine.inference.answer import Answer, Summary
from engine.inference.diagnostics import Diagnostics
from engine.inference.network import Network, network_of
from engine.scenario.schema import Scenario
from engine.scenario.values import PROBABILITY_BANDS, word_for
from engine.sweep.request import SweepRequest, written_range

Progress = Callable[[str], None]

BAND_WORDS = tuple(words[0] for words, _, _ in PROBABILITY_BANDS)  # SPEC §2, in band order
BAND_EDGES = tuple(hi for _, _, hi in PROBABILITY_BANDS[:-1])  # where word_for changes word


@dataclass(frozen=True)
class Crossing:
    """An outcome's probability moving from one word band to the next, at ``at`` (linearly
    interpolated between two values of the sweep)."""

    outcome: str
    at: float
    old: str  # the word before (at the smaller value)
    new: str  # the word after

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "at": self.at, "from": self.old, "to": self.new}


@dataclass(frozen=True)
class SweepPoint:
    """The main result at one value of the swept number."""

    value: float
    outcomes: dict[str, Summary]
    diagnostics: Diagnostics

    @property
    def reliable(self) -> bool:
        return self.diagnostics.reliable


@dataclass
class Sweep:
    """A sweep's points, in increasing order of the value; ``to_dict()`` is the SPEC §13 object."""

    id: str
    title: str
    path: str
    probability: bool
    prior: str  # the number as the scenario writes it ("unlikely", "0.3", "raises")
    written: tuple[float, float]  # where the scenario puts it: its value, or its prior's 90%
    points: list[SweepPoint]
    labels: dict[str, str]  # outcome -> label
    seed: int
    seconds: float = 0.0

    @property
    def values(self) -> list[float]:
        return [point.value for point in self.points]

    @property
    def outcomes(self) -> dict[str, list[Summary]]:
        """Each outcome's summary at each value."""
        return {k: [point.outcomes[k] for point in self.points] for k in self.labels}

    @property
    def reliable(self) -> bool:
        return all(point.reliable for point in self.points)

    @property
    def diagnostics(self) -> Diagnostics:
        """The worst over every value (:meth:`Diagnostics.combine`)."""
        return Diagnostics.combine([p.diagnostics for p in self.points], seconds=self.seconds)

    @property
    def most_likely(self) -> list[str]:
        """The outcome with the largest probability at each value (the first on a tie)."""
        return [max(point.outcomes, key=lambda k: point.outcomes[k].p) for point in self.points]

    @property
    def crossings(self) -> list[Crossing]:
        """Every word-band crossing, outcome by outcome, in increasing order of the value."""
        found = []
        for k, summaries in self.outcomes.items():
            ps = [s.p for s in summaries]
            for i in range(len(ps) - 1):
                found += band_crossings(k, self.values[i], ps[i], self.values[i + 1], ps[i + 1])
        return found

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``signpost sweep --json`` (SPEC §13), plus ``reliable``, ``prior``
        and the diagnostics."""
        return {
            "id": self.id,
            "path": self.path,
            "values": self.values,
            "outcomes": {k: [s.to_dict() for s in ss] for k, ss in self.outcomes.items()},
            "most_likely": self.most_likely,
            "crossings": [c.to_dict() for c in self.crossings],
            "reliable": self.reliable,
            "prior": self.prior,
            "written": list(self.written),
            "seed": self.seed,
            "diagnostics": self.diagnostics.to_dict(),
        }


def band_index(p: float) -> int:
    """The position of ``p``'s word (:func:`engine.scenario.values.word_for`) in band order."""
    return BAND_WORDS.index(word_for(p))


def band_crossings(outcome: str, x0: float, p0: float, x1: float, p1: float) -> list[Crossing]:
    """The band edges crossed between (x0, p0) and (x1, p1), each at its interpolated value."""
    a, b = band_index(p0), band_index(p1)
    if a == b:
        return []
    edges = range(a, b) if b > a else range(a - 1, b - 1, -1)
    out = []
    for j in edges:
        at = x0 + (BAND_EDGES[j] - p0) / (p1 - p0) * (x1 - x0)
        old, new = (
            (BAND_WORDS[j], BAND_WORDS[j + 1]) if b > a else (BAND_WORDS[j + 1], BAND_WORDS[j])
        )
        out.append(Crossing(outcome, float(at), old, new))
    return out


def sweep(
    scenario: Scenario,
    request: SweepRequest,
    *,
    network: Network | None = None,
    method: str | None = None,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> Sweep:
    """Sweep one number of a validated scenario.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    request : SweepRequest
        The number and its values (:func:`engine.sweep.request.check_request`).
    network : Network, optional
        The scenario's network, when the caller has it already.
    method, draws, tune, chains, seed : optional
        Override the scenario's ``inference`` block, as for ``signpost run``.
    progress : callable, optional
        Called with a short message as each value is done.
    jobs : int, optional
        Threads that answer values side by side (default: the number of CPUs).

    Returns
    -------
    Sweep
        The main result at each value.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    network = network or network_of(scenario)
    options = InferenceOptions.of(
        scenario, method=method, draws=draws, tune=tune, chains=chains, seed=seed
    )
    networks = [network.with_fixed(request.path, value) for value in request.values]
    answers = []
    for i, answer in enumerate(_answers(networks, options, jobs or os.cpu_count() or 1)):
        say(f"value {i + 1} of {len(networks)}: {request.values[i]:g}")
        answers.append(answer)
    points = [
        SweepPoint(value, answer.outcomes, answer.diagnostics)
        for value, answer in zip(request.values, answers)
    ]
    return Sweep(
        id=scenario.id,
        title=scenario.title,
        path=request.path,
        probability=request.probability,
        prior=request.prior.describe(),
        written=written_range(request.prior),
        points=points,
        labels={k: o.label for k, o in scenario.outcomes.items()},
        seed=options.seed,
        seconds=time.perf_counter() - started,
    )


def _answers(networks: list[Network], options: InferenceOptions, jobs: int) -> Iterator[Answer]:
    """The main result of each network, in order.

    Importance sampling answers the values on ``jobs`` threads (NumPy's sums release the GIL, so
    two cores make a sweep nearly twice as fast); a value whose weights miss the bar is then
    answered again by the scenario's own method, one at a time (NUTS compiles once per graph and
    is never run side by side). The answers are those of the method alone, whatever ``jobs``.
    """

    def answer(fixed: Network, how: InferenceOptions) -> Answer:
        return evaluator_for(fixed, how)(fixed.setting(), analysis=True)  # outcomes only

    if jobs <= 1 or options.method not in ("auto", "importance"):
        yield from (answer(fixed, options) for fixed in networks)
        return
    first = replace(options, method="importance")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for fixed, found in zip(networks, pool.map(lambda f: answer(f, first), networks)):
            yield (
                found
                if found.reliable or options.method == "importance"
                else answer(fixed, options)
            )
