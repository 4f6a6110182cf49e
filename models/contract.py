"""A sum of products of many factors in PyTensor, contracted pairwise in opt_einsum's order.

PyTensor's ``pt.einsum`` orders a contraction of operands with static shapes by NumPy's
``einsum_path(optimize="optimal")``, which searches every order: its time and memory grow
exponentially with the number of operands (a 12-driver network's sum took minutes and grew
past 20 GB before anything was compiled). Here the order is the one opt_einsum chose for the
NumPy path (:meth:`models.elimination.Eliminator.steps`), and each step multiplies two factors
broadcast over the union of their axes and sums the axes the step's output does not keep:
plain elementwise products and sums, which PyTensor's rewrites (and nutpie's backends) handle
far faster than one einsum ``OpFromGraph`` per step. The factors are small (a few states per
axis), so nothing is lost by not calling BLAS.
"""

from __future__ import annotations

import pytensor.tensor as pt


def _aligned(term: str, tensor, axes: str):
    """``tensor`` (axes named by ``term``) with its axes in the order ``axes``, broadcastable
    (length-1) where it has none of them."""
    order = [term.index(a) if a in term else "x" for a in axes]
    return tensor.dimshuffle(*order)


def contract(steps, operands: list):
    """Contract ``operands`` along ``steps`` — (operand positions, pairwise einsum) as
    :meth:`models.elimination.Eliminator.steps` gives them — with broadcast products and sums."""
    stack = list(operands)
    for positions, equation in steps:
        inputs, output = equation.split("->")
        terms = inputs.split(",")
        picked = [stack.pop(i) for i in sorted(positions, reverse=True)]
        # opt_einsum's step lists its operands in the order they were popped, highest first
        union = "".join(dict.fromkeys("".join(terms)))
        product = None
        for term, tensor in zip(terms, picked):
            part = _aligned(term, tensor, union)
            product = part if product is None else product * part
        summed = [i for i, a in enumerate(union) if a not in output]
        kept = "".join(a for a in union if a in output)
        result = pt.sum(product, axis=summed) if summed else product
        stack.append(_aligned(kept, result, output))
    (result,) = stack
    return result
