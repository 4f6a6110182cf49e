"""``posterior.nc``: the draws behind the main result, as ArviZ InferenceData in netCDF.

Written with xarray alone (importing ArviZ costs seconds a report does not need); ArviZ reads
it back with ``arviz.from_netcdf``. The ``posterior`` group holds, per draw, every number
(``prob`` by probability slot, ``effect`` by effect slot, slots named by their key paths), the
outcome probabilities ``q`` and the driver probabilities ``driver_p`` (by the result's driver keys:
``X``, or ``X=s`` for each state of a multi-state driver). NUTS draws keep their
chains; importance-sampling draws are one chain of prior draws, and ``sample_stats.log_weight``
holds each draw's Pareto-smoothed, normalised log weight: every posterior summary of those
draws must be weighted by it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from engine.inference.answer import Answer
from engine.inference.network import Network


def posterior_bytes(network: Network, main: Answer) -> bytes:
    """The main result's draws as the bytes of a netCDF (HDF5) file."""
    import xarray as xr

    sample = main.sample
    chains = sample.chains or 1
    shape = (chains, len(sample.weights) // chains)
    layout, graph = network.layout, network.graph
    theta = layout.vector(sample.params)
    n_prob = len(layout.prob_slots)

    def per_draw(values: np.ndarray, dim: str) -> tuple[tuple[str, str, str], np.ndarray]:
        return ("chain", "draw", dim), values.reshape(*shape, -1)

    posterior = xr.Dataset(
        {
            "prob": per_draw(theta[:, :n_prob], "prob_slot"),
            "effect": per_draw(theta[:, n_prob:], "effect_slot"),
            "q": per_draw(sample.outcomes, "outcome"),
            "driver_p": per_draw(sample.drivers, "driver"),
        },
        coords={
            "chain": np.arange(shape[0]),
            "draw": np.arange(shape[1]),
            "prob_slot": list(layout.prob_slots),
            "effect_slot": list(layout.effect_slots),
            "outcome": list(graph.outcomes),
            "driver": list(main.drivers),  # X, or X=s for each state (SPEC §11.6)
        },
        attrs={"inference_library": "signpost", "method": main.diagnostics.method},
    )
    with np.errstate(divide="ignore"):
        log_weight = np.log(sample.weights).reshape(shape)
    stats = xr.Dataset(
        {"log_weight": (("chain", "draw"), log_weight)},
        coords={"chain": posterior.chain, "draw": posterior.draw},
    )
    # a scratch file of this process (not the reports folder): h5netcdf writes by name, and the
    # caller writes the bytes where they belong
    with tempfile.TemporaryDirectory(prefix="signpost-") as scratch:
        path = Path(scratch) / "posterior.nc"
        posterior.to_netcdf(path, group="posterior", mode="w", engine="h5netcdf")
        stats.to_netcdf(path, group="sample_stats", mode="a", engine="h5netcdf")
        return path.read_bytes()
