"""LSTM and CuDNNLSTM: Keras packs the four gates as i (input), f (forget), c, o (output)."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.recurrence import (
    Cell,
    build_recurrent,
    cell_activations,
    gated_kernels,
    gated_params,
)

GATES = "ifco"  # input, forget, cell candidate, output


def build_lstm(ctx: LayerContext) -> Built:
    """An LSTM layer (Keras 2 and 3 semantics, any activations)."""
    # Keras 2.0-2.3 defaulted to hard_sigmoid; every saved config spells it out.
    return build_recurrent(ctx, [lstm_cell(ctx, cudnn=False)], "LSTM")


def build_cudnn_lstm(ctx: LayerContext) -> Built:
    """Keras 2's CuDNNLSTM: tanh and sigmoid fixed, a bias; the reader gave the weights
    the plain layout."""
    return build_recurrent(ctx, [lstm_cell(ctx, cudnn=True)], "CuDNNLSTM")


def lstm_cell(ctx: LayerContext, cudnn: bool) -> Cell:
    """Weights and gate layout of an LSTM cell."""
    units = ctx.int_option("units")
    activation, recurrent = cell_activations(ctx, cudnn)
    use_bias, arrays, weights = gated_kernels(ctx, units, GATES, cudnn)
    input_bias = None
    if use_bias:
        # The reader gives cuDNN's input and recurrent biases summed, as Keras loads them.
        comment = "b: (4*units,), gates i|f|c|o" + (", cuDNN's two biases summed" if cudnn else "")
        weights.append(ctx.weight(arrays[2], "bias", (4 * units,), comment))
        input_bias = weights[2].var
    params = {
        **gated_params(units, GATES, activation, recurrent, weights, input_bias),
        "fast": False,
    }
    derived = []
    if ctx.options.fast and activation == "np.tanh" and recurrent == "sigmoid":
        derived = halved_gates(ctx, params, units)
    return Cell(
        template="cell_lstm.j2",
        units=units,
        states=["h", "c"],
        weights=weights,
        params=params,
        derived=derived,
        title=f"LSTMCell, {units} units",
    )


def halved_gates(
    ctx: LayerContext, params, units: int, keys=("kernel", "recurrent_kernel", "input_bias")
):
    """The fast form: sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, so one tanh serves all four
    gates when the i, f, o columns of W, U and b are halved at import. Halving is exact
    in float32, so the results are those of the plain form, bit for bit. Also serves
    ConvLSTM, whose kernels have the same i|f|c|o blocks along their last axis."""
    scale = ctx.derived_name("gate_scale")
    dtype = "float64" if ctx.options.float64 else "float32"
    derived = [
        (
            scale,
            f"np.repeat(np.{dtype}([0.5, 0.5, 1.0, 0.5]), {units})",
            f"halves the i, f, o columns: exact in {dtype}",
        ),
    ]
    for key in keys:
        if params[key]:
            name = ctx.derived_name(f"{key}_halved" if key != "input_bias" else "bias_halved")
            derived.append((name, f"{params[key]} * {scale}", f"{key} with i, f, o halved"))
            params[key] = name
    params["fast"] = True
    return derived
