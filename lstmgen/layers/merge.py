"""Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, List, Optional, Tuple

from lstmgen.ir import Params, Shape
from lstmgen.layers.base import Built, LayerContext

# class name -> (operator joining the inputs, or a NumPy function reducing them pairwise)
OPERATIONS = {
    "Add": "+",
    "Subtract": "-",
    "Multiply": "*",
    "Average": "+",
    "Maximum": "np.maximum",
    "Minimum": "np.minimum",
}


@dataclass(frozen=True)
class MergeParams(Params):
    """merge.py.j2: the inputs x0, x1, ... joined by one expression, or reduced pairwise
    by a NumPy function."""

    template: ClassVar[str] = "merge.py.j2"
    arguments: Tuple[str, ...]
    result: str
    function: Optional[str] = None  # np.maximum, np.minimum: y = first, y = function(y, t)
    first: str = "x0"  # the term y starts from
    folded: Tuple[str, ...] = ()  # the terms after the first that function folds into y
    broadcast: bool = False  # an input of lower rank gets new axes after the batch axis


def build_merge(ctx: LayerContext) -> Built:
    """An elementwise merge of one or more inputs (Subtract: two), broadcast as Keras does."""
    shapes = ctx.input_shapes
    if not shapes or (ctx.class_name == "Subtract" and len(shapes) != 2):
        wanted = "exactly 2" if ctx.class_name == "Subtract" else "at least 1"
        raise ctx.fail(f"needs {wanted} inputs, got {len(shapes)}")
    rank = max(len(shape) for shape in shapes)
    names = tuple(f"x{k}" for k in range(len(shapes)))
    terms = tuple(_expanded(name, rank - len(s)) for name, s in zip(names, shapes))
    broadcast = any(len(shape) < rank for shape in shapes)
    operation = OPERATIONS[ctx.class_name]
    if operation.startswith("np."):
        params = MergeParams(
            names, "y", function=operation, first=terms[0], folded=terms[1:], broadcast=broadcast
        )
    elif ctx.class_name == "Average":
        total = f"({' + '.join(terms)})" if len(terms) > 1 else terms[0]
        params = MergeParams(names, f"{total} / {len(terms)}", broadcast=broadcast)
    else:
        params = MergeParams(names, f" {operation} ".join(terms), broadcast=broadcast)
    return Built(
        params=params,
        outputs=[_broadcast(ctx, shapes)],
        mask=_shared_mask(ctx, values_change=ctx.class_name in ("Multiply", "Maximum", "Minimum")),
        # One timestep of a sequence next to a tensor without a time axis: not the same merge.
        step="same" if len({len(shape) for shape in shapes}) == 1 else None,
    )


def build_concatenate(ctx: LayerContext) -> Built:
    """Concatenate(axis) of two or more inputs."""
    shapes = ctx.input_shapes
    axis = ctx.option("axis", -1)
    rank = len(shapes[0])
    if not isinstance(axis, int) or not -rank <= axis < rank or axis % rank == 0:
        raise ctx.fail(f"option axis={axis!r} does not fit inputs of rank {rank}")
    if len(shapes) < 2 or any(len(s) != rank for s in shapes):
        raise ctx.fail(f"needs at least 2 inputs of equal rank, got shapes {shapes}")
    axis %= rank
    joined = [s[axis] for s in shapes]
    size = None if None in joined else sum(joined)
    out = tuple(size if k == axis else shapes[0][k] for k in range(rank))
    names = tuple(f"x{k}" for k in range(len(shapes)))
    return Built(
        params=MergeParams(
            arguments=names,
            result=f"np.concatenate([{', '.join(names)}], axis={axis - rank})",
        ),
        outputs=[out],
        mask=_shared_mask(ctx, values_change=axis != rank - 1),
        step="same" if axis == rank - 1 else None,
    )


def _expanded(name: str, new_axes: int) -> str:
    """`name` with `new_axes` axes inserted after the batch axis: `x0[:, None, None]`."""
    return f"{name}[:{', None' * new_axes}]" if new_axes else name


def _broadcast(ctx: LayerContext, shapes: List[Shape]) -> Shape:
    """The merged shape by both Kerases' rule (`_Merge.call` in tf_keras, `Merge.call` in
    Keras 3): an input of lower rank gets new axes right after the batch axis, so the
    other axes line up from the right; then each axis is 1 or one common size. Shapes
    Keras refuses (two batch sizes, two sizes on one axis) are refused."""
    batches = sorted({shape[0] for shape in shapes} - {None})
    if len(batches) > 1:
        raise ctx.fail(f"inputs of shapes {shapes} have different batch sizes {batches}")
    rank = max(len(shape) for shape in shapes)
    aligned = [(1,) * (rank - len(shape)) + tuple(shape[1:]) for shape in shapes]
    out: List[Optional[int]] = [batches[0] if batches else None]
    for axis, dims in enumerate(zip(*aligned), start=1):
        known = {d for d in dims if d not in (None, 1)}
        if len(known) > 1:
            raise ctx.fail(
                f"inputs of shapes {shapes} do not broadcast: sizes {sorted(known)} on axis "
                f"{axis} (an input of lower rank gets new axes after the batch axis)"
            )
        out.append(known.pop() if known else (None if None in dims else 1))
    return tuple(out)


def _shared_mask(ctx: LayerContext, values_change: bool) -> str:
    """Inputs masked by one and the same mask pass it on; other mixes are refused.

    Keras 3 also changes values at masked steps for Multiply, Maximum and Minimum, and
    both versions join masks along a concatenated time axis: not supported yet.
    """
    masks = {tensor.mask for tensor in ctx.inputs}
    if masks == {None}:
        return "none"
    if len(masks) > 1:
        raise ctx.fail("merging inputs that carry different masks is not supported yet")
    if values_change and (ctx.keras_major == 3 or ctx.class_name == "Concatenate"):
        raise ctx.fail("masked inputs are not supported for this merge yet")
    if values_change:
        ctx.version_semantics(f"{ctx.class_name} of masked inputs: values at masked steps kept")
    return "pass"
