"""``signpost export``: a scenario's network as a BIF, XMLBIF or Hugin NET file (SPEC §12).

Every driver becomes a node with its full table, P(node | parents) for every combination of
its parents' states, and the outcomes a node ``outcome`` whose parents are the drivers with an
effect on them (none when the outcomes are a driver's states, ``outcomes_from``). A binary
driver's states are ``true`` then ``false``. Evidence is left out: a network file holds a model,
not observations. The tables are the model's own (:mod:`models.factors`), so a scenario whose
numbers are all fixed is exported exactly. An uncertain number is exported as its prior mean
table, E[P(node | parents, θ)] cell by cell, estimated from :data:`PRIOR_MEAN_DRAWS` seeded prior
draws, and the file says so in a comment.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from engine.exchange.read import FORMATS
from engine.infra.files import write_text

PRIOR_MEAN_DRAWS = 2**16  # prior draws behind an exported prior mean table
OUTCOME_NODE = "outcome"
COMMENT = {"bif": "// {}\n", "xmlbif": "<!-- {} -->\n", "net": "% {}\n"}


def tables(network) -> tuple[list[tuple[str, list[str], list[str], np.ndarray]], bool]:
    """Each node's (name, states, parents, table), the table (…parents' states…, states), and
    whether any number is a prior mean."""
    from engine.inference.draws import prior_draws
    from models.factors import log_cpt, outcome_table

    graph = network.graph
    fixed = network.all_fixed
    params = (
        network.params().batched()
        if fixed
        else prior_draws(network, PRIOR_MEAN_DRAWS, network.scenario.inference.seed)
    )
    names = list(graph.drivers)
    nodes = []
    for i, name in enumerate(names):
        cpt = np.exp(log_cpt(graph, i, params.prob, params.effect)).mean(axis=0)  # (C, k)
        parents = [names[j] for j in graph.specs[i].parents]
        shape = [graph.sizes[j] for j in graph.specs[i].parents] + [graph.sizes[i]]
        nodes.append((name, list(graph.states[i]), parents, cpt.reshape(shape)))
    if graph.outcome_from is None:
        table = outcome_table(graph, params.effect, params.log_base)
        table = np.broadcast_to(table, (params.draws, *table.shape[-2:])).mean(axis=0)
        parents = [names[j] for j in graph.outcome_drivers]
        shape = [graph.sizes[j] for j in graph.outcome_drivers] + [len(graph.outcomes)]
        node = _free(OUTCOME_NODE, names)
        nodes.append((node, list(graph.outcomes), parents, table.reshape(shape)))
    return [_holding_first(node, graph) for node in nodes], not fixed


def _free(name: str, taken: list[str]) -> str:
    k, candidate = 2, name
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    return candidate


def _holding_first(node, graph):
    """A binary driver's states as ``true``, ``false`` (the order network files usually use),
    as the node's own and as a parent's."""
    name, states, parents, table = node
    binary = {d for i, d in enumerate(graph.drivers) if graph.binary(i)}
    for axis, parent in enumerate(parents):
        if parent in binary:
            table = np.flip(table, axis=axis)
    if name in binary:
        table, states = np.flip(table, axis=-1), ["true", "false"]
    return name, states, parents, table


def model_of(network):
    """The scenario's network as a pgmpy ``DiscreteBayesianNetwork``, and whether any number is a
    prior mean."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork

    nodes, mean = tables(network)
    states = {name: node_states for name, node_states, _, _ in nodes}
    states.update({d: ["true", "false"] for i, d in enumerate(network.graph.drivers)
                   if network.graph.binary(i)})  # fmt: skip
    model = DiscreteBayesianNetwork()
    model.add_nodes_from([name for name, *_ in nodes])
    model.add_edges_from([(p, name) for name, _, parents, _ in nodes for p in parents])
    for name, node_states, parents, table in nodes:
        values = np.moveaxis(table, -1, 0).reshape(len(node_states), -1)
        cpd = TabularCPD(
            name,
            len(node_states),
            values,
            evidence=parents or None,
            evidence_card=[len(states[p]) for p in parents] or None,
            state_names={name: node_states, **{p: states[p] for p in parents}},
        )
        model.add_cpds(cpd)
    return model, mean


def export_text(network, kind: str) -> str:
    """The network file's text in ``kind`` (``bif``, ``xmlbif``, ``net``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.readwrite import BIFWriter, NETWriter, XMLBIFWriter

        model, mean = model_of(network)
        if kind == "bif":
            text = str(BIFWriter(model))
        elif kind == "xmlbif":
            text = str(XMLBIFWriter(model))
        else:
            text = str(_exact_net_writer(NETWriter)(model))
    scenario = network.scenario
    notes = [f"signpost export of scenario {scenario.id}: {' '.join(scenario.title.split())}"]
    if mean:
        notes.append(
            "uncertain numbers are exported as their prior mean tables, "
            f"E[P(node | parents)] estimated from {PRIOR_MEAN_DRAWS} seeded prior draws"
        )
    comments = "".join(COMMENT[kind].format(_comment_safe(n, kind)) for n in notes)
    if kind == "xmlbif" and text.startswith("<?xml"):
        head, _, rest = text.partition("\n")
        return f"{head}\n{comments}{rest}"
    return comments + text


def _exact_net_writer(base):
    """pgmpy's NET writer, but with every number as Python writes it (``repr``: the shortest
    text that reads back as the same float). Its own ``net_cpd`` rounds to 8 decimals, which
    would break SPEC §12's exact round trip."""

    class ExactNETWriter(base):
        def net_cpd(self, var_name):
            cpt = np.moveaxis(np.asarray(self.tables[var_name], dtype=float), 0, -1)
            text = np.array2string(
                cpt, threshold=np.inf, max_line_width=np.inf, floatmode="unique", separator=" "
            )
            # as pgmpy's own: NET wants parentheses, and "1." written as "1.0"
            return (
                text.replace("[", "(").replace("]", ")").replace(". ", ".0 ").replace(".)", ".0)")
            )

    return ExactNETWriter


def _comment_safe(text: str, kind: str) -> str:
    """A comment's text that cannot end the comment early."""
    return text.replace("--", "- -") if kind == "xmlbif" else text.replace("\n", " ")


def kind_of(out: str | Path | None, to: str | None) -> str:
    """The kind to write: ``--to``, else from ``--out``'s name, else BIF."""
    if to is not None:
        return to
    if out is not None:
        suffix = Path(out).suffix.lower()
        if suffix in FORMATS:
            return FORMATS[suffix]
    return "bif"


def write_network(network, out: str | Path, kind: str) -> Path:
    """Write the network file atomically."""
    return write_text(out, export_text(network, kind))
