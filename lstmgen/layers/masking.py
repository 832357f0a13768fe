"""Layers that create a mask: Masking and Embedding(mask_zero=True)."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext, check_rank


def build_masking(ctx: LayerContext) -> Built:
    """Masking(mask_value): a step whose features all equal mask_value is masked and zeroed."""
    value = ctx.option("mask_value", 0.0)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ctx.fail(f"option mask_value={value!r} must be a number")
    check_rank(ctx, ctx.input_shape, (3, 4, 5))
    return Built(
        template="masking.py.j2",
        params={"mask_value": float(value)},
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
        template="embedding.py.j2",
        params={
            "input_dim": input_dim,
            "output_dim": output_dim,
            "mask_zero": mask_zero,
            "embeddings": weight.var,
        },
        outputs=[tuple(ctx.input_shape) + (output_dim,)],
        weights=[weight],
        mask="produce" if mask_zero else "none",
        step="same",
    )
