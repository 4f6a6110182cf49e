"""Every number fixed: exact variable elimination, no draws (SPEC §4)."""

from __future__ import annotations

import time

import numpy as np

from engine.inference.answer import Answer, Summary
from engine.inference.diagnostics import Diagnostics
from engine.inference.network import Network
from models.elimination import Eliminator
from models.graph import Setting


class ExactEvaluator:
    """Answers a setting by summing the driver states out: every number is fixed."""

    def __init__(self, network: Network):
        self.network = network
        self.params = network.params()
        self.prepared = Eliminator(network.graph).prepare(self.params)

    def __call__(self, setting: Setting, *, analysis: bool = False) -> Answer:
        started = time.perf_counter()
        graph = self.network.graph
        # an analysis setting needs only the outcomes: no sum per driver (SPEC §9)
        marginals = self.prepared.marginals(setting.arrays(graph), drivers=not analysis)
        drivers = {} if analysis else dict(zip(*self._drivers(marginals)))
        answer = Answer(
            outcomes={k: Summary.exact(p) for k, p in zip(graph.outcomes, marginals.outcomes[0])},
            drivers={d: Summary.exact(p) for d, p in drivers.items()},
            diagnostics=Diagnostics("exact", seconds=time.perf_counter() - started),
            params=self.params,
        )
        return answer

    def _drivers(self, marginals) -> tuple[list[str], np.ndarray]:
        keys, columns = self.network.reported(marginals.drivers)
        return keys, columns[0] if len(columns) else []

    def item_joints(self, answer: Answer, setting: Setting) -> np.ndarray:
        """(n + M, K): P(Y = k, X = true | e) for each driver and indicator X."""
        return self.prepared.item_joints(setting.arrays(self.network.graph), np.ones(1))
