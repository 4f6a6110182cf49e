"""How a setting's numbers are computed: exact, importance sampling, or NUTS (SPEC §4, §8).

An *evaluator* answers one setting (evidence and interventions) with a
:class:`engine.result.Answer`; an analysis setting (``analysis=True``, a driver set true or
false) only needs the outcomes' probabilities, so its condition has no driver summaries.
Which one the runner uses:

- every number fixed: :class:`~engine.inference.exact.ExactEvaluator`, exact variable
  elimination, no draws;
- ``inference.method: auto`` (the default): :class:`~engine.inference.auto.AutoEvaluator`.
  Importance sampling from one set of prior draws shared by every setting; a setting whose
  weights miss the bar (Pareto k > 0.7 or ESS < 400) gets more prior draws, then NUTS;
- ``importance``: importance sampling only (a setting that misses the bar says so);
- ``nuts``: NUTS for every setting, as the first versions of Signpost did.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.inference.network import Network
from engine.scenario.schema import Scenario

METHODS = ("auto", "importance", "nuts")


@dataclass(frozen=True)
class InferenceOptions:
    """The scenario's ``inference`` block, with any override from the command line."""

    method: str = "auto"
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int = 20220107
    target_accept: float = 0.9

    @property
    def prior_draws(self) -> int:
        """Importance sampling's first set of prior draws: as many as NUTS would keep."""
        return self.draws * self.chains

    @classmethod
    def of(cls, scenario: Scenario, **overrides: int | str | None) -> InferenceOptions:
        """The scenario's block; each override that is not None replaces its key."""
        own = scenario.inference
        values = {
            "method": own.method,
            "draws": own.draws,
            "tune": own.tune,
            "chains": own.chains,
            "seed": own.seed,
            "target_accept": own.target_accept,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def evaluator_for(network: Network, options: InferenceOptions):
    """The evaluator for a network: exact when every number is fixed, else by ``method``."""
    if network.all_fixed:
        from engine.inference.exact import ExactEvaluator

        return ExactEvaluator(network)
    if options.method == "nuts":
        from engine.inference.nuts import NutsEvaluator

        return NutsEvaluator(network, options)
    from engine.inference.auto import AutoEvaluator

    return AutoEvaluator(network, options, fallback=options.method == "auto")
