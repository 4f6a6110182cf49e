"""Exact sums over the driver states, by variable elimination in NumPy (SPEC §4, §11).

Each driver contributes one factor over its parents and itself: P(X_i | parents, θ) (left out
when a what-if sets it) times what the setting says of its states (hard and soft evidence, an
intervention's fixed state, the likelihood of the indicators seen or not seen). The tables come
from :mod:`models.factors`, the code the PyMC model uses too. The product of the factors, summed
over the drivers not asked for, is one einsum; opt_einsum orders its pairwise contractions, so
the cost follows the graph's treewidth instead of the product of every driver's states.

The outcome depends on the drivers with an effect on it (``Graph.outcome_drivers``) through a
softmax, which does not factorise: P(Y | those drivers, θ) is a table per draw (the identity
when the outcomes are a driver's states, SPEC §11.5). It does not depend on the setting, so
:class:`Prepared` computes it once per set of draws, with every driver's log P(X_i | parents, θ);
each setting then costs one contraction.

Every array carries a draws axis (one draw when the numbers are fixed): last inside this module,
where it is the inner loop of every contraction, first in what it returns. Draws are processed
in chunks so that no intermediate array exceeds :data:`CHUNK_BYTES` (a contraction wider than
its chunk's share is done over slices of the draws); a graph so wide that one draw alone would
exceed it raises :class:`TooWide` before anything is allocated, or, when only a setting's
evidence or one driver's own sum makes it so, before that sum.

Every sum runs over the factors it needs only (:meth:`Eliminator.ancestral`): the drivers it
keeps, the drivers with evidence under the setting, and their ancestors. Every other driver is
barren — its table sums to 1 over its states, whatever its parents — as pgmpy's variable
elimination prunes them too; the scale taken out of each factor is counted for the factors
summed only. On the bnlearn repository's andes (223 nodes) pruning the marginals took the run
from 9.8 s to 2.6 s; pruning the main sum and the signposts' sums too opened the munin networks
(186–1041 nodes), whose whole graph is far too wide to sum at once.

The setting-independent tables of the last few chunks are kept (:data:`TABLES`, at most
:data:`models.table_cache.CACHE_BYTES`), each under everything it is computed from: the
structure it reads and the draws of the numbers it reads, byte for byte. Draws are seeded per number
(``engine.inference.draws``), so the values of a sweep, and the next version of a file that
``signpost serve`` follows, draw every number they share alike, and get back the tables of the
numbers that did not change — the very arrays the same code would compute again.

A chunk of many draws is computed in pieces, one per core (up to :data:`THREADS`, each of at
least :data:`PIECE_DRAWS` draws), on a pool of threads the whole process shares (NumPy's sums
release the GIL; a sweep's values, already on threads, share the same pool, so the process keeps
to its cores). Everything a piece computes is per draw, so the pieces give the numbers the whole
chunk gives; averages over draws (:meth:`Prepared.item_joints`) are still taken chunk by chunk.

The sums run on one BLAS thread (:func:`one_blas_thread`): their matrix products are small, and
OpenBLAS's idle threads spin on the core that a sweep's second thread, the server's figures or
another worker process needs (a save in ``signpost serve`` took about half as long again with
two). The numbers are the same with one thread or two.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache, cached_property

import numpy as np
import opt_einsum as oe

from models.factors import evidence_weights, log_cpt, outcome_table
from models.graph import IMPOSSIBLE, Graph, Params
from models.table_cache import TableCache

CHUNK_BYTES = 256 * 2**20  # the widest array of one chunk of draws
PIECE_DRAWS = 1000  # the fewest draws worth a thread of their own
THREADS = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
_ITEM = 8  # bytes per float64


class TooWide(ValueError):
    """Summing out the drivers would need more memory than allowed, even for one draw.

    A problem with the scenario, not a bug: front ends report it as bad input (``bad_input``).
    """

    bad_input = True

    def __init__(self, drivers: tuple[str, ...], sizes: tuple[int, ...], per_draw_bytes, limit):
        self.drivers = drivers
        self.per_draw_bytes = per_draw_bytes
        self.limit = limit
        states = f"2^{len(sizes)}" if set(sizes) <= {2} else f"{int(np.prod(sizes)):,}"
        super().__init__(
            f"the network is too wide to sum out: {len(drivers)} drivers "
            f"({', '.join(drivers)}) are tied together, so one draw needs a table of {states} "
            f"states ({per_draw_bytes / 2**20:.0f} MiB, more than the {limit / 2**20:.0f} MiB "
            "allowed); give fewer of them an effect on the same outcome or a common child, or "
            "split the scenario"
        )


class ImpossibleEvidence(ValueError):
    """The evidence has probability 0 under every draw of the numbers (a fixed probability of
    exactly 0 or 1 rules it out, SPEC §11.3). A problem with the scenario: bad input. The
    runner names the evidence items that cannot all hold."""

    bad_input = True


@dataclass(frozen=True)
class Marginals:
    """What the network says under one setting, for each draw of the numbers."""

    log_evidence: np.ndarray  # (S,) log P(e | θ)
    outcomes: np.ndarray  # (S, K) q_k(θ) = P(Y = k | e, θ)
    drivers: np.ndarray  # (S, T) P(X_i = s | e, θ) for every entry of the state vector


@dataclass(frozen=True)
class _Plan:
    equation: str
    path: list
    width: int  # the widest intermediate of one draw, in entries
    spanned: tuple[int, ...]  # the drivers it spans
    steps: tuple[tuple[tuple[int, ...], str], ...]  # (operands, pairwise einsum) in order


def replay(steps, operands: list, einsum) -> object:
    """Contract ``operands`` pairwise as a plan's ``steps`` say, with any ``einsum`` (NumPy's,
    PyTensor's): the order opt_einsum chose, whatever backend holds the arrays."""
    operands = list(operands)
    for positions, equation in steps:
        taken = [operands.pop(i) for i in sorted(positions, reverse=True)]
        operands.append(einsum(equation, *taken))
    return operands[0]


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _each(function: Callable, items: Sequence) -> list:
    """``[function(item) for item in items]``, on the shared threads when there are several."""
    global _pool
    if len(items) < 2 or THREADS < 2:
        return [function(item) for item in items]
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="elimination")
    return list(_pool.map(function, items))


