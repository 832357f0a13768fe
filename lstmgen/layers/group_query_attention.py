"""GroupQueryAttention (Keras 3): scaled dot-product attention whose query heads share
key/value heads in groups (num_query_heads / num_key_value_heads query heads per key/value
head), with an optional sigmoid gate on the heads' output (use_gate)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Dict, List, Optional, Tuple

from lstmgen.ir import Params, Shape, Weight, Work
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.multi_head_weights import projection_weights

TRAINING_ONLY = ("seed", "flash_attention")  # flash attention changes no number


@dataclass(frozen=True)
class HeadProjection:
    """A projection of the query (q, and the gate g) or of the key or value (k, v):
    (batch, T, features) @ (features, heads * head_dim), split into heads."""

    name: str  # its result: q, k, v or g
    source: str  # the argument projected
    kernel: str
    bias: Optional[str]
    features: int
    heads: int
    width: int  # heads * head_dim
    steps: str  # the variable holding its length: tq or tv


@dataclass(frozen=True)
class GroupQueryAttentionParams(Params):
    """group_query_attention.py.j2."""

    template: ClassVar[str] = "group_query_attention.py.j2"
    arguments: Tuple[str, ...]  # the tensors, then the masks the function takes
    query_heads: int
    kv_heads: int
    repeats: int  # query heads per key/value head
    head_dim: int
    projections: Tuple[HeadProjection, ...]  # q, k, v
    gate: Optional[HeadProjection]
    scale: float  # 1 / sqrt(head_dim)
    query_mask: bool
    value_mask: bool
    key_mask: bool
    causal: bool
    window: Optional[int]  # sliding window
    any_mask: bool
    # Keras computes the weights itself (dropout in the config, or scores returned): a
    # fully masked row gets no weight; else its fused path leaves such a row uniform.
    zero_masked: bool
    concat_width: int  # query_heads * head_dim
    output_kernel: str
    output_bias: Optional[str]
    return_scores: bool


def build_group_query_attention(ctx: LayerContext) -> Built:
    """(query, value[, key]) of rank 3 -> (batch, Tq, query features), masks as in Keras."""
    shapes = _input_shapes(ctx)
    query_shape, value_shape, key_shape = shapes[0], shapes[1], shapes[-1]
    head_dim = ctx.int_option("head_dim")
    query_heads = ctx.int_option("num_query_heads")
    kv_heads = ctx.int_option("num_key_value_heads")
    if min(head_dim, query_heads, kv_heads) < 1 or query_heads % kv_heads:
        raise ctx.fail(
            f"num_query_heads={query_heads} must be a multiple of num_key_value_heads="
            f"{kv_heads}, and head_dim={head_dim} positive"
        )
    use_bias = bool(ctx.option("use_bias", True))
    use_gate = bool(ctx.option("use_gate", False))
    window = ctx.option("sliding_window")
    if window is not None and (
        not isinstance(window, int) or isinstance(window, bool) or window < 1
    ):
        raise ctx.fail(f"option sliding_window={window!r} is not a positive integer")
    dropout = ctx.option("dropout", 0.0)  # none at inference, but see zero_masked
    for key in TRAINING_ONLY:
        ctx.option(key)
    causal = bool(ctx.call_options.get("use_causal_mask", False))
    scores_out = bool(ctx.call_options.get("return_attention_scores", False))
    unknown = set(ctx.call_options) - {"use_causal_mask", "return_attention_scores"}
    if unknown:
        raise ctx.fail(f"call argument(s) {sorted(unknown)} are not supported")

    features = query_shape[-1]
    shapes_of = {  # EinsumDense kernels "bqm,muh->bquh", "bkm,mvh->bkvh", "bquh,uhm->bqm"
        "query": ((features, query_heads, head_dim), (query_heads, head_dim)),
        "key": ((key_shape[-1], kv_heads, head_dim), (kv_heads, head_dim)),
        "value": ((value_shape[-1], kv_heads, head_dim), (kv_heads, head_dim)),
        "output": ((query_heads, head_dim, features), (features,)),
    }
    if use_gate:
        shapes_of["gate"] = shapes_of["query"]
    weights, names = _weights(ctx, use_bias, shapes_of)

    def projection(name: str, source: str, part: str, size: int, heads: int, steps: str):
        return HeadProjection(
            name=name,
            source=source,
            kernel=names[f"{part}_kernel"],
            bias=names.get(f"{part}_bias"),
            features=size,
            heads=heads,
            width=heads * head_dim,
            steps=steps,
        )

    has_key = len(shapes) == 3
    key = "key" if has_key else "value"
    masks = [tensor.mask is not None for tensor in ctx.inputs] + [False]
    arguments = ("query", "value") + (("key",) if has_key else ())
    for name, given in zip(("query", "value", "key"), masks):
        arguments += (f"{name}_mask",) if given else ()
    outputs = [query_shape]
    if scores_out:
        outputs.append((query_shape[0], query_heads, query_shape[1], value_shape[1]))
    any_mask = any(masks) or causal or window is not None
    return Built(
        params=GroupQueryAttentionParams(
            arguments=arguments,
            query_heads=query_heads,
            kv_heads=kv_heads,
            repeats=query_heads // kv_heads,
            head_dim=head_dim,
            projections=(
                projection("q", "query", "query", features, query_heads, "tq"),
                projection("k", key, "key", key_shape[-1], kv_heads, "tv"),
                projection("v", "value", "value", value_shape[-1], kv_heads, "tv"),
            ),
            gate=(
                projection("g", "query", "gate", features, query_heads, "tq") if use_gate else None
            ),
            scale=1.0 / math.sqrt(float(head_dim)),
            query_mask=masks[0],
            value_mask=masks[1],
            key_mask=has_key and masks[2],
            causal=causal,
            window=window,
            any_mask=any_mask,
            zero_masked=bool(dropout) or scores_out,
            concat_width=query_heads * head_dim,
            output_kernel=names["output_kernel"],
            output_bias=names.get("output_bias"),
            return_scores=scores_out,
        ),
        outputs=outputs,
        weights=weights,
        consumes_mask=True,  # the query's mask passes on to the output (supports_masking)
        output_names=["out", "scores"] if scores_out else None,
        helpers=frozenset({"softmax"} | ({"sigmoid"} if use_gate else set())),
        work=Work(pairwise=True, scores_per_pair=query_heads),
    )


def _input_shapes(ctx: LayerContext) -> List[Shape]:
    """query, value and the optional key: rank 3, fixed widths, value and key as long."""
    shapes = ctx.input_shapes
    if len(shapes) not in (2, 3):
        raise ctx.fail(f"expects query, value and optionally key tensors, got {len(shapes)}")
    for shape in shapes:
        check_rank(ctx, shape, (3,))
        if shape[-1] is None:
            raise ctx.fail(f"its inputs' last axis must have a fixed size, got {shape}")
    query, value, key = shapes[0], shapes[1], shapes[-1]
    if query[-1] != value[-1]:
        raise ctx.fail(f"query {query} and value {value} differ in width (as in Keras)")
    if value[1] is not None and key[1] not in (None, value[1]):
        raise ctx.fail(f"value {value} and key {key} differ in length")
    return shapes


def _weights(
    ctx: LayerContext, use_bias: bool, shapes_of: Dict[str, Tuple[Shape, Shape]]
) -> Tuple[List[Weight], Dict[str, str]]:
    """Each projection's kernel (and bias) as module constants, and their names by
    `<part>_kernel`, `<part>_bias`."""
    arrays = projection_weights(ctx, use_bias, tuple(shapes_of))
    weights, names = [], {}
    for part, shapes in shapes_of.items():
        for kind, array, shape in zip(("kernel", "bias"), arrays[part], shapes):
            weight = ctx.weight(array, f"{part}_{kind}", shape, f"{part} {kind}: {shape}")
            weights.append(weight)
            names[f"{part}_{kind}"] = weight.var
    return weights, names
