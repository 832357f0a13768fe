"""Conv1DTranspose/2DTranspose/3DTranspose: one matmul, then an overlap-add (col2im)."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import ClassVar, Optional, Tuple

from lstmgen.helpers import transposed_length
from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.spatial import (
    SpatialLayout,
    join_channels,
    spatial_layout,
    Window,
    text,
    window_geometry,
)


@dataclass(frozen=True)
class ConvTransposeParams(Params):
    """conv_transpose.py.j2: every input cell times the kernel, then the overlap-add."""

    template: ClassVar[str] = "conv_transpose.py.j2"
    layout: SpatialLayout
    filters: int
    window: Window
    output_padding_text: str  # None, or the tuple
    rows: str  # the input as (cells, channels): "x.reshape(-1, 8)"
    kernel_matrix: str  # W as (channels, kernel cells * filters): "W.reshape(-1, 8).T"
    cols_shape: str  # the products per input cell: "x.shape[:3] + (3, 3, 4)"
    overlap_args: str  # overlap_add's geometry: "(2, 2), (1, 1), 'same', None"
    bias: Optional[str]
    activation_name: str
    result: str  # the activation of y


def build_conv_transpose(ctx: LayerContext) -> Built:
    """Conv1D/2D/3DTranspose: padding valid/same, strides, output_padding, dilation_rate,
    data_format, activation, use_bias, with Keras's output sizes (both versions)."""
    rank = int(ctx.class_name[-11])  # Conv2DTranspose
    shape = ctx.input_shape
    if len(shape) != rank + 2:
        raise ctx.fail(f"expects a rank-{rank + 2} input, got shape {shape}")
    fmt = ctx.require("data_format", ("channels_last", "channels_first", None), "channels_last")
    channels_first = fmt == "channels_first"
    spatial, channels = (shape[2:], shape[1]) if channels_first else (shape[1:-1], shape[-1])
    if channels is None:
        raise ctx.fail(f"needs a fixed number of channels, got input shape {shape}")
    filters = ctx.int_option("filters")
    kernel_size, strides, dilations = window_geometry(ctx, rank)
    if ctx.keras_major == 2 and rank == 3:
        dilations = (1, 1, 1)  # Keras 2's Conv3DTranspose ignores dilation_rate (and drops it)
    padding = ctx.require("padding", ("valid", "same"), "valid")
    output_padding = _output_padding(ctx, rank, strides)
    _check_groups(ctx)
    activation = ctx.activation("activation")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(2 if use_bias else 1)
    size = "kernel_size" if rank == 1 else "*kernel_size"
    kernel = ctx.weight(
        arrays[0], "kernel", kernel_size + (filters, channels), f"W: ({size}, filters, channels)"
    )
    weights = [kernel]
    if use_bias:
        weights.append(ctx.weight(arrays[1], "bias", (filters,), "b: (filters,)"))
    out_spatial = []
    for n, k, s, d, pad in zip(spatial, kernel_size, strides, dilations, output_padding):
        span = (k - 1) * d + 1
        if padding == "same" and pad == 0 and span % 2 == 0:
            raise ctx.fail(
                f"padding='same' with output_padding=0 and an even kernel span ({span}) "
                "gives an output the convolution cannot be transposed to (Keras fails on it)"
            )
        out_spatial.append(None if n is None else transposed_length(n, k, s, d, padding, pad)[0])
    ctx.use_helpers("overlap_add")
    cells = rank + 1  # the batch axis and the input cells, before the kernel cells
    op = None if output_padding == (None,) * rank else output_padding
    return Built(
        params=ConvTransposeParams(
            layout=spatial_layout(rank, channels_first),
            filters=filters,
            window=Window(kernel_size, strides, dilations, padding),
            output_padding_text=str(op if op is None else text(op)),
            rows=f"x.reshape(-1, {channels})",
            kernel_matrix=f"{kernel.var}.reshape(-1, {channels}).T",
            cols_shape=f"x.shape[:{cells}] + {kernel_size + (filters,)!r}",
            overlap_args=f"{strides!r}, {dilations!r}, {padding!r}, {op!r}",
            bias=weights[1].var if use_bias else None,
            activation_name=activation.keras_name,
            result=activation.apply("y"),
        ),
        outputs=[join_channels(shape[0], out_spatial, filters, channels_first)],
        # its columns: every input cell's products with every kernel cell
        work=Work(
            window=prod(kernel_size),
            scratch=prod(n or 1 for n in (shape[0],) + tuple(spatial))
            * prod(kernel_size)
            * filters,
        ),
        weights=weights,
        mask="none",
    )


def _output_padding(ctx: LayerContext, rank: int, strides: Tuple[int, ...]) -> Tuple:
    """output_padding: None (Keras's default sizes) or one int per axis below its stride."""
    value = ctx.option("output_padding")
    if value is None:
        return (None,) * rank
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank
    if len(values) != rank or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v < s
        for v, s in zip(values, strides)
    ):
        raise ctx.fail(
            f"option output_padding={value!r} must be {rank} integer(s) from 0 to the stride - 1"
        )
    return values


def _check_groups(ctx: LayerContext) -> None:
    """tf_keras's transposed convolutions inherit `groups` from Conv and ignore it (their
    kernel has no groups); Keras 3's have no such option."""
    groups = ctx.int_option("groups", 1)
    if groups != 1 and ctx.keras_major != 2:
        raise ctx.fail(f"option groups={groups} is not supported (Keras 3 has no grouped ones)")
