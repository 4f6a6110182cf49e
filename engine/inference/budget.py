"""The memory budget of a run (``inference.memory_mib``, ``--memory-mib``; 2 GiB by default).

Every method's cost is checked here before the method starts, so that a run refuses clearly
instead of growing until the kernel kills it (and, on a shared machine, everything else with
it). The costs are estimates on the safe side:

- a set of S draws prepared for every setting (``models.elimination.Prepared``) holds, per
  draw, its numbers, every driver's table, the indicators' and the outcome table, and a
  setting's sum needs the widest contraction of one draw beside them (:func:`draw_bytes`); a
  run holds a few such sets at once;
- NUTS holds PyMC, its compiled model and the chains: :data:`NUTS_BYTES` measured on the
  project's models (``benchmarks/fallback.py``), plus its draws prepared like any set.

What does not fit is refused: with the method asked for explicitly, as bad input (exit 2,
:class:`OverBudget`); as a step of ``auto``, the step is left out and the setting's result says
why it is unreliable (:meth:`Budget.refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20
GIB = 2**30
PROCESS_BYTES = 300 * MIB  # Python, NumPy, SciPy and the engine before any draw (measured ~250)
NUTS_BYTES = 1536 * MIB  # PyMC, JAX, compiling the program, the chains (peaks 0.9-1.2 GiB)


def draw_bytes(eliminator) -> int:
    """Bytes one draw costs in a prepared set (held tables, plus the widest contraction of a
    setting's sum, ``Eliminator.per_draw_bytes``: the whole graph's, or for a graph too wide
    to sum whole, the main sum's, wider sums running over slices of the draws)."""
    graph = eliminator.graph
    # every driver's table: a row of its states for each combination of its parents' states
    tables = sum(graph.width(spec.parents) * graph.sizes[i] for i, spec in enumerate(graph.specs))
    m, k = len(graph.indicators), max(1, len(graph.outcomes))
    numbers = len(graph.prob_slots) + len(graph.effect_slots)
    held = 2 * tables + 4 * m + graph.width(graph.outcome_drivers) * k + 2 * numbers
    return 8 * held + eliminator.per_draw_bytes


class OverBudget(ValueError):
    """A method asked for explicitly would need more memory than the run's budget.

    A problem with the scenario's options, not a bug: front ends report it as bad input.
    """

    bad_input = True


@dataclass(frozen=True)
class Budget:
    """How many bytes a run may hold at once."""

    bytes: int

    @classmethod
    def of_mib(cls, mib: int) -> Budget:
        return cls(int(mib) * MIB)

    def fits(self, need: int, held: int = 0) -> bool:
        """True when ``need`` more bytes, beside ``held`` already held, stay within budget."""
        return PROCESS_BYTES + held + need <= self.bytes

    def draws(self, per_draw: int, held: int = 0) -> int:
        """How many draws of ``per_draw`` bytes fit beside ``held`` bytes (0 when none)."""
        return max(0, (self.bytes - PROCESS_BYTES - held) // max(1, per_draw))

    def refusal(self, what: str, need: int) -> str:
        """The sentence a result gives for a step it left out."""
        return (
            f"{what} not run: it would need about {_size(PROCESS_BYTES + need)}, more than the "
            f"memory budget of {_size(self.bytes)} (raise it with inference.memory_mib or "
            "--memory-mib)"
        )

    def refuse(self, what: str, need: int) -> OverBudget:
        """The error for a method asked for explicitly that does not fit."""
        return OverBudget(self.refusal(what, need))


def _size(n: int) -> str:
    return f"{n / GIB:.1f} GiB" if n >= GIB else f"{n / MIB:.0f} MiB"
