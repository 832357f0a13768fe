"""Dense: y = activation(x W + b) over the last axis, for inputs of any rank."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext, check_rank


def build_dense(ctx: LayerContext) -> Built:
    """A Dense layer on 2-D, 3-D or higher input."""
    shape = ctx.input_shape
    check_rank(ctx, shape, (2, 3, 4, 5))
    units = ctx.int_option("units")
    activation = ctx.activation("activation")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(2 if use_bias else 1)
    weights = [ctx.weight(arrays[0], "kernel", (shape[-1], units), "W: (features, units)")]
    if use_bias:
        weights.append(ctx.weight(arrays[1], "bias", (units,), "b: (units,)"))
    return Built(
        template="dense.py.j2",
        params={
            "units": units,
            "activation": activation.func,
            "activation_name": activation.keras_name,
            "kernel": weights[0].var,
            "bias": weights[1].var if use_bias else None,
        },
        outputs=[shape[:-1] + (units,)],
        weights=weights,
        step="same",
    )
