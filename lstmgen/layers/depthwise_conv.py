"""DepthwiseConv1D/2D and SeparableConv1D/2D: each channel convolved with its own
filters (on the `windows` of the input), then, for the separable ones, a 1x1 convolution
mixing the channels (one matmul)."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
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

TRAINING_ONLY = (
    "depthwise_initializer",
    "depthwise_regularizer",
    "depthwise_constraint",
    "pointwise_initializer",
    "pointwise_regularizer",
    "pointwise_constraint",
)


@dataclass(frozen=True)
class DepthwiseConvParams(Params):
    """depthwise_conv.py.j2: the windows of the input, each channel times its own filters,
    then (separable) the channels mixed by a matmul."""

    template: ClassVar[str] = "depthwise_conv.py.j2"
    layout: SpatialLayout
    depth_multiplier: int
    window: Window
    depthwise_kernel: str
    depthwise_channels: int  # channels * depth_multiplier
    pointwise: Optional[str]  # separable: y's channels mixed, "(y.reshape(-1, 6) @ P...)"
    filters: Optional[int]
    bias: Optional[str]
    activation_name: str
    result: str  # the activation of y


def build_depthwise_conv(ctx: LayerContext) -> Built:
    """DepthwiseConv1D/2D: depth_multiplier filters per channel."""
    return _build(ctx, separable=False)


def build_separable_conv(ctx: LayerContext) -> Built:
    """SeparableConv1D/2D: a depthwise convolution, then a pointwise one to `filters`."""
    return _build(ctx, separable=True)


def _build(ctx: LayerContext, separable: bool) -> Built:
    rank, channels_first, spatial, channels = spatial_input(ctx)
    if channels is None:
        raise ctx.fail(f"needs a fixed number of channels, got input shape {ctx.input_shape}")
    # Keras 3 runs strides > 1 with dilation > 1 (dilated at stride 1, then subsampled)
    kernel_size, strides, dilations = window_geometry(ctx, rank, ctx.keras_major >= 3)
    multiplier = ctx.int_option("depth_multiplier", 1)
    if multiplier < 1:
        raise ctx.fail(f"option depth_multiplier={multiplier} must be positive")
    causal = ctx.keras_major == 2 and separable and rank == 1  # tf_keras's SeparableConv1D
    padding = ctx.require("padding", ("valid", "same", "causal")[: 3 if causal else 2], "valid")
    filters = ctx.int_option("filters") if separable else None
    for key in TRAINING_ONLY:
        ctx.option(key)
    if ctx.keras_major == 2:
        ctx.int_option("groups", 1)  # inherited from tf_keras's Conv, unused by these layers
    activation = ctx.activation("activation")
    use_bias = bool(ctx.option("use_bias", True))
    arrays = ctx.weights(1 + separable + use_bias)
    size = "kernel_size" if rank == 1 else "*kernel_size"
    depth = channels * multiplier
    weights = [
        ctx.weight(
            arrays[0],
            "depthwise_kernel",
            kernel_size + (channels, multiplier),
            f"W: ({size}, channels, depth_multiplier)",
        )
    ]
    pointwise = None
    if separable:
        weights.append(
            ctx.weight(
                arrays[1],
                "pointwise_kernel",
                (1,) * rank + (depth, filters),
                "P: (*ones, channels * depth_multiplier, filters)",
            )
        )
        pointwise = f"(y.reshape(-1, {depth}) @ {weights[1].var}.reshape({depth}, {filters}))"
        pointwise += f".reshape(y.shape[:-1] + ({filters},))"
    out_channels = filters if separable else depth
    if use_bias:
        weights.append(ctx.weight(arrays[-1], "bias", (out_channels,), f"b: ({out_channels},)"))
    out_spatial = output_sizes(ctx, spatial, kernel_size, strides, dilations, padding)
    ctx.use_helpers("windows", "depthwise")
    return Built(
        params=DepthwiseConvParams(
            layout=spatial_layout(rank, channels_first),
            depth_multiplier=multiplier,
            window=Window(kernel_size, strides, dilations, padding),
            depthwise_kernel=weights[0].var,
            depthwise_channels=depth,
            pointwise=pointwise,
            filters=filters,
            bias=weights[-1].var if use_bias else None,
            activation_name=activation.keras_name,
            result=activation.apply("y"),
        ),
        outputs=[join_channels(ctx.input_shape[0], out_spatial, out_channels, channels_first)],
        work=Work(window=prod(kernel_size)),
        weights=weights,
        mask="none",
    )
