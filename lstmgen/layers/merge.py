"""Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum."""

from __future__ import annotations

from typing import List, Optional

from lstmgen.ir import Shape
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


def build_merge(ctx: LayerContext) -> Built:
    """An elementwise merge of one or more inputs (Subtract: two), broadcast as Keras does."""
    shapes = ctx.input_shapes
    if not shapes or (ctx.class_name == "Subtract" and len(shapes) != 2):
        wanted = "exactly 2" if ctx.class_name == "Subtract" else "at least 1"
        raise ctx.fail(f"needs {wanted} inputs, got {len(shapes)}")
    rank = max(len(shape) for shape in shapes)
    return Built(
        template="merge.py.j2",
        params={
            "operation": OPERATIONS[ctx.class_name],
            "average": ctx.class_name == "Average",
            "arity": len(shapes),
            "terms": [_expanded(f"x{k}", rank - len(s)) for k, s in enumerate(shapes)],
            "expanded": any(len(shape) < rank for shape in shapes),
        },
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
    return Built(
        template="merge.py.j2",
        params={
            "concatenate_axis": axis - rank,
            "arity": len(shapes),
            "terms": [f"x{k}" for k in range(len(shapes))],
            "expanded": False,
            "operation": None,
            "average": False,
        },
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
    return "pass"
