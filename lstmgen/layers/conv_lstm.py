"""ConvLSTM1D/2D/3D: an LSTM whose x W and h U are convolutions, gates packed i|f|c|o."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import ClassVar, List, Optional, Tuple

from lstmgen.ir import Params, Shape, Weight, Work
from lstmgen.layers.base import Built, LayerContext, check_rank
from lstmgen.layers.spatial import is_channels_first, output_steps, window_geometry
from lstmgen.layers.lstm import LstmGates, halved_gates, lstm_gates
from lstmgen.layers.recurrence import stateful_option

RANKS = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}
IM2COL_LIMIT = 1 << 22  # numbers in the im2col matrix of the input steps hoisted at once


@dataclass(frozen=True)
class ConvLstmParams(Params):
    """conv_lstm.py.j2: both convolutions as im2col matmuls, then the LSTM gates."""

    template: ClassVar[str] = "conv_lstm.py.j2"
    filters: int
    width: int  # 4 * filters: the gate blocks i|f|c|o
    kernel_size: Tuple[int, ...]
    strides: Tuple[int, ...]
    dilations: Tuple[int, ...]
    ones: Tuple[int, ...]  # conv(h, U)'s strides and dilations
    padding: str
    spatial: Shape  # the input's cells
    out_spatial: Tuple[int, ...]  # h and c's cells
    window_inputs: int  # numbers in one window of x_t: kernel cells * channels
    window_states: int  # numbers in one window of h: kernel cells * filters
    step_numbers: int  # im2col numbers of one sequence's step
    im2col_limit: int
    channels: int
    channels_first: bool
    kernel: str
    recurrent_kernel: str
    bias: Optional[str]
    gates: LstmGates
    cell_output: str  # activation(c)
    initial_state: bool  # the function takes h0 and c0 (given, or kept: stateful)
    stateful: bool
    go_backwards: bool
    return_sequences: bool
    return_state: bool
    returns_states: bool  # h and c follow the output (return_state, or stateful)
    result: str  # the output
    frame: Shape  # one step's input, without the batch axis
    state_shape: Shape  # h and c, without the batch axis, as Keras returns them
    states: Tuple[str, ...] = ("h", "c")
    output_index: int = 0  # h is the output (step())


def build_conv_lstm(ctx: LayerContext) -> Built:
    """ConvLSTM1D/2D/3D: padding valid/same, strides, dilation_rate, any activations, stateful."""
    rank = RANKS[ctx.class_name]
    _refuse_unsupported(ctx)
    initial = len(ctx.input_shapes) == 3
    stateful = stateful_option(ctx, ctx.input_shapes[0][0], int(initial))
    shape = ctx.input_shapes[0]  # then the initial h and c, if given
    check_rank(ctx, shape, (rank + 3,))
    channels_first = is_channels_first(ctx)
    # (batch, steps, *spatial, channels), or (batch, steps, channels, *spatial)
    spatial = shape[3:] if channels_first else shape[2:-1]
    channels = shape[2] if channels_first else shape[-1]
    if None in spatial or channels is None:
        raise ctx.fail(f"needs fixed spatial and channel sizes, got input shape {shape}")
    filters = ctx.int_option("filters")
    kernel_size, strides, dilations = window_geometry(ctx, rank)
    padding = ctx.require("padding", ("valid", "same"), "valid")
    out_spatial = tuple(
        output_steps(n, k, s, d, padding)
        for n, k, s, d in zip(spatial, kernel_size, strides, dilations)
    )
    if min(out_spatial) < 1:
        raise ctx.fail(f"kernel_size {kernel_size} does not fit in the input's {spatial} cells")
    activation = ctx.activation("activation", "tanh")
    recurrent = ctx.activation("recurrent_activation", "sigmoid")
    weights = _weights(ctx, kernel_size, channels, filters)
    use_bias = len(weights) == 3
    ctx.use_helpers("windows")
    return_sequences = bool(ctx.option("return_sequences", False))
    return_state = bool(ctx.option("return_state", False))
    go_backwards = bool(ctx.option("go_backwards", False))
    state = (shape[0],) + ((filters,) + out_spatial if channels_first else out_spatial + (filters,))
    first = state[:1] + (shape[1],) + state[1:] if return_sequences else state
    names = {"kernel": weights[0].var, "recurrent_kernel": weights[1].var, "bias": None}
    if use_bias:
        names["bias"] = weights[2].var
    fast = ctx.options.fast and activation.func == "np.tanh" and recurrent.func == "sigmoid"
    derived = halved_gates(ctx, names, filters) if fast else []
    gates = lstm_gates(filters, activation, recurrent, fast, leading="...")
    params = ConvLstmParams(
        filters=filters,
        width=4 * filters,
        kernel_size=kernel_size,
        strides=strides,
        dilations=dilations,
        ones=(1,) * rank,
        padding=padding,
        spatial=spatial,
        out_spatial=out_spatial,
        window_inputs=prod(kernel_size) * channels,
        window_states=prod(kernel_size) * filters,
        # im2col numbers of one sequence's step: bounds how many steps are hoisted at once
        step_numbers=prod(out_spatial) * prod(kernel_size) * channels,
        im2col_limit=IM2COL_LIMIT,
        channels=channels,
        channels_first=channels_first,
        kernel=names["kernel"],
        recurrent_kernel=names["recurrent_kernel"],
        bias=names["bias"],
        gates=gates,
        cell_output=gates.cell_output("c"),
        initial_state=initial or stateful,
        stateful=stateful,
        go_backwards=go_backwards,
        return_sequences=return_sequences,
        return_state=return_state,
        returns_states=return_state or stateful,
        result=_result(return_sequences, channels_first),
        frame=shape[2:],
        state_shape=state[1:],
    )
    return Built(
        params=params,
        derived=derived,
        outputs=[first] + ([state, state] if return_state else []),
        weights=weights,
        mask="none",
        output_names=["out", "h", "c"] if return_state else None,
        # step() feeds one frame at a time
        step=None if go_backwards or initial else "cell",
        states=[state[1:], state[1:]],  # in the layer's data_format
        stateful=stateful,
        work=Work(window=prod(kernel_size), time_axis=1),
    )


def _result(return_sequences: bool, channels_first: bool) -> str:
    """The output: every step's h (time first inside, batch first outside), or the last."""
    if return_sequences:
        return "np.moveaxis(hs.swapaxes(0, 1), -1, 2)" if channels_first else "hs.swapaxes(0, 1)"
    return "np.moveaxis(h, -1, 1)" if channels_first else "h"


