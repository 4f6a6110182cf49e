"""Exact inference over the binary driver states, in NumPy (SPEC §4). No PyMC here.

The network is summed out by enumerating all 2^n driver states. Every function takes
parameters with an optional leading ``draws`` dimension, so one call evaluates a whole posterior.
The PyMC builder (``models.builder``) writes the same formulas in PyTensor; a test keeps the two
equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.special import log_expit, logsumexp

MAX_DRIVERS = 16  # 2^16 states; beyond that enumeration stops being instant
IMPOSSIBLE = -1e6  # log-weight of a state the evidence rules out (finite keeps gradients clean)


@dataclass(frozen=True)
class Graph:
    """What a compiled model depends on: ids and arrows, never numbers or evidence."""

    drivers: tuple[str, ...]
    outcomes: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    signals: tuple[int, ...] = ()  # indicator -> index of its driver
    causes: tuple[tuple[int, int], ...] = ()  # (child, parent) driver indices
    effects: tuple[tuple[int, int], ...] = ()  # (outcome index, driver index)

    @cached_property
    def states(self) -> np.ndarray:
        """All 2^n driver states as rows of 0/1, shape (N, n); driver 0 is the lowest bit."""
        n = len(self.drivers)
        codes = np.arange(2**n)[:, None]
        return ((codes >> np.arange(n)[None, :]) & 1).astype(float)

    @cached_property
    def parents(self) -> tuple[tuple[int, ...], ...]:
        """Each driver's parents, in the order of ``causes``."""
        return tuple(
            tuple(parent for child, parent in self.causes if child == i)
            for i in range(len(self.drivers))
        )

    @cached_property
    def config_owner(self) -> np.ndarray:
        """(C,): the driver each parent configuration belongs to (2^k rows for k parents)."""
        return np.concatenate([np.full(2 ** len(ps), i) for i, ps in enumerate(self.parents)])

    @cached_property
    def config_cause(self) -> np.ndarray:
        """(C, E): 1 where a configuration has the parent of that cause arrow holding."""
        rows = []
        for i, ps in enumerate(self.parents):
            arrows = [e for e, (child, _) in enumerate(self.causes) if child == i]
            for code in range(2 ** len(ps)):
                row = np.zeros(len(self.causes))
                for bit, e in enumerate(arrows):
                    row[e] = (code >> bit) & 1
                rows.append(row)
        return np.array(rows).reshape(len(rows), len(self.causes))

    @cached_property
    def prior_map(self) -> np.ndarray:
        """(2C, N): log P(D = s) = table @ prior_map, the table holding log P(D_i = 0 | config)
        in its first C entries and log P(D_i = 1 | config) in the next C.

        Each driver's factor depends only on its parents, so the logistic is computed once per
        parent configuration rather than once per state: the sum over states is a product of a
        small table with this constant 0/1 matrix.
        """
        states = self.states.astype(int)
        n_configs = len(self.config_owner)
        out = np.zeros((2 * n_configs, len(states)))
        offset = 0
        for i, ps in enumerate(self.parents):
            code = sum(states[:, p] << bit for bit, p in enumerate(ps)) if ps else 0
            rows = offset + code + n_configs * states[:, i]
            out[rows, np.arange(len(states))] += 1.0
            offset += 2 ** len(ps)
        return out

    @cached_property
    def indicator_map(self) -> np.ndarray:
        """(2M, N): the state of each indicator's driver, false rows first, then true rows."""
        signal = self.states[:, list(self.signals)].T
        return np.concatenate([1.0 - signal, signal]).reshape(2 * len(self.signals), -1)

    @cached_property
    def effect_map(self) -> np.ndarray:
        """(F, n, K): arrow f puts its effect at (driver, outcome)."""
        out = np.zeros((len(self.effects), len(self.drivers), len(self.outcomes)))
        for f, (k, j) in enumerate(self.effects):
            out[f, j, k] = 1.0
        return out


@dataclass
class Params:
    """Numbers of a network; each array may carry a leading draws dimension."""

    p: np.ndarray  # (..., n) probability of each driver when none of its causes hold
    cause: np.ndarray  # (..., E) effect on the child's log-odds
    effect: np.ndarray  # (..., F) effect on the outcome's log-odds
    log_base: np.ndarray  # (K,)
    if_true: np.ndarray  # (..., M)
    if_false: np.ndarray  # (..., M)


