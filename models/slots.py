"""Names of a graph's numbers, as the key paths of the scenario file (SPEC §9).

Probability slots come in the order: each driver's ``p``, each indicator's ``if_true``, each
indicator's ``if_false``. Effect slots: each cause arrow, then each outcome arrow.
"""

from __future__ import annotations

from models.network import Graph


def probability_slots(graph: Graph) -> list[str]:
    return (
        [f"drivers.{d}.p" for d in graph.drivers]
        + [f"indicators.{i}.if_true" for i in graph.indicators]
        + [f"indicators.{i}.if_false" for i in graph.indicators]
    )


def effect_slots(graph: Graph) -> list[str]:
    d, k = graph.drivers, graph.outcomes
    return [f"drivers.{d[c]}.causes.{d[p]}" for c, p in graph.causes] + [
        f"outcomes.{k[o]}.drivers.{d[j]}" for o, j in graph.effects
    ]
