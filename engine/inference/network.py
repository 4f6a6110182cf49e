"""A validated scenario as a network: the graph, the prior of every number, the settings.

This is the one place that reads ids from a ``Scenario`` and turns them into the indices the
models in ``models/`` work with. No PyMC here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from engine.scenario.schema import Scenario
from engine.scenario.values import Fixed, Prior, effect_prior, probability_prior
from models.graph import DriverSpec, Graph, Params, Setting
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

    # --- conditions and states ------------------------------------------------------------

    @cached_property
    def _index(self) -> dict[str, int]:
        return {d: i for i, d in enumerate(self.graph.drivers)}

    def condition(self, key: str) -> tuple[int, int]:
        """``X`` or ``X=s`` (SPEC §11.2) as (driver index, state index); ``X`` alone is a binary
        driver holding."""
        return _condition(key, self._index, self.graph.states)

    def state_index(self, driver: str, value: bool | str) -> int:
        """The state a value names: ``true``/``false`` for a binary driver, a state id else."""
        i = self._index[driver]
        if isinstance(value, bool):
            return int(value)
        return self.graph.states[i].index(value)

    @cached_property
    def driver_keys(self) -> list[tuple[str, int]]:
        """What a result reports of the drivers (SPEC §11.6): ``(key, index in the state
        vector)`` — ``X`` (P(X holds)) for a binary driver, ``X=s`` for each state of another."""
        graph, keys = self.graph, []
        for i, driver in enumerate(graph.drivers):
            start = graph.offsets[i]
            if graph.binary(i):
                keys.append((driver, start + 1))
            else:
                keys += [(f"{driver}={s}", start + t) for t, s in enumerate(graph.states[i])]
        return keys

    def reported(self, states: np.ndarray) -> tuple[list[str], np.ndarray]:
        """The driver keys a result reports and their columns of (S, T) state probabilities."""
        keys = [key for key, _ in self.driver_keys]
        if states.shape[1] == 0:
            return [], states
        return keys, states[:, [column for _, column in self.driver_keys]]

    def setting(
        self,
        evidence: Iterable[str] | None = None,
        do: Mapping[str, bool | str] | None = None,
    ) -> Setting:
        """The setting with the named evidence items (all when None) and interventions
        (driver → ``true``/``false`` or a state id)."""
        indicators = {d: i for i, d in enumerate(self.graph.indicators)}
        items = self.scenario.evidence
        chosen = list(items) if evidence is None else list(evidence)
        hard: dict[int, tuple[int, ...]] = {}
        soft: dict[tuple[int, int], float] = {}
        seen: dict[int, bool] = {}
        for name in chosen:
            item = items[name]
            if item.indicator is not None:
                seen[indicators[item.indicator]] = bool(item.observed)
            elif item.observed is not None:
                i, states = self._observed(item.driver, item.observed)
                kept = tuple(s for s in hard.get(i, states) if s in states)
                hard[i] = kept
            else:  # several reports on one state multiply
                condition = self.condition(item.driver)
                soft[condition] = soft.get(condition, 1.0) * item.likelihood_ratio
        do_idx = {self._index[d]: self.state_index(d, value) for d, value in (do or {}).items()}
        return Setting(hard=hard, soft=soft, seen=seen, do=do_idx)

    def _observed(self, key: str, observed: bool | str) -> tuple[int, tuple[int, ...]]:
        """The states hard evidence keeps: the one observed, or — ``X=s`` observed false —
        every state but s."""
        if "=" not in key:
            i = self._index[key]
            return i, (self.state_index(key, observed),)
        i, s = self.condition(key)
        if observed is True:
            return i, (s,)
        return i, tuple(t for t in range(self.graph.sizes[i]) if t != s)

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


def _condition(key: str, index: Mapping[str, int], states) -> tuple[int, int]:
    driver, _, state = key.partition("=")
    i = index[driver]
    if not state:
        return i, 1  # a binary driver named alone: it holds
    return i, states[i].index(state)


class _Builder:
    """Collects slots (key path and prior) while a scenario's drivers are translated."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.names = list(scenario.drivers)
        self.index = {d: i for i, d in enumerate(self.names)}
        self.states = [driver.state_ids for driver in scenario.drivers.values()]
        self.prob_slots: list[str] = []
        self.prob_priors: list[Prior] = []
        self.effect_slots: list[str] = []
        self.effect_priors: list[Prior] = []

    def prob(self, path: str, spec) -> int:
        self.prob_slots.append(path)
        self.prob_priors.append(probability_prior(spec))
        return len(self.prob_slots) - 1

    def effect(self, path: str, spec) -> int:
        self.effect_slots.append(path)
        self.effect_priors.append(effect_prior(spec))
        return len(self.effect_slots) - 1

    def condition(self, key: str) -> tuple[int, int]:
        return _condition(key, self.index, self.states)

    def parents_of(self, conditions) -> tuple[int, ...]:
        return tuple(sorted({j for j, _ in conditions}))

    def driver(self, name: str, driver) -> DriverSpec:
        """The spec of one driver, adding its slots (SPEC §11.6 key paths)."""
        here = f"drivers.{name}"
        if driver.table is not None:
            return self._table(here, name, driver)
        if driver.noisy_or is not None:
            leak = self.prob(f"{here}.noisy_or.leak", driver.noisy_or.get("leak", 0.0))
            causes = tuple(
                (self.prob(f"{here}.noisy_or.{key}", value), self.condition(key))
                for key, value in driver.noisy_or.items()
                if key != "leak"
            )
            parents = self.parents_of(c for _, c in causes)
            return DriverSpec("noisy_or", parents=parents, leak=leak, causes=causes)
        if driver.states is None:
            weights = (self.prob(f"{here}.p", driver.p),)
            effects = tuple(
                (1, self.effect(f"{here}.causes.{key}", value), self.condition(key))
                for key, value in driver.causes.items()
            )
        else:
            weights = tuple(
                self.prob(f"{here}.states.{s}.p", state.p) for s, state in driver.states.items()
            )
            effects = tuple(
                (t, self.effect(f"{here}.states.{s}.causes.{key}", value), self.condition(key))
                for t, (s, state) in enumerate(driver.states.items())
                for key, value in state.causes.items()
            )
        parents = self.parents_of(c for *_, c in effects)
        return DriverSpec("weights", parents=parents, weights=weights, effects=effects)

    def _table(self, here: str, name: str, driver) -> DriverSpec:
        rows = {canonical_row(key, self.index): value for key, value in driver.table.items()}
        first = next(iter(driver.table))
        parents = tuple(self.index[c.partition("=")[0]] for c in canonical_row(first, self.index))
        grids = itertools.product(*(range(len(self.states[j])) for j in parents))
        slots = []
        for combination in grids:
            key = tuple(
                f"{self.names[j]}={self.states[j][s]}" for j, s in zip(parents, combination)
            )
            value, row = rows[key], f"{here}.table.{' '.join(key)}"
            if driver.states is None:
                slots.append((self.prob(row, value),))
            else:
                slots.append(tuple(self.prob(f"{row}.{s}", value[s]) for s in driver.states))
        return DriverSpec("table", parents=parents, rows=tuple(slots))


