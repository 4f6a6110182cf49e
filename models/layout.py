"""Where a graph's numbers live: their names, their order, and the data a model reads.

The one statement of the parameter layout (everything else imports it):

- *probability slots*, in order: each driver's ``p``, each indicator's ``if_true``, each
  indicator's ``if_false``;
- *effect slots*, in order: each cause arrow, then each outcome arrow;
- a slot is named by its key path in the scenario file (SPEC §9), e.g. ``drivers.a.p``.

:data:`PRIOR_DATA` are the names of the priors as a compiled model's data;
``models.graph.SETTING_DATA`` are the names of a setting's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from models.graph import Graph, Params

PRIOR_DATA = (
    "prob_alpha",
    "prob_beta",
    "prob_fixed",
    "prob_is_fixed",
    "effect_mu",
    "effect_sigma",
    "effect_fixed",
    "effect_is_fixed",
    "log_base",
)


@dataclass(frozen=True)
class Layout:
    """The slots of a graph's numbers, and the conversions between slot vectors and Params."""

    graph: Graph

    @cached_property
    def prob_slots(self) -> tuple[str, ...]:
        g = self.graph
        return tuple(
            [f"drivers.{d}.p" for d in g.drivers]
            + [f"indicators.{i}.if_true" for i in g.indicators]
            + [f"indicators.{i}.if_false" for i in g.indicators]
        )

    @cached_property
    def effect_slots(self) -> tuple[str, ...]:
        d, k = self.graph.drivers, self.graph.outcomes
        return tuple(
            [f"drivers.{d[c]}.causes.{d[p]}" for c, p in self.graph.causes]
            + [f"outcomes.{k[o]}.drivers.{d[j]}" for o, j in self.graph.effects]
        )

    @property
    def slots(self) -> tuple[str, ...]:
        """Every slot: probabilities, then effects."""
        return self.prob_slots + self.effect_slots

    def params(self, prob: np.ndarray, effect: np.ndarray, log_base: np.ndarray) -> Params:
        """Numbers from slot vectors ``prob`` (..., P) and ``effect`` (..., F)."""
        n, m, e = len(self.graph.drivers), len(self.graph.indicators), len(self.graph.causes)
        prob, effect = np.asarray(prob, dtype=float), np.asarray(effect, dtype=float)
        return Params(
            p=prob[..., :n],
            cause=effect[..., :e],
            effect=effect[..., e:],
            log_base=np.asarray(log_base, dtype=float),
            if_true=prob[..., n : n + m],
            if_false=prob[..., n + m :],
        )

    def vector(self, params: Params) -> np.ndarray:
        """(..., P + F): every number in slot order."""
        return np.concatenate(
            [params.p, params.if_true, params.if_false, params.cause, params.effect], axis=-1
        )
