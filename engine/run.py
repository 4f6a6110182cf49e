"""Scenario → compiled model → result (SPEC §4, §8).

A scenario whose numbers are all fixed is answered exactly by enumeration, without PyMC.
Otherwise its graph is compiled once (and cached for the process); the main result, every
what-if and every timeline point are samples of that one compiled model with other data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine import __version__
from engine.compile import Network, network_of
from engine.result import Condition, Diagnostics, Result, Summary, TimelinePoint
from engine.schema import Scenario
from models.network import Setting, infer

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SamplerSettings:
    draws: int
    tune: int
    chains: int
    seed: int
    target_accept: float


class ExactEvaluator:
    """Answers a setting by enumeration: every number is fixed."""

    def __init__(self, network: Network):
        self.network = network
        self.params = network.params()

    def __call__(self, setting: Setting) -> Condition:
        started = time.perf_counter()
        graph = self.network.graph
        answer = infer(graph, self.params, setting)
        return Condition(
            outcomes={k: Summary.exact(p) for k, p in zip(graph.outcomes, answer.outcomes)},
            drivers={d: Summary.exact(p) for d, p in zip(graph.drivers, answer.drivers)},
            diagnostics=Diagnostics("exact", seconds=time.perf_counter() - started),
            params=self.params,
        )


class SampledEvaluator:
    """Answers a setting by sampling the numbers' posterior with NUTS (nutpie).

    A setting whose run misses the reliability bar is sampled once more with twice the tuning
    and a higher target acceptance; if it still misses, its diagnostics say so.
    """

    def __init__(self, network: Network, sampler: SamplerSettings):
        from engine.diagnostics import convergence, summarize  # ArviZ only when sampling
        from models.sampler import compiled_network  # PyMC only when sampling

        self.network = network
        self.sampler = sampler
        self.compiled = compiled_network(network.graph)
        self.prior_data = network.prior_data()
        self._convergence, self._summarize = convergence, summarize
        slots = network.prob_slots + network.effect_slots
        self._uncertain = np.array([s in set(network.uncertain_slots) for s in slots])
        self.last_idata = None

    def __call__(self, setting: Setting) -> Condition:
        data = {**self.prior_data, **setting.arrays(self.network.graph)}
        settings = self.sampler
        condition, idata = self._sample(data, settings)
        if not condition.reliable:
            stronger = replace(
                settings,
                draws=2 * settings.draws,
                tune=2 * settings.tune,
                target_accept=max(0.95, settings.target_accept),
            )
            condition, idata = self._sample(data, stronger)
            condition.diagnostics.retried = True
        self.last_idata = idata
        return condition

    def _sample(self, data: dict, s: SamplerSettings) -> tuple[Condition, object]:
        started = time.perf_counter()
        idata = self.compiled.sample(
            data,
            draws=s.draws,
            tune=s.tune,
            chains=s.chains,
            seed=s.seed,
            target_accept=s.target_accept,
        )
        post = idata.posterior
        prob = post["prob"].values
        effect = post["effect"].values if "effect" in post else np.zeros((*prob.shape[:2], 0))
        theta = np.concatenate([prob, effect], axis=-1)
        graph = self.network.graph
        params = self.network.params(
            prob.reshape(-1, prob.shape[-1]), effect.reshape(-1, effect.shape[-1])
        )
        answer = infer(graph, params, data)
        shape = (s.chains, s.draws)
        outcome_draws = answer.outcomes.reshape(*shape, -1)
        driver_draws = answer.drivers.reshape(*shape, -1)
        checks = self._convergence(np.concatenate([theta[..., self._uncertain], outcome_draws], -1))
        diagnostics = Diagnostics(
            method="nuts",
            chains=s.chains,
            draws=s.draws,
            tune=s.tune,
            target_accept=s.target_accept,
            divergences=int(idata.sample_stats["diverging"].values.sum()),
            seconds=time.perf_counter() - started,
            **checks,
        )
        condition = Condition(
            outcomes=dict(zip(graph.outcomes, self._summarize(outcome_draws))),
            drivers=dict(zip(graph.drivers, self._summarize(driver_draws))),
            diagnostics=diagnostics,
            outcome_draws=outcome_draws,
            driver_draws=driver_draws,
            params=params,
        )
        return condition, idata


def sampler_settings(
    scenario: Scenario,
    *,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int | None = None,
) -> SamplerSettings:
    """The scenario's ``inference`` block, with any override given here."""
    own = scenario.inference
    return SamplerSettings(
        draws=draws or own.draws,
        tune=tune or own.tune,
        chains=chains or own.chains,
        seed=own.seed if seed is None else seed,
        target_accept=own.target_accept,
    )


