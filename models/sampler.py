"""Compile a network's model once, then sample it with new data as often as needed.

Three backends sample the same PyMC model (:func:`models.builder.build_model`):

- ``numpyro`` (the default when JAX and NumPyro are installed: ``pip install 'signpost[jax]'``;
  ``make`` installs them): NumPyro's NUTS, the warm-up and the draws of a chain in one XLA
  program (``jax.lax.scan`` over NumPyro's ``sample_kernel``), on the model's log density
  turned into JAX by PyTensor. The data are arguments of that program, not constants in it
  (NumPyro's ``potential_fn_gen``), so one compilation serves every scenario, what-if, timeline
  point and analysis setting with the same graph. A gradient inside the program costs about
  15 µs where one called from Python (nutpie's JAX backend) costs 120–180 µs, and the chains
  run on two threads (XLA releases the interpreter while it computes).
- ``jax``: nutpie with its JAX backend (``backend="jax", gradient_backend="jax"``): compiles in
  seconds, but every gradient is a call from Rust into Python.
- ``numba``: nutpie with its numba backend, the one left without JAX; tens of seconds compiling
  nutpie's own wrapper functions in every process, which its cache does not keep.

``benchmarks/fallback.py`` measures them (``--backends``) on the project's models (2 cores).
Either way:

- the engine keeps only ``prob`` and ``effect`` of a draw (:class:`Trace`): it recomputes q_k(θ)
  and the drivers' probabilities from them in NumPy (``models.elimination``);
  ``keep=None`` makes nutpie keep every variable (the tests that hold the PyMC model equal to
  NumPy read the model itself);
- JAX keeps its compiled XLA programs in a cache on disk (:data:`CACHE`), so the processes of a
  batch (``signpost report -j N``) and later runs reuse one compilation of a graph; workers
  that need one program at once take turns on a lock file beside the cache, and only the first
  compiles it (the others read it from the cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.builder import build_model, placeholder_data
from models.graph import Graph

BACKENDS = ("numpyro", "jax", "numba")
KEPT = ("prob", "effect")  # what the engine reads of a trace
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "signpost" / "jax"
THREADS = 2  # chains sampled at once by the numpyro backend
LOCK_SECONDS = 300.0  # the longest wait for another process compiling a program (cold: ~6 s)
PROGRAMS = 4  # compiled (tune, draws) programs kept per graph: the defaults, a retry's, others

_CACHE: dict[tuple[Graph, str, tuple[str, ...] | None], CompiledNetwork] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Trace:
    """What the engine reads of a NUTS run: the kept draws of θ, by chain."""

    prob: np.ndarray  # (chains, draws, probability slots)
    effect: np.ndarray  # (chains, draws, effect slots)
    divergences: int  # after tuning, over every chain


def default_backend() -> str:
    """``numpyro`` when JAX and NumPyro are installed, nutpie's ``jax`` with JAX alone, else
    ``numba``."""
    if importlib.util.find_spec("jax") is None:
        return "numba"
    return "numpyro" if importlib.util.find_spec("numpyro") is not None else "jax"


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


@contextlib.contextmanager
def _compiling(program: str) -> Iterator[None]:
    """Hold a lock, shared by every process that uses JAX's cache on disk, on one program
    (named by its text) while it is compiled: the first process to ask compiles it and writes
    it to the cache, and the others (a batch's workers, started together) wait and then read
    it from there, so a batch compiles a graph once.

    A process that dies lets the lock go; one that holds it for more than
    :data:`LOCK_SECONDS` (stopped, or on a hung disk) is not waited for any longer. Without a
    local cache folder, a file system that cannot lock, or off POSIX, every process compiles.
    The lock files are at most 256 (named by the program's hash), so two programs may
    sometimes take turns for nothing."""
    import jax

    folder = jax.config.jax_compilation_cache_dir
    try:
        import fcntl
    except ImportError:  # not POSIX
        fcntl = None
    local = folder is not None and "://" not in str(folder)  # not gs://, file://: JAX's own
    if fcntl is None or not local or not jax.config.jax_enable_compilation_cache:
        yield
        return
    name = hashlib.sha256(program.encode()).hexdigest()[:2]
    try:
        locks = Path(folder) / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        stream = open(locks / f"{name}.lock", "a")  # closed below, with the lock
    except OSError:  # an unwritable cache: compile without waiting
        yield
        return
    with stream:
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            try:
                fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:  # another process compiles it
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            except OSError:  # a file system without locks (some NFS, Lustre, FUSE)
                break
        yield  # the lock, if taken, goes with the file, closed here


class CompiledNetwork:
    """A graph's PyMC model compiled for one backend; data are swapped per sample."""

    def __init__(
        self, graph: Graph, backend: str | None = None, keep: tuple[str, ...] | None = None
    ):
        self.graph = graph
        self.backend = backend or default_backend()
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}: expected one of {BACKENDS}")
        self.model = build_model(graph)
        if self.backend == "numpyro":
            self._sampler = _Numpyro(self.model)
        else:
            self._sampler = _Nutpie(self.model, self.backend, keep)
        self.data_names = frozenset(placeholder_data(graph)) & self._sampler.data_names

    def sample(
        self,
        data: Mapping[str, np.ndarray],
        *,
        draws: int,
        tune: int,
        chains: int,
        seed: int,
        target_accept: float,
    ) -> Trace:
        """Sample the posterior under ``data``: ``chains`` chains of ``draws`` draws each after
        ``tune`` tuning steps."""
        values = {k: np.asarray(v, float) for k, v in data.items() if k in self.data_names}
        return self._sampler.sample(
            values, draws=draws, tune=tune, chains=chains, seed=seed, target_accept=target_accept
        )


class _Numpyro:
    """NumPyro's NUTS on the model's log density in JAX, a chain per XLA program."""

    def __init__(self, model):
        import jax
        from pymc.initial_point import make_initial_point_expression
        from pytensor.compile.mode import get_mode
        from pytensor.compile.sharedvalue import SharedVariable
        from pytensor.graph.fg import FunctionGraph
        from pytensor.link.jax.dispatch import jax_funcify

        try:
            from pytensor.graph.traversal import graph_inputs
        except ImportError:  # PyTensor before 2.32
            from pytensor.graph.basic import graph_inputs

        _jax_cache()
        values = model.value_vars
        kept = [model[name] for name in KEPT if name in model.named_vars]
        start = make_initial_point_expression(
            free_rvs=model.free_RVs,
            rvs_to_transforms=model.rvs_to_transforms,
            initval_strategies={},
            return_transformed=True,
        )
        mode = get_mode("JAX")
        self._initial: dict[str, np.ndarray] = {}

        def jaxified(outs, inputs):
            """A JAX function of ``inputs`` and a dict of the shared data (by name)."""
            shared = sorted(
                {v for v in graph_inputs(outs) if isinstance(v, SharedVariable)},
                key=lambda v: v.name,
            )
            for v in shared:
                self._initial.setdefault(v.name, np.asarray(v.get_value()))
            graph = FunctionGraph(inputs=[*inputs, *shared], outputs=outs, clone=True)
            mode.optimizer.rewrite(graph)
            with warnings.catch_warnings():  # the priors' parameter checks: data, checked before
                warnings.filterwarnings("ignore", "Skipping Check", UserWarning)
                function = jax_funcify(graph)
            names = [v.name for v in shared]
            return lambda *args, data: function(*args, *(data[n] for n in names))

        self._logp = jaxified([model.logp()], values)
        self._expand = jaxified(model.replace_rvs_by_values(kept), values)
        self._start = jaxified(start, [])
        self._kept = tuple(rv.name for rv in kept)
        self.data_names = frozenset(self._initial)
        self._shapes = [np.shape(s) for s in self._start(data=self._initial)]
        self._sizes = [int(np.prod(shape)) for shape in self._shapes]
        self._jax = jax
        self._programs: dict[tuple[int, int], object] = {}
        self._lock = threading.Lock()

    def _split(self, x):
        """The flat vector of the unconstrained numbers as the model's value variables."""
        parts, at = [], 0
        for size, shape in zip(self._sizes, self._shapes):
            parts.append(x[at : at + size].reshape(shape))
            at += size
        return parts

    def _program(self, tune: int, draws: int, *example):
        """One chain's warm-up and draws, compiled once per graph and lengths, before any chain
        runs (two threads calling a function JAX has not compiled yet would each compile it);
        ``example``: a chain's arguments, for their shapes."""
        with self._lock:
            if (tune, draws) in self._programs:
                return self._programs[(tune, draws)]
            jax = self._jax
            from numpyro.infer.hmc import hmc

            def potential(data):
                return lambda x: -self._logp(*self._split(x), data=data)[0]

            init_kernel, sample_kernel = hmc(potential_fn_gen=potential, algo="NUTS")

            def chain(key, x0, target_accept, data):
                state = init_kernel(
                    x0,
                    num_warmup=tune,
                    target_accept_prob=target_accept,
                    rng_key=key,
                    model_args=(data,),
                )

                def step(state, _):
                    state = sample_kernel(state, model_args=(data,))
                    return state, (state.z, state.diverging)

                _, (z, diverging) = jax.lax.scan(step, state, None, length=tune + draws)
                kept = jax.vmap(lambda x: self._expand(*self._split(x), data=data))(z[tune:])
                return kept, diverging[tune:].sum()

            lowered = jax.jit(chain).lower(*example)
            with _compiling(lowered.as_text()):  # one process compiles, the others read it
                program = lowered.compile()
            if len(self._programs) >= PROGRAMS:  # the oldest lengths first (dicts keep order)
                del self._programs[next(iter(self._programs))]
            self._programs[(tune, draws)] = program
            return program

    def sample(self, values, *, draws, tune, chains, seed, target_accept) -> Trace:
        jnp = self._jax.numpy
        data = {n: jnp.asarray(values.get(n, v)) for n, v in self._initial.items()}
        start = np.concatenate([np.ravel(s) for s in self._start(data=data)])
        rng = np.random.default_rng(seed)
        starts = start + rng.uniform(-1.0, 1.0, (chains, start.size))  # PyMC's jitter
        keys = self._jax.random.split(self._jax.random.PRNGKey(seed), chains)
        accept = jnp.asarray(target_accept, dtype=float)
        program = self._program(tune, draws, keys[0], jnp.asarray(starts[0]), accept, data)

        def one(c: int):
            kept, diverging = program(keys[c], jnp.asarray(starts[c]), accept, data)
            return [np.asarray(k) for k in kept], int(diverging)

        with ThreadPoolExecutor(min(chains, THREADS)) as pool:
            runs = list(pool.map(one, range(chains)))
        by_name = {n: np.stack([r[0][i] for r in runs]) for i, n in enumerate(self._kept)}
        prob = by_name["prob"]
        effect = by_name.get("effect", np.zeros((*prob.shape[:2], 0)))
        return Trace(prob, effect, sum(r[1] for r in runs))


class _Nutpie:
    """nutpie on its JAX or numba backend."""

    def __init__(self, model, backend: str, keep: tuple[str, ...] | None):
        import nutpie

        self.backend = backend
        names = None if keep is None else [k for k in keep if k in model.named_vars]
        if backend == "jax":
            _jax_cache()
            options = {"backend": "jax", "gradient_backend": "jax", "freeze_model": False}
        else:
            options = {"backend": "numba"}
        self._compiled = nutpie.compile_pymc_model(model, var_names=names, **options)
        # the data the compiled functions read (PyMC and nutpie drop the rest)
        shared = getattr(self._compiled, "shared_data", None)
        if shared is None:
            shared = self._compiled._shared_data
        self.data_names = frozenset(shared)

    def sample(self, values, *, draws, tune, chains, seed, target_accept) -> Trace:
        import nutpie

        if self.backend == "jax":  # device arrays once, not a copy of every array per gradient
            import jax.numpy as jnp

            values = {k: jnp.asarray(v) for k, v in values.items()}
        idata = nutpie.sample(
            self._compiled.with_data(**values),
            draws=draws,
            tune=tune,
            chains=chains,
            cores=min(chains, 2),
            seed=seed,
            target_accept=target_accept,
            progress_bar=False,
            save_warmup=False,
        )
        post = idata.posterior
        prob = post["prob"].values
        effect = post["effect"].values if "effect" in post else np.zeros((*prob.shape[:2], 0))
        return Trace(prob, effect, int(idata.sample_stats["diverging"].values.sum()))


def compiled_network(
    graph: Graph, backend: str | None = None, keep: tuple[str, ...] | None = None
) -> CompiledNetwork:
    """The compiled model of ``graph`` (``keep``: the variables nutpie keeps of a trace, all
    when None), compiled on first use and cached for the process."""
    backend = backend or default_backend()
    # NumPyro's program always keeps KEPT: one compilation whatever keep says
    keep = None if keep is None or backend == "numpyro" else tuple(keep)
    key = (graph, backend, keep)
    with _LOCK:
        if key not in _CACHE:
            logging.getLogger("pymc").setLevel(logging.ERROR)
            _CACHE[key] = CompiledNetwork(graph, *key[1:])
        return _CACHE[key]