def pieces(start: int, stop: int, threads: int = THREADS) -> list[tuple[int, int]]:
    """The draws ``start:stop`` of one chunk as (start, stop) of its pieces: one per thread, of
    at least :data:`PIECE_DRAWS` draws each."""
    count = max(1, min(threads, (stop - start) // PIECE_DRAWS))
    edges = [start + (stop - start) * j // count for j in range(count)] + [stop]
    return list(zip(edges[:-1], edges[1:]))


@cache
def one_blas_thread() -> None:
    """Limit the BLAS libraries loaded in this process to one thread, once (see the module's
    docstring)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # called, not entered: the limit stays


class Eliminator:
    """The contraction plans of one graph: which factor has which axes, and in what order to
    sum them. Plans depend only on the graph, so they are made once and cached."""

    def __init__(self, graph: Graph, chunk_bytes: int = CHUNK_BYTES):
        one_blas_thread()
        self.graph = graph
        self.chunk_bytes = chunk_bytes
        self._draw_symbol = oe.get_symbol(0)
        self._symbols = [oe.get_symbol(i + 1) for i in range(len(graph.drivers))]
        self._plans: dict[tuple, _Plan] = {}  # (keep, draws, among) -> plan
        self.check_width(pruned=True)

    # --- plans -----------------------------------------------------------------------------

    def factor_axes(self, i: int) -> tuple[int, ...]:
        """The drivers along the axes of driver i's factor before the draws axis: its parents
        in order, then itself (a C-order reshape of the table of :func:`models.factors.log_cpt`)."""
        return (*self.graph.specs[i].parents, i)

    def equation(
        self, keep: tuple[int, ...], *, draws: bool = True, among: tuple[int, ...] | None = None
    ) -> str:
        """The einsum of the factors of the drivers ``among`` (default: every driver), keeping
        the drivers in ``keep`` (and the draws axis last when ``draws``)."""
        last = self._draw_symbol if draws else ""
        among = range(len(self.graph.drivers)) if among is None else among
        terms = ["".join(self._symbols[j] for j in self.factor_axes(i)) + last for i in among]
        return ",".join(terms) + "->" + "".join(self._symbols[j] for j in keep) + last

    @cached_property
    def ancestors(self) -> tuple[frozenset[int], ...]:
        """Each driver's ancestors (its parents, theirs, and so on)."""
        from graphlib import TopologicalSorter

        specs = self.graph.specs
        order = TopologicalSorter({i: s.parents for i, s in enumerate(specs)}).static_order()
        found: dict[int, frozenset[int]] = {}
        for i in order:  # a driver's parents before it, whatever the file's order
            found[i] = frozenset(specs[i].parents).union(*(found[p] for p in specs[i].parents))
        return tuple(found[i] for i in range(len(specs)))

    def ancestral(self, drivers) -> tuple[int, ...] | None:
        """``drivers`` and their ancestors, in order: the factors a sum keeping ``drivers``
        needs when no other driver carries evidence; None when that is every driver (the
        whole graph's plan). Any other driver is barren (every one of its descendants is too):
        its table sums to 1 over its own states, whatever its parents, so leaving it out of a
        sum leaves the sum as it is, but for the scale its factor was divided by."""
        chosen = set(drivers or (0,))  # a sum keeping nothing: any one driver's factor
        chosen = chosen.union(*(self.ancestors[j] for j in chosen))
        return None if len(chosen) == len(self.graph.drivers) else tuple(sorted(chosen))

    def _plan(
        self, keep: tuple[int, ...], *, draws: bool = True, among: tuple[int, ...] | None = None
    ) -> _Plan:
        if (keep, draws, among) not in self._plans:
            sizes = self.graph.sizes
            equation = self.equation(keep, draws=draws, among=among)
            shapes = [
                tuple(sizes[j] for j in self.factor_axes(i)) + ((2,) if draws else ())
                for i in (range(len(self.graph.drivers)) if among is None else among)
            ]
            path, info = oe.contract_path(equation, *shapes, shapes=True, optimize="auto")
            size_of = {self._symbols[j]: sizes[j] for j in range(len(sizes))}
            width, spanned = self.graph.width(keep), keep
            for step in info.contraction_list:
                axes = [s for s in step[2].split("->")[1] if s != self._draw_symbol]
                entries = int(np.prod([size_of[s] for s in axes])) if axes else 1
                if entries > width:
                    width, spanned = entries, tuple(self._symbols.index(s) for s in axes)
            steps = tuple((tuple(step[0]), step[2]) for step in info.contraction_list)
            self._plans[keep, draws, among] = _Plan(equation, path, width, spanned, steps)
        return self._plans[keep, draws, among]

    def steps(self, keep: tuple[int, ...], *, draws: bool = True):
        """The pairwise contractions that sum out every driver not in ``keep``."""
        return self._plan(keep, draws=draws).steps

    def _main_plan(self, pruned: bool = True) -> _Plan:
        """The plan of the main sum (keeping the outcome drivers) without evidence: over their
        ancestors when ``pruned``, else over the whole graph (the PyMC model's)."""
        keep = self.graph.outcome_drivers
        return self._plan(keep, among=self.ancestral(keep) if pruned else None)

    @cached_property
    def per_draw_bytes(self) -> int:
        """The widest array one draw needs, what chunks are sized by and budgets count: the
        sum over the whole graph (wider than any sum the settings run), or the outcome table;
        when the whole graph is too wide for one draw, the main sum without evidence instead,
        and a wider sum runs over slices of the draws that hold at most ``chunk_bytes`` at
        once (:meth:`contract`)."""
        keep = self.graph.outcome_drivers
        table = self.graph.width(keep) * max(1, len(self.graph.outcomes)) * 2
        whole = _ITEM * max(self._main_plan(pruned=False).width * 2, table)
        if whole <= self.chunk_bytes:
            return whole
        return _ITEM * max(self._main_plan().width * 2, table)

    def _too_wide(self, plan: _Plan, per_draw: int) -> TooWide:
        names = tuple(self.graph.drivers[j] for j in sorted(plan.spanned))
        sizes = tuple(self.graph.sizes[j] for j in plan.spanned)
        return TooWide(names, sizes, per_draw, self.chunk_bytes)

    def check_width(self, pruned: bool = True) -> None:
        """Raise :class:`TooWide` when one draw alone would exceed the chunk budget: in the
        main sum without evidence (``pruned``), or over the whole graph (for the PyMC model,
        which sums every driver)."""
        keep = self.graph.outcome_drivers
        plan = self._main_plan(pruned)
        per_draw = self.per_draw_bytes if pruned else max(
            self.per_draw_bytes, plan.width * 2 * _ITEM
        )  # fmt: skip
        if per_draw > self.chunk_bytes:
            if plan.width * 2 * _ITEM < per_draw:  # the outcome table is the widest
                plan = replace(plan, spanned=keep)
            raise self._too_wide(plan, per_draw)

    @property
    def chunk_size(self) -> int:
        """How many draws one chunk holds."""
        return max(1, self.chunk_bytes // self.per_draw_bytes)

    def contract(
        self, factors: list[np.ndarray], keep: tuple[int, ...], among: tuple[int, ...] | None = None
    ) -> np.ndarray:
        """Σ over the drivers not in ``keep`` of the product of ``factors`` (of the drivers
        ``among`` only, when given): (k, ..., S). A sum wider than the chunk's draws were sized
        for runs over slices of them, so that the pieces summing at once hold at most
        ``chunk_bytes`` together; one whose single draw exceeds the budget raises
        :class:`TooWide` (a marginal's or a signpost's sum, which the check at construction
        does not plan, can raise it only when it is first summed)."""
        plan = self._plan(keep, among=among)
        chosen = factors if among is None else [factors[i] for i in among]
        per_draw = plan.width * 2 * _ITEM
        if per_draw > self.chunk_bytes:
            raise self._too_wide(plan, per_draw)
        if per_draw <= self.per_draw_bytes:  # within what the chunks were sized for
            return oe.contract(plan.equation, *chosen, optimize=plan.path)
        size = chosen[0].shape[-1]
        # a chunk's pieces sum on up to THREADS threads at once: each slice gets its share
        step = max(1, self.chunk_bytes // (per_draw * THREADS))
        if size <= step:
            return oe.contract(plan.equation, *chosen, optimize=plan.path)
        return np.concatenate(
            [
                oe.contract(
                    plan.equation, *(f[..., a : a + step] for f in chosen), optimize=plan.path
                )
                for a in range(0, size, step)
            ],
            axis=-1,
        )

    # --- the setting-independent part ------------------------------------------------------

    def prepare(
        self, params: Params, cache: TableCache | None = None, threads: int = THREADS
    ) -> Prepared:
        """Everything about ``params`` that no setting changes, in chunks of draws (each in
        pieces for up to ``threads`` threads); the tables come from ``cache`` when it has them
        (default: the process's :data:`TABLES`)."""
        params = params.batched()
        cache = TABLES if cache is None else cache
        size, draws = self.chunk_size, params.draws
        chunks = [
            pieces(start, min(start + size, draws), threads) for start in range(0, draws, size)
        ]
        made = _each(
            lambda bounds: _Chunk.of(self, params.take(slice(*bounds)), cache),
            [bounds for chunk in chunks for bounds in chunk],
        )
        return Prepared(self, params, made, tuple(len(chunk) for chunk in chunks))


def _draws_last(table: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """(S, C, k) → (*shape, S): the C-order axes of a table, the draws axis last."""
    return np.ascontiguousarray(np.moveaxis(table.reshape(table.shape[0], *shape), 0, -1))


TABLES = TableCache()  # one per process: what a sweep's values and a file's versions share


def _columns(values: np.ndarray, slots) -> bytes:
    """The draws of the given slots, as bytes (part of a table's key)."""
    return np.ascontiguousarray(values[:, list(slots)]).tobytes()


def _driver_key(eliminator: Eliminator, i: int, params: Params) -> tuple:
    """Everything driver i's table is computed from (:func:`models.factors.log_cpt`): its
    spec, the states of its axes, and the draws of the slots the spec names."""
    graph = eliminator.graph
    spec = graph.specs[i]
    probs = (*spec.weights, *(s for row in spec.rows for s in row), *(s for s, _ in spec.causes))
    probs += (spec.leak,) if spec.kind == "noisy_or" else ()
    effects = tuple(slot for _, slot, _ in spec.effects)
    shape = tuple(graph.sizes[j] for j in eliminator.factor_axes(i))
    return (
        "driver", spec, shape, params.draws,
        _columns(params.prob, probs), _columns(params.effect, effects),
    )  # fmt: skip


def _outcome_key(graph: Graph, params: Params) -> tuple:
    """Everything the outcome table is computed from (:func:`models.factors.outcome_table`):
    the outcomes, the effects on them and the states of the drivers they read, the draws of
    those effects and the base weights."""
    effects = tuple(slot for _, slot, _ in graph.outcome_effects)
    return (
        "outcome", graph.outcomes, graph.outcome_from,
        tuple((k, condition) for k, _, condition in graph.outcome_effects),
        tuple((j, graph.states[j]) for j in graph.outcome_drivers), params.draws,
        _columns(params.effect, effects), np.asarray(params.log_base, dtype=float).tobytes(),
    )  # fmt: skip


@dataclass
class _Chunk:
    """One chunk of draws, with the draws axis last (the inner loop of every contraction)."""

    params: Params
    log_cpt: list[np.ndarray]  # per driver (*axes, S): log P(X_i | parents)
    outcome_table: np.ndarray  # (C_out, K, S)

    @property
    def size(self) -> int:
        return int(self.params.draws)

    @classmethod
    def of(cls, eliminator: Eliminator, params: Params, cache: TableCache) -> _Chunk:
        graph = eliminator.graph

        def driver_table(i: int) -> np.ndarray:
            shape = tuple(graph.sizes[j] for j in eliminator.factor_axes(i))
            return _draws_last(log_cpt(graph, i, params.prob, params.effect), shape)

        def outcomes_table() -> np.ndarray:
            table = outcome_table(graph, params.effect, params.log_base)
            table = np.broadcast_to(table, (params.draws, *table.shape[-2:]))
            return np.ascontiguousarray(np.moveaxis(table, 0, -1))

        tables = [
            cache.get(_driver_key(eliminator, i, params), lambda i=i: driver_table(i))
            for i in range(len(graph.drivers))
        ]
        return cls(params, tables, cache.get(_outcome_key(graph, params), outcomes_table))

    def factors(self, eliminator: Eliminator, data) -> tuple[list[np.ndarray], np.ndarray, tuple]:
        """Each driver's factor under the setting, scaled to a maximum of 1 per draw; the log
        of each one's scale (n, S); and the drivers whose factor is not their plain table: set
        by a what-if, or weighted by evidence (observed, an indicator of it seen or not, a
        report)."""
        graph = eliminator.graph
        unary = evidence_weights(graph, self.params.prob, data).T  # (T, S)
        keep = 1.0 - data["cut"]
        offsets = graph.offsets
        factors, tops, evidenced = [], np.empty((len(graph.drivers), self.size)), []
        for i, table in enumerate(self.log_cpt):
            own = unary[offsets[i] : offsets[i + 1]]  # (k, S), broadcast over the parents
            if keep[i] != 1.0 or np.any(own):
                evidenced.append(i)
            log_f = keep[i] * table + own
            tops[i] = log_f.reshape(-1, self.size).max(axis=0)
            factors.append(np.exp(log_f - tops[i]))
        return factors, tops, tuple(evidenced)

    def joint(self, eliminator: Eliminator, data):
        """The factors, their scales, the drivers with evidence (:meth:`factors`), the drivers
        the main sum needs (None: all) and P(outcome drivers' states, e | θ) up to the scale
        of those: (C_out, S)."""
        factors, tops, evidenced = self.factors(eliminator, data)
        keep = eliminator.graph.outcome_drivers
        among = eliminator.ancestral((*keep, *evidenced))
        joint = eliminator.contract(factors, keep, among).reshape(-1, self.size)
        return factors, tops, evidenced, among, np.ascontiguousarray(joint)  # matmul: contiguous

    def marginals(self, eliminator: Eliminator, data, drivers: bool = True) -> Marginals:
        graph = eliminator.graph
        factors, tops, evidenced, among, joint = self.joint(eliminator, data)
        total = joint.sum(axis=0)
        outcomes = np.einsum("cs,cks->ks", joint, self.outcome_table) / total
        log_evidence = np.log(total) + _scale(tops, among)
        if not drivers:
            return Marginals(log_evidence, outcomes.T, np.empty((self.size, 0)))
        out = np.empty((graph.total_states, self.size))
        keep = graph.outcome_drivers
        by_axis = joint.reshape(*(graph.sizes[j] for j in keep), self.size)
        for position, j in enumerate(keep):
            others = tuple(a for a in range(len(keep)) if a != position)
            out[graph.offsets[j] : graph.offsets[j + 1]] = by_axis.sum(axis=others)
        out /= total
        for j in sorted(set(range(len(graph.drivers))) - set(keep)):
            alone = eliminator.contract(factors, (j,), eliminator.ancestral((j, *evidenced)))
            out[graph.offsets[j] : graph.offsets[j + 1]] = alone / alone.sum(axis=0)
        return Marginals(log_evidence, outcomes.T, np.clip(out, 0.0, 1.0).T)

    def item_joints(self, eliminator: Eliminator, data) -> np.ndarray:
        """(T + M, K, S): P(Y = k, X_j = s | e, θ) for every entry (j, s) of the state vector,
        then P(Y = k, indicator m seen | e, θ) for each indicator."""
        graph = eliminator.graph
        keep = graph.outcome_drivers
        k = len(graph.outcomes)
        factors, tops, evidenced, among, joint = self.joint(eliminator, data)
        # a draw under which the evidence cannot hold carries no weight: divide by 1, not by 0,
        # so that its 0 · NaN never spoils the average
        total = np.where(joint.sum(axis=0) > 0, joint.sum(axis=0), 1.0)
        weighted = joint[:, None, :] * self.outcome_table / total  # P(states, Y = k | e, θ)
        out = np.empty((graph.total_states, k, self.size))
        by_axis = weighted.reshape(*(graph.sizes[j] for j in keep), k, self.size)
        for position, j in enumerate(keep):
            others = tuple(a for a in range(len(keep)) if a != position)
            out[graph.offsets[j] : graph.offsets[j + 1]] = by_axis.sum(axis=others)
        for j in sorted(set(range(len(graph.drivers))) - set(keep)):
            among_j = eliminator.ancestral((*keep, j, *evidenced))
            with_j = eliminator.contract(factors, (*keep, j), among_j).reshape(
                len(joint), graph.sizes[j], self.size
            )
            # j's sum and the main one leave out different factors; their scales bring j's
            # to the main sum's scale (summed over the factors the two do not share)
            with_j = with_j * np.exp(_rescale(tops, among_j, among))
            out[graph.offsets[j] : graph.offsets[j + 1]] = (
                np.einsum("cts,cks->tks", with_j, self.outcome_table) / total
            )
        if not graph.indicators:
            return out
        from models.factors import signal_maps

        signalled, others = signal_maps(graph)  # (M, T)
        t = self.params.prob[:, list(graph.if_true)].T  # (M, S)
        f = self.params.prob[:, list(graph.if_false)].T
        # P(Y, seen) = Σ_states P(Y, X = state) · P(seen | state)
        seen = np.einsum("mt,tks,ms->mks", signalled, out, t) + np.einsum(
            "mt,tks,ms->mks", others, out, f
        )
        return np.concatenate([out, seen], axis=0)


def _scale(tops: np.ndarray, among: tuple[int, ...] | None) -> np.ndarray:
    """The log of the scale a sum over the factors of ``among`` (None: all) was divided by."""
    return (tops if among is None else tops[list(among)]).sum(axis=0)


def _rescale(tops: np.ndarray, mine: tuple[int, ...] | None, theirs: tuple[int, ...] | None):
    """log(scale of ``mine``) − log(scale of ``theirs``), summed over the factors only one of
    the two takes (exactly, without subtracting two large sums)."""
    every = range(len(tops))
    ours, others = set(every if mine is None else mine), set(every if theirs is None else theirs)
    only_mine, only_theirs = sorted(ours - others), sorted(others - ours)
    return tops[only_mine].sum(axis=0) - tops[only_theirs].sum(axis=0)


@dataclass
class Prepared:
    """A set of draws of the numbers, with everything no setting changes computed once."""

    eliminator: Eliminator
    params: Params  # every draw, with a draws axis
    chunks: list[_Chunk]  # the pieces, in the order of the draws
    groups: tuple[int, ...] = ()  # how many pieces make each chunk (default: one each)

    @property
    def draws(self) -> int:
        return int(self.params.draws)

    def marginals(self, data, drivers: bool = True) -> Marginals:
        """Outcome and driver-state probabilities and log P(e | θ) under a setting's data (no
        driver probabilities unless ``drivers``)."""

        def one(chunk: _Chunk) -> Marginals:
            with np.errstate(divide="ignore", invalid="ignore"):  # per thread
                return chunk.marginals(self.eliminator, data, drivers)

        parts = _each(one, self.chunks)
        if len(parts) == 1:
            answer = parts[0]
        else:
            answer = Marginals(
                np.concatenate([p.log_evidence for p in parts]),
                np.concatenate([p.outcomes for p in parts]),
                np.concatenate([p.drivers for p in parts]),
            )
        if not np.any(answer.log_evidence > IMPOSSIBLE / 2):  # NaN (0/0) compares False too
            raise ImpossibleEvidence("the evidence has probability 0 under every draw")
        return answer

    def item_joints(self, data, weights: np.ndarray) -> np.ndarray:
        """(T + M, K): P(Y = k, X_j = s | e) for every driver state, then P(Y = k, indicator
        seen | e), averaged over the draws with ``weights`` (S,)."""
        total, start, first = 0.0, 0, 0
        for count in self.groups or (1,) * len(self.chunks):
            group = self.chunks[first : first + count]
            first += count
            parts = _each(lambda chunk: chunk.item_joints(self.eliminator, data), group)
            joint = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)
            part = weights[start : start + joint.shape[-1]]
            total = total + joint @ part  # the chunk's draws, summed as one
            start += joint.shape[-1]
        return total
