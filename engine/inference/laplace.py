"""The posterior's log density in standard-normal coordinates, its mode and its curvature.

log π(u) = log N(u; 0, I) + log P(e | θ(u)) over the coordinates the evidence informs (the
others keep a base value: P(e | θ) does not depend on them). Gradients and the Hessian come from
central finite differences, every perturbed point of one derivative in a single call of the
NumPy elimination (many θ in one ``prepare`` is one vectorised sum), so nothing here needs
PyMC. A perturbed point differs from the base in one or two coordinates, so θ is computed only
for the few values the perturbations take (the inverse Beta CDF is the costly part).

:func:`laplace` gives the mode and the inverse of the negative Hessian there: the start of the
adaptive step when prior draws are too degenerate to fit a proposal to.
"""

from __future__ import annotations

import numpy as np

from engine.inference.coordinates import Coordinates, log_prior
from models.elimination import Eliminator

STEP_GRADIENT = 1e-5  # central differences of log π (values about 10-100): error ~1e-10
STEP_HESSIAN = 1e-3  # second differences: truncation ~1e-7, rounding ~1e-8
MAX_ITERATIONS = 200


class LogDensity:
    """log π at points that vary only the coordinates ``columns``."""

    def __init__(
        self,
        coordinates: Coordinates,
        eliminator: Eliminator,
        data: dict,
        columns: np.ndarray,
        base: np.ndarray,
        batch: int,
    ):
        self.coordinates = coordinates
        self.eliminator = eliminator
        self.data = data
        self.columns = np.asarray(columns, dtype=int)
        self.base = np.asarray(base, dtype=float)  # (P + F,) a slot table row for the rest
        self.batch = max(1, batch)  # points per call, so that memory stays within budget
        self.calls = 0

    def _at(self, table: np.ndarray, u: np.ndarray) -> np.ndarray:
        """log π of slot tables (S, P + F) whose coordinates ``columns`` are u (S, k)."""
        network = self.coordinates.network
        n_prob = len(network.prob_priors)
        out = np.empty(len(table))
        for start in range(0, len(table), self.batch):
            part = slice(start, start + self.batch)
            params = network.params(table[part, :n_prob], table[part, n_prob:])
            prepared = self.eliminator.prepare(params)
            out[part] = prepared.marginals(self.data, drivers=False).log_evidence
        self.calls += 1
        return out + log_prior(u)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """(S,) log π at (S, k) points."""
        u = np.atleast_2d(u)
        table = np.tile(self.base, (len(u), 1))
        table[:, self.coordinates.slots[self.columns]] = self.coordinates.values(u, self.columns)
        return self._at(table, u)

    def _perturbed(self, u0: np.ndarray, moves: list[tuple[tuple[int, int], ...]], step: float):
        """log π at u0 moved by ``step`` × sign along one or two coordinates per point.

        ``moves`` lists, per point, (coordinate position, sign in -2..2) pairs.
        """
        k = len(self.columns)
        offsets = np.arange(-2, 3)
        grid = u0[None, :] + step * offsets[:, None]  # (5, k): every value a point can take
        values = self.coordinates.values(grid, self.columns)  # (5, k)
        slots = self.coordinates.slots[self.columns]
        table = np.tile(self.base, (len(moves), 1))
        table[:, slots] = values[2]
        u = np.tile(u0, (len(moves), 1))
        for row, move in enumerate(moves):
            for position, sign in move:
                table[row, slots[position]] = values[sign + 2, position]
                u[row, position] = grid[sign + 2, position]
        assert u.shape[1] == k
        return self._at(table, u)

    def value_and_gradient(self, u0: np.ndarray) -> tuple[float, np.ndarray]:
        """log π(u0) and its gradient (central differences)."""
        k = len(u0)
        moves = [()] + [((i, 1),) for i in range(k)] + [((i, -1),) for i in range(k)]
        f = self._perturbed(u0, moves, STEP_GRADIENT)
        return float(f[0]), (f[1 : k + 1] - f[k + 1 :]) / (2 * STEP_GRADIENT)

    def hessian(self, u0: np.ndarray) -> np.ndarray:
        """(k, k) Hessian of log π at u0 (second central differences)."""
        k, h = len(u0), STEP_HESSIAN
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
        moves = [()] + [((i, 1),) for i in range(k)] + [((i, -1),) for i in range(k)]
        for i, j in pairs:
            moves += [((i, 1), (j, 1)), ((i, 1), (j, -1)), ((i, -1), (j, 1)), ((i, -1), (j, -1))]
        f = self._perturbed(u0, moves, h)
        centre, plus, minus = f[0], f[1 : k + 1], f[k + 1 : 2 * k + 1]
        out = np.diag((plus - 2 * centre + minus) / h**2)
        corners = f[2 * k + 1 :].reshape(-1, 4)
        for (i, j), (pp, pm, mp, mm) in zip(pairs, corners):
            out[i, j] = out[j, i] = (pp - pm - mp + mm) / (4 * h * h)
        return out


def laplace(density: LogDensity, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mode of log π (L-BFGS from ``start``) and the covariance −H⁻¹ there.

    Directions where log π is not concave at the mode (−H not positive) get the prior's unit
    variance: the proposal built on it is then as wide as the prior there.
    """
    from scipy.optimize import minimize  # only when a Laplace start is needed

    def negative(u):
        value, gradient = density.value_and_gradient(u)
        return -value, -gradient

    found = minimize(
        negative,
        np.asarray(start, dtype=float),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": MAX_ITERATIONS},
    )
    mode = found.x
    curvature = -density.hessian(mode)
    curvature = 0.5 * (curvature + curvature.T)
    values, vectors = np.linalg.eigh(curvature)
    values = np.where(values > 1e-3, values, 1.0)
    return mode, (vectors / values) @ vectors.T
