"""Compile a network's model once, then sample it with new data as often as needed (nutpie)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

import numpy as np

from models.builder import build_model, placeholder_data
from models.graph import Graph

_CACHE: dict[Graph, CompiledNetwork] = {}
_LOCK = threading.Lock()


class CompiledNetwork:
    """A graph's PyMC model compiled by nutpie (numba backend); data are swapped per sample."""

    def __init__(self, graph: Graph):
        import nutpie

        self.graph = graph
        self.model = build_model(graph)
        self.data_names = frozenset(placeholder_data(graph))
        self._compiled = nutpie.compile_pymc_model(self.model, backend="numba")

    def sample(
        self,
        data: Mapping[str, np.ndarray],
        *,
        draws: int,
        tune: int,
        chains: int,
        seed: int,
        target_accept: float,
    ):
        """Sample the posterior under ``data``; returns ArviZ InferenceData."""
        import nutpie

        compiled = self._compiled.with_data(
            **{k: np.asarray(v, float) for k, v in data.items() if k in self.data_names}
        )
        return nutpie.sample(
            compiled,
            draws=draws,
            tune=tune,
            chains=chains,
            cores=min(chains, 2),
            seed=seed,
            target_accept=target_accept,
            progress_bar=False,
            save_warmup=False,
        )


def compiled_network(graph: Graph) -> CompiledNetwork:
    """The compiled model of ``graph``, compiled on first use and cached for the process."""
    with _LOCK:
        if graph not in _CACHE:
            logging.getLogger("pymc").setLevel(logging.ERROR)
            _CACHE[graph] = CompiledNetwork(graph)
        return _CACHE[graph]
