"""An einsum of many factors in PyTensor, contracted pairwise in opt_einsum's order.

PyTensor's ``pt.einsum`` orders a contraction of operands with static shapes by NumPy's
``einsum_path(optimize="optimal")``, which searches every order: its time and memory grow
exponentially with the number of operands (a 12-driver network's sum took minutes and grew
past 20 GB before anything was compiled). Here opt_einsum chooses the order, as it does for the
NumPy path (``models.elimination``), and each step is an einsum of two operands.
"""

from __future__ import annotations

import opt_einsum as oe
import pytensor.tensor as pt


def contract(equation: str, *operands):
    """``pt.einsum(equation, *operands)``, contracted pairwise along opt_einsum's path."""
    inputs, output = equation.split("->")
    terms = inputs.split(",")
    if len(terms) <= 2:
        return pt.einsum(equation, *operands)
    shapes = [tuple(int(s) for s in op.type.shape) for op in operands]
    path, _ = oe.contract_path(equation, *shapes, shapes=True, optimize="auto")
    stack = list(zip(terms, operands))
    for step in path:
        picked = [stack.pop(i) for i in sorted(step, reverse=True)]
        rest = "".join(term for term, _ in stack) + output
        seen = "".join(dict.fromkeys("".join(term for term, _ in picked)))
        out = "".join(symbol for symbol in seen if symbol in rest)
        step_equation = ",".join(term for term, _ in picked) + "->" + out
        stack.append((out, pt.einsum(step_equation, *[op for _, op in picked])))
    ((term, result),) = stack
    return result if term == output else pt.einsum(f"{term}->{output}", result)
