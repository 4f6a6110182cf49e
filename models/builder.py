"""The PyMC model of a network (SPEC §4): priors, the exact sum over driver states, potentials.

One model is built per ``Graph`` (ids and arrows). Every number and every piece of evidence
enters as ``pm.Data``, so the same compiled model serves every scenario, what-if, timeline point
and analysis setting that shares the graph: only the data are swapped.

Each probability slot is a Beta random variable and each effect slot a Normal one. A slot whose
number is fixed still has its variable (with a flat placeholder prior that nothing observes), and
``*_is_fixed`` switches the fixed value in; the engine ignores those variables' draws. That keeps
the graph, not the kind of number, as the one thing a compilation depends on.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from models.network import Graph
from models.slots import effect_slots, probability_slots


def _log_sigmoid(x):
    return -pt.softplus(-x)


def placeholder_data(graph: Graph) -> dict[str, np.ndarray]:
    """Data of the right shapes for every ``pm.Data`` of the model."""
    n_prob, n_effect = len(probability_slots(graph)), len(effect_slots(graph))
    n_states, n = len(graph.states), len(graph.drivers)
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
        "state_logw": np.zeros(n_states),
        "cut": np.zeros(n),
        "seen": np.zeros(m),
        "unseen": np.zeros(m),
    }
    # PyMC drops data nothing reads, and nutpie then refuses to swap it: leave those out.
    unused = (["seen", "unseen"] if not m else []) + (
        [k for k in data if k.startswith("effect_")] if not n_effect else []
    )
    return {k: v for k, v in data.items() if k not in unused}


def build_model(graph: Graph) -> pm.Model:
    """Build the PyMC model of ``graph`` with placeholder data (swap real data in later).

    Returns a model whose free variables are ``prob`` (Beta, one per probability slot) and, when
    the graph has arrows, ``effect`` (Normal, one per effect slot); the potential ``evidence`` is
    log P(e | θ) and the deterministics ``q`` (outcomes) and ``driver_p`` (drivers) are the
    probabilities given the evidence and θ.
    """
    n, m = len(graph.drivers), len(graph.indicators)
    coords = {
        "prob_slot": probability_slots(graph),
        "effect_slot": effect_slots(graph),
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

        # The same formulas as models.network, term by term (a test holds them equal).
        logits = (pt.log(p) - pt.log1p(-p))[graph.config_owner] + pt.dot(
            pt.constant(graph.config_cause), cause
        )
        keep = (1.0 - data["cut"])[graph.config_owner]
        table = pt.concatenate([_log_sigmoid(-logits) * keep, _log_sigmoid(logits) * keep])
        logw = pt.dot(table, pt.constant(graph.prior_map)) + data["state_logw"]
        if m:
            seen, unseen = data["seen"], data["unseen"]
            indicator_table = pt.concatenate(
                [
                    seen * pt.log(if_false) + unseen * pt.log1p(-if_false),
                    seen * pt.log(if_true) + unseen * pt.log1p(-if_true),
                ]
            )
            logw = logw + pt.dot(indicator_table, pt.constant(graph.indicator_map))
        log_evidence = pt.logsumexp(logw)
        pm.Potential("evidence", log_evidence)

        # Deterministics: computed once per draw, not in the gradient.
        posterior = pt.exp(logw - log_evidence)
        weights = pt.tensordot(outcome_effect, pt.constant(graph.effect_map), axes=[[0], [0]])
        outcome_logits = data["log_base"] + pt.dot(pt.constant(graph.states), weights)
        given_states = pt.special.softmax(outcome_logits, axis=-1)
        pm.Deterministic("q", pt.dot(posterior, given_states), dims="outcome")
        pm.Deterministic("driver_p", pt.dot(posterior, pt.constant(graph.states)), dims="driver")
    return model
