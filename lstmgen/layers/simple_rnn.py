"""SimpleRNN: h = activation(x W + h U + b)."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.recurrence import Cell, build_recurrent


def build_simple_rnn(ctx: LayerContext) -> Built:
    """A SimpleRNN layer, any activation."""
    return build_recurrent(ctx, [simple_rnn_cell(ctx)], "SimpleRNN")


def simple_rnn_cell(ctx: LayerContext) -> Cell:
    """Weights of a SimpleRNN cell."""
    units = ctx.int_option("units")
    activation = ctx.activation("activation", "tanh").func
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(3 if use_bias else 2)
    n_in = ctx.input_shapes[0][2]
    weights = [
        ctx.weight(arrays[0], "kernel", (n_in, units), "W: (features, units)"),
        ctx.weight(arrays[1], "recurrent_kernel", (units, units), "U: (units, units)"),
    ]
    if use_bias:
        weights.append(ctx.weight(arrays[2], "bias", (units,), "b: (units,)"))
    return Cell(
        template="cell_simple_rnn.j2",
        units=units,
        states=["h"],
        weights=weights,
        params={
            "activation": activation,
            "kernel": weights[0].var,
            "recurrent_kernel": weights[1].var,
            "input_bias": weights[2].var if use_bias else None,
        },
        title=f"SimpleRNNCell, {units} units",
    )