def labels_of(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The label of every outcome, driver, indicator and what-if (a what-if's id if none)."""
    return {
        "outcomes": {k: o.label for k, o in scenario.outcomes.items()},
        "drivers": {d: x.label for d, x in scenario.drivers.items()},
        "indicators": {i: x.label for i, x in scenario.indicators.items()},
        "what_if": {w: x.label or w for w, x in scenario.what_if.items()},
    }


def evaluator_for(network: Network, sampler: SamplerSettings) -> ExactEvaluator | SampledEvaluator:
    """Exact enumeration when every number is fixed, else NUTS on the compiled model."""
    if network.all_fixed:
        return ExactEvaluator(network)
    return SampledEvaluator(network, sampler)


def run(
    scenario: Scenario,
    *,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int | None = None,
    analysis: bool = True,
    main_only: bool = False,
    checks_only: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Run a validated scenario: main result, what-ifs, timeline, expectations and analysis.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (``engine.validate.load_scenario``).
    draws, tune, chains, seed : int, optional
        Override the scenario's ``inference`` block.
    analysis : bool
        Add influence, uncertainty, signposts and band-crossing (SPEC §9).
    main_only : bool
        Only the main result: no what-ifs, timeline, expectations or analysis (for diffs).
    checks_only : bool
        Only what the expectations need: the main result and the what-ifs they name, then
        the expectations; no timeline and no analysis (for ``signpost check``).
    progress : callable, optional
        Called with a short message before each step.

    Returns
    -------
    Result
        Plain data; ``Result.to_dict()`` is the SPEC §8 object.
    """
    from engine.analysis import analyse
    from engine.check import evaluate_expectations

    say = progress or (lambda message: None)
    network = network_of(scenario)
    sampler = sampler_settings(scenario, draws=draws, tune=tune, chains=chains, seed=seed)
    say("enumerating" if network.all_fixed else "compiling")
    evaluate = evaluator_for(network, sampler)

    say("main result")
    main = evaluate(network.setting())
    idata = getattr(evaluate, "last_idata", None)
    what_if = {}
    wanted = {e.what_if for e in scenario.expect.values()} if checks_only else None
    for name, item in ({} if main_only else scenario.what_if).items():
        if wanted is not None and name not in wanted:
            continue
        say(f"what-if {name}")
        what_if[name] = evaluate(network.setting(do=item.set))
    timeline = []
    for step in [] if main_only or checks_only else network.timeline():
        if set(step.evidence) == set(scenario.evidence):
            condition = main  # the last point counts all the evidence: that is the main result
        else:
            say(f"timeline {step.date}")
            condition = evaluate(network.setting(step.evidence))
        timeline.append(TimelinePoint(step.date, step.evidence, condition))

    conditions = [main, *what_if.values()] + [
        p.condition for p in timeline if p.condition is not main
    ]
    result = Result(
        id=scenario.id,
        title=scenario.title,
        main=main,
        what_if=what_if,
        timeline=timeline,
        diagnostics=Diagnostics.combine([c.diagnostics for c in conditions]),
        seed=sampler.seed,
        engine_version=__version__,
        idata=idata,
        labels=labels_of(scenario),
    )
    if main_only:
        return result
    if analysis and not checks_only:
        say("analysis")
        result.analysis = analyse(network, result, evaluate)
    result.expect = evaluate_expectations(scenario, result)
    return result
