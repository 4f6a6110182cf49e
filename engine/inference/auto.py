"""The default method: importance sampling, with NUTS for a setting that misses the bar."""

from __future__ import annotations

import numpy as np

from engine.inference import InferenceOptions
from engine.inference.answer import Answer
from engine.inference.importance import ImportanceEvaluator
from engine.inference.network import Network
from models.graph import Setting


class AutoEvaluator:
    """Importance sampling first; NUTS on the compiled PyMC model when a setting's weights
    miss the bar even with more prior draws (only with ``fallback``)."""

    def __init__(self, network: Network, options: InferenceOptions, *, fallback: bool = True):
        self.network = network
        self.options = options
        self.fallback = fallback
        self.importance = ImportanceEvaluator(network, options)
        self._nuts = None

    @property
    def nuts(self):
        if self._nuts is None:
            from engine.inference.nuts import NutsEvaluator  # PyMC only when a setting needs it

            self._nuts = NutsEvaluator(self.network, self.options)
        return self._nuts

    def __call__(self, setting: Setting, *, analysis: bool = False) -> Answer:
        condition = self.importance(setting, analysis=analysis)
        if not condition.reliable and self.fallback:
            condition = self.nuts(setting, analysis=analysis)
        return condition

    def item_joints(self, condition: Answer, setting: Setting) -> np.ndarray:
        if condition.sample.chains:
            return self.nuts.item_joints(condition, setting)
        return self.importance.item_joints(condition, setting)


class ImportanceOnly(AutoEvaluator):
    """``inference.method: importance``: importance sampling only; a setting whose weights miss
    the bar says so instead of falling back to NUTS."""

    def __init__(self, network: Network, options: InferenceOptions):
        super().__init__(network, options, fallback=False)
