"""Exact sums over the binary driver states, by variable elimination in NumPy (SPEC §4).

Each driver contributes one factor over itself and its parents: P(D_i | parents, θ) (left out
when a what-if sets it) times what the setting says of it (hard and soft evidence, an
intervention's fixed value, the likelihood of the indicators seen or not seen). The product
of the factors, summed over the drivers not asked for, is one einsum; opt_einsum orders its
pairwise contractions, so the cost follows the graph's treewidth instead of 2^n.

The outcome depends on the drivers with an effect on it (``Graph.outcome_drivers``, m of them)
through a softmax, which does not factorise: P(Y | those drivers, θ) is a table of 2^m rows per
draw. It does not depend on the setting, so :class:`Prepared` computes it once per set of draws,
with every driver's log P(D_i | parents, θ); each setting then costs one contraction.

Every array carries a draws axis (one draw when the numbers are fixed): last inside this
module, where it is the inner loop of every contraction, first in what it returns. Draws are
processed in chunks so that no intermediate array exceeds :data:`CHUNK_BYTES`; a graph so wide
that one draw alone would exceed it raises :class:`TooWide` before anything is allocated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import opt_einsum as oe
from scipy.special import log_expit

from models.graph import Graph, Params

CHUNK_BYTES = 256 * 2**20  # the widest array of one chunk of draws
_ITEM = 8  # bytes per float64


class TooWide(ValueError):
    """Summing out the drivers would need more memory than allowed, even for one draw.

    A problem with the scenario, not a bug: front ends report it as bad input (``bad_input``).
    """

    bad_input = True

    def __init__(self, drivers: tuple[str, ...], per_draw_bytes: int, limit: int):
        self.drivers = drivers
        self.per_draw_bytes = per_draw_bytes
        self.limit = limit
        width = len(drivers)
        super().__init__(
            f"the network is too wide to sum out: {width} drivers "
            f"({', '.join(drivers)}) are tied together, so one draw needs a table of 2^{width} "
            f"states ({per_draw_bytes / 2**20:.0f} MiB, more than the {limit / 2**20:.0f} MiB "
            "allowed); give fewer of them an effect on the same outcome or a common child, or "
            "split the scenario"
        )


@dataclass(frozen=True)
class Marginals:
    """What the network says under one setting, for each draw of the numbers."""

    log_evidence: np.ndarray  # (S,) log P(e | θ)
    outcomes: np.ndarray  # (S, K) q_k(θ) = P(Y = k | e, θ)
    drivers: np.ndarray  # (S, n) P(D_i = 1 | e, θ)


class Eliminator:
    """The contraction plans of one graph: which factor has which axes, and in what order to
    sum them. Plans depend only on the graph, so they are made once and cached."""

    def __init__(self, graph: Graph, chunk_bytes: int = CHUNK_BYTES):
        self.graph = graph
        self.chunk_bytes = chunk_bytes
        self._draw_symbol = oe.get_symbol(0)
        self._symbols = [oe.get_symbol(i + 1) for i in range(len(graph.drivers))]
        self._plans: dict[tuple[int, ...], tuple[str, list, int, tuple[int, ...]]] = {}
        self.check_width()

    # --- plans -----------------------------------------------------------------------------

    def factor_axes(self, i: int) -> tuple[int, ...]:
        """The drivers along the axes of driver i's factor after the draws axis: itself, then
        its parents from the last to the first (a C-order reshape of a configuration number
        whose bit b is parent b)."""
        return (i, *reversed(self.graph.parents[i]))

    def equation(self, keep: tuple[int, ...], *, draws: bool = True) -> str:
        """The einsum of every driver's factor, keeping the drivers in ``keep`` (and the draws
        axis last when ``draws``)."""
        last = self._draw_symbol if draws else ""
        terms = [
            "".join(self._symbols[j] for j in self.factor_axes(i)) + last
            for i in range(len(self.graph.drivers))
        ]
        return ",".join(terms) + "->" + "".join(self._symbols[j] for j in keep) + last

    def _plan(self, keep: tuple[int, ...]) -> tuple[str, list, int, tuple[int, ...]]:
        """(equation, pairwise path, widest intermediate per draw, the drivers it spans)."""
        if keep not in self._plans:
            n = len(self.graph.drivers)
            equation = self.equation(keep)
            shapes = [(2,) * len(self.factor_axes(i)) + (2,) for i in range(n)]
            path, info = oe.contract_path(equation, *shapes, shapes=True, optimize="auto")
            width, spanned = 2 ** len(keep), keep
            for step in info.contraction_list:
                out = step[2].split("->")[1]
                axes = [s for s in out if s != self._draw_symbol]
                if 2 ** len(axes) > width:
                    width = 2 ** len(axes)
                    spanned = tuple(self._symbols.index(s) for s in axes)
            self._plans[keep] = (equation, path, width, spanned)
        return self._plans[keep]

    @cached_property
    def per_draw_bytes(self) -> int:
        """The widest array one draw needs: a contraction, or the outcome table."""
        keep = self.graph.outcome_drivers
        _, _, width, _ = self._plan(keep)
        table = 2 ** len(keep) * max(1, len(self.graph.outcomes)) * 2
        return _ITEM * max(width * 2, table)

    def check_width(self) -> None:
        """Raise :class:`TooWide` when one draw alone would exceed the chunk budget."""
        keep = self.graph.outcome_drivers
        _, _, width, spanned = self._plan(keep)
        if self.per_draw_bytes > self.chunk_bytes:
            drivers = spanned if width * 2 * _ITEM >= self.per_draw_bytes else keep
            names = tuple(self.graph.drivers[j] for j in sorted(drivers))
            raise TooWide(names, self.per_draw_bytes, self.chunk_bytes)

    @property
    def chunk_size(self) -> int:
        """How many draws one chunk holds."""
        return max(1, self.chunk_bytes // self.per_draw_bytes)

    def contract(self, factors: list[np.ndarray], keep: tuple[int, ...]) -> np.ndarray:
        """Σ over the drivers not in ``keep`` of the product of ``factors``: (2, ..., 2, S)."""
        equation, path, _, _ = self._plan(keep)
        return oe.contract(equation, *factors, optimize=path)

    # --- the setting-independent part ------------------------------------------------------

    def prepare(self, params: Params) -> Prepared:
        """Everything about ``params`` that no setting changes, in chunks of draws."""
        params = params.batched()
        size = self.chunk_size
        chunks = [
            _Chunk.of(self, params.take(slice(start, start + size)))
            for start in range(0, params.draws, size)
        ]
        return Prepared(self, params, chunks)


def outcome_states(graph: Graph) -> np.ndarray:
    """(2^m, m): the states of the outcome drivers, in the C order of the contraction's axes."""
    m = len(graph.outcome_drivers)
    codes = np.arange(2**m)[:, None]
    return ((codes >> np.arange(m - 1, -1, -1)[None, :]) & 1).astype(float)


