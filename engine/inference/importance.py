"""Importance sampling: one set of prior draws, weighted by P(e | θ) for each setting.

The numbers θ are drawn from their priors once per run (``chains × draws`` of them, seeded).
Everything no setting changes — each driver's log P(D_i | parents, θ), the outcome table
P(Y | drivers, θ) — is computed once for those draws (``models.elimination.Prepared``); a
setting then costs one exact sum over the driver states per draw, which gives log P(e | θ),
q_k(θ) and P(D_i | e, θ). The weights are P(e | θ), Pareto-smoothed (PSIS); the setting is
reliable when the Pareto k-hat is at most 0.7 and the effective sample size at least 400.

A setting that misses the bar is tried again on a larger set of prior draws (4× and 16×, as
the run's memory budget allows, every size tried being kept for the run's other settings:
``engine.inference.budget``), which extends the first set (the same first draws). A first set
that does not fit the budget is refused before it is drawn.
"""

from __future__ import annotations

import time

import numpy as np

from engine.inference import InferenceOptions
from engine.inference.answer import Answer, Sample
from engine.inference.budget import Budget, draw_bytes
from engine.inference.diagnostics import Diagnostics
from engine.inference.draws import prior_draws
from engine.inference.estimates import effective_sample_size, smoothed_weights, summaries
from engine.inference.network import Network
from models.elimination import Eliminator, Marginals, Prepared
from models.graph import Setting

GROWTH = (1, 4, 16)  # the sizes tried, as multiples of the first set


def weigh(
    prepared: Prepared, data: dict, log_proposal: np.ndarray | None = None, drivers: bool = True
) -> tuple[Marginals, np.ndarray, float, float]:
    """A setting on a set of draws: its marginals, smoothed weights, Pareto k-hat and ESS.

    The draws come from the prior unless ``log_proposal`` gives, per draw, the log-likelihood
    under which they were drawn (the main setting's, for NUTS draws). Without ``drivers``, the
    drivers' probabilities are left out (the analysis reads only the outcomes').
    """
    answer = prepared.marginals(data, drivers)
    log_ratios = answer.log_evidence - (0.0 if log_proposal is None else log_proposal)
    weights, pareto_k = smoothed_weights(log_ratios)
    return answer, weights, pareto_k, effective_sample_size(weights)


def condition_of(
    network: Network,
    prepared: Prepared,
    answer: Marginals,
    weights: np.ndarray,
    diagnostics: Diagnostics,
) -> Answer:
    """The summaries of a weighted set of draws."""
    keys, drivers = network.reported(answer.drivers)
    sample = Sample(prepared.params, answer.outcomes, drivers, weights)
    return Answer(
        outcomes=dict(zip(network.graph.outcomes, summaries(answer.outcomes, sample))),
        drivers=dict(zip(keys, summaries(drivers, sample))) if keys else {},
        diagnostics=diagnostics,
        params=prepared.params,
        sample=sample,
    )


class ImportanceEvaluator:
    """Answers settings by reweighting prior draws that every setting shares."""

    def __init__(
        self,
        network: Network,
        options: InferenceOptions,
        reserve: int = 0,
        eliminator: Eliminator | None = None,
    ):
        """``reserve``: bytes of the budget that later steps of the run keep for themselves
        (the larger sets must leave them free)."""
        self.network = network
        self.options = options
        self.eliminator = eliminator or Eliminator(network.graph)
        self.budget = Budget.of_mib(options.memory_mib)
        first, per_draw = options.prior_draws, draw_bytes(self.eliminator)
        if not self.budget.fits(first * per_draw):
            what = f"importance sampling with {first} prior draws"
            raise self.budget.refuse(what, first * per_draw)
        self.sizes, held = [first], first * per_draw
        for size in (first * g for g in GROWTH[1:]):  # every size tried stays held for the run
            if self.budget.fits(size * per_draw, held + reserve):
                self.sizes.append(size)
                held += size * per_draw
        self._prepared: dict[int, Prepared] = {}

    def held(self) -> int:
        """Bytes the prepared sets of this run hold now."""
        return sum(size for size in self._prepared) * draw_bytes(self.eliminator)

    def prepared(self, size: int) -> Prepared:
        """The first ``size`` prior draws of this run, prepared (once) for every setting."""
        if size not in self._prepared:
            params = prior_draws(self.network, size, self.options.seed)
            self._prepared[size] = self.eliminator.prepare(params)
        return self._prepared[size]

    def __call__(
        self, setting: Setting, *, analysis: bool = False, sizes: list[int] | None = None
    ) -> Answer:
        """The setting on the first set of prior draws, then on each larger one (of ``sizes``,
        all by default) until one meets the bar; the last one tried otherwise."""
        data = setting.arrays(self.network.graph)
        for size in self.sizes if sizes is None else sizes:
            started = time.perf_counter()
            prepared = self.prepared(size)
            answer, weights, pareto_k, ess = weigh(prepared, data, drivers=not analysis)
            diagnostics = Diagnostics(
                "importance",
                draws=size,
                ess=ess,
                pareto_k=pareto_k,
                retried=size != self.sizes[0],
                seconds=time.perf_counter() - started,
            )
            condition = condition_of(self.network, prepared, answer, weights, diagnostics)
            if condition.reliable:
                break
        return condition

    def item_joints(self, condition: Answer, setting: Setting) -> np.ndarray:
        """(n + M, K): P(Y = k, X = true | e) for each driver and indicator X, averaged over
        the condition's weighted draws (so observing X updates θ too)."""
        prepared = self.prepared(len(condition.sample.weights))
        return prepared.item_joints(setting.arrays(self.network.graph), condition.sample.weights)
