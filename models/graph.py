"""A network's structure, its numbers and the settings it is read under (SPEC §4, §11). No PyMC.

- :class:`Graph` is what a compiled model depends on: drivers with their states and parents,
  how each driver's probabilities are made (:class:`DriverSpec`), the indicators, the outcome;
  slot *indices*, never numbers or evidence.
- :class:`Params` holds the numbers as two slot vectors, probabilities and effects, each with an
  optional leading draws axis (the layout of slots is :mod:`models.layout`).
- :class:`Setting` is the evidence and the interventions, by index; :meth:`Setting.arrays`
  gives them as the fixed-shape data that every evaluator (NumPy or PyMC) reads.

States. Driver i has ``k_i`` states; a binary driver has two, ``false`` (index 0) and ``true``
(index 1). All the states of all the drivers, one after another, are the graph's *state
vector* (:attr:`Graph.offsets`): a setting's evidence is a log-weight on each entry of it.

A *condition* ``(j, s)`` is "driver j is in state s" (SPEC §11.2); causes, outcome effects,
noisy-OR causes and indicators are conditions.

How a driver's probabilities are made (``DriverSpec.kind``):

- ``weights``: P(X = s | parents) = r_s·exp(Σ effects on s that hold) / Σ_t (the same), with
  r the states' relative chances: ``(1 − p, p)`` for a binary driver written with ``p`` (so
  P(holds) = sigmoid(logit p + Σ effects), SPEC §4), the states' ``p`` for a multi-state driver
  (SPEC §11.1);
- ``table``: one row of probability slots per combination of the parents' states (SPEC §11.3):
  a binary driver's row is P(holds), a multi-state driver's row its states' chances, normalised;
- ``noisy_or``: P(holds | parents) = 1 − (1 − leak)·Π (1 − p_c) over the conditions c that hold
  (SPEC §11.4).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

IMPOSSIBLE = -1e6  # log-weight of a state ruled out (finite keeps gradients and sums clean)

Condition = tuple[int, int]  # (driver index, state index)


@dataclass(frozen=True)
class DriverSpec:
    """How one driver's probabilities are made from slots (indices into :class:`Params`).

    Attributes
    ----------
    kind : {"weights", "table", "noisy_or"}
        See the module docstring.
    parents : tuple of int
        The drivers its probabilities depend on, in the graph's driver order.
    weights : tuple of int
        ``weights``: the probability slot of each state's relative chance; a binary driver
        written with ``p`` has one slot, the chance it holds.
    effects : tuple of (state, effect slot, condition)
        ``weights``: an effect added to the log-odds of ``state`` when ``condition`` holds.
    rows : tuple of tuple of int
        ``table``: per combination of the parents' states (C order over ``parents``), the
        probability slots of the row: one (P(holds)) for a binary driver, one per state else.
    leak : int
        ``noisy_or``: the probability slot of the leak.
    causes : tuple of (probability slot, condition)
        ``noisy_or``: each cause's chance to make the driver hold alone.
    """

    kind: str
    parents: tuple[int, ...] = ()
    weights: tuple[int, ...] = ()
    effects: tuple[tuple[int, int, Condition], ...] = ()
    rows: tuple[tuple[int, ...], ...] = ()
    leak: int = -1
    causes: tuple[tuple[int, Condition], ...] = ()

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition the driver's probabilities read (effects or noisy-OR causes)."""
        return tuple(c for *_, c in self.effects) + tuple(c for _, c in self.causes)


