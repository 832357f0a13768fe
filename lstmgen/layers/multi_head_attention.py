"""MultiHeadAttention: per-head scaled dot-product attention between projections."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple


from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.multi_head_weights import projection_weights


@dataclass(frozen=True)
class Projection:
    """One of the query, key and value projections: (batch, T, features) @ (features,
    heads * size), split into heads (batch, heads, T, size)."""

    name: str  # its result: q, k or v
    source: str  # the argument projected
    kernel: str
    bias: Optional[str]
    features: int
    width: int  # heads * size
    size: int
    steps: str  # the variable holding its length: tq or tv


@dataclass(frozen=True)
class MultiHeadAttentionParams(Params):
    """multi_head_attention.py.j2."""

    template: ClassVar[str] = "multi_head_attention.py.j2"
    arguments: Tuple[str, ...]  # the tensors, then the masks the function takes
    heads: int
    key_dim: int
    value_dim: int
    projections: Tuple[Projection, ...]
    scale: float  # 1 / sqrt(key_dim)
    query_mask: bool
    value_mask: bool
    key_mask: bool
    causal: bool
    window: Optional[int]  # sliding window
    any_mask: bool
    # How Keras fills masked scores: tf_keras adds -1e9 (unless robust masking), Keras 3
    # and robust masking replace them by a large negative number.
    add_negative: bool
    # Keras 3 zeroes masked weights when it computes them itself (dropout in the config
    # or scores returned); its fused path leaves a fully masked row uniform.
    zero_masked: bool
    concat_width: int  # heads * value_dim: the heads side by side
    output_kernel: str
    output_bias: Optional[str]
    out_dims: Tuple[int, ...]
    reshape_output: bool  # output_shape has several axes
    return_scores: bool


def build_multi_head_attention(ctx: LayerContext) -> Built:
    """(query, value[, key]) of rank 3 -> (batch, Tq, output_shape), masks as in Keras."""
    shapes = ctx.input_shapes
    if len(shapes) not in (2, 3):
        raise ctx.fail(f"expects query, value and optionally key tensors, got {len(shapes)}")
    for shape in shapes:
        check_rank(ctx, shape, (3,))
    query_shape, value_shape = shapes[0], shapes[1]
    key_shape = shapes[2] if len(shapes) == 3 else value_shape
    if value_shape[1] is not None and key_shape[1] not in (None, value_shape[1]):
        raise ctx.fail(f"value {value_shape} and key {key_shape} differ in length")
    heads = ctx.int_option("num_heads")
    key_dim = ctx.int_option("key_dim")
    value_dim = ctx.option("value_dim") or key_dim
    if not isinstance(value_dim, int) or heads < 1 or key_dim < 1 or value_dim < 1:
        raise ctx.fail(f"invalid sizes num_heads={heads}, key_dim={key_dim}, value_dim={value_dim}")
    use_bias = bool(ctx.option("use_bias", True))
    out_dims = _output_dims(ctx, query_shape[-1])
    _check_attention_axes(ctx)
    if ctx.option("use_gate", False):
        raise ctx.fail("use_gate=True is not supported")
    window = ctx.option("sliding_window")
    if window is not None and (
        not isinstance(window, int) or isinstance(window, bool) or window < 1
    ):
        raise ctx.fail(f"option sliding_window={window!r} is not a positive integer")
    robust = bool(ctx.option("softmax_robust_masking", False))  # tf_keras only
    dropout = ctx.option("dropout", 0.0)  # no dropout at inference, but see zero_masked
    for key in ("query_shape", "key_shape", "value_shape"):  # tf_keras records its build
        ctx.option(key)
    causal = bool(ctx.call_options.get("use_causal_mask", False))
    scores_out = bool(ctx.call_options.get("return_attention_scores", False))
    _note_mask_semantics(ctx, causal or window is not None, robust, bool(dropout) or scores_out)
    unknown = set(ctx.call_options) - {"use_causal_mask", "return_attention_scores"}
    if unknown:
        raise ctx.fail(f"call argument(s) {sorted(unknown)} are not supported")

    shapes_of = {
        "query": [(query_shape[-1], heads, key_dim), (heads, key_dim)],
        "key": [(key_shape[-1], heads, key_dim), (heads, key_dim)],
        "value": [(value_shape[-1], heads, value_dim), (heads, value_dim)],
        "output": [(heads, value_dim) + out_dims, out_dims],
    }
    arrays = projection_weights(ctx, use_bias)
    weights, names = [], {}
    for part, (kernel_shape, bias_shape) in shapes_of.items():
        kernel = ctx.weight(
            arrays[part][0], f"{part}_kernel", kernel_shape, f"{part} kernel: {kernel_shape}"
        )
        weights.append(kernel)
        names[f"{part}_kernel"] = kernel.var
        names[f"{part}_bias"] = None
        if use_bias:
            bias = ctx.weight(
                arrays[part][1], f"{part}_bias", bias_shape, f"{part} bias: {bias_shape}"
            )
            weights.append(bias)
            names[f"{part}_bias"] = bias.var
    masks = [tensor.mask is not None for tensor in ctx.inputs]
    masked = masks[0] or masks[1] or (len(masks) > 2 and masks[2])
    has_key = len(shapes) == 3
    key = "key" if has_key else "value"
    arguments = ("query", "value") + (("key",) if has_key else ())
    for name, given in zip(("query", "value", "key"), masks):
        arguments += (f"{name}_mask",) if given else ()
    outputs = [query_shape[:2] + out_dims]
    if scores_out:
        outputs.append((query_shape[0], heads, query_shape[1], value_shape[1]))
    return Built(
        params=MultiHeadAttentionParams(
            arguments=arguments,
            heads=heads,
            key_dim=key_dim,
            value_dim=value_dim,
            projections=tuple(
                Projection(
                    name=name,
                    source=source,
                    kernel=names[f"{part}_kernel"],
                    bias=names[f"{part}_bias"],
                    features=features,
                    width=heads * size,
                    size=size,
                    steps=steps,
                )
                for name, source, part, features, size, steps in (
                    ("q", "query", "query", query_shape[-1], key_dim, "tq"),
                    ("k", key, "key", key_shape[-1], key_dim, "tv"),
                    ("v", "value", "value", value_shape[-1], value_dim, "tv"),
                )
            ),
            scale=1.0 / math.sqrt(float(key_dim)),
            query_mask=masks[0],
            value_mask=masks[1],
            key_mask=len(masks) > 2 and masks[2],
            causal=causal,
            window=window,
            any_mask=masked or causal or window is not None,
            add_negative=ctx.keras_major == 2 and not robust,
            zero_masked=ctx.keras_major == 3 and (bool(dropout) or scores_out),
            concat_width=heads * value_dim,
            output_kernel=names["output_kernel"],
            output_bias=names["output_bias"],
            out_dims=out_dims,
            reshape_output=len(out_dims) > 1,
            return_scores=scores_out,
        ),
        outputs=outputs,
        weights=weights,
        consumes_mask=True,
        output_names=["out", "scores"] if scores_out else None,
        helpers=frozenset({"softmax"}),
        work=Work(pairwise=True, scores_per_pair=heads),
    )


def _output_dims(ctx: LayerContext, query_dim) -> Tuple[int, ...]:
    """The output's feature axes: option output_shape (int or list), else the query's."""
    value = ctx.option("output_shape")
    if value is None or value == [] or value == ():
        if query_dim is None:
            raise ctx.fail("the query's last axis must have a fixed size")
        return (query_dim,)
    dims = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 1 << 24 for d in dims):
        raise ctx.fail(f"option output_shape={value!r} is not a list of positive integers")
    return dims


def _check_attention_axes(ctx: LayerContext) -> None:
    """Only attention over the time axis of rank-3 inputs (the default) is supported."""
    axes = ctx.option("attention_axes")
    items = axes if isinstance(axes, (list, tuple)) else [axes]
    if axes is not None and list(items) not in ([1], [-2]):
        raise ctx.fail(f"option attention_axes={axes!r} is not supported (only the time axis, 1)")


def _note_mask_semantics(ctx: LayerContext, limited: bool, robust: bool, weights_own: bool) -> None:
    """Where Keras 2 and 3 fill masked attention differently, what this file's version
    does (`limited`: a causal mask or a sliding window masks scores too)."""
    if not (limited or any(ctx.input_masked)):
        return
    if ctx.keras_major == 2 and not robust:
        ctx.version_semantics("MultiHeadAttention: -1e9 added to masked scores")
    elif ctx.keras_major == 3:
        ctx.version_semantics("MultiHeadAttention: masked scores replaced by -1e9")
        if weights_own:
            ctx.version_semantics("MultiHeadAttention: a fully masked row gets no weight")
