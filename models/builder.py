"""The PyMC model of a network (SPEC §4): priors, the exact sum over driver states, potentials.

This is the statement of the model: every uncertain number is a PyMC random variable with its
SPEC prior (Beta for probabilities, Normal for effects); each driver contributes a factor
P(D_i | parents, θ) times what the evidence says of it; their product summed over the driver
states is P(e | θ), a ``pm.Potential``; and q_k(θ) = P(Y = k | e, θ) is a ``pm.Deterministic``.
The NumPy path (``models.elimination``) computes the same quantities and a test holds the two
equal. The sum over states is an einsum ordered by opt_einsum (as in the NumPy path), so the
model's size follows the graph's treewidth, not 2^n; ``models.contract`` writes it as pairwise
broadcast products and sums (``pt.einsum`` would search every order of the factors).

One model is built per ``Graph``. Every number and every piece of evidence enters as
``pm.Data``, so the same compiled model serves every scenario, what-if, timeline point and
analysis setting that shares the graph: only the data are swapped. A slot whose number is fixed
still has its variable (with a flat placeholder prior that nothing observes), and
``*_is_fixed`` switches the fixed value in; the engine ignores those variables' draws.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from models.contract import contract
from models.elimination import Eliminator, outcome_states, outcome_weights
from models.graph import Graph
from models.layout import Layout


def _log_sigmoid(x):
    return -pt.softplus(-x)


def placeholder_data(graph: Graph) -> dict[str, np.ndarray]:
    """Data of the right shapes for every ``pm.Data`` of the model."""
    layout = Layout(graph)
    n_prob, n_effect = len(layout.prob_slots), len(layout.effect_slots)
    n, m = len(graph.drivers), len(graph.indicators)
    data = {
        "prob_alpha": np.ones(n_prob),
        "prob_beta": np.ones(n_prob),
        "prob_fixed": np.full(n_prob, 0.5),
        "prob_is_fixed": np.ones(n_prob),
        "effect_mu": np.zeros(n_effect),
        "effect_sigma": np.ones(n_effect),
        "effect_fixed": np.zeros(n_effect),
        "effect_is_fixed": np.ones(n_effect),
        "log_base": np.zeros(len(graph.outcomes)),
        "driver_logw": np.zeros((n, 2)),
        "cut": np.zeros(n),
        "seen": np.zeros(m),
        "unseen": np.zeros(m),
    }
    # PyMC drops data nothing reads, and nutpie then refuses to swap it: leave those out.
    unused = (["seen", "unseen"] if not m else []) + (
        [k for k in data if k.startswith("effect_")] if not n_effect else []
    )
    return {k: v for k, v in data.items() if k not in unused}


def _driver_factors(graph: Graph, p, cause, unary, cut):
    """Each driver's factor exp(log P(D_i | parents) · (1 − cut_i) + unary_i), scaled to a
    maximum of 1, with its axes as ``Eliminator.factor_axes``; and the log of the scales."""
    logits = (pt.log(p) - pt.log1p(-p))[graph.config_owner] + pt.dot(
        pt.constant(graph.config_cause), cause
    )
    offsets = graph.config_offsets
    factors, log_scale = [], pt.constant(0.0)
    for i, parents in enumerate(graph.parents):
        part = logits[offsets[i] : offsets[i + 1]]
        table = pt.stack([_log_sigmoid(-part), _log_sigmoid(part)])  # (2, 2^k)
        log_f = (1.0 - cut[i]) * table + unary[i][:, None]
        top = pt.max(log_f)
        log_scale = log_scale + top
        factors.append(pt.exp(log_f - top).reshape((2,) * (1 + len(parents))))
    return factors, log_scale


def build_model(graph: Graph) -> pm.Model:
    """Build the PyMC model of ``graph`` with placeholder data (swap real data in later).

    Returns a model whose free variables are ``prob`` (Beta, one per probability slot) and, when
    the graph has arrows, ``effect`` (Normal, one per effect slot); the potential ``evidence`` is
    log P(e | θ) and the deterministics ``q`` (outcomes) and ``driver_p`` (drivers) are the
    probabilities given the evidence and θ.
    """
    layout = Layout(graph)
    eliminator = Eliminator(graph)
    n, m = len(graph.drivers), len(graph.indicators)
    coords = {
        "prob_slot": list(layout.prob_slots),
        "effect_slot": list(layout.effect_slots),
        "outcome": list(graph.outcomes),
        "driver": list(graph.drivers),
    }
    with pm.Model(coords=coords) as model:
        data = {name: pm.Data(name, value) for name, value in placeholder_data(graph).items()}
        prob_rv = pm.Beta(
            "prob", alpha=data["prob_alpha"], beta=data["prob_beta"], dims="prob_slot"
        )
        prob = pt.switch(data["prob_is_fixed"], data["prob_fixed"], prob_rv)
        p, if_true, if_false = prob[:n], prob[n : n + m], prob[n + m :]
        if coords["effect_slot"]:
            effect_rv = pm.Normal(
                "effect", mu=data["effect_mu"], sigma=data["effect_sigma"], dims="effect_slot"
            )
            effect = pt.switch(data["effect_is_fixed"], data["effect_fixed"], effect_rv)
        else:
            effect = pt.zeros(0)
        cause, outcome_effect = effect[: len(graph.causes)], effect[len(graph.causes) :]

        # What the evidence says of each driver: its own unary weights, plus the likelihood of
        # each indicator seen or not seen, added to the driver it signals.
        unary = data["driver_logw"]
        if m:
            seen, unseen = data["seen"][:, None], data["unseen"][:, None]
            log_seen = pt.stack([pt.log(if_false), pt.log(if_true)], axis=-1)  # (M, 2)
            log_unseen = pt.stack([pt.log1p(-if_false), pt.log1p(-if_true)], axis=-1)
            indicator = seen * log_seen + unseen * log_unseen
            unary = unary + pt.dot(pt.constant(graph.signal_map.T), indicator)
        factors, log_scale = _driver_factors(graph, p, cause, unary, data["cut"])

        keep = graph.outcome_drivers
        joint = contract(eliminator.equation(keep, draws=False), *factors).reshape(
            (2 ** len(keep),)
        )
        total = pt.sum(joint)
        pm.Potential("evidence", pt.log(total) + log_scale)

        # Deterministics: computed once per kept draw, not in the gradient.
        posterior = joint / total  # P(outcome drivers' states | e, θ)
        weights = pt.tensordot(outcome_effect, pt.constant(outcome_weights(graph)), axes=[[0], [0]])
        states = outcome_states(graph)
        outcome_logits = data["log_base"] + pt.dot(pt.constant(states), weights)
        outcome_table = pt.special.softmax(outcome_logits, axis=-1)
        pm.Deterministic("q", pt.dot(posterior, outcome_table), dims="outcome")
        column = {j: c for c, j in enumerate(keep)}
        driver_p = []
        for i in range(n):
            if i in column:
                driver_p.append(pt.dot(posterior, pt.constant(states[:, column[i]])))
            else:
                alone = contract(eliminator.equation((i,), draws=False), *factors)
                driver_p.append(alone[1] / pt.sum(alone))
        pm.Deterministic("driver_p", pt.stack(driver_p), dims="driver")
    return model
