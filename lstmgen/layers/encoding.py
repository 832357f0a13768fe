"""How CategoryEncoding, Discretization and IntegerLookup turn integer ids into their
output (`output_mode`), shared by the three: the output shape each Keras gives, and which
ids make Keras fail. The rules are Keras's encode_categorical_inputs (keras/src/utils/
numerical_utils.py, with its TensorFlow fast path in tf_utils.py) and tf_keras's
(tf_keras/src/layers/preprocessing/preprocessing_utils.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple

from lstmgen.ir import Shape
from lstmgen.layers.base import LayerContext

# The helper functions each mode's lines call.
HELPERS = {
    "one_hot": ("one_hot",),
    "multi_hot": ("token_counts",),
    "count": ("token_counts",),
    "tf_idf": ("token_counts",),
}


@dataclass(frozen=True)
class Encoding:
    """How integer ids become the layer's output; encode.j2 writes it."""

    mode: str  # "int" (the ids themselves), "one_hot", "multi_hot", "count" or "tf_idf"
    depth: int  # the number of ids, the size of the new last axis
    squeeze: bool = False  # one_hot: a last axis of size 1 is replaced, not extended
    cast: Optional[str] = None  # int: the dtype Keras gives the ids, if not int64
    idf: Optional[str] = None  # tf_idf: the constant of the idf weights
    # The ids Keras fails on, as the messages the module raises: below 0, or not in
    # [0, depth). None where Keras gives zeros or drops them instead.
    negative_error: Optional[str] = None
    range_error: Optional[str] = None


def encoding(
    ctx: LayerContext, mode: str, depth: int, declares_axis1: bool = False, **checks: Any
) -> Tuple[Encoding, Shape]:
    """The encoding of the layer's ids in `mode` and the output shape it gives (`checks`:
    the rest of Encoding's fields); declares the helpers it calls."""
    shape = ctx.input_shape
    out = encoded_shape(ctx, shape, mode, depth, declares_axis1)
    squeeze = mode == "one_hot" and len(out) == len(shape)
    ctx.use_helpers(*HELPERS.get(mode, ()))
    return Encoding(mode=mode, depth=depth, squeeze=squeeze, **checks), out


def encoded_shape(
    ctx: LayerContext, shape: Shape, mode: str, depth: int, declares_axis1: bool
) -> Shape:
    """The output shape of `mode` on ids of `shape`, or a refusal where Keras cannot run it
    or would give a shape other than the one it declares.

    Keras 3 (TensorFlow backend) counts (multi_hot, count) along axis 1: through
    tf.math.bincount for ranks up to 2, its last axis; for rank 3 and more its own
    `multi_hot`, whose output Discretization declares (`declares_axis1`) but
    CategoryEncoding and IntegerLookup do not (they declare the last axis counted).
    tf_keras refuses every output of rank above 2."""
    rank = len(shape)
    if mode == "int":
        return shape
    if mode == "one_hot":
        squeeze = rank > 1 and shape[-1] == 1
        out = (shape[:-1] if squeeze else shape) + (depth,)
    else:
        if rank < 2:
            # bincount over the whole batch: one row of counts for all samples
            raise ctx.fail(
                f"output_mode='{mode}' on ids of shape {shape} counts the whole batch "
                "together (an output without a batch axis), which is not supported"
            )
        if rank > 2 and not declares_axis1 and ctx.keras_major >= 3:
            raise ctx.fail(
                f"output_mode='{mode}' on ids of shape {shape}: Keras counts along axis 1 "
                "but declares the last axis counted, so its output does not have the "
                "shape it declares; not supported"
            )
        out = (shape[0],) + tuple(shape[2:]) + (depth,)
    if ctx.keras_major < 3 and len(out) > 2:
        raise ctx.fail(
            f"output_mode='{mode}' on ids of shape {shape} would give an output of rank "
            f"{len(out)}; tf_keras supports rank 2 at most (it fails on this input)"
        )
    return out


def check_mode(ctx: LayerContext, modes) -> str:
    """The layer's `output_mode` ("binary" is Keras's old name for "multi_hot"), refusing
    `sparse=True` (a sparse tensor output)."""
    if ctx.option("sparse", False):
        raise ctx.fail("option sparse=True is not supported (lstmgen gives dense arrays)")
    mode = ctx.option("output_mode", modes[0])
    mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(mode, mode)
    if mode not in modes:
        supported = " or ".join(repr(m) for m in modes)
        raise ctx.fail(f"option output_mode={mode!r} is not supported (supported: {supported})")
    return mode