@dataclass(frozen=True)
class Graph:
    """What a compiled model depends on: structure and slot indices, never numbers or evidence.

    Attributes
    ----------
    drivers : tuple of str
        Driver ids, in the scenario's order.
    states : tuple of tuple of str
        Each driver's state ids (a binary driver's are ``("false", "true")``).
    specs : tuple of DriverSpec
        How each driver's probabilities are made.
    outcomes : tuple of str
        Outcome ids (the states of ``outcome_from`` when it is set).
    outcome_effects : tuple of (outcome, effect slot, condition)
        An effect on an outcome's log-odds when the condition holds (SPEC §4).
    outcome_from : int or None
        The driver whose states are the outcomes (SPEC §11.5); then there are no effects.
    indicators : tuple of str
        Indicator ids.
    signals : tuple of Condition
        The condition each indicator signals: P(seen | it holds) = ``if_true``.
    if_true, if_false : tuple of int
        Each indicator's probability slots.
    prob_slots, effect_slots : tuple of str
        The key path of every probability slot and every effect slot (SPEC §9, §11.6).
    """

    drivers: tuple[str, ...]
    states: tuple[tuple[str, ...], ...]
    specs: tuple[DriverSpec, ...]
    outcomes: tuple[str, ...]
    outcome_effects: tuple[tuple[int, int, Condition], ...] = ()
    outcome_from: int | None = None
    indicators: tuple[str, ...] = ()
    signals: tuple[Condition, ...] = ()
    if_true: tuple[int, ...] = ()
    if_false: tuple[int, ...] = ()
    prob_slots: tuple[str, ...] = ()
    effect_slots: tuple[str, ...] = ()

    # --- states ---------------------------------------------------------------------------------

    @cached_property
    def sizes(self) -> tuple[int, ...]:
        """Each driver's number of states."""
        return tuple(len(s) for s in self.states)

    @cached_property
    def offsets(self) -> tuple[int, ...]:
        """Where each driver's states start in the state vector, and its length at the end."""
        return tuple(int(x) for x in np.concatenate([[0], np.cumsum(self.sizes)]))

    @property
    def total_states(self) -> int:
        return self.offsets[-1]

    def binary(self, i: int) -> bool:
        """Whether driver i is binary (states false, true)."""
        return self.states[i] == ("false", "true")

    # --- the outcome ---------------------------------------------------------------------------

    @cached_property
    def outcome_drivers(self) -> tuple[int, ...]:
        """The drivers the outcome depends on directly, in driver order."""
        if self.outcome_from is not None:
            return (self.outcome_from,)
        return tuple(sorted({j for _, _, (j, _) in self.outcome_effects}))

    # --- configurations --------------------------------------------------------------------------

    def configurations(self, drivers: tuple[int, ...]) -> np.ndarray:
        """(C, len(drivers)): every combination of the drivers' states, in C order."""
        sizes = [self.sizes[j] for j in drivers]
        if not sizes:
            return np.zeros((1, 0), dtype=int)
        grid = np.indices(sizes).reshape(len(sizes), -1).T
        return grid.astype(int)

    def holds(self, drivers: tuple[int, ...], conditions: tuple[Condition, ...]) -> np.ndarray:
        """(C, len(conditions)): 1 where a combination of ``drivers``' states meets a condition."""
        grid = self.configurations(drivers)
        column = {j: c for c, j in enumerate(drivers)}
        out = np.zeros((len(grid), len(conditions)))
        for e, (j, s) in enumerate(conditions):
            out[:, e] = grid[:, column[j]] == s
        return out

    def width(self, drivers: tuple[int, ...]) -> int:
        """The number of combinations of the drivers' states."""
        return math.prod(self.sizes[j] for j in drivers)


@dataclass
class Params:
    """Numbers of a network as slot vectors; each may carry a leading draws dimension."""

    prob: np.ndarray  # (..., P): every probability slot
    effect: np.ndarray  # (..., F): every effect slot
    log_base: np.ndarray  # (K,): log of each outcome's base weight

    @property
    def draws(self) -> int | None:
        """The number of draws, or None when the numbers carry no draws axis."""
        return None if np.ndim(self.prob) == 1 else int(np.shape(self.prob)[0])

    def take(self, part: slice | np.ndarray) -> Params:
        """The draws at ``part`` (a slice or an index array)."""
        return Params(self.prob[part], self.effect[part], self.log_base)

    def batched(self) -> Params:
        """The same numbers with a draws axis (of one draw when they had none)."""
        if self.draws is not None:
            return self
        return Params(self.prob[None], self.effect[None], self.log_base)

    def vector(self) -> np.ndarray:
        """(..., P + F): every number in slot order (probabilities, then effects)."""
        return np.concatenate([self.prob, self.effect], axis=-1)


@dataclass(frozen=True)
class Setting:
    """The evidence and interventions under which the network is read (indices, not ids).

    ``hard`` keeps only some of a driver's states (the one observed, or all but one ruled out);
    ``do`` fixes a driver's state; ``soft`` multiplies the weight of a driver's state by a
    ratio (several ratios on one state multiply); ``seen`` records each indicator observed seen
    (True) or not seen (False).
    """

    hard: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # driver -> states kept
    soft: Mapping[Condition, float] = field(default_factory=dict)  # (driver, state) -> ratio
    seen: Mapping[int, bool] = field(default_factory=dict)  # indicator -> observed
    do: Mapping[int, int] = field(default_factory=dict)  # driver -> state set by intervention

    def arrays(self, graph: Graph) -> dict[str, np.ndarray]:
        """The setting as fixed-shape arrays: the data a compiled model swaps in.

        ``driver_logw`` (T,) holds, for every entry of the state vector, what does not depend
        on the numbers: hard evidence, soft evidence and the do-operator's fixed state;
        ``cut`` (n,) marks drivers whose own factor the intervention removes; ``seen`` and
        ``unseen`` (M,) mark indicators.
        """
        logw = np.zeros(graph.total_states)
        offsets = graph.offsets

        def keep_only(i: int, states: tuple[int, ...]) -> None:
            others = [t for t in range(graph.sizes[i]) if t not in states]
            logw[[offsets[i] + t for t in others]] += IMPOSSIBLE

        for i, states in self.hard.items():
            if i not in self.do:  # hard evidence on a driver the what-if sets is set aside
                keep_only(i, states)
        for i, state in self.do.items():
            keep_only(i, (state,))
        for (i, state), ratio in self.soft.items():
            logw[offsets[i] + state] += np.log(ratio)
        cut = np.zeros(len(graph.drivers))
        cut[list(self.do)] = 1.0
        seen = np.zeros(len(graph.indicators))
        unseen = np.zeros(len(graph.indicators))
        for m, value in self.seen.items():
            (seen if value else unseen)[m] = 1.0
        return {"driver_logw": logw, "cut": cut, "seen": seen, "unseen": unseen}


SETTING_DATA = ("driver_logw", "cut", "seen", "unseen")  # the names Setting.arrays returns
