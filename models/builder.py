"""The PyMC model of a network (SPEC §4, §11): priors, the exact sum over driver states,
potentials.

This is the statement of the model: every uncertain number is a PyMC random variable with its
SPEC prior (Beta for probabilities, Normal for effects); each driver contributes a factor
P(X_i | parents, θ) times what the evidence says of its states; their product summed over the
driver states is P(e | θ), a ``pm.Potential``; and q_k(θ) = P(Y = k | e, θ) is a
``pm.Deterministic``. The tables are made by :mod:`models.factors`, the same code the NumPy path
(:mod:`models.elimination`) uses, and a test holds the two equal. The sum over states follows
the order opt_einsum chose for the NumPy path, written as pairwise broadcast products and sums
(:mod:`models.contract`), so the model's size follows the graph's treewidth, not the product of
the drivers' states.

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
from models.elimination import Eliminator
from models.factors import evidence_weights, log_cpt, outcome_table, pytensor_ops
from models.graph import Graph


def placeholder_data(graph: Graph) -> dict[str, np.ndarray]:
    """Data of the right shapes for every ``pm.Data`` of the model."""
    n_prob, n_effect = len(graph.prob_slots), len(graph.effect_slots)
    m = len(graph.indicators)
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
        "driver_logw": np.zeros(graph.total_states),
        "cut": np.zeros(len(graph.drivers)),
        "seen": np.zeros(m),
        "unseen": np.zeros(m),
    }
    # PyMC drops data nothing reads, and nutpie then refuses to swap it: leave those out.
    unused = (["seen", "unseen"] if not m else []) + (
        [k for k in data if k.startswith("effect_")] if not n_effect else []
    )
    if graph.outcome_from is not None:
        unused.append("log_base")
    return {k: v for k, v in data.items() if k not in unused}


def _factors(graph: Graph, eliminator: Eliminator, prob, effect, data, ops):
    """Each driver's factor exp((1 − cut_i)·log P(X_i | parents) + evidence on its states),
    scaled to a maximum of 1, with its axes as ``Eliminator.factor_axes``; and the log of the
    scales."""
    unary = evidence_weights(graph, prob, data, ops)  # (T,)
    offsets = graph.offsets
    factors, log_scale = [], pt.constant(0.0)
    for i in range(len(graph.drivers)):
        table = log_cpt(graph, i, prob, effect, ops)  # (C, k)
        log_f = (1.0 - data["cut"][i]) * table + unary[offsets[i] : offsets[i + 1]][None, :]
        top = pt.max(log_f)
        log_scale = log_scale + top
        shape = tuple(graph.sizes[j] for j in eliminator.factor_axes(i))
        factors.append(pt.exp(log_f - top).reshape(shape))
    return factors, log_scale


def build_model(graph: Graph) -> pm.Model:
    """Build the PyMC model of ``graph`` with placeholder data (swap real data in later).

    Returns a model whose free variables are ``prob`` (Beta, one per probability slot) and, when
    the graph has effects, ``effect`` (Normal, one per effect slot); the potential ``evidence``
    is log P(e | θ) and the deterministics ``q`` (outcomes) and ``driver_p`` (every driver
    state) are the probabilities given the evidence and θ.
    """
    eliminator = Eliminator(graph)
    eliminator.check_width(pruned=False)  # the model sums every driver, whatever the evidence
    ops = pytensor_ops()
    state_names = [f"{d}={s}" for d, states in zip(graph.drivers, graph.states) for s in states]
    coords = {
        "prob_slot": list(graph.prob_slots),
        "effect_slot": list(graph.effect_slots),
        "outcome": list(graph.outcomes),
        "driver_state": state_names,
    }
    with pm.Model(coords=coords) as model:
        data = {name: pm.Data(name, value) for name, value in placeholder_data(graph).items()}
        if "seen" not in data:
            data["seen"] = data["unseen"] = pt.zeros(0)
        prob_rv = pm.Beta(
            "prob", alpha=data["prob_alpha"], beta=data["prob_beta"], dims="prob_slot"
        )
        prob = pt.switch(data["prob_is_fixed"], data["prob_fixed"], prob_rv)
        if coords["effect_slot"]:
            effect_rv = pm.Normal(
                "effect", mu=data["effect_mu"], sigma=data["effect_sigma"], dims="effect_slot"
            )
            effect = pt.switch(data["effect_is_fixed"], data["effect_fixed"], effect_rv)
        else:
            effect = pt.zeros(0)

        factors, log_scale = _factors(graph, eliminator, prob, effect, data, ops)
        keep = graph.outcome_drivers
        # opt_einsum's order, pairwise (models.contract): PyTensor's own einsum would search
        # for the optimal order of all the factors at once, which does not finish for ten
        joint = contract(eliminator.steps(keep, draws=False), factors).reshape((-1,))
        total = pt.sum(joint)
        pm.Potential("evidence", pt.log(total) + log_scale)

        # Deterministics: computed once per kept draw, not in the gradient.
        posterior = joint / total  # P(outcome drivers' states | e, θ)
        log_base = data.get("log_base", pt.zeros(len(graph.outcomes)))
        table = outcome_table(graph, effect, log_base, ops)
        pm.Deterministic("q", pt.dot(posterior, table), dims="outcome")
        by_axis = posterior.reshape(tuple(graph.sizes[j] for j in keep))
        driver_p = []
        for i in range(len(graph.drivers)):
            if i in keep:
                others = tuple(a for a, j in enumerate(keep) if j != i)
                driver_p.append(pt.sum(by_axis, axis=others) if others else by_axis)
            else:
                alone = contract(eliminator.steps((i,), draws=False), factors)
                driver_p.append(alone / pt.sum(alone))
        pm.Deterministic("driver_p", pt.concatenate(driver_p), dims="driver_state")
    return model