@dataclass(frozen=True)
class Setting:
    """The evidence and interventions under which the network is read (indices, not ids)."""

    hard: Mapping[int, bool] = field(default_factory=dict)  # driver -> observed
    soft: Mapping[int, float] = field(default_factory=dict)  # driver -> likelihood ratio
    seen: Mapping[int, bool] = field(default_factory=dict)  # indicator -> observed
    do: Mapping[int, bool] = field(default_factory=dict)  # driver -> set by intervention

    def arrays(self, graph: Graph) -> dict[str, np.ndarray]:
        """The setting as fixed-shape arrays: the data a compiled model swaps in.

        ``state_logw`` (N,) holds what does not depend on the numbers: hard evidence on drivers,
        soft evidence and the do-operator's fixed value; ``cut`` (n,) marks drivers whose own
        probability is replaced by the intervention; ``seen``/``unseen`` (M,) mark indicators.
        """
        states = graph.states
        logw = np.zeros(len(states))
        for i, value in self.hard.items():
            if i not in self.do:  # hard evidence on a driver the what-if sets is set aside
                logw += np.where(states[:, i] == value, 0.0, IMPOSSIBLE)
        for i, value in self.do.items():
            logw += np.where(states[:, i] == value, 0.0, IMPOSSIBLE)
        for i, ratio in self.soft.items():
            logw += np.log(ratio) * states[:, i]
        cut = np.zeros(len(graph.drivers))
        cut[list(self.do)] = 1.0
        seen = np.zeros(len(graph.indicators))
        unseen = np.zeros(len(graph.indicators))
        for m, value in self.seen.items():
            (seen if value else unseen)[m] = 1.0
        return {"state_logw": logw, "cut": cut, "seen": seen, "unseen": unseen}


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def driver_log_prior(graph: Graph, params: Params, cut: np.ndarray) -> np.ndarray:
    """log P(D = s | θ), the factors of drivers in ``cut`` left out, shape (..., N)."""
    logits = _logit(np.asarray(params.p))[..., graph.config_owner] + (
        np.asarray(params.cause) @ graph.config_cause.T
    )
    keep = (1.0 - cut)[graph.config_owner]
    table = np.concatenate([log_expit(-logits) * keep, log_expit(logits) * keep], axis=-1)
    return table @ graph.prior_map


def indicator_log_likelihood(graph: Graph, params: Params, data: Mapping) -> np.ndarray:
    """log P(observed indicators | D = s, θ), shape (..., N)."""
    if not graph.indicators:
        return np.zeros(len(graph.states))
    t, f = np.asarray(params.if_true), np.asarray(params.if_false)
    seen, unseen = data["seen"], data["unseen"]
    table = np.concatenate(
        [seen * np.log(f) + unseen * np.log1p(-f), seen * np.log(t) + unseen * np.log1p(-t)],
        axis=-1,
    )
    return table @ graph.indicator_map


def state_log_weights(graph: Graph, params: Params, data: Mapping) -> np.ndarray:
    """log P(D = s, e | θ) under the setting's interventions, shape (..., N)."""
    prior = driver_log_prior(graph, params, data["cut"])
    return prior + indicator_log_likelihood(graph, params, data) + data["state_logw"]


def outcome_given_states(graph: Graph, params: Params) -> np.ndarray:
    """P(Y = k | D = s, θ), shape (..., N, K)."""
    weights = np.tensordot(np.asarray(params.effect), graph.effect_map, axes=(-1, 0))
    logits = np.asarray(params.log_base) + graph.states @ weights
    logits = logits - logits.max(axis=-1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=-1, keepdims=True)


def indicator_given_states(graph: Graph, params: Params) -> np.ndarray:
    """P(indicator seen | D = s, θ), shape (..., N, M)."""
    t = np.asarray(params.if_true)[..., None, :]
    f = np.asarray(params.if_false)[..., None, :]
    signal = graph.states[:, list(graph.signals)]
    return signal * t + (1 - signal) * f


@dataclass
class Inference:
    """What the network says under one setting, for each draw of the numbers."""

    state_posterior: np.ndarray  # (..., N) P(D = s | e, θ)
    outcomes: np.ndarray  # (..., K) q_k(θ) = P(Y = k | e, θ)
    drivers: np.ndarray  # (..., n) P(D_i = 1 | e, θ)
    log_evidence: np.ndarray  # (...,) log P(e | θ)


def infer(graph: Graph, params: Params, setting: Setting | Mapping) -> Inference:
    """Sum the driver states out exactly under ``setting`` (a Setting or its arrays)."""
    data = setting.arrays(graph) if isinstance(setting, Setting) else setting
    logw = state_log_weights(graph, params, data)
    log_evidence = logsumexp(logw, axis=-1)
    posterior = np.exp(logw - log_evidence[..., None])
    outcomes = np.concatenate(
        [
            np.einsum("...s,...sk->...k", posterior[part], outcome_given_states(graph, sub))
            for part, sub in _draw_chunks(graph, params, posterior.shape[:-1])
        ]
    ).reshape(*posterior.shape[:-1], len(graph.outcomes))
    drivers = posterior @ graph.states
    return Inference(posterior, outcomes, drivers, log_evidence)


def _draw_chunks(graph: Graph, params: Params, batch: tuple[int, ...]):
    """Split a flat draws dimension into pieces whose (draws, N, K) arrays stay small."""
    if not batch:
        yield (...,), params
        return
    size = max(1, 4_000_000 // (len(graph.states) * len(graph.outcomes)))
    for start in range(0, batch[0], size):
        part = slice(start, start + size)
        yield (
            part,
            Params(
                p=params.p[part],
                cause=params.cause[part],
                effect=params.effect[part],
                log_base=params.log_base,
                if_true=params.if_true[part],
                if_false=params.if_false[part],
            ),
        )
