"""EinsumDense's equation, read by Keras's grammar and turned into one matmul: the
input's axes reordered as (shared, kept, summed), the kernel's as (shared, summed, new),
a (batched) matmul, and the result's axes put in the equation's output order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

# The three forms keras/src/layers/core/einsum_dense.py (_analyze_einsum_string) and
# tf_keras's accept: "abc,cd->abd", "...b,bc->...c" and "ab...,bc->ac...".
FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), ""),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."), "right"),
)


class EquationError(ValueError):
    """An equation, or a shape for it, that Keras would not accept or lstmgen cannot run."""


@dataclass(frozen=True)
class Equation:
    """An equation's labels, one per axis; "..." expanded into labels "0", "1", ..."""

    x: Tuple[str, ...]
    kernel: Tuple[str, ...]
    out: Tuple[str, ...]
    elided: str  # "" (none), "left" or "right": where "..." stands
    output_spec: str  # the letters of the output, as bias_axes refers to them


@dataclass(frozen=True)
class Plan:
    """The matmul that computes the einsum, every axis named by its label."""

    summed_alone: Tuple[int, ...]  # axes of x summed before the matmul (in x alone)
    x_order: Tuple[int, ...]  # x's other axes as shared | kept | contracted
    shared: Tuple[str, ...]  # in x, the kernel and the output: a batched matmul
    kept: Tuple[str, ...]  # in x and the output (the batch axis among them)
    contracted: Tuple[str, ...]  # in x and the kernel only: summed by the matmul
    new: Tuple[str, ...]  # in the kernel and the output only
    kernel_order: Tuple[int, ...]  # the kernel's axes as shared | contracted | new
    out_order: Tuple[int, ...]  # the matmul's (shared, kept, new) axes in output order


def parse(equation: object, rank: int) -> Equation:
    """The labels of `equation` for an input of `rank` axes (batch included)."""
    text = equation if isinstance(equation, str) else ""
    found = [(p.fullmatch(text), elided) for p, elided in FORMS if p.fullmatch(text)]
    if not found:
        raise EquationError(
            f"equation {equation!r} is not of a form EinsumDense accepts: "
            "'ab,bc->ac', '...b,bc->...c' or 'ab...,bc->ac...'"
        )
    match, elided = found[0]
    x_spec, kernel_spec, out_spec = match.groups()
    for spec in match.groups():
        if len(set(spec)) != len(spec):
            raise EquationError(f"equation {equation!r} repeats a letter within '{spec}'")
    extra = rank - len(x_spec)
    if extra < 0 or (extra and not elided):
        raise EquationError(f"equation {equation!r} does not fit an input of rank {rank}")
    dots = tuple(str(k) for k in range(extra))
    x = dots + tuple(x_spec) if elided == "left" else tuple(x_spec) + dots
    out = dots + tuple(out_spec) if elided == "left" else tuple(out_spec) + dots
    for letter in out_spec:
        if letter not in x_spec and letter not in kernel_spec:
            raise EquationError(f"output letter '{letter}' is in neither the input nor the kernel")
    for letter in kernel_spec:
        if letter not in x_spec and letter not in out_spec:
            raise EquationError(f"kernel letter '{letter}' is in neither the input nor the output")
    if x[0] != out[0] or x[0] in kernel_spec:
        raise EquationError(f"equation {equation!r} does not keep the batch axis first")
    return Equation(x, tuple(kernel_spec), out, elided, out_spec)


def plan(eq: Equation) -> Plan:
    """The matmul for `eq`: which axes go where."""
    in_x, in_kernel, in_out = set(eq.x), set(eq.kernel), set(eq.out)
    shared = tuple(a for a in eq.kernel if a in in_x and a in in_out)
    contracted = tuple(a for a in eq.kernel if a in in_x and a not in in_out)
    new = tuple(a for a in eq.out if a in in_kernel and a not in in_x)
    kept = tuple(a for a in eq.x if a in in_out and a not in in_kernel)
    alone = tuple(k for k, a in enumerate(eq.x) if a not in in_kernel and a not in in_out)
    rest = [a for a in eq.x if a not in {eq.x[k] for k in alone}]
    product = shared + kept + new
    return Plan(
        summed_alone=alone,
        x_order=tuple(rest.index(a) for a in shared + kept + contracted),
        shared=shared,
        kept=kept,
        contracted=contracted,
        new=new,
        kernel_order=tuple(eq.kernel.index(a) for a in shared + contracted + new),
        out_order=tuple(product.index(a) for a in eq.out),
    )


def is_identity(order: Tuple[int, ...]) -> bool:
    """True if `order` leaves the axes where they are."""
    return order == tuple(range(len(order)))


def labels(names: List[str]) -> str:
    """Axis labels as the comments show them: "a b c" ("..." axes as "_0", "_1")."""
    return " ".join(n if n.isalpha() else f"_{n}" for n in names)


def optional(order: Tuple[int, ...]) -> Optional[Tuple[int, ...]]:
    """`order`, or None where it changes nothing."""
    return None if is_identity(order) else order


def matmul_comment(p: Plan) -> str:
    """The matmul in labels: "(a b | c) @ (c | d e), summed over c"."""
    left = " | ".join(labels(list(g)) for g in (p.shared, p.kept, p.contracted) if g)
    right = " | ".join(labels(list(g)) for g in (p.shared, p.contracted, p.new) if g)
    summed = labels(list(p.contracted)) or "nothing (an outer product)"
    batched = f", one matmul per {labels(list(p.shared))}" if p.shared else ""
    return f"({left}) @ ({right}), summed over {summed}{batched}"