def outcome_weights(graph: Graph) -> np.ndarray:
    """(F, m, K): effect arrow f puts its number at (its driver's column, its outcome)."""
    column = {j: c for c, j in enumerate(graph.outcome_drivers)}
    out = np.zeros((len(graph.effects), len(graph.outcome_drivers), len(graph.outcomes)))
    for f, (k, j) in enumerate(graph.effects):
        out[f, column[j], k] = 1.0
    return out


def _outcome_table(graph: Graph, params: Params) -> np.ndarray:
    """(2^m, K, S): P(Y = k | the outcome drivers' states, θ), states in C order of the axes."""
    states = outcome_states(graph)
    size, k = params.draws, len(graph.outcomes)
    weights = np.tensordot(outcome_weights(graph), params.effect.T, axes=(0, 0))  # (m, K, S)
    logits = (states @ weights.reshape(len(states.T), k * size)).reshape(len(states), k, size)
    logits += params.log_base[None, :, None]
    logits -= logits.max(axis=1, keepdims=True)
    table = np.exp(logits)
    table /= table.sum(axis=1, keepdims=True)
    return table


@dataclass
class _Chunk:
    """One chunk of draws, with the draws axis last (the inner loop of every contraction)."""

    params: Params
    log_cpt: list[np.ndarray]  # per driver (2, 2^k, S): log P(D_i = 0/1 | configuration)
    log_seen: np.ndarray  # (M, 2, S): log P(indicator seen | its driver false/true)
    log_unseen: np.ndarray  # (M, 2, S)
    outcome_table: np.ndarray  # (2^m, K, S)

    @property
    def size(self) -> int:
        return int(self.params.draws)

    @classmethod
    def of(cls, eliminator: Eliminator, params: Params) -> _Chunk:
        graph = eliminator.graph
        logits = (np.log(params.p) - np.log1p(-params.p)).T[graph.config_owner]  # (C, S)
        logits = logits + graph.config_cause @ params.cause.T
        offsets = graph.config_offsets
        log_cpt = [
            np.stack([log_expit(-part), log_expit(part)])
            for part in (logits[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1))
        ]
        t, f = params.if_true.T, params.if_false.T  # (M, S)
        log_seen = np.stack([np.log(f), np.log(t)], axis=1)
        log_unseen = np.stack([np.log1p(-f), np.log1p(-t)], axis=1)
        return cls(params, log_cpt, log_seen, log_unseen, _outcome_table(graph, params))

    def factors(self, eliminator: Eliminator, data) -> tuple[list[np.ndarray], np.ndarray]:
        """Each driver's factor under the setting, scaled to a maximum of 1 per draw, and the
        log of the scale taken out (S,)."""
        graph = eliminator.graph
        indicator = (
            data["seen"][:, None, None] * self.log_seen
            + data["unseen"][:, None, None] * self.log_unseen
        )  # (M, 2, S)
        unary = data["driver_logw"][..., None] + np.tensordot(
            graph.signal_map, indicator, axes=(0, 0)
        )  # (n, 2, S)
        keep = 1.0 - data["cut"]
        factors, log_scale = [], np.zeros(self.size)
        for i, table in enumerate(self.log_cpt):
            log_f = keep[i] * table + unary[i][:, None, :]
            top = log_f.max(axis=(0, 1))
            log_scale += top
            shape = (2,) * len(eliminator.factor_axes(i)) + (self.size,)
            factors.append(np.exp(log_f - top).reshape(shape))
        return factors, log_scale

    def joint(self, eliminator: Eliminator, data):
        """The factors, and P(outcome drivers' states, e | θ) up to the scale: (2^m, S)."""
        factors, log_scale = self.factors(eliminator, data)
        keep = eliminator.graph.outcome_drivers
        joint = eliminator.contract(factors, keep).reshape(2 ** len(keep), self.size)
        return factors, log_scale, np.ascontiguousarray(joint)  # matmul wants it contiguous

    def marginals(self, eliminator: Eliminator, data, drivers: bool = True) -> Marginals:
        graph = eliminator.graph
        factors, log_scale, joint = self.joint(eliminator, data)
        total = joint.sum(axis=0)
        outcomes = np.einsum("os,oks->ks", joint, self.outcome_table) / total
        if not drivers:
            return Marginals(np.log(total) + log_scale, outcomes.T, np.empty((self.size, 0)))
        drivers = np.empty((len(graph.drivers), self.size))
        keep = graph.outcome_drivers
        drivers[list(keep)] = outcome_states(graph).T @ joint
        for j in sorted(set(range(len(graph.drivers))) - set(keep)):
            drivers[j] = eliminator.contract(factors, (j,))[1]
        drivers /= total
        return Marginals(np.log(total) + log_scale, outcomes.T, np.clip(drivers, 0.0, 1.0).T)

    def item_joints(self, eliminator: Eliminator, data) -> np.ndarray:
        """(n + M, K, S): P(Y = k, X = true | e, θ) for each driver X, then each indicator X."""
        graph = eliminator.graph
        keep = graph.outcome_drivers
        n, k = len(graph.drivers), len(graph.outcomes)
        factors, _, joint = self.joint(eliminator, data)
        total = joint.sum(axis=0)
        weighted = joint[:, None, :] * self.outcome_table / total  # P(states, Y = k | e, θ)
        outcome = weighted.sum(axis=0)  # (K, S)
        holds = np.empty((n, k, self.size))  # P(Y = k, D_j = true | e, θ)
        flat = weighted.reshape(len(joint), k * self.size)
        holds[list(keep)] = (outcome_states(graph).T @ flat).reshape(len(keep), k, self.size)
        for j in sorted(set(range(n)) - set(keep)):
            with_j = eliminator.contract(factors, (*keep, j)).reshape(len(joint), 2, self.size)
            holds[j] = np.einsum("os,oks->ks", with_j[:, 1], self.outcome_table) / total
        seen = np.exp(self.log_seen)  # (M, 2, S): P(seen | driver false/true)
        signal = list(graph.signals)
        by_indicator = (outcome - holds[signal]) * seen[:, None, 0] + holds[signal] * seen[
            :, None, 1
        ]
        return np.concatenate([holds, by_indicator], axis=0)


@dataclass
class Prepared:
    """A set of draws of the numbers, with everything no setting changes computed once."""

    eliminator: Eliminator
    params: Params  # every draw, with a draws axis
    chunks: list[_Chunk]

    @property
    def draws(self) -> int:
        return int(self.params.draws)

    def marginals(self, data, drivers: bool = True) -> Marginals:
        """Outcome and driver probabilities and log P(e | θ) under a setting's data (no
        driver probabilities unless ``drivers``)."""
        parts = [chunk.marginals(self.eliminator, data, drivers) for chunk in self.chunks]
        if len(parts) == 1:
            return parts[0]
        return Marginals(
            np.concatenate([p.log_evidence for p in parts]),
            np.concatenate([p.outcomes for p in parts]),
            np.concatenate([p.drivers for p in parts]),
        )

    def item_joints(self, data, weights: np.ndarray) -> np.ndarray:
        """(n + M, K): P(Y = k, X = true | e) for each driver and indicator X, averaged over
        the draws with ``weights`` (S,)."""
        total, start = 0.0, 0
        for chunk in self.chunks:
            part = weights[start : start + chunk.size]
            total = total + chunk.item_joints(self.eliminator, data) @ part
            start += chunk.size
        return total
