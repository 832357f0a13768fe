"""Layers that create a mask: Masking and Embedding(mask_zero=True)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext, check_rank


@dataclass(frozen=True)
class MaskingParams(Params):
    """masking.py.j2."""

    template: ClassVar[str] = "masking.py.j2"
    mask_value: float


@dataclass(frozen=True)
class EmbeddingParams(Params):
    """embedding.py.j2: a row of E per token id, ids checked first."""

    template: ClassVar[str] = "embedding.py.j2"
    input_dim: int
    output_dim: int
    mask_zero: bool
    embeddings: str
    range_error: str  # the start of the message for ids out of range


def build_masking(ctx: LayerContext) -> Built:
    """Masking(mask_value): a step whose features all equal mask_value is masked and zeroed."""
    value = ctx.option("mask_value", 0.0)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ctx.fail(f"option mask_value={value!r} must be a number")
    check_rank(ctx, ctx.input_shape, (3, 4, 5))
    return Built(
        params=MaskingParams(mask_value=float(value)),
        outputs=[ctx.input_shape],
        mask="produce",
        step="same" if len(ctx.input_shape) == 3 else None,  # one step: (batch, features)
    )


def build_embedding(ctx: LayerContext) -> Built:
    """Embedding(input_dim, output_dim, mask_zero): one row of E per integer token id."""
    input_dim = ctx.int_option("input_dim")
    output_dim = ctx.int_option("output_dim")
    mask_zero = bool(ctx.option("mask_zero", False))
    (array,) = ctx.weights(1)
    weight = ctx.weight(
        array,
        "embeddings",
        (input_dim, output_dim),
        "E: (input_dim, output_dim), a row per token id",
    )
    return Built(
        params=EmbeddingParams(
            input_dim=input_dim,
            output_dim=output_dim,
            mask_zero=mask_zero,
            embeddings=weight.var,
            range_error=f"{ctx.name}: token ids must be in [0, {input_dim}), got ",
        ),
        outputs=[tuple(ctx.input_shape) + (output_dim,)],
        weights=[weight],
        mask="produce" if mask_zero else "none",
        step="same",
        token_ids=True,
        work=Work(table=True),
    )
