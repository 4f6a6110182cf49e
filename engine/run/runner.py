"""Scenario → network → result (SPEC §4, §8): the one module of ``engine`` that runs models.

The network's settings — the main result, each what-if, each timeline point, each driver set
true and false for the analysis — are all answered by one evaluator (``engine.inference``):
exact when every number is fixed, else importance sampling on one set of prior draws shared by
every setting, with the adaptive step (a posterior-shaped proposal whose draws the later
settings share) and then NUTS for a setting whose weights miss the bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from engine import __version__
from engine.inference import InferenceOptions, evaluator_for
from engine.inference.answer import Answer
from engine.inference.diagnostics import Diagnostics
from engine.inference.network import network_of
from engine.run.result import Result, TimelinePoint
from engine.scenario.schema import Scenario
from models.elimination import ImpossibleEvidence as ModelImpossible
from models.graph import Setting

Progress = Callable[[str], None]
Scope = Literal["all", "results", "checks", "main"]
SCOPES: dict[str, str] = {
    "all": "main result, what-ifs, timeline, expectations and the analysis (SPEC §9)",
    "results": "main result, what-ifs, timeline and expectations; no analysis",
    "checks": "what the expectations need: the main result, the what-ifs they name",
    "main": "the main result only (for diffs)",
}


class Answers:
    """The run's evaluator, keeping every answer it gives (the run's diagnostics are the
    worst over all of them, analysis settings included)."""

    def __init__(self, evaluator):
        self.evaluator = evaluator
        self.answered: list[Answer] = []

    def __call__(self, setting: Setting, *, analysis: bool = False) -> Answer:
        answer = self.evaluator(setting, analysis=analysis)
        self.answered.append(answer)
        return answer

    def item_joints(self, answer: Answer, setting: Setting):
        return self.evaluator.item_joints(answer, setting)


class ImpossibleEvidence(ValueError):
    """Evidence the model gives probability 0 (SPEC §11.3): bad input, naming the items."""

    bad_input = True


def possible(answers, network, what_if: str | None = None, do=None):
    """The answer under all the evidence (and a what-if's interventions), or
    :class:`ImpossibleEvidence` naming a smallest set of evidence items that cannot all hold."""
    try:
        return answers(network.setting(do=do))
    except ModelImpossible:
        pass
    evaluate = answers.evaluator
    needed = list(network.scenario.evidence)
    for item in list(needed):  # drop every item the impossibility does not need
        rest = [x for x in needed if x != item]
        try:
            evaluate(network.setting(rest, do=do), analysis=True)
        except ModelImpossible:
            needed = rest
    named = ", ".join(f"`{x}`" for x in needed)
    under = f"under what-if `{what_if}`, " if what_if else ""
    raise ImpossibleEvidence(
        f"{under}the evidence {named} cannot all hold: the model gives it probability 0 (a "
        "driver's own probability of exactly 0 or 1 rules it out); remove one of these items, "
        "or change the number that rules it out"
    )


def labels_of(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The label of every outcome, driver, indicator and what-if (a what-if's id if none)."""
    return {
        "outcomes": {k: o.label for k, o in scenario.outcomes.items()},
        "drivers": {d: x.label for d, x in scenario.drivers.items()},
        "indicators": {i: x.label for i, x in scenario.indicators.items()},
        "what_if": {w: x.label or w for w, x in scenario.what_if.items()},
    }


def run(
    scenario: Scenario,
    *,
    scope: Scope = "all",
    method: str | None = None,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int | None = None,
    memory_mib: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Run a validated scenario.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (``engine.scenario.validate.load_scenario``).
    scope : {"all", "results", "checks", "main"}
        What to compute (see :data:`SCOPES`).
    method, draws, tune, chains, seed, memory_mib : optional
        Override the scenario's ``inference`` block.
    progress : callable, optional
        Called with a short message before each step.

    Returns
    -------
    Result
        Plain data; ``Result.to_dict()`` is the SPEC §8 object.
    """
    from engine.run.analysis import analyse
    from engine.run.expect import evaluate_expectations

    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: expected one of {', '.join(SCOPES)}")
    started = time.perf_counter()
    say = progress or (lambda message: None)
    network = network_of(scenario)
    options = InferenceOptions.of(
        scenario,
        method=method,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        memory_mib=memory_mib,
    )
    say("preparing" if network.all_fixed else "drawing the numbers")
    answers = Answers(evaluator_for(network, options))

    say("main result")
    main = possible(answers, network)
    what_if = {}
    wanted = {e.what_if for e in scenario.expect.values()} if scope == "checks" else None
    for name, item in ({} if scope == "main" else scenario.what_if).items():
        if wanted is None or name in wanted:
            say(f"what-if {name}")
            what_if[name] = possible(answers, network, name, item.set)
    timeline = []
    for step in network.timeline() if scope in ("all", "results") else []:
        if set(step.evidence) == set(scenario.evidence):
            answer = main  # the last point counts all the evidence: that is the main result
        else:
            say(f"timeline {step.date}")
            answer = answers(network.setting(step.evidence))
        timeline.append(TimelinePoint(step.date, step.evidence, answer))

    result = Result(
        id=scenario.id,
        title=scenario.title,
        main=main,
        what_if=what_if,
        timeline=timeline,
        diagnostics=Diagnostics("exact"),
        seed=options.seed,
        engine_version=__version__,
        labels=labels_of(scenario),
    )
    if scope == "all":
        say("analysis")
        result.analysis = analyse(network, result, answers)
    if scope != "main":
        result.expect = evaluate_expectations(scenario, result)
    result.diagnostics = Diagnostics.combine(
        [c.diagnostics for c in answers.answered], seconds=time.perf_counter() - started
    )
    return result
