"""The default method, and the choices that leave its later steps out.

A setting is answered by the first step that meets its bar:

1. the run's first set of prior draws, reweighted (``engine.inference.importance``);
2. the draws of the run's shared posterior-shaped proposal, reweighted (once a setting has
   needed the adaptive step: ``engine.inference.adaptive``);
3. more prior draws (4×, 16×, as memory allows) — the smallest size predicted to meet the bar,
   and only when one is: the first set's Pareto k-hat within 0.7 (its weights' tail can be
   trusted, so the ESS grows with the draws) and its ESS times the growth at least 1.2 × 400;
4. a proposal fitted to this setting (the adaptive step);
5. any larger set of prior draws not tried yet;
6. NUTS on the compiled PyMC model (``engine.inference.nuts``), the last resort.

More prior draws are tried before the adaptive step only where they are predicted to be
enough, because where evidence piles up they are not and cost the most: on the evidence-rich
benchmark (``benchmarks/scenarios/rich_24.yaml``, 33 settings) trying 4× and 16× the draws for
every setting took 44 s on a loaded 2-core machine, one proposal fitted once and reweighted for
every setting a few seconds.

Each step's memory is checked before it starts (``engine.inference.budget``); a step that would
not fit is left out, and the setting's answer — the best of the steps that ran, unreliable —
says which step was left out and why (``Diagnostics.refused``).
"""

from __future__ import annotations

import numpy as np

from engine.inference import InferenceOptions
from engine.inference.adaptive import AdaptiveEvaluator
from engine.inference.answer import Answer
from engine.inference.budget import NUTS_BYTES, Budget, draw_bytes
from engine.inference.diagnostics import ESS_MIN, PARETO_K_MAX
from engine.inference.importance import ImportanceEvaluator
from engine.inference.network import Network
from models.elimination import Eliminator
from models.graph import Setting


class AutoEvaluator:
    """Prior draws first, then the adaptive step, then NUTS (each only with its flag)."""

    def __init__(
        self,
        network: Network,
        options: InferenceOptions,
        *,
        adaptive: bool = True,
        fallback: bool = True,
        prior_first: bool = True,
    ):
        self.network = network
        self.options = options
        self.budget = Budget.of_mib(options.memory_mib)
        eliminator = Eliminator(network.graph)
        self.adaptive = AdaptiveEvaluator(network, options, eliminator) if adaptive else None
        # the adaptive step's memory is kept free of the larger sets of prior draws
        reserve = 0
        if self.adaptive is not None and self.adaptive.affordable() is None:
            reserve = self.adaptive.need()
        self.importance = ImportanceEvaluator(network, options, reserve, eliminator)
        self.fallback = fallback
        self.prior_first = prior_first
        self._nuts = None

    @property
    def nuts(self):
        if self._nuts is None:
            from engine.inference.nuts import NutsEvaluator  # PyMC only when a setting needs it

            self._nuts = NutsEvaluator(self.network, self.options)
        return self._nuts

    def __call__(self, setting: Setting, *, analysis: bool = False) -> Answer:
        sizes = self.importance.sizes
        answer = self.importance(setting, analysis=analysis, sizes=sizes[:1])
        if answer.reliable and self.prior_first:
            return answer
        refused: list[str] = []
        reused = None
        if self.adaptive is not None:
            reused = self.adaptive.reuse(setting, analysis=analysis)
            if reused is not None and reused.reliable:
                return reused
        larger = sizes[1:] if self.prior_first else []
        if self.adaptive is not None:  # only the size predicted to be enough, before the step
            enough = [size for size in larger if _enough(answer, size)]
            if enough:
                answer = self.importance(setting, analysis=analysis, sizes=enough[:1])
                if answer.reliable:
                    return answer
            larger = [size for size in larger if size > answer.diagnostics.draws]
            why = self.adaptive.affordable(held=self.importance.held())
            if why is None:
                fitted = self.adaptive.fitted(
                    setting, analysis=analysis, prior=answer, reused=reused
                )
                if fitted.reliable or not self.prior_first or _better(fitted, answer):
                    answer = fitted
                if answer.reliable:
                    return answer
            else:
                refused.append(why)
        if larger:
            grown = self.importance(setting, analysis=analysis, sizes=larger)
            # more prior draws estimate better than fewer, met bar or not; a proposal's
            # answer is kept if it is the better of the two
            if answer.diagnostics.method != "adaptive" or _better(grown, answer):
                answer = grown
            if answer.reliable:
                return answer
        if self.fallback:
            why = self._nuts_refusal()
            if why is None:
                return self.nuts(setting, analysis=analysis)
            refused.append(why)
        answer.diagnostics.refused = tuple(refused)
        return answer

    def _nuts_refusal(self) -> str | None:
        """None when NUTS fits the memory budget beside what the run holds, else the sentence
        saying why not."""
        if self._nuts is not None:
            return None
        from models.elimination import TooWide

        try:  # the PyMC model sums every driver at once, whatever the evidence
            self.importance.eliminator.check_width(pruned=False)
        except TooWide as error:
            return f"NUTS not run: its model sums every driver at once, and {error}"
        held = self.importance.held() + (self.adaptive.held() if self.adaptive else 0)
        need = NUTS_BYTES + 2 * self.options.prior_draws * draw_bytes(self.importance.eliminator)
        return None if self.budget.fits(need, held) else self.budget.refusal("NUTS", held + need)

    def item_joints(self, answer: Answer, setting: Setting) -> np.ndarray:
        method = answer.diagnostics.method
        if method == "nuts":
            return self.nuts.item_joints(answer, setting)
        if method == "adaptive":
            return self.adaptive.item_joints(answer, setting)
        return self.importance.item_joints(answer, setting)


def _enough(answer: Answer, size: int) -> bool:
    """Whether ``size`` prior draws are predicted to meet the bar, from a smaller set's
    diagnostics: a tail that can be trusted (k-hat ≤ 0.7) and ESS × growth ≥ 1.2 × 400."""
    d = answer.diagnostics
    if d.pareto_k is None or not d.pareto_k <= PARETO_K_MAX or not d.ess:
        return False
    return d.ess * size / d.draws >= 1.2 * ESS_MIN


def _better(one: Answer, other: Answer) -> bool:
    """The smaller Pareto k-hat (the weights one can trust more), then the larger ESS."""
    a, b = one.diagnostics, other.diagnostics
    return (a.pareto_k, -(a.ess or 0)) < (b.pareto_k, -(b.ess or 0))


class ImportanceOnly(AutoEvaluator):
    """``inference.method: importance``: importance sampling from the prior only; a setting
    whose weights miss the bar says so."""

    def __init__(self, network: Network, options: InferenceOptions):
        super().__init__(network, options, adaptive=False, fallback=False)


class AdaptiveOnly(AutoEvaluator):
    """``inference.method: adaptive``: every setting answered by the adaptive step (the prior
    draws only start it), never NUTS; a setting that misses the bar says so."""

    def __init__(self, network: Network, options: InferenceOptions):
        super().__init__(network, options, fallback=False, prior_first=False)
