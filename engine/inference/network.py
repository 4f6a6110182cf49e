"""A validated scenario as a network: the graph, the prior of every number, the settings.

This is the one place that reads ids from a ``Scenario`` and turns them into the indices the
models in ``models/`` work with. No PyMC here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from engine.scenario.schema import Scenario
from engine.scenario.values import Fixed, Prior, effect_prior, probability_prior
from models.graph import Graph, Params, Setting
from models.layout import PRIOR_DATA, Layout


@dataclass(frozen=True)
class TimelineStep:
    """One point of the timeline: its date and the evidence counted by then."""

    date: dt.date | None
    evidence: tuple[str, ...]


@dataclass
class Network:
    """A scenario's network: its graph, the prior of each number (slot) and its evidence."""

    scenario: Scenario
    graph: Graph
    prob_priors: list[Prior]
    effect_priors: list[Prior]
    log_base: np.ndarray

    @cached_property
    def layout(self) -> Layout:
        return Layout(self.graph)

    @property
    def priors(self) -> list[Prior]:
        """The prior of every slot, in slot order (probabilities, then effects)."""
        return self.prob_priors + self.effect_priors

    @property
    def all_fixed(self) -> bool:
        return not any(prior.uncertain for prior in self.priors)

    @cached_property
    def uncertain_slots(self) -> list[str]:
        """Key paths of every uncertain number, probabilities first."""
        return [slot for slot, prior in zip(self.layout.slots, self.priors) if prior.uncertain]

    def with_fixed(self, slot: str, value: float) -> Network:
        """The same network with the number at key path ``slot`` fixed at ``value`` (a sweep,
        SPEC §13); every other number keeps its prior, and so its seeded draws.

        Raises ``ValueError`` when ``slot`` is not one of ``layout.slots``.
        """
        index = self.layout.slots.index(slot)
        probs, effects = list(self.prob_priors), list(self.effect_priors)
        if index < len(probs):
            probs[index] = Fixed(float(value))
        else:
            effects[index - len(probs)] = Fixed(float(value))
        return replace(self, prob_priors=probs, effect_priors=effects)

    def prior_data(self) -> dict[str, np.ndarray]:
        """The priors as the compiled model's data (placeholders where a number is fixed)."""

        def column(priors, attribute, fixed_value):
            return np.array(
                [getattr(prior, attribute) if prior.uncertain else fixed_value for prior in priors],
                dtype=float,
            )

        probs, effects = self.prob_priors, self.effect_priors
        data = {
            "prob_alpha": column(probs, "alpha", 1.0),
            "prob_beta": column(probs, "beta", 1.0),
            "prob_fixed": np.array([getattr(p, "value", 0.5) for p in probs], dtype=float),
            "prob_is_fixed": np.array([not p.uncertain for p in probs], dtype=float),
            "effect_mu": column(effects, "mu", 0.0),
            "effect_sigma": column(effects, "sigma", 1.0),
            "effect_fixed": np.array([getattr(p, "value", 0.0) for p in effects], dtype=float),
            "effect_is_fixed": np.array([not p.uncertain for p in effects], dtype=float),
            "log_base": self.log_base,
        }
        assert tuple(data) == PRIOR_DATA
        return data

    def params(self, prob: np.ndarray | None = None, effect: np.ndarray | None = None) -> Params:
        """Numbers for the network: fixed slots from the scenario, uncertain ones from draws.

        ``prob`` (draws, P) and ``effect`` (draws, F) hold draws for every slot; without them
        every slot must be fixed and the result has no draws dimension.
        """
        return self.layout.params(
            self._fill(self.prob_priors, prob),
            self._fill(self.effect_priors, effect),
            self.log_base,
        )

    @staticmethod
    def _fill(priors: list[Prior], draws: np.ndarray | None) -> np.ndarray:
        fixed = np.array([getattr(p, "value", np.nan) for p in priors], dtype=float)
        if draws is None:
            if np.isnan(fixed).any():
                raise ValueError("uncertain numbers need draws")
            return fixed
        mask = np.array([not p.uncertain for p in priors], dtype=bool)
        out = np.array(draws, dtype=float, copy=True).reshape(-1, len(priors))
        out[:, mask] = fixed[mask]
        return out

    def setting(
        self, evidence: Iterable[str] | None = None, do: Mapping[str, bool] | None = None
    ) -> Setting:
        """The setting with the named evidence items (all when None) and interventions."""
        drivers = {d: i for i, d in enumerate(self.graph.drivers)}
        indicators = {d: i for i, d in enumerate(self.graph.indicators)}
        items = self.scenario.evidence
        chosen = list(items) if evidence is None else list(evidence)
        hard: dict[int, bool] = {}
        soft: dict[int, float] = {}
        seen: dict[int, bool] = {}
        for name in chosen:
            item = items[name]
            if item.indicator is not None:
                seen[indicators[item.indicator]] = item.observed
            elif item.observed is not None:
                hard[drivers[item.driver]] = item.observed
            else:  # several reports on one driver multiply
                i = drivers[item.driver]
                soft[i] = soft.get(i, 1.0) * item.likelihood_ratio
        do_idx = {drivers[d]: value for d, value in (do or {}).items()}
        return Setting(hard=hard, soft=soft, seen=seen, do=do_idx)

    def timeline(self) -> list[TimelineStep]:
        """One step at ``as_of`` and one at each distinct evidence date (SPEC §4).

        Each step counts the evidence dated on or before it; undated evidence counts from
        ``as_of`` (from the first step when the scenario has no ``as_of``).
        """
        as_of = self.scenario.as_of
        items = self.scenario.evidence
        dates = {item.date for item in items.values() if item.date is not None}
        if as_of is not None or not dates:
            dates.add(as_of)
        ordered = sorted(dates, key=lambda d: (d is not None, d or dt.date.min))
        steps = []
        for date in ordered:
            counted = tuple(
                name
                for name, item in items.items()
                if (item.date is None and (as_of is None or date is None or date >= as_of))
                or (item.date is not None and date is not None and item.date <= date)
            )
            steps.append(TimelineStep(date, counted))
        return steps


def network_of(scenario: Scenario) -> Network:
    """Translate a validated scenario into its network."""
    drivers = list(scenario.drivers)
    outcomes = list(scenario.outcomes)
    indicators = list(scenario.indicators)
    index = {d: i for i, d in enumerate(drivers)}
    causes, cause_priors = [], []
    for child, driver in scenario.drivers.items():
        for parent, effect in driver.causes.items():
            causes.append((index[child], index[parent]))
            cause_priors.append(effect_prior(effect))
    effects, outcome_priors = [], []
    for k, outcome in enumerate(scenario.outcomes.values()):
        for driver, effect in outcome.drivers.items():
            effects.append((k, index[driver]))
            outcome_priors.append(effect_prior(effect))
    graph = Graph(
        drivers=tuple(drivers),
        outcomes=tuple(outcomes),
        indicators=tuple(indicators),
        signals=tuple(index[item.signals] for item in scenario.indicators.values()),
        causes=tuple(causes),
        effects=tuple(effects),
    )
    prob_priors = (
        [probability_prior(d.p) for d in scenario.drivers.values()]
        + [probability_prior(i.if_true) for i in scenario.indicators.values()]
        + [probability_prior(i.if_false) for i in scenario.indicators.values()]
    )
    log_base = np.array([math.log(o.base) for o in scenario.outcomes.values()])
    return Network(scenario, graph, prob_priors, cause_priors + outcome_priors, log_base)


__all__ = ["Fixed", "Network", "TimelineStep", "network_of"]
