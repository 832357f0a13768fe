"""GRU (reset_after True and False) and CuDNNGRU: gates z (update), r (reset), h."""

from __future__ import annotations

from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.recurrence import (
    Cell,
    build_recurrent,
    cell_activations,
    gated_kernels,
    gated_params,
)

GATES = "zrh"  # update, reset, candidate


def build_gru(ctx: LayerContext) -> Built:
    """A GRU layer; reset_after decides where the reset gate applies and the bias shape."""
    return build_recurrent(ctx, [gru_cell(ctx, gru_reset_after(ctx), cudnn=False)], "GRU")


def gru_reset_after(ctx: LayerContext) -> bool:
    """Where the reset gate applies. Keras before 2.1.3 had no option (False); later files
    spell it out."""
    return bool(ctx.option("reset_after", ctx.keras_major == 3))


def build_cudnn_gru(ctx: LayerContext) -> Built:
    """Keras 2's CuDNNGRU: a reset_after GRU with tanh and sigmoid fixed; the reader gave
    its weights the plain layout."""
    return build_recurrent(ctx, [gru_cell(ctx, True, cudnn=True)], "CuDNNGRU")


def gru_cell(ctx: LayerContext, reset_after: bool, cudnn: bool) -> Cell:
    """Weights and gate layout of a GRU cell."""
    units = ctx.int_option("units")
    activation, recurrent = cell_activations(ctx, cudnn)
    use_bias, arrays, weights = gated_kernels(ctx, units, GATES, cudnn)
    input_bias = recurrent_bias = None
    if use_bias and reset_after:  # CuDNNGRU too: the reader gave its biases these rows
        bias = ctx.weight(
            arrays[2], "bias", (2, 3 * units), "b: rows input | recurrent, gates z|r|h"
        )
        input_bias, recurrent_bias = f"{bias.var}[0]", f"{bias.var}[1]"
        weights.append(bias)
    elif use_bias:
        bias = ctx.weight(arrays[2], "bias", (3 * units,), "b: (3*units,), gates z|r|h")
        input_bias = bias.var
        weights.append(bias)
    return Cell(
        template="cell_gru.j2",
        units=units,
        states=["h"],
        weights=weights,
        params={
            **gated_params(units, GATES, activation, recurrent, weights, input_bias),
            "zr": f":{2 * units}",
            "hh": f"{2 * units}:",
            "reset_after": reset_after,
            "recurrent_bias": recurrent_bias,
        },
        title=f"GRUCell, {units} units, reset_after={reset_after}",
    )
