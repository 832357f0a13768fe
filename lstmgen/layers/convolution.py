"""Conv1D/2D/3D on one shared windowing helper (im2col), and the geometry they share."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from lstmgen.ir import Shape
from lstmgen.layers.base import Built, LayerContext, check_rank

# Names of the spatial axes in comments of the generated code, per rank.
AXES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


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
        template="conv.py.j2",
        params={
            **layout_params(rank, channels_first),
            "filters": filters,
            "kernel_size": kernel_size,
            "strides": strides,
            "dilations": dilations,
            "text": {
                "kernel_size": text(kernel_size),
                "strides": text(strides),
                "dilation_rate": text(dilations),
            },
            "groups": groups,
            "group_channels": channels // groups,
            "group_filters": filters // groups,
            "padding": padding,
            "activation": activation.func,
            "activation_name": activation.keras_name,
            "kernel": weights[0].var,
            "bias": weights[1].var if use_bias else None,
        },
        outputs=[join_channels(shape[0], out_spatial, filters, channels_first)],
        weights=weights,
        mask="none",
    )


def spatial_input(ctx: LayerContext) -> Tuple[int, bool, Shape, Optional[int]]:
    """(rank, channels_first, spatial sizes, channels) of the input of a 1/2/3-D layer;
    the rank is the digit of the class name (Conv2D, MaxPooling3D, GlobalAvgPool1D, ...)."""
    rank = int(ctx.class_name[-2])
    check_rank(ctx, ctx.input_shape, (rank + 2,))
    channels_first = is_channels_first(ctx)
    return (rank, channels_first) + split_channels(ctx.input_shape, channels_first)


def split_channels(shape: Shape, channels_first: bool) -> Tuple[Shape, Optional[int]]:
    """(spatial sizes, channels) of a (batch, ...) shape in either data_format."""
    return (shape[2:], shape[1]) if channels_first else (shape[1:-1], shape[-1])


def join_channels(
    batch: Optional[int],
    spatial: Sequence[Optional[int]],
    channels: Optional[int],
    channels_first: bool,
) -> Shape:
    """The inverse of split_channels."""
    spatial = tuple(spatial)
    return (batch, channels) + spatial if channels_first else (batch,) + spatial + (channels,)


def layout_params(rank: int, channels_first: bool) -> dict:
    """Template parameters for the axes: their names and channels_first's transpositions."""
    return {
        "rank": rank,
        "axes": AXES[rank],
        "channels_first": channels_first,
        # channels_first -> channels_last and back, batch axis first
        "to_last": (0,) + tuple(range(2, rank + 2)) + (1,),
        "to_first": (0, rank + 1) + tuple(range(1, rank + 1)),
    }


def text(values: Tuple[int, ...]) -> str:
    """3 for one axis, (3, 3) for several: as the docstrings show sizes."""
    return str(values[0]) if len(values) == 1 else str(values)


def output_sizes(
    ctx: LayerContext,
    spatial: Shape,
    sizes: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    padding: str,
) -> Shape:
    """The output's spatial sizes; a window that does not fit in the input is refused."""
    out = tuple(output_steps(*axis, padding) for axis in zip(spatial, sizes, strides, dilations))
    if 0 in out:
        raise ctx.fail(f"a window of {tuple(sizes)} cells does not fit in the input's {spatial}")
    return out


def output_steps(
    steps: Optional[int], size: int, stride: int, dilation: int, padding: str
) -> Optional[int]:
    """Output length, padding as TensorFlow does (windows in the generated code)."""
    if steps is None:
        return None
    if padding == "same":
        return -(-steps // stride)
    span = (size - 1) * dilation + 1
    padded = steps + (span - 1 if padding == "causal" else 0)
    return max((padded - span) // stride + 1, 0)


def window_geometry(ctx: LayerContext, rank: int) -> Tuple[Tuple[int, ...], ...]:
    """(kernel_size, strides, dilation_rate) of a `rank`-D convolution, one int per axis."""
    kernel = int_tuple(ctx, "kernel_size", 1, rank)
    strides = int_tuple(ctx, "strides", 1, rank)
    dilations = int_tuple(ctx, "dilation_rate", 1, rank)
    if max(strides) > 1 and max(dilations) > 1:
        raise ctx.fail("strides > 1 together with dilation_rate > 1 is not allowed by Keras")
    return kernel, strides, dilations


def int_tuple(ctx: LayerContext, key: str, default: int, rank: int) -> Tuple[int, ...]:
    """Option `key` as `rank` positive integers (one integer stands for all axes)."""
    value = ctx.option(key, default)
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * rank
    if len(values) != rank or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
    ):
        raise ctx.fail(f"option {key}={value!r} must be {rank} positive integer(s)")
    return values


def is_channels_first(ctx: LayerContext) -> bool:
    """data_format: channels_last (the default) or channels_first."""
    fmt = ctx.require("data_format", ("channels_last", "channels_first", None), "channels_last")
    return fmt == "channels_first"
