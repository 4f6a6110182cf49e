"""A sum of products of many factors in PyTensor, contracted pairwise in opt_einsum's order.

PyTensor's ``pt.einsum`` orders a contraction of operands with static shapes by NumPy's
``einsum_path(optimize="optimal")``, which searches every order: its time and memory grow
exponentially with the number of operands (a 12-driver network's sum took minutes and grew
past 20 GB before anything was compiled). Here opt_einsum chooses the order, as it does for the
NumPy path (``models.elimination``), and each step multiplies two factors broadcast over the
union of their axes and sums the axes no later step needs: plain elementwise products and
sums, which PyTensor's rewrites (and nutpie's backends) handle far faster than one einsum
``OpFromGraph`` per step. The factors are small (2 states per axis), so nothing is lost by not
calling BLAS.
"""

from __future__ import annotations

import opt_einsum as oe
import pytensor.tensor as pt


def _aligned(term: str, tensor, axes: str):
    """``tensor`` (axes named by ``term``) with its axes in the order ``axes``, broadcastable
    (length-1) where it has none of them."""
    order = [term.index(a) if a in term else "x" for a in axes]
    return tensor.dimshuffle(*order)


def contract(equation: str, *operands):
    """The einsum ``equation`` of ``operands`` (every axis of length 2), contracted pairwise
    along opt_einsum's path with broadcast products and sums."""
    inputs, output = equation.split("->")
    terms = inputs.split(",")
    shapes = [(2,) * len(term) for term in terms]
    path, _ = oe.contract_path(equation, *shapes, shapes=True, optimize="auto")
    stack = list(zip(terms, operands))
    for step in path:
        picked = [stack.pop(i) for i in sorted(step, reverse=True)]
        rest = "".join(term for term, _ in stack) + output
        union = "".join(dict.fromkeys("".join(term for term, _ in picked)))
        product = None
        for term, tensor in picked:
            part = _aligned(term, tensor, union)
            product = part if product is None else product * part
        summed = [i for i, a in enumerate(union) if a not in rest]
        kept = "".join(a for a in union if a in rest)
        stack.append((kept, pt.sum(product, axis=summed) if summed else product))
    ((term, result),) = stack
    return result if term == output else _aligned(term, result, output)
