"""Sharing the change between two versions among the edits: Shapley values or a sequence.

Pure arithmetic over a value function ``v(S)``: the outcome probabilities of the old version
with the subset ``S`` of edits applied (:mod:`engine.diff.compare` evaluates it). Edits are
numbered ``0 .. n-1`` and a subset is a ``frozenset`` of those numbers.

- **Shapley** (at most :data:`MAX_SHAPLEY` edits): edit i's share is the average, over every
  order of applying the edits, of the change it makes when it is applied:
  ``phi_i = sum over S not holding i of |S|! (n-|S|-1)! / n! * (v(S + i) - v(S))``.
  It needs ``v`` on all ``2^n`` subsets, each evaluated once.
- **sequential**: the edits are applied one after another in a fixed order and each is given
  the change it makes: ``phi_i = v(before + i) - v(before)``. It needs ``n + 1`` evaluations.

Both add up to ``v(all) - v(none)`` for every outcome: Shapley values by their efficiency, a
sequence by telescoping.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations

MAX_SHAPLEY = 6  # 2^6 = 64 evaluations; beyond that, sequential

Subset = frozenset[int]
Values = Mapping[Subset, Mapping[str, float]]


def all_subsets(n: int) -> list[Subset]:
    """Every subset of ``range(n)``, smallest first."""
    return [frozenset(c) for size in range(n + 1) for c in combinations(range(n), size)]


def shapley_coefficients(n: int) -> list[dict[Subset, float]]:
    """For each edit i, the weight of ``v(S)`` in its Shapley value, for every subset S.

    ``phi_i = sum_S c_i[S] * v(S)``; ``c_i[S]`` is ``w(|S| - 1)`` when i is in S and ``-w(|S|)``
    otherwise, with ``w(s) = s! (n - s - 1)! / n!``.
    """

    def w(size: int) -> float:
        return math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)

    return [
        {s: (w(len(s) - 1) if i in s else -w(len(s))) for s in all_subsets(n)} for i in range(n)
    ]


def shapley(n: int, values: Values, outcomes: Sequence[str]) -> list[dict[str, float]]:
    """Shapley value of each of ``n`` edits for every outcome, from ``v`` on all subsets.

    Computed as the weighted sum of marginal changes ``v(S + i) - v(S)``.
    """
    everyone = frozenset(range(n))
    shares = []
    for i in range(n):
        share = dict.fromkeys(outcomes, 0.0)
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in map(frozenset, combinations(everyone - {i}, size)):
                for k in outcomes:
                    share[k] += weight * (values[subset | {i}][k] - values[subset][k])
        shares.append(share)
    return shares


def shapley_mcse(n: int, mcse: Values, outcomes: Sequence[str]) -> list[dict[str, float]]:
    """Monte Carlo standard error of each Shapley value, taking the subsets' errors as
    independent (the same seed for every subset makes them positively correlated, so this
    errs on the large side)."""
    return [
        {
            k: math.sqrt(sum(c * c * mcse[s][k] ** 2 for s, c in coefficients.items()))
            for k in outcomes
        }
        for coefficients in shapley_coefficients(n)
    ]


def prefixes(order: Sequence[int]) -> list[Subset]:
    """The subsets applied after each step of ``order``, starting with the empty one."""
    return [frozenset(order[:step]) for step in range(len(order) + 1)]


def sequential_shares(
    order: Sequence[int], values: Values, outcomes: Sequence[str]
) -> list[dict[str, float]]:
    """Each edit's change ``v(before + i) - v(before)`` when applied in ``order``, indexed by
    edit number."""
    steps = prefixes(order)
    shares: list[dict[str, float]] = [{} for _ in order]
    for step, i in enumerate(order):
        before, after = values[steps[step]], values[steps[step + 1]]
        shares[i] = {k: after[k] - before[k] for k in outcomes}
    return shares


def sequential_mcse(
    order: Sequence[int], mcse: Values, outcomes: Sequence[str]
) -> list[dict[str, float]]:
    """Monte Carlo standard error of each sequential share (independent errors assumed)."""
    steps = prefixes(order)
    out: list[dict[str, float]] = [{} for _ in order]
    for step, i in enumerate(order):
        a, b = mcse[steps[step]], mcse[steps[step + 1]]
        out[i] = {k: math.hypot(a[k], b[k]) for k in outcomes}
    return out


def valid_order(
    n: int, is_valid: Callable[[Subset], bool], preferred: Iterable[int]
) -> list[int] | None:
    """An order of the ``n`` edits whose every prefix is valid, or None if there is none.

    Depth-first, trying edits in the ``preferred`` order at each step, so the preferred order
    itself is returned when it works; each subset is tried at most once.
    """
    preferred = list(preferred)
    dead: set[Subset] = set()

    def extend(done: Subset, order: list[int]) -> list[int] | None:
        if len(order) == n:
            return order
        for i in preferred:
            nxt = done | {i}
            if i in done or nxt in dead:
                continue
            if is_valid(nxt):
                found = extend(nxt, [*order, i])
                if found is not None:
                    return found
            dead.add(nxt)
        return None

    return extend(frozenset(), [])