def _weights(ctx: LayerContext, kernel_size, channels: int, filters: int) -> List[Weight]:
    """W, U and (with use_bias) b, gate blocks i|f|c|o along the last axis."""
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(3 if use_bias else 2)
    width = 4 * filters
    weights = [
        ctx.weight(
            arrays[0],
            "kernel",
            kernel_size + (channels, width),
            "W: (*kernel_size, channels, 4*filters), gates i|f|c|o",
        ),
        ctx.weight(
            arrays[1],
            "recurrent_kernel",
            kernel_size + (filters, width),
            "U: (*kernel_size, filters, 4*filters), gates i|f|c|o",
        ),
    ]
    if use_bias:
        weights.append(ctx.weight(arrays[2], "bias", (width,), "b: (4*filters,), gates i|f|c|o"))
    return weights


def _refuse_unsupported(ctx: LayerContext) -> None:
    """Masks (Keras itself fails on them) and time_major are not translated."""
    if len(ctx.input_shapes) not in (1, 3):
        raise ctx.fail(f"expects 0 or 2 initial state tensors, got {len(ctx.input_shapes) - 1}")
    ctx.require("time_major", (False,), False)  # tf_keras saves it, always False
    ctx.option("zero_output_for_mask")  # matters only with a mask, refused here
    if ctx.input_masked[0]:
        raise ctx.fail("a mask on its input is not supported yet")
