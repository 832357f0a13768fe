"""Attention (Luong, dot or concat scores), AdditiveAttention (Bahdanau) and Dot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext, check_rank


@dataclass(frozen=True)
class AttentionParams(Params):
    """attention.py.j2: scores, masks, softmax, weighted values."""

    template: ClassVar[str] = "attention.py.j2"
    arguments: Tuple[str, ...]  # the tensors, then the masks the function takes
    key: str  # the variable scored against the queries: key, or value
    score_mode: str  # "dot", "concat" (Luong) or "additive" (Bahdanau)
    scale: Optional[str]
    concat_weight: Optional[str]
    causal: bool
    query_mask: bool
    value_mask: bool
    return_scores: bool


@dataclass(frozen=True)
class DotParams(Params):
    """dot.py.j2: batch_dot over one axis of each input."""

    template: ClassVar[str] = "dot.py.j2"
    axes: Tuple[int, int]  # for the docstring
    x_axis: int
    y_axis: int
    rank: int
    normalize: bool
    norm_floor: float
    transpose_x: bool  # its contracted axis is not the last
    transpose_y: bool  # its contracted axis is not the first after the batch


def build_attention(ctx: LayerContext) -> Built:
    """[query, value(, key)] -> softmax(scores(query, key)) @ value, masks as in Keras."""
    shapes = ctx.input_shapes
    if len(shapes) not in (2, 3):
        raise ctx.fail(f"expects [query, value] or [query, value, key], got {len(shapes)} inputs")
    for shape in shapes:
        check_rank(ctx, shape, (3,))
    additive = ctx.class_name == "AdditiveAttention"
    use_scale = bool(ctx.option("use_scale", True if additive else False))
    score_mode = "additive" if additive else ctx.require("score_mode", ("dot", "concat"), "dot")
    causal = bool(ctx.call_options.get("use_causal_mask", ctx.option("causal", False)))
    scores_out = bool(ctx.call_options.get("return_attention_scores", False))
    unknown = set(ctx.call_options) - {"use_causal_mask", "return_attention_scores"}
    if unknown:
        raise ctx.fail(f"call argument(s) {sorted(unknown)} are not supported")
    ctx.option("dropout")  # inference: no dropout
    dim = shapes[0][-1]
    count = int(use_scale) + int(score_mode == "concat")
    arrays = ctx.weights(count)
    weights = []
    # A scalar weight is saved with shape () by Keras 3 and (1,) by some Keras 2 versions.
    scalar = lambda array: tuple(array.shape) if array.size == 1 else ()
    if use_scale:
        shape = (dim,) if additive else scalar(arrays[0])
        weights.append(ctx.weight(arrays[0], "scale", shape, f"scale: {shape}"))
    if score_mode == "concat":
        shape = scalar(arrays[-1])
        weights.append(ctx.weight(arrays[-1], "concat_score_weight", shape, f"weight: {shape}"))
    query_mask, value_mask = (tensor.mask is not None for tensor in ctx.inputs[:2])
    if len(ctx.inputs) > 2 and ctx.inputs[2].mask is not None and not value_mask:
        raise ctx.fail("a mask on the key but not on the value is not supported")
    key_mask = len(ctx.inputs) > 2 and ctx.inputs[2].mask is not None
    has_key = len(shapes) == 3
    arguments = ("query", "value") + (("key",) if has_key else ())
    for name, masked in (("query", query_mask), ("value", value_mask), ("key", key_mask)):
        arguments += (f"{name}_mask",) if masked else ()
    outputs = [(shapes[0][0], shapes[0][1], shapes[1][-1])]
    if scores_out:
        outputs.append((shapes[0][0], shapes[0][1], shapes[1][1]))
    return Built(
        params=AttentionParams(
            arguments=arguments,
            key="key" if has_key else "value",
            score_mode=score_mode,
            scale=weights[0].var if use_scale else None,
            concat_weight=weights[-1].var if score_mode == "concat" else None,
            causal=causal,
            query_mask=query_mask,
            value_mask=value_mask,
            return_scores=scores_out,
        ),
        outputs=outputs,
        weights=weights,
        consumes_mask=True,
        output_names=["out", "scores"] if scores_out else None,
        helpers=frozenset({"softmax"}),
        work=Work(pairwise=True, pair_width=score_mode != "dot"),
    )


def build_dot(ctx: LayerContext) -> Built:
    """Dot(axes, normalize) of two rank-2 or rank-3 inputs, as Keras's batch_dot."""
    shapes = ctx.input_shapes
    if len(shapes) != 2 or {len(s) for s in shapes} - {2, 3} or len(shapes[0]) != len(shapes[1]):
        raise ctx.fail(f"supports two inputs of rank 2 or both of rank 3, got {shapes}")
    axes = ctx.option("axes")
    axes = list(axes) if isinstance(axes, (list, tuple)) else [axes, axes]
    rank = len(shapes[0])
    if len(axes) != 2 or not all(
        isinstance(a, int) and -rank <= a < rank and a % rank for a in axes
    ):
        raise ctx.fail(f"option axes={ctx.option('axes')!r} does not fit inputs of rank {rank}")
    a, b = (axis % rank for axis in axes)
    normalize = bool(ctx.option("normalize", False))
    if normalize:
        floor = "1e-12" if ctx.keras_major == 2 else "1e-14"
        ctx.version_semantics(f"Dot(normalize=True): each squared norm at least {floor}")
    if rank == 2:
        out = (shapes[0][0], 1)
    else:
        out = (shapes[0][0], shapes[0][3 - a], shapes[1][3 - b])
    return Built(
        params=DotParams(
            axes=(a, b),
            x_axis=a,
            y_axis=b,
            rank=rank,
            normalize=normalize,
            # l2 normalization floors the norm at 1e-6 (Keras 2) or 1e-7 (Keras 3)
            norm_floor=1e-12 if ctx.keras_major == 2 else 1e-14,
            transpose_x=a == 1,
            transpose_y=b == 2,
        ),
        outputs=[out],
        mask="none",
        work=Work(pairwise=True),
    )