def canonical_row(key: str, index: Mapping[str, int]) -> tuple[str, ...]:
    """A table row's conditions in the order the scenario declares the drivers (SPEC §11.6)."""
    return tuple(sorted(key.split(), key=lambda c: index[c.partition("=")[0]]))


def network_of(scenario: Scenario) -> Network:
    """Translate a validated scenario into its network."""
    build = _Builder(scenario)
    specs = tuple(build.driver(name, driver) for name, driver in scenario.drivers.items())
    outcome_from = build.index[scenario.outcomes_from] if scenario.outcomes_from else None
    outcome_effects = tuple(
        (k, build.effect(f"outcomes.{name}.drivers.{key}", value), build.condition(key))
        for k, (name, outcome) in enumerate(scenario.outcomes.items())
        for key, value in outcome.drivers.items()
    )
    indicators = scenario.indicators
    if_true = tuple(build.prob(f"indicators.{i}.if_true", x.if_true) for i, x in indicators.items())
    if_false = tuple(
        build.prob(f"indicators.{i}.if_false", x.if_false) for i, x in indicators.items()
    )
    graph = Graph(
        drivers=tuple(scenario.drivers),
        states=tuple(build.states),
        specs=specs,
        outcomes=tuple(scenario.outcomes),
        outcome_effects=outcome_effects,
        outcome_from=outcome_from,
        indicators=tuple(indicators),
        signals=tuple(build.condition(x.signals) for x in indicators.values()),
        if_true=if_true,
        if_false=if_false,
        prob_slots=tuple(build.prob_slots),
        effect_slots=tuple(build.effect_slots),
    )
    log_base = np.array([math.log(o.base) for o in scenario.outcomes.values()])
    return Network(scenario, graph, build.prob_priors, build.effect_priors, log_base)


__all__ = ["Fixed", "Network", "TimelineStep", "network_of"]
