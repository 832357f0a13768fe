"""EinsumDense: y = activation(einsum(equation, x, W) + b), computed as one matmul."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import ClassVar, Dict, Optional, Tuple

from lstmgen.ir import Params
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.einsum_plan import (
    Equation,
    EquationError,
    labels,
    matmul_comment,
    optional,
    parse,
    plan,
)


@dataclass(frozen=True)
class EinsumDenseParams(Params):
    """einsum_dense.py.j2: x's axes reordered, one matmul, the result's axes reordered."""

    template: ClassVar[str] = "einsum_dense.py.j2"
    equation: str
    summed_alone: Optional[Tuple[int, ...]]  # axes of x summed before the matmul
    x_order: Optional[Tuple[int, ...]]  # x's axes as shared | kept | contracted, if moved
    x_labels: str  # their labels, for the comments: "a b | c"
    matmul_comment: str  # what the matmul does, in labels
    rows: str  # x as the matmul's left operand: "x.reshape(-1, 16)"
    kernel_matrix: str  # W as its right operand: "W.reshape(16, 16)" or a derived constant
    unfold: str  # the product's shape, its axes apart: "x.shape[:2] + (2, 8)"
    out_order: Optional[Tuple[int, ...]]  # the product's axes in the equation's order
    out_labels: str  # the product's labels before that: "a b d e"
    bias: Optional[str]
    activation_name: str
    result: str  # the activation of y


def build_einsum_dense(ctx: LayerContext) -> Built:
    """EinsumDense(equation, output_shape, bias_axes, activation) of Keras 3 and tf_keras."""
    shape = ctx.input_shape
    equation = ctx.option("equation")
    try:
        eq = parse(equation, len(shape))
    except EquationError as error:
        raise ctx.fail(str(error)) from None
    sizes = _sizes(ctx, eq, shape)
    bias_shape = _bias_shape(ctx, eq, sizes)
    activation = ctx.activation("activation")
    arrays = ctx.weights(2 if bias_shape else 1)
    p = plan(eq)
    for letter in p.shared + p.contracted:
        if sizes[letter] is None:
            raise ctx.fail(f"axis '{letter}' of the kernel needs a fixed size, got input {shape}")
    kernel_shape = tuple(sizes[a] for a in eq.kernel)
    comment = f"W: ({', '.join(eq.kernel)}) of {equation}"
    kernel = ctx.weight(arrays[0], "kernel", kernel_shape, comment)
    weights = [kernel]
    if bias_shape:
        weights.append(ctx.weight(arrays[1], "bias", bias_shape, f"b: {bias_shape}"))
    k_size = prod(sizes[a] for a in p.contracted)
    n_size = prod(sizes[a] for a in p.new)
    matrix = (k_size, n_size)
    derived = []
    if p.shared:
        matrix = (prod(sizes[a] for a in p.shared),) + matrix
    matrix_text = f"{kernel.var}.reshape{matrix!r}"
    if optional(p.kernel_order):
        # the kernel's axes moved once, at import, rather than at every call
        name = ctx.derived_name("kernel_matrix")
        expression = f"{kernel.var}.transpose{p.kernel_order!r}.reshape{matrix!r}"
        order = labels(list(p.shared + p.contracted + p.new))
        derived.append((name, expression, f"the kernel's axes as {order}, one matmul's operand"))
        matrix_text = name
    rows = (-1, k_size) if not p.shared else (matrix[0], -1, k_size)
    leading = len(p.shared) + len(p.kept)
    return Built(
        params=EinsumDenseParams(
            equation=equation,
            summed_alone=p.summed_alone or None,
            x_order=optional(p.x_order),
            x_labels=" | ".join(labels(list(g)) for g in (p.shared, p.kept, p.contracted) if g),
            matmul_comment=matmul_comment(p),
            rows=f"x.reshape{rows!r}",
            kernel_matrix=matrix_text,
            unfold=f"x.shape[:{leading}] + {tuple(sizes[a] for a in p.new)!r}",
            out_order=optional(p.out_order),
            out_labels=labels(list(p.shared + p.kept + p.new)),
            bias=weights[1].var if bias_shape else None,
            activation_name=activation.keras_name,
            result=activation.apply("y"),
        ),
        outputs=[tuple(sizes[a] if a in sizes else None for a in eq.out)],
        weights=weights,
        derived=derived,
        mask="none",
    )


def _sizes(ctx: LayerContext, eq: Equation, shape) -> Dict[str, Optional[int]]:
    """Every label's size: the input's axes, then the output_shape option's (all output
    axes after the batch axis, but those of "..." on the right)."""
    sizes = dict(zip(eq.x, shape))
    value = ctx.option("output_shape")
    partial = list(value) if isinstance(value, (list, tuple)) else [value]
    named = [a for a in eq.out if a.isalpha() and a != eq.out[0]]
    # Entries beyond those only reach Keras's declared output shape, not its einsum.
    partial = partial[: len(named)] if len(partial) >= len(named) else []
    if len(partial) != len(named) or not all(
        n is None or (isinstance(n, int) and not isinstance(n, bool) and n > 0) for n in partial
    ):
        raise ctx.fail(
            f"option output_shape={value!r} must give the {len(named)} axes "
            f"{', '.join(named) or '(none)'} of the equation's output (positive integers or null)"
        )
    for letter, n in zip(named, partial):
        if letter in sizes:
            if n is not None and sizes[letter] is not None and n != sizes[letter]:
                raise ctx.fail(
                    f"option output_shape gives axis '{letter}' {n} cells, the input {sizes[letter]}"
                )
        elif n is None:
            raise ctx.fail(f"option output_shape must give the kernel's axis '{letter}' a size")
        else:
            sizes[letter] = n
    sizes.setdefault(eq.out[0], None)
    return sizes


def _bias_shape(ctx: LayerContext, eq: Equation, sizes) -> Optional[Tuple[int, ...]]:
    """bias_axes' bias shape as Keras builds it: from the first bias axis of the output to
    its end, 1 on other axes (and on the "..." of the right)."""
    axes = ctx.option("bias_axes")
    if axes is None:
        return None
    if not isinstance(axes, str) or not axes or any(a not in eq.output_spec for a in axes):
        raise ctx.fail(f"option bias_axes={axes!r} must be letters of the output")
    spec = eq.output_spec[min(eq.output_spec.find(a) for a in axes) :]
    shape = tuple(sizes[a] if a in axes else 1 for a in spec)
    if None in shape:
        raise ctx.fail(f"option bias_axes={axes!r} needs fixed sizes on those axes")
    return shape + (1,) * (len(eq.out) - len(eq.output_spec) if eq.elided != "left" else 0)
