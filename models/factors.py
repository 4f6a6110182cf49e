"""The model's tables from its numbers, written once for NumPy and for PyTensor (SPEC §4, §11).

Every function here takes the slot vectors ``prob`` (…, P) and ``effect`` (…, F) — with a
leading draws axis in NumPy, none in the PyMC model — and an :class:`Ops` (:data:`NUMPY` or
:func:`pytensor_ops`), so the exact sums of :mod:`models.elimination` and the PyMC model of
:mod:`models.builder` compute the same tables by the same code:

- :func:`log_cpt`: log P(X_i = s | parents) for every combination of the parents' states,
  (…, C, k_i), by the driver's kind (``weights``, ``table``, ``noisy_or``; see
  :mod:`models.graph`);
- :func:`outcome_table`: P(Y = k | the outcome drivers' states), (…, C, K);
- :func:`evidence_weights`: what the evidence says of each entry of the state vector, (…, T):
  a setting's fixed log-weights plus the likelihood of the indicators seen or not seen.

A fixed probability of exactly 0 or 1 (SPEC §11.3) gives a log-weight of
:data:`models.graph.IMPOSSIBLE`, never ``-inf``: sums stay exact (its exponential is 0) and no
gradient meets an infinity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

from models.graph import IMPOSSIBLE, Graph


@dataclass(frozen=True)
class Ops:
    """The array operations the tables need, for one backend."""

    log: Any
    log1p: Any
    exp: Any
    expm1: Any
    maximum: Any
    where: Any
    stack: Any  # stack(list, axis)
    concatenate: Any  # concatenate(list, axis)
    logsumexp: Any  # logsumexp(x, axis, keepdims)
    take: Any  # take(x, index array): x[..., index]


def _np_log(x):
    with np.errstate(divide="ignore"):
        return np.log(x)


def _np_log1p(x):
    with np.errstate(divide="ignore"):
        return np.log1p(x)


NUMPY = Ops(
    log=_np_log,
    log1p=_np_log1p,
    exp=np.exp,
    expm1=np.expm1,
    maximum=np.maximum,
    where=np.where,
    stack=lambda xs, axis: np.stack(xs, axis=axis),
    concatenate=lambda xs, axis: np.concatenate(xs, axis=axis),
    logsumexp=lambda x, axis, keepdims: logsumexp(x, axis=axis, keepdims=keepdims),
    take=lambda x, index: x[..., index],
)


def pytensor_ops() -> Ops:
    """The same operations on PyTensor variables (imported here: only the PyMC model needs it)."""
    import pytensor.tensor as pt

    return Ops(
        log=pt.log,
        log1p=pt.log1p,
        exp=pt.exp,
        expm1=pt.expm1,
        maximum=pt.maximum,
        where=pt.switch,
        stack=lambda xs, axis: pt.stack(xs, axis=axis),
        concatenate=lambda xs, axis: pt.concatenate(xs, axis=axis),
        logsumexp=lambda x, axis, keepdims: pt.logsumexp(x, axis=axis, keepdims=keepdims),
        take=lambda x, index: x[..., index],
    )


def _floor(ops: Ops, log_p):
    """A log-probability, with ``-inf`` (a probability of exactly 0) raised to IMPOSSIBLE."""
    return ops.maximum(log_p, IMPOSSIBLE)


def _binary(ops: Ops, p):
    """(…, 2): log(1 − p), log p."""
    return ops.stack([_floor(ops, ops.log1p(-p)), _floor(ops, ops.log(p))], -1)


def _onehot(indices: list[int], size: int) -> np.ndarray:
    out = np.zeros((len(indices), size))
    out[np.arange(len(indices)), indices] = 1.0
    return out


def log_cpt(graph: Graph, i: int, prob, effect, ops: Ops = NUMPY):
    """(…, C, k): log P(X_i = s | parents) for each combination c of the parents' states
    (C order over ``graph.specs[i].parents``) and each state s."""
    spec = graph.specs[i]
    k = graph.sizes[i]
    kind = spec.kind
    if kind == "weights":
        if len(spec.weights) == 1:  # a binary driver written with p: (1 - p, p)
            log_r = _binary(ops, ops.take(prob, spec.weights[0]))
        else:
            log_r = _floor(ops, ops.log(ops.take(prob, np.array(spec.weights))))
        logits = log_r[..., None, :]
        if spec.effects:
            holds = graph.holds(spec.parents, tuple(c for *_, c in spec.effects))  # (C, E)
            to_state = _onehot([s for s, _, _ in spec.effects], k)  # (E, k)
            weights = ops.take(effect, np.array([slot for _, slot, _ in spec.effects]))
            logits = logits + holds @ (weights[..., :, None] * to_state)
        return logits - ops.logsumexp(logits, -1, True)
    if kind == "table":
        cells = ops.take(prob, np.array(spec.rows))  # (…, C, 1 or k)
        if len(spec.rows[0]) == 1:
            return _binary(ops, cells[..., 0])
        log_cells = _floor(ops, ops.log(cells))
        return log_cells - ops.logsumexp(log_cells, -1, True)
    if kind == "noisy_or":
        log_q = _floor(ops, ops.log1p(-ops.take(prob, spec.leak)))[..., None]
        if spec.causes:
            holds = graph.holds(spec.parents, tuple(c for _, c in spec.causes))  # (C, E)
            chances = ops.take(prob, np.array([slot for slot, _ in spec.causes]))
            log_q = log_q + _floor(ops, ops.log1p(-chances)) @ holds.T
        # P(holds) = 1 - q; where q = 1 exactly, log(-expm1(0)) = -inf: take IMPOSSIBLE, and
        # evaluate the unused branch at a safe point so no gradient meets an infinity
        some = log_q < 0
        safe = ops.where(some, log_q, -1.0)
        log_true = ops.where(some, _floor(ops, ops.log(-ops.expm1(safe))), IMPOSSIBLE)
        return ops.stack([_floor(ops, log_q), log_true], -1)
    raise ValueError(f"unknown kind of driver {kind!r}")


def outcome_table(graph: Graph, effect, log_base, ops: Ops = NUMPY):
    """(…, C, K): P(Y = k | the outcome drivers' states), C order over ``outcome_drivers``.

    With ``outcome_from`` the outcomes are that driver's states, named alike but perhaps in
    another order (a binary driver's states are false, true; its outcomes true, false): a
    table of 0s and 1s with no draws axis.
    """
    if graph.outcome_from is not None:
        states = graph.states[graph.outcome_from]
        return np.array([[float(s == k) for k in graph.outcomes] for s in states])
    conditions = tuple(c for *_, c in graph.outcome_effects)
    holds = graph.holds(graph.outcome_drivers, conditions)  # (C, F)
    logits = log_base[..., None, :] + np.zeros((holds.shape[0], len(graph.outcomes)))
    if graph.outcome_effects:
        to_outcome = _onehot([k for k, _, _ in graph.outcome_effects], len(graph.outcomes))
        weights = ops.take(effect, np.array([slot for _, slot, _ in graph.outcome_effects]))
        logits = logits + holds @ (weights[..., :, None] * to_outcome)
    return ops.exp(logits - ops.logsumexp(logits, -1, True))


def signal_maps(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """(M, T) twice: 1 at the state each indicator signals, and 1 at its driver's other states."""
    signalled = np.zeros((len(graph.indicators), graph.total_states))
    others = np.zeros_like(signalled)
    for m, (i, s) in enumerate(graph.signals):
        start = graph.offsets[i]
        others[m, start : start + graph.sizes[i]] = 1.0
        others[m, start + s] = 0.0
        signalled[m, start + s] = 1.0
    return signalled, others


def evidence_weights(graph: Graph, prob, data: dict, ops: Ops = NUMPY):
    """(…, T): a setting's fixed log-weights (``data["driver_logw"]``) plus, on each driver's
    states, the log-likelihood of the indicators seen (``data["seen"]``) or not seen
    (``data["unseen"]``) that signal it."""
    logw = data["driver_logw"]
    if not graph.indicators:
        return logw + 0.0 * ops.take(prob, np.zeros((graph.total_states,), dtype=int))
    signalled, others = signal_maps(graph)
    t = ops.take(prob, np.array(graph.if_true))  # (…, M)
    f = ops.take(prob, np.array(graph.if_false))
    seen, unseen = data["seen"], data["unseen"]
    on_signal = seen * ops.log(t) + unseen * ops.log1p(-t)
    elsewhere = seen * ops.log(f) + unseen * ops.log1p(-f)
    return logw + on_signal @ signalled + elsewhere @ others
