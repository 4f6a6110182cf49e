"""Where a graph's numbers live: their names, their order, and the data a model reads.

The one statement of the parameter layout (everything else imports it):

- *probability slots* (:attr:`models.graph.Graph.prob_slots`), in driver order, each driver's
  own (a binary driver's ``p``; a multi-state driver's states' ``p``; a table's rows in
  canonical order, each row's states; a noisy-OR's leak and causes), then each indicator's
  ``if_true``, then each indicator's ``if_false``;
- *effect slots* (:attr:`models.graph.Graph.effect_slots`): every effect on a driver's (or a
  state's) log-odds, in driver order, then every effect on an outcome;
- a slot is named by its key path in the scenario file (SPEC §9, §11.6), e.g. ``drivers.a.p``.

:data:`PRIOR_DATA` are the names of the priors as a compiled model's data;
``models.graph.SETTING_DATA`` are the names of a setting's data.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def prob_slots(self) -> tuple[str, ...]:
        return self.graph.prob_slots

    @property
    def effect_slots(self) -> tuple[str, ...]:
        return self.graph.effect_slots

    @property
    def slots(self) -> tuple[str, ...]:
        """Every slot: probabilities, then effects."""
        return self.prob_slots + self.effect_slots

    def params(self, prob: np.ndarray, effect: np.ndarray, log_base: np.ndarray) -> Params:
        """Numbers from slot vectors ``prob`` (..., P) and ``effect`` (..., F)."""
        return Params(
            np.asarray(prob, dtype=float),
            np.asarray(effect, dtype=float),
            np.asarray(log_base, dtype=float),
        )

    def vector(self, params: Params) -> np.ndarray:
        """(..., P + F): every number in slot order."""
        return params.vector()
