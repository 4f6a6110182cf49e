"""Compile a network's model once, then sample it with new data as often as needed (nutpie).

The backend is nutpie's JAX one (``backend="jax", gradient_backend="jax"``) when JAX is
installed (``pip install 'signpost[jax]'``; ``make`` installs it), else its numba one. Measured
by ``benchmarks/fallback.py`` on the project's models (2 cores): with JAX the model compiles in
seconds; numba spends tens of seconds compiling nutpie's own wrapper functions, in every
process, which its cache does not keep. Either way:

- the data stay swappable (``freeze_model=False``): one compilation serves every scenario,
  what-if, timeline point and analysis setting with the same graph;
- the engine keeps only ``prob`` and ``effect`` in the trace (``keep=KEPT``, nutpie's
  ``var_names``): it recomputes q_k(θ) and the drivers' probabilities from them in NumPy
  (``models.elimination``), and the deterministics would cost compile time for nothing;
  ``keep=None`` keeps every variable (the tests that hold the PyMC model equal to NumPy);
- JAX keeps its compiled XLA programs in a cache on disk (:data:`CACHE`), so the processes of a
  batch (``signpost report -j N``) and later runs reuse one compilation of a graph's gradient.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from models.builder import build_model, placeholder_data
from models.graph import Graph

BACKENDS = ("jax", "numba")
KEPT = ("prob", "effect")  # what the engine reads of a trace
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "signpost" / "jax"

_CACHE: dict[tuple[Graph, str, tuple[str, ...] | None], CompiledNetwork] = {}
_LOCK = threading.Lock()


def default_backend() -> str:
    """``jax`` when JAX is installed, else ``numba``."""
    return "jax" if importlib.util.find_spec("jax") is not None else "numba"


def _jax_cache() -> None:
    """Point JAX's persistent compilation cache at :data:`CACHE` (once per process)."""
    import jax

    if jax.config.jax_compilation_cache_dir is None:
        try:
            CACHE.mkdir(parents=True, exist_ok=True)
        except OSError:  # an unwritable home: compile in memory only
            return
        jax.config.update("jax_compilation_cache_dir", str(CACHE))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


class CompiledNetwork:
    """A graph's PyMC model compiled by nutpie; data are swapped per sample."""

    def __init__(
        self, graph: Graph, backend: str | None = None, keep: tuple[str, ...] | None = None
    ):
        import nutpie

        self.graph = graph
        self.backend = backend or default_backend()
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}: expected one of {BACKENDS}")
        self.model = build_model(graph)
        names = None if keep is None else [k for k in keep if k in self.model.named_vars]
        if self.backend == "jax":
            _jax_cache()
            options = {"backend": "jax", "gradient_backend": "jax", "freeze_model": False}
        else:
            options = {"backend": "numba"}
        self._compiled = nutpie.compile_pymc_model(self.model, var_names=names, **options)
        # the data the compiled functions read (PyMC and nutpie drop the rest)
        shared = getattr(self._compiled, "shared_data", None)
        if shared is None:
            shared = self._compiled._shared_data
        self.data_names = frozenset(placeholder_data(graph)) & frozenset(shared)

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

        values = {k: np.asarray(v, float) for k, v in data.items() if k in self.data_names}
        if self.backend == "jax":  # device arrays once, not a copy of every array per gradient
            import jax.numpy as jnp

            values = {k: jnp.asarray(v) for k, v in values.items()}
        compiled = self._compiled.with_data(**values)
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


def compiled_network(
    graph: Graph, backend: str | None = None, keep: tuple[str, ...] | None = None
) -> CompiledNetwork:
    """The compiled model of ``graph`` (``keep``: the variables of its trace, all when None),
    compiled on first use and cached for the process."""
    key = (graph, backend or default_backend(), None if keep is None else tuple(keep))
    with _LOCK:
        if key not in _CACHE:
            logging.getLogger("pymc").setLevel(logging.ERROR)
            _CACHE[key] = CompiledNetwork(graph, *key[1:])
        return _CACHE[key]
