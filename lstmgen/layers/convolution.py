"""Conv1D/2D/3D on one shared windowing helper (im2col)."""

from __future__ import annotations

from math import prod
from dataclasses import dataclass
from typing import ClassVar, Optional

from lstmgen.ir import Params, Work
from lstmgen.layers.base import Built, LayerContext
from lstmgen.layers.spatial import (
    SpatialLayout,
    join_channels,
    output_sizes,
    spatial_input,
    spatial_layout,
    Window,
    window_geometry,
)


@dataclass(frozen=True)
class ConvParams(Params):
    """conv.py.j2: the windows of the input (im2col) times the kernel as a matrix."""

    template: ClassVar[str] = "conv.py.j2"
    layout: SpatialLayout
    filters: int
    window: Window
    leading: int  # the axes before a window: batch and the output positions
    groups: int
    grouped: bool  # groups > 1: each group of channels has its own filters
    group_channels: int
    group_filters: int
    activation_name: str
    kernel: str
    bias: Optional[str]
    result: str  # the activation of y


def build_conv(ctx: LayerContext) -> Built:
    """Conv1D/2D/3D: padding valid/same (causal: 1-D only), strides, dilation_rate, groups."""
    rank, channels_first, spatial, channels = spatial_input(ctx)
    shape = ctx.input_shape
    if channels is None:
        raise ctx.fail(f"needs a fixed number of channels, got input shape {shape}")
    filters = ctx.int_option("filters")
    kernel_size, strides, dilations = window_geometry(ctx, rank)
    groups = ctx.int_option("groups", 1)
    if groups < 1 or channels % groups or filters % groups:
        raise ctx.fail(f"groups={groups} must divide the {channels} channels and {filters} filters")
    padding = ctx.require("padding", ("valid", "same", "causal")[: 3 if rank == 1 else 2], "valid")
    activation = ctx.activation("activation")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(2 if use_bias else 1)
    size = "kernel_size" if rank == 1 else "*kernel_size"
    weights = [
        ctx.weight(
            arrays[0],
            "kernel",
            kernel_size + (channels // groups, filters),
            f"W: ({size}, channels / groups, filters)",
        )
    ]
    if use_bias:
        weights.append(ctx.weight(arrays[1], "bias", (filters,), "b: (filters,)"))
    out_spatial = output_sizes(ctx, spatial, kernel_size, strides, dilations, padding)
    ctx.use_helpers("windows")
    return Built(
        params=ConvParams(
            layout=spatial_layout(rank, channels_first),
            filters=filters,
            window=Window(kernel_size, strides, dilations, padding),
            leading=rank + 1,
            groups=groups,
            grouped=groups > 1,
            group_channels=channels // groups,
            group_filters=filters // groups,
            activation_name=activation.keras_name,
            kernel=weights[0].var,
            bias=weights[1].var if use_bias else None,
            result=activation.apply("y"),
        ),
        outputs=[join_channels(shape[0], out_spatial, filters, channels_first)],
        work=Work(window=prod(kernel_size)),
        weights=weights,
        mask="none",
    )
