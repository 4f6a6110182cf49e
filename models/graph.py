"""A network's structure, its numbers and the settings it is read under (SPEC §4). No PyMC.

- :class:`Graph` is what a compiled model depends on: ids and arrows, never numbers or evidence.
- :class:`Params` holds the numbers, each array with an optional leading draws axis.
- :class:`Setting` is the evidence and the interventions, by index; :meth:`Setting.arrays`
  gives them as the fixed-shape data that every evaluator (NumPy or PyMC) reads.

Every piece of evidence bears on one driver, so a setting is a per-driver *unary* log-weight
(hard evidence and an intervention's fixed value rule a state out, soft evidence multiplies
the state where the driver holds by its ratio), a per-driver ``cut`` (an intervention removes
the driver's own factor) and the indicators seen or not seen. Nothing in a setting grows with
the number of driver states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

IMPOSSIBLE = -1e6  # log-weight of a state the evidence rules out (finite keeps gradients clean)


@dataclass(frozen=True)
class Graph:
    """What a compiled model depends on: ids and arrows, never numbers or evidence."""

    drivers: tuple[str, ...]
    outcomes: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    signals: tuple[int, ...] = ()  # indicator -> index of its driver
    causes: tuple[tuple[int, int], ...] = ()  # (child, parent) driver indices
    effects: tuple[tuple[int, int], ...] = ()  # (outcome index, driver index)

    @cached_property
    def parents(self) -> tuple[tuple[int, ...], ...]:
        """Each driver's parents, in the order of ``causes``."""
        return tuple(
            tuple(parent for child, parent in self.causes if child == i)
            for i in range(len(self.drivers))
        )

    @cached_property
    def config_owner(self) -> np.ndarray:
        """(C,): the driver each parent configuration belongs to (2^k rows for k parents).

        Driver i's configurations are consecutive; in each, parent ``parents[i][b]`` holds when
        bit b of the configuration's number is set.
        """
        return np.concatenate([np.full(2 ** len(ps), i) for i, ps in enumerate(self.parents)])

    @cached_property
    def config_offsets(self) -> tuple[int, ...]:
        """Where each driver's configurations start in the (C,) table, and C at the end."""
        sizes = [2 ** len(ps) for ps in self.parents]
        return tuple(int(x) for x in np.concatenate([[0], np.cumsum(sizes)]))

    @cached_property
    def config_cause(self) -> np.ndarray:
        """(C, E): 1 where a configuration has the parent of that cause arrow holding."""
        rows = []
        for i, ps in enumerate(self.parents):
            arrows = [e for e, (child, _) in enumerate(self.causes) if child == i]
            for code in range(2 ** len(ps)):
                row = np.zeros(len(self.causes))
                for bit, e in enumerate(arrows):
                    row[e] = (code >> bit) & 1
                rows.append(row)
        return np.array(rows).reshape(len(rows), len(self.causes))

    @cached_property
    def outcome_drivers(self) -> tuple[int, ...]:
        """The drivers with an effect on some outcome, in driver order."""
        return tuple(sorted({j for _, j in self.effects}))

    @cached_property
    def signal_map(self) -> np.ndarray:
        """(M, n): 1 where indicator m signals driver i."""
        out = np.zeros((len(self.indicators), len(self.drivers)))
        out[np.arange(len(self.signals)), list(self.signals)] = 1.0
        return out


@dataclass
class Params:
    """Numbers of a network; each array may carry a leading draws dimension."""

    p: np.ndarray  # (..., n) probability of each driver when none of its causes hold
    cause: np.ndarray  # (..., E) effect on the child's log-odds
    effect: np.ndarray  # (..., F) effect on the outcome's log-odds
    log_base: np.ndarray  # (K,)
    if_true: np.ndarray  # (..., M)
    if_false: np.ndarray  # (..., M)

    @property
    def draws(self) -> int | None:
        """The number of draws, or None when the numbers carry no draws axis."""
        return None if np.ndim(self.p) == 1 else int(np.shape(self.p)[0])

    def take(self, part: slice | np.ndarray) -> Params:
        """The draws at ``part`` (a slice or an index array)."""
        return Params(
            p=self.p[part],
            cause=self.cause[part],
            effect=self.effect[part],
            log_base=self.log_base,
            if_true=self.if_true[part],
            if_false=self.if_false[part],
        )

    def batched(self) -> Params:
        """The same numbers with a draws axis (of one draw when they had none)."""
        if self.draws is not None:
            return self
        return Params(
            p=self.p[None],
            cause=self.cause[None],
            effect=self.effect[None],
            log_base=self.log_base,
            if_true=self.if_true[None],
            if_false=self.if_false[None],
        )


@dataclass(frozen=True)
class Setting:
    """The evidence and interventions under which the network is read (indices, not ids)."""

    hard: Mapping[int, bool] = field(default_factory=dict)  # driver -> observed
    soft: Mapping[int, float] = field(default_factory=dict)  # driver -> likelihood ratio
    seen: Mapping[int, bool] = field(default_factory=dict)  # indicator -> observed
    do: Mapping[int, bool] = field(default_factory=dict)  # driver -> set by intervention

    def arrays(self, graph: Graph) -> dict[str, np.ndarray]:
        """The setting as fixed-shape arrays: the data a compiled model swaps in.

        ``driver_logw`` (n, 2) holds what does not depend on the numbers, for each driver not
        holding (column 0) and holding (column 1): hard evidence, soft evidence and the
        do-operator's fixed value; ``cut`` (n,) marks drivers whose own factor the intervention
        removes; ``seen``/``unseen`` (M,) mark indicators.
        """
        n = len(graph.drivers)
        logw = np.zeros((n, 2))
        for i, value in self.hard.items():
            if i not in self.do:  # hard evidence on a driver the what-if sets is set aside
                logw[i, 0 if value else 1] += IMPOSSIBLE
        for i, value in self.do.items():
            logw[i, 0 if value else 1] += IMPOSSIBLE
        for i, ratio in self.soft.items():
            logw[i, 1] += np.log(ratio)
        cut = np.zeros(n)
        cut[list(self.do)] = 1.0
        seen = np.zeros(len(graph.indicators))
        unseen = np.zeros(len(graph.indicators))
        for m, value in self.seen.items():
            (seen if value else unseen)[m] = 1.0
        return {"driver_logw": logw, "cut": cut, "seen": seen, "unseen": unseen}


SETTING_DATA = ("driver_logw", "cut", "seen", "unseen")  # the names Setting.arrays returns
