"""LSTM: Keras packs the four gates as i (input), f (forget), c (candidate), o (output)."""

from __future__ import annotations

from codegen.layers.base import Built, LayerContext
from codegen.layers.recurrence import batch_axis_size, output_shape, sequence_params

GATES = ("i", "f", "c", "o")


def build_lstm(ctx: LayerContext) -> Built:
    """An LSTM layer (Keras 2 and 3 semantics, any activations)."""
    units = ctx.int_option("units")
    params = sequence_params(ctx)
    activation = ctx.activation("activation", "tanh")
    # Keras 2.0-2.3 defaulted to hard_sigmoid; every saved config spells it out.
    recurrent = ctx.activation("recurrent_activation", "sigmoid")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(3 if use_bias else 2)
    n_in = params["features"]
    weights = [
        ctx.weight(arrays[0], "kernel", (n_in, 4 * units), "W: (features, 4*units), gates i|f|c|o"),
        ctx.weight(
            arrays[1], "recurrent_kernel", (units, 4 * units), "U: (units, 4*units), gates i|f|c|o"
        ),
    ]
    if use_bias:
        weights.append(ctx.weight(arrays[2], "bias", (4 * units,), "b: (4*units,), gates i|f|c|o"))
    params.update(
        units=units,
        gates={gate: f"{k * units}:{(k + 1) * units}" for k, gate in enumerate(GATES)},
        activation=activation.func,
        recurrent_activation=recurrent.func,
        kernel=weights[0].var,
        recurrent_kernel=weights[1].var,
        bias=weights[2].var if use_bias else None,
        step_indices=list(range(params["steps"])) if params["unrolled"] else [],
    )
    return Built(
        template="lstm.py.j2",
        params=params,
        outputs=[output_shape(params, batch_axis_size(ctx), units)],
        weights=weights,
    )
