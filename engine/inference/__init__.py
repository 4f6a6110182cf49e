"""How a setting's numbers are computed: the evaluators of the methods registry
(:mod:`engine.scenario.methods`), one module per method.

An *evaluator* answers one setting (evidence and interventions) with an
:class:`engine.inference.answer.Answer`; an analysis setting (``analysis=True``, a driver set to
a value) only needs the outcomes' probabilities, so its answer has no driver summaries. Which
one the runner uses:

- every number fixed: :class:`~engine.inference.exact.ExactEvaluator`, exact variable
  elimination, no draws, whatever the method asked for;
- ``auto`` (the default): :class:`~engine.inference.auto.AutoEvaluator`, importance sampling
  from one set of prior draws shared by every setting; for a setting whose weights miss the bar
  more prior draws, then the adaptive step (a posterior-shaped proposal,
  :mod:`engine.inference.adaptive`, whose draws the later settings share), then NUTS;
- ``importance``: importance sampling from the prior only (a setting that misses the bar says
  so);
- ``adaptive``: the posterior-shaped proposal for every setting, never NUTS;
- ``nuts``: NUTS for every setting.

Every step's memory is checked against ``inference.memory_mib`` before it starts
(:mod:`engine.inference.budget`).

Importing this package is light: each evaluator's module (NumPy, and PyMC for NUTS) is loaded
when it is chosen.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from engine.scenario.methods import CHOICES
from engine.scenario.schema import Inference, Scenario

if TYPE_CHECKING:
    from engine.inference.network import Network


@dataclass(frozen=True)
class InferenceOptions:
    """The scenario's ``inference`` block, with any override from the command line.

    Its fields, defaults and limits are the schema's (:class:`engine.scenario.schema.Inference`).
    """

    method: str
    draws: int
    tune: int
    chains: int
    seed: int
    target_accept: float
    memory_mib: int

    @property
    def prior_draws(self) -> int:
        """Importance sampling's first set of prior draws: as many as NUTS would keep."""
        return self.draws * self.chains

    @classmethod
    def of(
        cls, scenario: Scenario | None = None, **overrides: int | str | None
    ) -> InferenceOptions:
        """The scenario's block (the schema's defaults without one); each override that is not
        None replaces its key."""
        block = scenario.inference if scenario is not None else Inference()
        values = {f.name: getattr(block, f.name) for f in fields(cls)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


# The evaluator of each choice: "module:class", loaded when chosen (one entry per CHOICES).
EVALUATORS = {
    "auto": "engine.inference.auto:AutoEvaluator",
    "importance": "engine.inference.auto:ImportanceOnly",
    "adaptive": "engine.inference.auto:AdaptiveOnly",
    "nuts": "engine.inference.nuts:NutsEvaluator",
}
assert tuple(EVALUATORS) == CHOICES, "every method a scenario may ask for has an evaluator"


def evaluator_for(network: Network, options: InferenceOptions):
    """The evaluator for a network: exact when every number is fixed, else by ``method``."""
    if network.all_fixed:
        from engine.inference.exact import ExactEvaluator

        return ExactEvaluator(network)
    if options.method not in EVALUATORS:
        raise ValueError(f"unknown method {options.method!r}: expected one of {', '.join(CHOICES)}")
    module, name = EVALUATORS[options.method].split(":")
    return getattr(importlib.import_module(module), name)(network, options)
