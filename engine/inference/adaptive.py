"""The adaptive step: importance sampling from a proposal shaped like the posterior.

When prior draws miss the bar (every observation multiplies the weights by one more factor, and
the effective sample size falls roughly exponentially with the number of observations), a
Student-t proposal q (``engine.inference.proposal``) is fitted to the posterior in the
coordinates where every prior is a standard normal (``engine.inference.coordinates``), over the
coordinates the evidence informs; every other number is drawn from its prior. Its draws are
weighted by p(θ)·P(e | θ) / q(θ), Pareto-smoothed, and judged by the importance bar of SPEC §4
(k-hat ≤ 0.7, ESS ≥ 400), like prior draws.

The fit, for one setting:

1. a start: the weighted mean and covariance of the prior draws (× 1.2) when they hold enough
   effective draws to estimate a covariance of the coordinates informed (k(k + 1)/2), else a
   Laplace start (the mode and 1.2 × the inverse Hessian, ``engine.inference.laplace``);
   (A setting that the run's shared proposal misses starts from that proposal refitted to
   its draws reweighted to the setting, and its Laplace start from the shared mode.)
2. up to three refits of the t on its own weighted draws (adaptive importance sampling),
   stopping as soon as the draws meet the bar with ESS ≥ 10% of the draws; if the first start
   never does, the Laplace start is tried too;
3. the best proposal once more with 4× the draws, as memory allows, if it still misses.

Sharing draws: the first setting of a run fitted this way (usually the main result) keeps its
proposal draws, and every later setting is first answered by reweighting them — what-ifs,
timeline points, influence settings. A number that setting's evidence does not inform (a driver
a what-if sets, an indicator not yet seen at a timeline point) is drawn from its prior instead
(the draws of that column replaced, so q_k sees the right numbers), and the weights use the
t's marginal over the rest. Each setting is judged on its own; one that misses is fitted anew.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

import numpy as np

from engine.inference import InferenceOptions
from engine.inference.answer import Answer
from engine.inference.budget import Budget, draw_bytes
from engine.inference.coordinates import Coordinates, log_prior
from engine.inference.diagnostics import Diagnostics
from engine.inference.draws import prior_draws
from engine.inference.estimates import effective_sample_size, smoothed_weights
from engine.inference.importance import condition_of
from engine.inference.laplace import LogDensity, laplace
from engine.inference.network import Network
from engine.inference.proposal import SCALE, StudentT, refit, weighted_moments
from models.elimination import Eliminator, Marginals, Prepared
from models.graph import Setting

METHOD = "adaptive"  # its name in engine.scenario.methods
REFITS = 3  # refits of one start on its own weighted draws
GOOD_ENOUGH = 0.1  # ESS / draws at which a proposal that meets the bar is not refitted
GROWTH = 4  # the last try: the best proposal with this many times the draws
INFORMED = 1e-8  # a coordinate whose move changes log P(e | θ) by more than this is informed


@dataclass
class Draws:
    """One set of proposal draws with everything a setting needs to reweight them."""

    proposal: StudentT
    u: np.ndarray  # (S, k): the proposal's coordinates
    table: np.ndarray  # (S, P + F): every slot (the proposal's columns from u, the rest prior)
    prior: np.ndarray  # (S, P + F): the prior draws the rest came from
    prepared: Prepared

    @property
    def size(self) -> int:
        return len(self.u)


@dataclass
class Tried:
    """One proposal's answer to one setting, and the proposal's own weighted draws."""

    answer: Answer
    draws: Draws
    weights: np.ndarray
    ess: float

    @property
    def reliable(self) -> bool:
        return self.answer.reliable

    @property
    def efficiency(self) -> float:
        return self.ess / self.draws.size


class AdaptiveEvaluator:
    """Answers settings by importance sampling from posterior-shaped proposals, sharing the
    draws of the run's first proposal among settings wherever they meet the bar."""

    def __init__(self, network: Network, options: InferenceOptions, eliminator=None):
        self.network = network
        self.options = options
        self.eliminator = eliminator or Eliminator(network.graph)
        self.coordinates = Coordinates(network)
        self.budget = Budget.of_mib(options.memory_mib)
        self.shared: Draws | None = None
        self._replaced: tuple[tuple[int, ...], Prepared] | None = None  # the last reweighted
        self._counter = 0
        self._probed: Prepared | None = None

    # --- what a run's settings ask --------------------------------------------------------

    def need(self) -> int:
        """Bytes the step needs to start: at most four sets of draws at once (the shared one,
        the best tried so far, the one being tried, the shared one with columns from the prior:
        measured, 100 000 draws of the evidence-rich benchmark peaked at 4.8 GiB); its last try,
        4× the draws, is made only where that fits too."""
        return 4 * self._set_bytes(self.options.prior_draws)

    def affordable(self, held: int = 0) -> str | None:
        """None when the step fits the memory budget beside ``held`` bytes, else the sentence
        saying why not."""
        need = self.need()
        if self.budget.fits(need, held):
            return None
        return self.budget.refusal("the adaptive step", held + need)

    def held(self) -> int:
        """Bytes the shared draws hold now."""
        return self._held()

    def __call__(
        self, setting: Setting, *, analysis: bool = False, prior: Answer | None = None
    ) -> Answer:
        """The setting's answer: the shared draws reweighted if they meet the bar, else a
        proposal fitted to it (from the prior draws of ``prior`` when they can start one)."""
        reused = self.reuse(setting, analysis=analysis)
        if reused is not None and reused.reliable:
            return reused
        return self.fitted(setting, analysis=analysis, prior=prior, reused=reused)

    def reuse(self, setting: Setting, *, analysis: bool = False) -> Answer | None:
        """The run's shared proposal draws reweighted to this setting (None before any)."""
        if self.shared is None:
            return None
        return self.reweighted(setting.arrays(self.network.graph), analysis)

    def fitted(
        self,
        setting: Setting,
        *,
        analysis: bool = False,
        prior: Answer | None = None,
        reused: Answer | None = None,
    ) -> Answer:
        """A proposal fitted to this setting (started from the shared draws reweighted to it,
        ``reused``, or from the prior draws of ``prior``); the first that meets the bar is
        shared."""
        started = time.perf_counter()
        tried = self.fit(setting.arrays(self.network.graph), analysis, prior, reused)
        if self.shared is None and tried.reliable:
            self.shared = tried.draws
        tried.answer.diagnostics.seconds = time.perf_counter() - started
        return tried.answer

    def item_joints(self, answer: Answer, setting: Setting) -> np.ndarray:
        """(n + M, K): P(Y = k, X = true | e), averaged over the answer's weighted draws."""
        prepared = self.eliminator.prepare(answer.params)
        return prepared.item_joints(setting.arrays(self.network.graph), answer.sample.weights)

    # --- reweighting the shared draws -----------------------------------------------------

    def reweighted(self, data: dict, analysis: bool) -> Answer:
        """The run's shared proposal draws, reweighted to this setting.

        A proposal coordinate this setting's evidence does not inform must be drawn from its
        prior: where the setting reports something that depends on it, its column is replaced
        by the prior draws and the draws prepared again; where nothing it reports depends on it
        (the numbers of a driver a what-if sets, of an indicator not yet seen) only the
        numbers the answer keeps are replaced.
        """
        started = time.perf_counter()
        shared = self.shared
        columns, relevant = self.informed(data)
        proposal = shared.proposal
        kept = np.isin(proposal.columns, columns)
        free = proposal.columns[~kept]
        redrawn = tuple(int(c) for c in free if c in set(relevant.tolist()))
        prepared = shared.prepared if not redrawn else self._with_prior(shared, redrawn)
        marginals = prepared.marginals(data, drivers=not analysis)
        marginal = proposal.marginal(columns)
        u = shared.u[:, kept]
        log_ratios = log_prior(u) + marginals.log_evidence - marginal.logpdf(u)
        answer = self._answer(prepared, marginals, log_ratios, shared.size, started)[0]
        if len(free) > len(redrawn):  # the numbers kept are the prior's in every free column
            table = self.network.layout.vector(prepared.params)
            slots = self.coordinates.slots[free]
            table[:, slots] = shared.prior[:, slots]
            answer.params = answer.sample.params = self._params(table)
        return answer

    def _with_prior(self, shared: Draws, replaced: tuple[int, ...]) -> Prepared:
        """The shared draws with the coordinates ``replaced`` drawn from the prior instead."""
        if self._replaced is None or self._replaced[0] != replaced:
            slots = self.coordinates.slots[list(replaced)]
            table = shared.table.copy()
            table[:, slots] = shared.prior[:, slots]
            self._replaced = (replaced, self.eliminator.prepare(self._params(table)))
        return self._replaced[1]

    # --- fitting a proposal to one setting ------------------------------------------------

    def fit(
        self, data: dict, analysis: bool, prior: Answer | None, reused: Answer | None = None
    ) -> Tried:
        """The best of the proposals tried for this setting (see the module's steps)."""
        columns, _ = self.informed(data)
        size = self.options.prior_draws
        best: Tried | None = None
        for start in self._starts(data, columns, prior, reused):
            proposal = start()
            for attempt in range(REFITS + 1):
                tried = self._try(proposal, data, analysis, size)
                if best is None or _better(tried, best):
                    best = tried
                if tried.reliable and tried.efficiency >= GOOD_ENOUGH:
                    return tried
                if attempt < REFITS:
                    proposal = refit(proposal, tried.draws.u, tried.weights, tried.ess)
            if best.reliable:
                return best
        larger = GROWTH * size
        if self.budget.fits(self._set_bytes(larger), held=self._held() + 2 * self._set_bytes(size)):
            tried = self._try(best.draws.proposal, data, analysis, larger)
            tried.answer.diagnostics.retried = True
            if _better(tried, best):
                best = tried
        return best

    def _starts(self, data: dict, columns: np.ndarray, prior: Answer | None, reused: Answer | None):
        """The starting proposals, in the order tried (each built only when reached)."""
        if reused is not None and self.shared is not None:  # the shared one, refitted to it
            shared = self.shared.proposal
            kept = np.isin(shared.columns, columns)
            weights = reused.sample.weights
            ess = effective_sample_size(weights)
            yield lambda: refit(shared.marginal(columns), self.shared.u[:, kept], weights, ess)
        if prior is not None and prior.sample is not None:
            weights = prior.sample.weights
            k = len(columns)
            if effective_sample_size(weights) >= max(4 * (k + 1), k * (k + 1) / 2):
                # only the draws that carry weight (a few of a large set) need their u
                heavy = np.flatnonzero(weights > weights.max() * 1e-6)
                theta = self.coordinates.vector(prior.sample.params.take(heavy))
                u = self.coordinates.of(theta)[:, columns]
                mean, covariance = weighted_moments(u, weights[heavy] / weights[heavy].sum())
                yield lambda: StudentT.of(columns, mean, covariance, SCALE)
        yield lambda: self._laplace(data, columns, prior)

    def _laplace(self, data: dict, columns: np.ndarray, prior: Answer | None) -> StudentT:
        base = self._base_row()
        batch = self.budget.draws(draw_bytes(self.eliminator), held=self._held())
        density = LogDensity(self.coordinates, self.eliminator, data, columns, base, batch // 2)
        start = np.zeros(len(columns))
        if self.shared is not None:  # the shared proposal's centre, where it has one
            shared = self.shared.proposal
            where = {int(c): i for i, c in enumerate(shared.columns)}
            start = np.array([shared.mean[where[c]] if c in where else 0.0 for c in columns])
        elif prior is not None and prior.sample is not None:  # the heaviest prior draw
            heaviest = int(np.argmax(prior.sample.weights))
            theta = self.coordinates.vector(prior.sample.params)[heaviest : heaviest + 1]
            start = self.coordinates.of(theta)[0, columns]
        mode, covariance = laplace(density, start)
        return StudentT.of(columns, mode, covariance, SCALE)

    def _try(self, proposal: StudentT, data: dict, analysis: bool, size: int) -> Tried:
        started = time.perf_counter()
        draws = self._draw(proposal, size)
        marginals = draws.prepared.marginals(data, drivers=not analysis)
        log_ratios = log_prior(draws.u) + marginals.log_evidence - proposal.logpdf(draws.u)
        answer, weights, ess = self._answer(draws.prepared, marginals, log_ratios, size, started)
        return Tried(answer, draws, weights, ess)

    def _draw(self, proposal: StudentT, size: int) -> Draws:
        self._counter += 1
        rng = np.random.default_rng(
            [self.options.seed, zlib.crc32(METHOD.encode("utf-8")), self._counter]
        )
        prior = self.network.layout.vector(prior_draws(self.network, size, self.options.seed))
        u = proposal.sample(size, rng)
        table = prior.copy()
        table[:, self.coordinates.slots[proposal.columns]] = self.coordinates.values(
            u, proposal.columns
        )
        prepared = self.eliminator.prepare(self._params(table))
        return Draws(proposal, u, table, prior, prepared)

    # --- helpers --------------------------------------------------------------------------

    def _answer(
        self, prepared: Prepared, marginals: Marginals, log_ratios, size: int, started: float
    ) -> tuple[Answer, np.ndarray, float]:
        weights, pareto_k = smoothed_weights(log_ratios)
        ess = effective_sample_size(weights)
        diagnostics = Diagnostics(
            METHOD,
            draws=size,
            ess=ess,
            pareto_k=pareto_k,
            seconds=time.perf_counter() - started,
        )
        return condition_of(self.network, prepared, marginals, weights, diagnostics), weights, ess

    def informed(self, data: dict) -> tuple[np.ndarray, np.ndarray]:
        """The coordinates on which log P(e | θ) depends under this setting, and those on which
        anything it reports (the outcomes', the drivers' probabilities) depends.

        Found numerically (each coordinate moved by 0.5 from one random point; the moved points
        are prepared once per run), so that it holds whatever the graph's factors are. Only
        efficiency rests on it: a coordinate left out of the first is drawn from its prior,
        and the weights still use the whole P(e | θ).
        """
        k = self.coordinates.size
        marginals = self._probe().marginals(data)
        change = np.abs(marginals.log_evidence[1:] - marginals.log_evidence[0])
        moved = np.concatenate([marginals.outcomes, marginals.drivers], axis=1)
        reported = np.abs(moved[1:] - moved[0]).max(axis=1, initial=0.0)
        assert len(change) == k
        return np.flatnonzero(change > INFORMED), np.flatnonzero(reported > INFORMED)

    def _probe(self) -> Prepared:
        """One random point and the same with each coordinate moved by 0.5, prepared."""
        if self._probed is None:
            k = self.coordinates.size
            base = np.random.default_rng([self.options.seed, k]).standard_normal(k)
            u = np.tile(base, (k + 1, 1))
            u[1:] += 0.5 * np.eye(k)
            table = np.tile(self._base_row(), (k + 1, 1))
            table[:, self.coordinates.slots] = self.coordinates.values(u)
            self._probed = self.eliminator.prepare(self._params(table))
        return self._probed

    def _base_row(self) -> np.ndarray:
        """A slot table row: the prior medians of the uncertain slots, the fixed values."""
        row = self.network.layout.vector(prior_draws(self.network, 1, self.options.seed))[0]
        row[self.coordinates.slots] = self.coordinates.values(np.zeros((1, self.coordinates.size)))
        return row

    def _params(self, table: np.ndarray):
        n_prob = len(self.network.prob_priors)
        return self.network.params(table[:, :n_prob], table[:, n_prob:])

    def _set_bytes(self, size: int) -> int:
        return size * draw_bytes(self.eliminator)

    def _held(self) -> int:
        return 0 if self.shared is None else self._set_bytes(self.shared.size)


def _better(one: Tried, other: Tried) -> bool:
    """Meets the bar where the other does not; else the smaller k-hat, then the larger ESS."""
    if one.reliable != other.reliable:
        return one.reliable
    mine, theirs = one.answer.diagnostics, other.answer.diagnostics
    if one.reliable:
        return one.ess > other.ess
    return (mine.pareto_k, -one.ess) < (theirs.pareto_k, -other.ess)
