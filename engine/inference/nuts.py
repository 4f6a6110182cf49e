"""NUTS on the compiled PyMC model (``models/sampler.py``): the fallback, or every setting with
``inference.method: nuts``.

A setting whose run misses the bar (R-hat ≤ 1.01, bulk and tail ESS ≥ 400, no divergences) is
sampled once more with twice the draws and tuning and a target acceptance of at least 0.95; if
it still misses, its diagnostics say so. Analysis settings (a driver set true or false) first
try reweighting the main result's draws by Pareto-smoothed importance sampling, and are sampled
afresh only when those weights miss their bar.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from engine.inference import InferenceOptions
from engine.inference.answer import Answer, Sample
from engine.inference.budget import NUTS_BYTES, Budget, draw_bytes
from engine.inference.diagnostics import Diagnostics
from engine.inference.estimates import chain_diagnostics, summaries
from engine.inference.importance import condition_of, weigh
from engine.inference.network import Network
from models.elimination import Eliminator, Prepared
from models.graph import Setting


class NutsEvaluator:
    """Answers a setting by sampling the numbers' posterior with NUTS."""

    def __init__(self, network: Network, options: InferenceOptions):
        eliminator = Eliminator(network.graph)
        eliminator.check_width(pruned=False)  # the model sums every driver: before PyMC loads
        from models.sampler import KEPT, compiled_network  # PyMC only when sampling

        budget = Budget.of_mib(options.memory_mib)
        need = NUTS_BYTES + 2 * options.draws * options.chains * draw_bytes(eliminator)
        if not budget.fits(need):  # checked before PyMC is imported or anything compiled
            raise budget.refuse("NUTS", need)
        self.network = network
        self.options = options
        self.eliminator = eliminator
        self.compiled = compiled_network(network.graph, keep=KEPT)
        self.prior_data = network.prior_data()
        uncertain = set(network.uncertain_slots)
        self._uncertain = np.array([s in uncertain for s in network.layout.slots], dtype=bool)
        self._main: tuple[Answer, Prepared, np.ndarray] | None = None

    def __call__(self, setting: Setting, *, analysis: bool = False) -> Answer:
        data = {**self.prior_data, **setting.arrays(self.network.graph)}
        answer = None
        if analysis and self._main is not None:
            answer = self._reweighted(data)
        if answer is None or not answer.reliable:
            answer = self._sampled(data)
        return answer

    def _reweighted(self, data: dict) -> Answer:
        """The main result's draws reweighted to this setting."""
        started = time.perf_counter()
        _, prepared, log_main = self._main
        marginals, weights, pareto_k, ess = weigh(prepared, data, log_main, drivers=False)
        diagnostics = Diagnostics(
            "importance",
            draws=prepared.draws,
            ess=ess,
            pareto_k=pareto_k,
            seconds=time.perf_counter() - started,
        )
        return condition_of(self.network, prepared, marginals, weights, diagnostics)

    def _sampled(self, data: dict) -> Answer:
        options = self.options
        answer = self._sample(data, options)
        if not answer.reliable:
            stronger = replace(
                options,
                draws=2 * options.draws,
                tune=2 * options.tune,
                target_accept=max(0.95, options.target_accept),
            )
            answer = self._sample(data, stronger)
            answer.diagnostics.retried = True
        return answer

    def _sample(self, data: dict, s: InferenceOptions) -> Answer:
        started = time.perf_counter()
        trace = self.compiled.sample(
            data,
            draws=s.draws,
            tune=s.tune,
            chains=s.chains,
            seed=s.seed,
            target_accept=s.target_accept,
        )
        prob, effect = trace.prob, trace.effect
        params = self.network.params(
            prob.reshape(-1, prob.shape[-1]), effect.reshape(-1, effect.shape[-1])
        )
        prepared = self.eliminator.prepare(params)
        marginals = prepared.marginals(data)
        theta = np.concatenate([prob, effect], axis=-1)[..., self._uncertain]
        outcomes = marginals.outcomes.reshape(s.chains, s.draws, -1)
        checks = chain_diagnostics(np.concatenate([theta, outcomes], axis=-1))
        diagnostics = Diagnostics(
            method="nuts",
            chains=s.chains,
            draws=s.draws,
            tune=s.tune,
            target_accept=s.target_accept,
            divergences=trace.divergences,
            seconds=time.perf_counter() - started,
            **checks,
        )
        size = s.chains * s.draws
        keys, drivers = self.network.reported(marginals.drivers)
        sample = Sample(
            params, marginals.outcomes, drivers, np.full(size, 1.0 / size), chains=s.chains
        )
        graph = self.network.graph
        answer = Answer(
            outcomes=dict(zip(graph.outcomes, summaries(marginals.outcomes, sample))),
            drivers=dict(zip(keys, summaries(drivers, sample))),
            diagnostics=diagnostics,
            params=params,
            sample=sample,
        )
        if self._main is None:
            self._main = (answer, prepared, marginals.log_evidence)
        return answer

    def item_joints(self, answer: Answer, setting: Setting) -> np.ndarray:
        """(n + M, K): P(Y = k, X = true | e), averaged over the answer's draws."""
        prepared = self.eliminator.prepare(answer.params)
        return prepared.item_joints(setting.arrays(self.network.graph), answer.sample.weights)
